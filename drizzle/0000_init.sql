CREATE TYPE "public"."account_kind" AS ENUM('user', 'shared');--> statement-breakpoint
CREATE TYPE "public"."account_status" AS ENUM('active', 'needs_reauth', 'disabled', 'error');--> statement-breakpoint
CREATE TYPE "public"."after_fetch" AS ENUM('keep', 'mark_seen', 'delete');--> statement-breakpoint
CREATE TYPE "public"."microsoft_cloud" AS ENUM('global', 'usgov', 'china');--> statement-breakpoint
CREATE TYPE "public"."oauth_intent" AS ENUM('connect', 'reauthenticate', 'shared_mailbox');--> statement-breakpoint
CREATE TYPE "public"."sync_outcome" AS ENUM('running', 'success', 'partial', 'failed');--> statement-breakpoint
CREATE TABLE "admins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_sign_in_at" timestamp with time zone,
	CONSTRAINT "admins_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "attachments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "attachments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"message_id" bigint NOT NULL,
	"filename" text,
	"original_filename" text,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"content_id" text,
	"inline" boolean DEFAULT false NOT NULL,
	"checksum" text NOT NULL,
	"content" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"admin_id" uuid,
	"admin_email" text,
	"action" text NOT NULL,
	"account_id" uuid,
	"target" text,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "mail_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"app_id" uuid,
	"kind" "account_kind" DEFAULT 'user' NOT NULL,
	"email_address" text NOT NULL,
	"display_name" text,
	"home_account_id" text NOT NULL,
	"tenant_id" text NOT NULL,
	"sign_in_address" text NOT NULL,
	"imap_user" text NOT NULL,
	"token_cache_sealed" text,
	"status" "account_status" DEFAULT 'active' NOT NULL,
	"folders" text[] DEFAULT ARRAY['INBOX']::text[] NOT NULL,
	"after_fetch" "after_fetch" DEFAULT 'keep' NOT NULL,
	"last_synced_at" timestamp with time zone,
	"last_sync_outcome" text,
	"last_error" jsonb,
	"smtp_warning" jsonb,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mail_folder_state" (
	"account_id" uuid NOT NULL,
	"folder" text NOT NULL,
	"uidvalidity" bigint NOT NULL,
	"last_uid" bigint DEFAULT 0 NOT NULL,
	"highest_modseq" text,
	"uid_next" bigint,
	"messages_on_server" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mail_folder_state_account_id_folder_pk" PRIMARY KEY("account_id","folder")
);
--> statement-breakpoint
CREATE TABLE "message_sources" (
	"message_id" bigint PRIMARY KEY NOT NULL,
	"source" "bytea" NOT NULL,
	"sha256" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "messages_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"account_id" uuid NOT NULL,
	"folder" text NOT NULL,
	"uidvalidity" bigint NOT NULL,
	"uid" bigint NOT NULL,
	"message_id" text,
	"in_reply_to" text,
	"subject" text,
	"from_address" text,
	"to_addresses" text[] DEFAULT '{}'::text[] NOT NULL,
	"cc_addresses" text[] DEFAULT '{}'::text[] NOT NULL,
	"reply_to" text[] DEFAULT '{}'::text[] NOT NULL,
	"date" timestamp with time zone,
	"date_header" text,
	"internal_date" timestamp with time zone NOT NULL,
	"size" integer NOT NULL,
	"flags" text[] DEFAULT '{}'::text[] NOT NULL,
	"snippet" text,
	"text" text,
	"html" text,
	"has_attachments" boolean DEFAULT false NOT NULL,
	"parse_error" text,
	"skipped_reason" text,
	"duplicate_of" bigint,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "microsoft365_apps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"client_id" text NOT NULL,
	"tenant" text NOT NULL,
	"cloud" "microsoft_cloud" DEFAULT 'global' NOT NULL,
	"client_secret_sealed" text NOT NULL,
	"client_secret_hint" text NOT NULL,
	"secret_expires_on" date,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth_flows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"state" text NOT NULL,
	"code_verifier_sealed" text NOT NULL,
	"nonce" text NOT NULL,
	"admin_id" uuid NOT NULL,
	"app_id" uuid NOT NULL,
	"intent" "oauth_intent" NOT NULL,
	"account_id" uuid,
	"shared_mailbox" text,
	"login_hint" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	CONSTRAINT "oauth_flows_state_unique" UNIQUE("state")
);
--> statement-breakpoint
CREATE TABLE "sign_in_attempts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sign_in_attempts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"email" text NOT NULL,
	"ip" text NOT NULL,
	"succeeded" boolean NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sync_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"account_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"messages" integer DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"outcome" "sync_outcome" DEFAULT 'running' NOT NULL,
	"error_code" text,
	"error_message" text
);
--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_accounts" ADD CONSTRAINT "mail_accounts_app_id_microsoft365_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."microsoft365_apps"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mail_folder_state" ADD CONSTRAINT "mail_folder_state_account_id_mail_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."mail_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_sources" ADD CONSTRAINT "message_sources_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_account_id_mail_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."mail_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_flows" ADD CONSTRAINT "oauth_flows_admin_id_admins_id_fk" FOREIGN KEY ("admin_id") REFERENCES "public"."admins"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_flows" ADD CONSTRAINT "oauth_flows_app_id_microsoft365_apps_id_fk" FOREIGN KEY ("app_id") REFERENCES "public"."microsoft365_apps"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_account_id_mail_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."mail_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachments_message" ON "attachments" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "audit_events_at" ON "audit_events" USING btree ("at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "mail_accounts_identity" ON "mail_accounts" USING btree ("home_account_id","imap_user");--> statement-breakpoint
CREATE INDEX "mail_accounts_due" ON "mail_accounts" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_account_folder_uid" ON "messages" USING btree ("account_id","folder","uidvalidity","uid");--> statement-breakpoint
CREATE INDEX "messages_account_newest" ON "messages" USING btree ("account_id","internal_date" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "messages_newest" ON "messages" USING btree ("internal_date" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "messages_message_id" ON "messages" USING btree ("message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "microsoft365_apps_one_active" ON "microsoft365_apps" USING btree ("active") WHERE "microsoft365_apps"."active";--> statement-breakpoint
CREATE INDEX "oauth_flows_expires_at" ON "oauth_flows" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sign_in_attempts_email_at" ON "sign_in_attempts" USING btree ("email","at");--> statement-breakpoint
CREATE INDEX "sign_in_attempts_ip_at" ON "sign_in_attempts" USING btree ("ip","at");--> statement-breakpoint
CREATE INDEX "sync_runs_account_started" ON "sync_runs" USING btree ("account_id","started_at" DESC NULLS LAST);