import 'server-only';
import type { Db } from '@/lib/db/types';
import {
  forgetThrottleBefore,
  forgiveSignInAttempt,
  reserveSignInAttempt,
  type Reservation,
  type ThrottleBucket,
  type ThrottlePolicy,
} from '@/lib/db/queries/sign-in-throttle';

// Five tries for one e-mail from one client, twenty from one client for any e-mails; after that each try waits
// 30 s, 1, 2, 4 ... minutes, at most an hour. No bucket spans every client, so strangers' failures never lock an
// administrator out of their own network or browser.
export const FREE_PER_ACCOUNT = 5;
export const FREE_PER_CLIENT = 20;
export const THROTTLE_POLICY: ThrottlePolicy = {
  baseDelaySeconds: 30,
  maxDelaySeconds: 60 * 60,
  forgetAfterSeconds: 24 * 60 * 60,
};

export interface SignInOrigin {
  email: string;
  /** The client address (lib/http/client-address.ts). */
  client: string;
  /** A browser this admin signed in with before (lib/auth/known-device.ts), which gets a bucket of its own. */
  device?: string;
}

/**
 * A known device is counted on its own, by e-mail and device: failures from elsewhere, even behind the same
 * address, do not slow it down, and guesses made with it still wait like any other.
 */
function bucketsOf(origin: SignInOrigin): { account: ThrottleBucket; others: ThrottleBucket[] } {
  if (origin.device) {
    return {
      account: { scope: 'device', key: `${origin.email} ${origin.device}`, free: FREE_PER_ACCOUNT },
      others: [],
    };
  }
  return {
    account: { scope: 'account', key: `${origin.email} ${origin.client}`, free: FREE_PER_ACCOUNT },
    others: [{ scope: 'client', key: origin.client, free: FREE_PER_CLIENT }],
  };
}

/** Takes one attempt from every bucket the sign-in counts against, before the password is checked. */
export function reserveAttempt(db: Db, origin: SignInOrigin, now = new Date()): Promise<Reservation> {
  const { account, others } = bucketsOf(origin);
  return reserveSignInAttempt(db, [account, ...others], THROTTLE_POLICY, now);
}

export async function forgiveAttempt(db: Db, origin: SignInOrigin, now = new Date()): Promise<void> {
  const { account, others } = bucketsOf(origin);
  await forgiveSignInAttempt(db, account, others);
  await forgetThrottleBefore(db, new Date(now.getTime() - THROTTLE_POLICY.forgetAfterSeconds * 1000));
}
