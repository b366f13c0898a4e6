// Runs once when a server starts: a bad configuration stops it with one readable line, and the
// database is opened (and, in embedded mode, migrated) before the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.NEXT_PHASE === 'phase-production-build') return;
  // Before the first request: the sign-in throttle needs each request's socket address.
  const { installPeerAddressStamp } = await import('@/lib/http/peer-address');
  installPeerAddressStamp();
  const { startServer } = await import('@/lib/server-start');
  await startServer();
}
