// Runs once when a server starts: a bad configuration stops it with one readable line, and the
// database is opened (and, in embedded mode, migrated) before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  const { startServer } = await import('@/lib/server-start');
  await startServer();
}
