import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { startChannelFixture, type ChannelFixture } from '@/test/support/channel';

let f: ChannelFixture | undefined;
afterAll(async () => f?.stop());

/** The product reads its keys once per process; a rotation is a restart with new variables. */
function restartWithKeys(current: string, previous?: string) {
  process.env.APP_ENCRYPTION_KEY = current;
  process.env.APP_ENCRYPTION_KEY_PREVIOUS = previous ?? '';
  const cache = globalThis as unknown as { __mailgateEnv?: unknown; __mailgateSealer?: unknown };
  cache.__mailgateEnv = undefined;
  cache.__mailgateSealer = undefined;
}

describe('encryption key rotation', () => {
  it('re-seals every secret with the new key, after which the old key is no longer needed', async () => {
    f = await startChannelFixture();
    const connected = await f.complete(await f.signIn({ kind: 'connect' }, 'alice@contoso.test'));
    if (!connected.ok || !connected.outcome.ok) throw new Error('connect failed');
    const accountId = connected.outcome.accountId;
    // An administrator's authenticator secret, sealed under the old key like the others.
    const schema = await import('@/lib/db/schema');
    const { secrets } = await import('@/lib/crypto/secrets');
    const { totpSecretContext } = await import('@/lib/auth/two-factor');
    const [admin] = await f.db
      .insert(schema.admins)
      .values({ email: 'rotation@example.com', passwordHash: 'not used here' })
      .returning({ id: schema.admins.id });
    if (!admin) throw new Error('no admin');
    const totpSecret = 'JBSWY3DPEHPK3PXP';
    await f.db
      .update(schema.admins)
      .set({ totpSecretSealed: secrets().seal(totpSecret, totpSecretContext(admin.id)) })
      .where(eq(schema.admins.id, admin.id));
    const oldKey = process.env.APP_ENCRYPTION_KEY ?? '';
    const newKey = randomBytes(32).toString('base64');

    restartWithKeys(newKey, oldKey);
    const { resealAll } = await import('@/lib/maintenance/reseal-secrets');
    const { resealed } = await resealAll(f.db);
    expect(resealed).toBeGreaterThanOrEqual(3);
    expect((await resealAll(f.db)).resealed).toBe(0);

    restartWithKeys(newKey);
    const { acquireMailAccess } = await import('@/lib/channels/microsoft365/tokens');
    await expect(acquireMailAccess(f.db, accountId)).resolves.toMatchObject({ imapUser: 'alice@contoso.test' });
    const [row] = await f.db.select().from(schema.admins).where(eq(schema.admins.id, admin.id));
    expect(secrets().open(row?.totpSecretSealed ?? '', totpSecretContext(admin.id))).toBe(totpSecret);
  });
});
