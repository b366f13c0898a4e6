-- Hand-written (drizzle-kit would drop and recreate the type, which fails on stored 'usgov' rows): 'usgov' always
-- meant GCC High's hosts, so it is renamed in place and every stored row keeps its behaviour; DoD is new.
ALTER TYPE "public"."microsoft_cloud" RENAME VALUE 'usgov' TO 'gcc_high';--> statement-breakpoint
ALTER TYPE "public"."microsoft_cloud" ADD VALUE IF NOT EXISTS 'dod' BEFORE 'china';
