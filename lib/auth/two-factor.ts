import 'server-only';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import { renderSVG } from 'uqr';
import { getEnv } from '@/lib/config/env';
import { secrets } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/types';
import type { Admin } from '@/lib/db/queries/admins';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import { advanceTotpTimeStep, disableTotp, enableTotp, spendRecoveryCode } from '@/lib/db/queries/two-factor';
import type { SignedInAdmin } from '@/lib/auth/require-admin';

const ISSUER = 'Mailgate 365';
const RECOVERY_CODES = 10;
// One 30-second step either side: a phone's clock a little off still works, a code stays valid about 90 s at most.
const TOLERANCE_SECONDS = 30;
const TICKET_SECONDS = 5 * 60;

export const totpSecretContext = (adminId: string) => `admins.totp_secret:${adminId}`;
const enrolmentContext = (adminId: string) => `admins.totp_enrolment:${adminId}`;

export function twoFactorRequired(): boolean {
  return getEnv().REQUIRE_TWO_FACTOR;
}

export function hasTwoFactor(admin: Pick<Admin, 'totpEnabledAt' | 'totpSecretSealed'>): boolean {
  return Boolean(admin.totpEnabledAt && admin.totpSecretSealed);
}

export interface Enrolment {
  /** The new secret sealed for this admin's enrolment form: the browser carries it back without reading it. */
  sealed: string;
  /** Base32, for typing into an app that cannot scan. */
  secret: string;
  /** The otpauth:// URI as a QR code, rendered here, never by a third party. */
  qrSvg: string;
}

export function startEnrolment(admin: { id: string; email: string }): Enrolment {
  const secret = generateSecret();
  const uri = generateURI({ issuer: ISSUER, label: admin.email, secret });
  return {
    sealed: secrets().seal(secret, enrolmentContext(admin.id)),
    secret,
    qrSvg: renderSVG(uri, { border: 2 }),
  };
}

function recoveryHash(code: string): string {
  return createHash('sha256')
    .update(code.toUpperCase().replace(/[^0-9A-Z]/g, ''))
    .digest('hex');
}

function newRecoveryCode(): string {
  const raw = randomBytes(8).toString('hex').toUpperCase().slice(0, 10);
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

async function totpStep(secret: string, code: string, afterTimeStep?: number | null): Promise<number | undefined> {
  if (!/^\d{6}$/.test(code)) return undefined;
  const result = await verify({
    secret,
    token: code,
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterTimeStep ? { afterTimeStep } : {}),
  });
  return result.valid && 'timeStep' in result ? (result.timeStep as number) : undefined;
}

/**
 * Turns two-factor sign-in on once the admin proves their app shows the right code. Returns the recovery codes,
 * which exist in plain text only in this answer.
 */
export async function confirmEnrolment(
  db: Db,
  actor: SignedInAdmin,
  sealed: string,
  code: string,
  now = new Date(),
): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false; reason: 'wrong_code' | 'expired_form' }> {
  let secret: string;
  try {
    secret = secrets().open(sealed, enrolmentContext(actor.id));
  } catch {
    return { ok: false, reason: 'expired_form' };
  }
  const step = await totpStep(secret, code.replace(/\s/g, ''));
  if (step === undefined) return { ok: false, reason: 'wrong_code' };
  const recoveryCodes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  await enableTotp(db, {
    adminId: actor.id,
    secretSealed: secrets().seal(secret, totpSecretContext(actor.id)),
    timeStep: step,
    codeHashes: recoveryCodes.map(recoveryHash),
    now,
  });
  await recordAuditEvent(db, {
    adminId: actor.id,
    adminEmail: actor.email,
    action: 'admin.two_factor_enabled',
    target: actor.email,
  });
  return { ok: true, recoveryCodes };
}

export async function turnOffTwoFactor(db: Db, actor: SignedInAdmin): Promise<void> {
  await disableTotp(db, actor.id);
  await recordAuditEvent(db, {
    adminId: actor.id,
    adminEmail: actor.email,
    action: 'admin.two_factor_disabled',
    target: actor.email,
  });
}

/** A code from the authenticator app (each accepted once) or an unused recovery code (used up). */
export async function checkSecondFactor(db: Db, admin: Admin, code: string, now = new Date()): Promise<boolean> {
  if (!admin.totpSecretSealed) return false;
  const typed = code.replace(/\s/g, '');
  const secret = secrets().open(admin.totpSecretSealed, totpSecretContext(admin.id));
  const step = await totpStep(secret, typed, admin.totpLastTimeStep);
  if (step !== undefined) return advanceTotpTimeStep(db, admin.id, step);
  if (!/^[0-9A-Za-z]{5}-?[0-9A-Za-z]{5}$/.test(typed)) return false;
  return spendRecoveryCode(db, admin.id, recoveryHash(typed), now);
}

/**
 * After a right password, the browser gets this ticket instead of a session: it names the admin, lasts five
 * minutes, and is signed with AUTH_SECRET. With it and a code the sign-in finishes; the password is not sent twice.
 */
export function issueSecondFactorTicket(adminId: string, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + TICKET_SECONDS;
  return `${adminId}.${expires}.${ticketSignature(adminId, expires).toString('base64url')}`;
}

export function openSecondFactorTicket(ticket: unknown, now = Date.now()): string | undefined {
  if (typeof ticket !== 'string' || ticket.length > 200) return undefined;
  const [adminId, expires, signature, ...rest] = ticket.split('.');
  if (!adminId || !expires || !signature || rest.length || !/^\d+$/.test(expires)) return undefined;
  if (Number(expires) * 1000 < now) return undefined;
  const expected = ticketSignature(adminId, Number(expires));
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? adminId : undefined;
}

function ticketSignature(adminId: string, expires: number): Buffer {
  return createHmac('sha256', getEnv().AUTH_SECRET).update(`mailgate second factor\n${adminId}\n${expires}`).digest();
}
