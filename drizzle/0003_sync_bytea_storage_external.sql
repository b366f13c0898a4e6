-- Raw message sources and attachment bytes are stored uncompressed (like a Maildir): pglz compression of
-- sources cost about 40% of the sync's write time and saves little on base64 attachments. Storage only: no
-- data or column type changes.
ALTER TABLE "message_sources" ALTER COLUMN "source" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "attachments" ALTER COLUMN "content" SET STORAGE EXTERNAL;
