CREATE TYPE "public"."mail_access" AS ENUM('delegated', 'application');--> statement-breakpoint
CREATE TYPE "public"."mail_transport" AS ENUM('imap', 'graph');--> statement-breakpoint
CREATE TABLE "graph_subscriptions" (
	"account_id" uuid PRIMARY KEY NOT NULL,
	"subscription_id" text NOT NULL,
	"client_state_hash" text NOT NULL,
	"resource" text NOT NULL,
	"notification_url" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"renewed_at" timestamp with time zone,
	"last_notification_at" timestamp with time zone,
	"last_lifecycle_event" text,
	"last_lifecycle_at" timestamp with time zone,
	"last_error" jsonb,
	CONSTRAINT "graph_subscriptions_subscription_id_unique" UNIQUE("subscription_id")
);
--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "uidvalidity" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "uid" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "mail_accounts" ADD COLUMN "transport" "mail_transport" DEFAULT 'imap' NOT NULL;--> statement-breakpoint
ALTER TABLE "mail_accounts" ADD COLUMN "access" "mail_access" DEFAULT 'delegated' NOT NULL;--> statement-breakpoint
ALTER TABLE "mail_folder_state" ADD COLUMN "graph_folder_id" text;--> statement-breakpoint
ALTER TABLE "mail_folder_state" ADD COLUMN "delta_link" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "graph_id" text;--> statement-breakpoint
ALTER TABLE "microsoft365_apps" ADD COLUMN "transport" "mail_transport" DEFAULT 'imap' NOT NULL;--> statement-breakpoint
ALTER TABLE "microsoft365_apps" ADD COLUMN "access" "mail_access" DEFAULT 'delegated' NOT NULL;--> statement-breakpoint
ALTER TABLE "graph_subscriptions" ADD CONSTRAINT "graph_subscriptions_account_id_mail_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."mail_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "graph_subscriptions_expires" ON "graph_subscriptions" USING btree ("expires_at");--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_has_key" CHECK (("messages"."uid" is not null and "messages"."uidvalidity" is not null) or "messages"."graph_id" is not null) NOT VALID;