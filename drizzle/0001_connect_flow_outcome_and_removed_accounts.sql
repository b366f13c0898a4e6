ALTER TABLE "mail_accounts" ADD COLUMN "removed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "oauth_flows" ADD COLUMN "outcome" jsonb;