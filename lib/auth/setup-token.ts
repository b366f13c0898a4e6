import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '@/lib/db/types';
import { countAdmins } from '@/lib/db/queries/admins';

// Crockford's base32: no I, L, O or U to misread when copying from a log.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const announced = globalThis as unknown as { __mailgateSetupTokenAnnounced?: boolean };

/**
 * A production console is reachable by strangers from its first second: whoever opened /setup first became its
 * administrator. There, /setup also asks for this token, which only someone who can read the server's log (or
 * its AUTH_SECRET) has. Derived from AUTH_SECRET, so every instance of a deployment prints and accepts the same
 * one without storing anything; it stops mattering once an administrator exists, as /setup then closes for
 * good. Embedded development keeps the open /setup.
 */
export function setupTokenRequired(): boolean {
  return process.env.NODE_ENV === 'production';
}

export function setupToken(authSecret: string): string {
  const digest = createHmac('sha256', authSecret).update('mailgate-365 first administrator set-up').digest();
  let bits = '';
  for (const byte of digest.subarray(0, 13)) bits += byte.toString(2).padStart(8, '0');
  const characters = Array.from({ length: 20 }, (_, i) => ALPHABET[parseInt(bits.slice(i * 5, i * 5 + 5), 2)]);
  return characters.join('').replace(/(.{5})(?=.)/g, '$1-');
}

/** Compares what was typed (any case, with or without dashes and spaces) in constant time. */
export function isSetupToken(typed: unknown, authSecret: string): boolean {
  if (typeof typed !== 'string') return false;
  const expected = Buffer.from(setupToken(authSecret).replace(/-/g, ''));
  const given = Buffer.from(typed.toUpperCase().replace(/[\s-]/g, '').slice(0, 64));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Prints the token once per process while no administrator exists (at start, or when /setup is first shown). */
export async function announceSetupToken(db: Db, authSecret: string): Promise<void> {
  if (!setupTokenRequired() || announced.__mailgateSetupTokenAnnounced) return;
  if ((await countAdmins(db)) > 0) return;
  announced.__mailgateSetupTokenAnnounced = true;
  console.log(
    `Set-up token for the first administrator: ${setupToken(authSecret)} (enter it on /setup; it stops working once an administrator exists)`,
  );
}
