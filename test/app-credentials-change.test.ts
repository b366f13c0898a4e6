import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailAccounts, microsoft365Apps } from '@/lib/db/schema';
import { CALLBACK, CLIENT_ID, startChannelFixture, TENANT, type ChannelFixture } from '@/test/support/channel';

// A second registration in the same directory: what an admin who pasted another app's ID has.
const OTHER = { clientId: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d', clientSecret: 'other~app-secret-9' };

let f: ChannelFixture;
let save: typeof import('@/lib/channels/microsoft365/app-credentials').saveAppCredentials;
let aliceId: string;

beforeAll(async () => {
  f = await startChannelFixture({
    apps: [{ ...OTHER, redirectUris: [CALLBACK], audience: 'single', tenant: TENANT }],
  });
  ({ saveAppCredentials: save } = await import('@/lib/channels/microsoft365/app-credentials'));
  const result = await f.complete(await f.signIn({ kind: 'connect' }, 'alice@contoso.test'));
  if (!result.ok || !result.outcome.ok) throw new Error('connect failed');
  aliceId = result.outcome.accountId;
});
afterAll(async () => f?.stop());

const input = (values: Partial<Parameters<typeof save>[1]> = {}) => ({
  clientId: CLIENT_ID,
  clientSecret: '',
  tenant: TENANT,
  cloud: 'global' as const,
  secretExpiresOn: null,
  ...values,
});
const apps = () => f.db.select().from(microsoft365Apps);
const alice = async () => (await f.db.select().from(mailAccounts).where(eq(mailAccounts.id, aliceId)))[0];

describe('saving app credentials', () => {
  it('asks Microsoft first: a wrong secret, client ID or tenant is named at its field and nothing changes', async () => {
    const before = await apps();
    const cases = [
      [{ clientSecret: 'the-secret-id-not-its-value' }, 'clientSecret', /AADSTS7000215/],
      [{ clientId: '0e0e0e0e-1111-4222-8333-444455556666' }, 'clientId', /AADSTS700016/],
      [{ tenant: 'nowhere.example' }, 'tenant', /AADSTS90002/],
    ] as const;
    for (const [values, field, message] of cases) {
      const result = await save(f.db, input(values), f.admin);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.error.field).toEqual(field);
      expect(result.ok ? '' : result.error.message).toMatch(message);
    }
    expect(await apps()).toEqual(before);
    expect((await alice())?.status).toBe('active');
  });

  it('says plainly when Microsoft cannot check the tenant, and saves', async () => {
    const result = await save(f.db, input({ tenant: 'organizations' }), f.admin);
    expect(result).toMatchObject({ ok: true, check: { result: 'unchecked' } });
    expect(result.ok && result.check.result === 'unchecked' && result.check.note).toMatch(
      /Not checked: .*“organizations” names none/,
    );
    const accepted = await save(f.db, input(), f.admin);
    expect(accepted).toMatchObject({ ok: true, check: { result: 'accepted' }, mustReauthenticate: 0 });
  });

  it('changes the client ID only once the number of mailboxes to re-authenticate is confirmed', async () => {
    const unconfirmed = await save(f.db, input({ ...OTHER }), f.admin);
    expect(unconfirmed).toMatchObject({ ok: false, error: { field: 'confirmReauth', mustReauthenticate: 1 } });
    expect(unconfirmed.ok ? '' : unconfirmed.error.message).toBe(
      'Confirm that 1 mailbox signed in with the current client ID must re-authenticate.',
    );
    expect((await alice())?.status).toBe('active');
    expect(await save(f.db, input({ ...OTHER }), f.admin, { confirmedReauth: 2 })).toMatchObject({ ok: false });

    const confirmed = await save(f.db, input({ ...OTHER }), f.admin, { confirmedReauth: 1 });
    expect(confirmed).toMatchObject({ ok: true, mustReauthenticate: 1, restored: 0 });
    expect(await alice()).toMatchObject({ status: 'needs_reauth', lastError: { code: 'app.replaced' } });
  });

  it('restores the mailboxes, as they were, when the previous client ID is entered again (its secret kept)', async () => {
    const restored = await save(f.db, input(), f.admin);
    expect(restored).toMatchObject({ ok: true, mustReauthenticate: 0, restored: 1, check: { result: 'accepted' } });
    expect(await alice()).toMatchObject({ status: 'active', lastError: null });
    const rows = await apps();
    expect(rows.filter((app) => app.active).map((app) => app.clientId)).toEqual([CLIENT_ID]);
    expect(rows).toHaveLength(2);

    // The restored sign-in works: its token cache was kept all along.
    const { acquireMailAccessToken } = await import('@/lib/channels/microsoft365/tokens');
    await expect(acquireMailAccessToken(f.db, aliceId, { forceRefresh: true })).resolves.toBeTruthy();
  });
});
