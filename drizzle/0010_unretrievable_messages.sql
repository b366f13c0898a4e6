CREATE TABLE "unretrievable_messages" (
	"account_id" uuid NOT NULL,
	"folder" text NOT NULL,
	"uidvalidity" bigint NOT NULL,
	"uid" bigint NOT NULL,
	"reason" text NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_tried_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "unretrievable_messages_account_id_folder_uidvalidity_uid_pk" PRIMARY KEY("account_id","folder","uidvalidity","uid")
);
--> statement-breakpoint
ALTER TABLE "unretrievable_messages" ADD CONSTRAINT "unretrievable_messages_account_id_mail_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."mail_accounts"("id") ON DELETE cascade ON UPDATE no action;