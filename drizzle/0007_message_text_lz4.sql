-- The parsed text and HTML of each message are compressed with lz4 where the server has it (PostgreSQL 14+
-- built --with-lz4, as Debian's and the official images are): pglz cost more of the sync's write time for a few
-- percent less space. Only newly written values change; PGlite and servers without lz4 keep pglz.
DO $$
BEGIN
  ALTER TABLE "messages" ALTER COLUMN "text" SET COMPRESSION lz4, ALTER COLUMN "html" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN
  RAISE NOTICE 'lz4 is not available here; messages keep pglz compression';
END $$;
