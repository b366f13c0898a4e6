/** Tests may only talk to servers on this machine; anything else is refused before a connection is made. */
export function assertLoopback(host: string): void {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare)) return;
  throw new Error(`Refusing to run tests against ${host}: only loopback servers are allowed.`);
}
