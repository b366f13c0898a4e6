import { PEER_ADDRESS_HEADER, peerAddressStampInstalled } from '@/lib/http/peer-address';

export interface ClientAddressPolicy {
  /** Proxies in front of the console that each append the address they saw to X-Forwarded-For. */
  trustedProxyHops: number;
  /** Running on Vercel, whose edge sets the client address itself. */
  onVercel: boolean;
  /** Whether this process stamps each request with its socket address (lib/http/peer-address.ts). */
  peerStamped?: boolean;
}

/** What all requests share when the address cannot be known; the throttle still holds, per e-mail and device. */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * The address the throttle counts a request against. Forwarded headers are believed only where a proxy we were
 * told about wrote them, so a client that rotates X-Forwarded-For itself gains nothing.
 */
export function clientAddress(headers: Headers, policy: ClientAddressPolicy): string {
  if (policy.onVercel) {
    // Vercel's edge overwrites X-Forwarded-For with the client's public address "to prevent IP spoofing";
    // x-vercel-forwarded-for carries the same value and survives a proxy in front of Vercel
    // (https://vercel.com/docs/headers/request-headers).
    const vercel = firstOf(headers.get('x-vercel-forwarded-for')) ?? firstOf(headers.get('x-real-ip'));
    return vercel ?? firstOf(headers.get('x-forwarded-for')) ?? UNKNOWN_CLIENT;
  }
  if (policy.trustedProxyHops > 0) {
    // Each trusted proxy appended the address it saw; the outermost one's entry is the client. Entries left of
    // it are the client's own claims.
    const chain = listOf(headers.get('x-forwarded-for'));
    const client = chain[chain.length - policy.trustedProxyHops] ?? chain[0];
    if (client) return client;
  }
  const stamped = policy.peerStamped ?? peerAddressStampInstalled();
  return (stamped ? headers.get(PEER_ADDRESS_HEADER)?.trim() : undefined) || UNKNOWN_CLIENT;
}

function listOf(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

function firstOf(value: string | null): string | undefined {
  return listOf(value)[0];
}
