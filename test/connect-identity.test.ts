import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, mailAccounts } from '@/lib/db/schema';
import { startChannelFixture, type ChannelFixture } from '@/test/support/channel';

let f: ChannelFixture;
const ADMIN = () => ({ id: f.admin.id, email: f.admin.email });

/** A tenant whose sign-in names live on onmicrosoft and whose mail lives on the company domain. */
const ANA = { address: 'ana@contoso.test', signInName: 'a.admin@contoso.onmicrosoft.test', displayName: 'Ana' };
const NORA = { address: 'nora@contoso.test', signInName: 'nora.k@contoso.onmicrosoft.test', emailClaim: 'none' };

beforeAll(async () => {
  f = await startChannelFixture({
    tenants: [{ domain: 'fabrikam.test' }],
    users: [ANA, NORA, { address: 'carol@fabrikam.test', kind: 'guest', tenant: 'contoso.test' }],
  });
});
afterAll(async () => f?.stop());

async function connect(signInAs: string) {
  const result = await f.complete(await f.signIn({ kind: 'connect' }, signInAs));
  if (!result.ok) throw new Error(JSON.stringify(result));
  return result.outcome;
}

const accountOf = async (id: string) =>
  (await f.db.select().from(mailAccounts).where(eq(mailAccounts.id, id)))[0] ?? undefined;

describe('a mailbox whose sign-in name is not its address', () => {
  it('logs in as the UPN and keeps the email claim as the mailbox address', async () => {
    const outcome = await connect(ANA.address);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome));
    expect(outcome.addressSource).toBe('email_claim');
    expect(await accountOf(outcome.accountId)).toMatchObject({
      emailAddress: ANA.address,
      signInAddress: ANA.signInName,
      imapUser: ANA.signInName,
      smtpWarning: null,
    });
  });

  it('sends as the UPN From the mailbox address, and the Verify round trip arrives', async () => {
    const [account] = await f.db.select().from(mailAccounts).where(eq(mailAccounts.emailAddress, ANA.address));
    if (!account) throw new Error('ana missing');
    const { verifyMailFlow } = await import('@/lib/channels/microsoft365/verify-mail-flow');
    const result = await verifyMailFlow(f.db, ADMIN(), account.id, 20_000);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.send.ok).toBe(true);
    expect(result.receive.ok).toBe(true);
    expect(f.harness.smtp.sent.at(-1)).toMatchObject({ authUser: ANA.address, headerFrom: ANA.address });
  });

  it('suggests the sign-in name without an email claim; Send As fails until the admin corrects it', async () => {
    const outcome = await connect(NORA.address);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome));
    expect(outcome.addressSource).toBe('sign_in_name');
    const account = await accountOf(outcome.accountId);
    expect(account?.emailAddress).toBe(NORA.signInName);

    const { sendFromMailbox } = await import('@/lib/channels/microsoft365/send-test');
    const refused = await sendFromMailbox(f.db, ADMIN(), outcome.accountId, {
      to: 'bob@contoso.test',
      subject: 'from the sign-in name',
      body: '',
    });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe('smtp.send_as_denied');

    const { correctMailboxAddress } = await import('@/lib/channels/microsoft365/accounts');
    await correctMailboxAddress(f.db, ADMIN(), outcome.accountId, NORA.address);
    expect((await accountOf(outcome.accountId))?.emailAddress).toBe(NORA.address);
    const audit = await f.db.select().from(auditEvents).where(eq(auditEvents.action, 'account.address_changed'));
    expect(audit.at(-1)?.details).toEqual({ from: NORA.signInName, to: NORA.address });

    const { verifyMailFlow } = await import('@/lib/channels/microsoft365/verify-mail-flow');
    const verified = await verifyMailFlow(f.db, ADMIN(), outcome.accountId, 20_000);
    if (!verified.ok) throw new Error(verified.error.message);
    expect(verified.send.ok && verified.receive.ok).toBe(true);
  });

  it('keeps the corrected address when the mailbox signs in again', async () => {
    const [account] = await f.db.select().from(mailAccounts).where(eq(mailAccounts.emailAddress, NORA.address));
    if (!account) throw new Error('nora missing');
    const result = await f.complete(await f.signIn({ kind: 'reauthenticate', accountId: account.id }, NORA.address));
    if (!result.ok || !result.outcome.ok) throw new Error(JSON.stringify(result));
    expect(result.outcome.addressSource).toBe('kept');
    expect((await accountOf(account.id))?.emailAddress).toBe(NORA.address);
  });
});

describe('accounts that have no mailbox here', () => {
  it('refuses a guest with a sentence and saves nothing', async () => {
    const before = await f.db.select().from(mailAccounts);
    const outcome = await connect('carol@fabrikam.test');
    if (outcome.ok) throw new Error('a guest was connected');
    expect(outcome.error.code).toBe('account.guest');
    expect(outcome.error.title).toBe('carol@fabrikam.test is a guest in this organisation and has no mailbox here.');
    expect(await f.db.select().from(mailAccounts)).toEqual(before);
  });
});
