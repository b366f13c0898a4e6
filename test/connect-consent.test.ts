import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInput } from '@/test/harness/emulator/model';
import { SignInDriver } from '@/test/harness/sign-in-driver';
import {
  BASE_URL,
  CALLBACK,
  CLIENT_ID,
  CLIENT_SECRET,
  TENANT,
  startChannelFixture,
  type ChannelFixture,
} from '@/test/support/channel';

/** Registration and consent errors as Microsoft sends them, and what the end of connect makes of them. */
let f: ChannelFixture;

beforeAll(async () => {
  f = await startChannelFixture();
});
afterAll(async () => f?.stop());

const APP: AppInput = {
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  redirectUris: [CALLBACK],
  audience: 'single',
  tenant: TENANT,
};

async function failureOf(params: Parameters<ChannelFixture['complete']>[0]) {
  const result = await f.complete(params);
  if (!result.ok || result.outcome.ok) throw new Error(`expected a failure: ${JSON.stringify(result)}`);
  return result.outcome.error;
}

describe('registration mistakes', () => {
  it('explains AADSTS9002327 (callback registered as a single-page application) with the Web platform fix', async () => {
    await f.harness.control.registerApp({ ...APP, redirectPlatform: 'spa' });
    try {
      const error = await failureOf(await f.signIn({ kind: 'connect' }, 'alice@contoso.test'));
      expect(error.code).toBe('AADSTS9002327');
      expect(error.action).toContain('add it under "Web"');
      expect(error.action).toContain(`\`${CALLBACK}\``);
    } finally {
      await f.harness.control.registerApp(APP);
    }
  });
});

describe('consent', () => {
  it('offers admin consent when a user who may not consent leaves “Need admin approval”', async () => {
    await f.harness.control.requireAdminConsent(CLIENT_ID);
    const params = await f.signIn({ kind: 'connect' }, 'bob@contoso.test');
    expect(params).toMatchObject({ error: 'access_denied', error_subcode: 'cancel' });
    const error = await failureOf(params);
    expect(error).toMatchObject({ code: 'access_denied', needsAdminConsent: true });
    expect(error.title).toBe('The sign-in ended without consent, so no mailbox was connected.');
  });

  it('says why when an administrator declines on the admin-consent page (admin_consent=True&error=…)', async () => {
    const { startAdminConsent } = await import('@/lib/channels/microsoft365/connect');
    const started = await startAdminConsent(f.db, f.admin, BASE_URL);
    if (!started.ok) throw new Error(started.error.message);
    const { redirect } = await new SignInDriver().signIn(started.url, undefined, { consent: 'cancel' });
    const params = Object.fromEntries(redirect.searchParams) as { state: string; admin_consent?: string };
    expect(params).toMatchObject({ admin_consent: 'True', error: 'consent_required' });
    expect(params).not.toHaveProperty('tenant');
    const error = await failureOf(params);
    expect(error).toMatchObject({
      code: 'AADSTS65004',
      needsAdminConsent: true,
      title: 'Admin consent was not granted.',
    });
  });

  it('reports AADSTS65001 at token time as admin consent, not as a lost sign-in', async () => {
    await f.harness.control.grantAdminConsent(CLIENT_ID, TENANT);
    const result = await f.complete(await f.signIn({ kind: 'connect' }, 'alice@contoso.test'));
    if (!result.ok || !result.outcome.ok) throw new Error(JSON.stringify(result));
    await f.harness.control.requireAdminConsent(CLIENT_ID);
    const { acquireMailAccess, TokenError } = await import('@/lib/channels/microsoft365/tokens');
    const error = await acquireMailAccess(f.db, result.outcome.accountId, { forceRefresh: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TokenError);
    expect((error as InstanceType<typeof TokenError>).explained).toMatchObject({
      code: 'AADSTS65001',
      needsAdminConsent: true,
    });
    await f.harness.control.grantAdminConsent(CLIENT_ID, TENANT);
  });

  it('offers admin consent when the user declines the permissions (AADSTS65004)', async () => {
    await f.harness.control.registerApp({ ...APP, consent: 'user' });
    try {
      const params = await f.signIn({ kind: 'connect' }, 'bob@contoso.test', { consent: 'cancel' });
      const error = await failureOf(params);
      expect(error).toMatchObject({ code: 'AADSTS65004', needsAdminConsent: true });
      expect(error.title).toBe('The permissions were declined, so no mailbox was connected.');
    } finally {
      await f.harness.control.registerApp(APP);
    }
  });
});

describe('signing keys', () => {
  it('verifies the id token right after Microsoft rolls its signing key over', async () => {
    const first = await f.complete(await f.signIn({ kind: 'connect' }, 'bob@contoso.test'));
    expect(first.ok && first.outcome.ok).toBe(true);
    await f.harness.control.rotateSigningKey();
    const second = await f.complete(await f.signIn({ kind: 'connect' }, 'bob@contoso.test'));
    if (!second.ok) throw new Error(JSON.stringify(second));
    expect(second.outcome).toMatchObject({ ok: true });
  });
});
