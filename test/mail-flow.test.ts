import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, mailAccounts, messages } from '@/lib/db/schema';
import { startChannelFixture, type ChannelFixture } from '@/test/support/channel';

let f: ChannelFixture;
const ids: Record<string, string> = {};

beforeAll(async () => {
  f = await startChannelFixture({
    users: [
      { address: 'nosmtp@contoso.test', smtpAuthDisabled: true },
      {
        address: 'support@contoso.test',
        kind: 'shared',
        fullAccess: ['alice@contoso.test', 'bob@contoso.test'],
        sendAs: ['alice@contoso.test'],
      },
    ],
  });
  const connect = async (key: string, intent: Parameters<ChannelFixture['signIn']>[0], as: string) => {
    const result = await f.complete(await f.signIn(intent, as));
    if (!result.ok || !result.outcome.ok) throw new Error(`connect ${key} failed: ${JSON.stringify(result)}`);
    ids[key] = result.outcome.accountId;
  };
  await connect('alice', { kind: 'connect' }, 'alice@contoso.test');
  await connect('bob', { kind: 'connect' }, 'bob@contoso.test');
  await connect('nosmtp', { kind: 'connect' }, 'nosmtp@contoso.test');
  await connect('support', { kind: 'shared_mailbox', mailbox: 'support@contoso.test' }, 'alice@contoso.test');
  await connect('supportViaBob', { kind: 'shared_mailbox', mailbox: 'support@contoso.test' }, 'bob@contoso.test');
});
afterAll(async () => f?.stop());

const id = (key: string) => {
  const value = ids[key];
  if (!value) throw new Error(`no account ${key}`);
  return value;
};

describe('sending and the verify round trip', () => {
  it('sends from one mailbox to another; the message is stored only once it arrives by sync', async () => {
    const { sendFromMailbox } = await import('@/lib/channels/microsoft365/send-test');
    const result = await sendFromMailbox(f.db, f.admin, id('alice'), {
      to: 'bob@contoso.test',
      subject: 'Hello Bob',
      body: 'Round trip',
    });
    expect(result.ok).toBe(true);
    expect(await f.db.select().from(messages).where(eq(messages.subject, 'Hello Bob'))).toEqual([]);

    const { runSync } = await import('@/lib/sync/run');
    const { productSyncDeps } = await import('@/lib/channels/microsoft365/sync-deps');
    await runSync(productSyncDeps(f.db), { accountIds: [id('bob')], trigger: 'manual' });
    const [stored] = await f.db.select().from(messages).where(eq(messages.subject, 'Hello Bob'));
    expect(stored).toMatchObject({ accountId: id('bob'), fromAddress: 'alice@contoso.test' });
    expect((await f.db.select().from(auditEvents).where(eq(auditEvents.action, 'message.sent'))).length).toBe(1);
  });

  it('explains SMTP AUTH disabled (535 5.7.139) with the PowerShell fix', async () => {
    const { sendFromMailbox } = await import('@/lib/channels/microsoft365/send-test');
    const result = await sendFromMailbox(f.db, f.admin, id('nosmtp'), {
      to: 'bob@contoso.test',
      subject: 'x',
      body: '',
    });
    if (result.ok) throw new Error('expected a failure');
    expect(result.error.code).toContain('5_7_139');
    expect(result.error.action).toContain(
      'Set-CASMailbox -Identity nosmtp@contoso.test -SmtpClientAuthenticationDisabled $false',
    );
  });

  it('sends From the shared address as its delegate, and explains SendAsDenied for a delegate without Send As', async () => {
    const { sendFromMailbox } = await import('@/lib/channels/microsoft365/send-test');
    expect(
      (
        await sendFromMailbox(f.db, f.admin, id('support'), {
          to: 'bob@contoso.test',
          subject: 'From support',
          body: '',
        })
      ).ok,
    ).toBe(true);
    const delivered = f.harness.smtp.sent.find((m) => m.raw.toString().includes('From support'));
    expect(delivered).toMatchObject({ authUser: 'alice@contoso.test', headerFrom: 'support@contoso.test' });

    const denied = await sendFromMailbox(f.db, f.admin, id('supportViaBob'), {
      to: 'alice@contoso.test',
      subject: 'Denied',
      body: '',
    });
    if (denied.ok) throw new Error('expected SendAsDenied');
    expect(denied.error.code).toMatch(/5_2_252|send_as/i);
  });

  it('verifies a mailbox by sending to itself and syncing until the message arrives', async () => {
    const { verifyMailFlow } = await import('@/lib/channels/microsoft365/verify-mail-flow');
    const result = await verifyMailFlow(f.db, f.admin, id('alice'), 20_000);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.send.ok).toBe(true);
    expect(result.receive.ok).toBe(true);
  });

  it('marks its check messages with a header and removes them from the stored mail, but not a look-alike', async () => {
    const { sendFromMailbox } = await import('@/lib/channels/microsoft365/send-test');
    const { verifyMailFlow } = await import('@/lib/channels/microsoft365/verify-mail-flow');
    // Someone else's message with the same subject: customer mail, however it looks.
    await sendFromMailbox(f.db, f.admin, id('bob'), {
      to: 'alice@contoso.test',
      subject: 'Mailgate 365 mail flow check 0123456789ab',
      body: '',
    });
    const result = await verifyMailFlow(f.db, f.admin, id('alice'), 20_000);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.receive).toMatchObject({ ok: true, removed: 1 });
    const checks = f.harness.smtp.sent.filter((m) =>
      /^X-Mailgate-Check: mail-flow [0-9a-f]{12}\r$/m.test(m.raw.toString()),
    );
    expect(checks.length).toBeGreaterThanOrEqual(2);
    const stored = await f.db
      .select({ subject: messages.subject, from: messages.fromAddress })
      .from(messages)
      .where(eq(messages.accountId, id('alice')));
    expect(stored.filter((m) => m.subject?.startsWith('Mailgate 365 mail flow check'))).toEqual([
      { subject: 'Mailgate 365 mail flow check 0123456789ab', from: 'bob@contoso.test' },
    ]);
  });

  it('names the failing leg when sending is refused', async () => {
    const { verifyMailFlow } = await import('@/lib/channels/microsoft365/verify-mail-flow');
    const result = await verifyMailFlow(f.db, f.admin, id('nosmtp'), 5_000);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.send.ok).toBe(false);
    expect(result.receive).toEqual({ ok: false, skipped: true });
  });

  it('checks its own preconditions: a disabled or unknown mailbox is refused before anything is sent', async () => {
    const { verifyMailFlow } = await import('@/lib/channels/microsoft365/verify-mail-flow');
    const sentBefore = f.harness.smtp.sent.length;
    await f.db
      .update(mailAccounts)
      .set({ status: 'disabled' })
      .where(eq(mailAccounts.id, id('bob')));
    try {
      expect(await verifyMailFlow(f.db, f.admin, id('bob'), 5_000)).toEqual({
        ok: false,
        error: {
          code: 'account.inactive',
          message: 'Only an active mailbox can be verified: re-authenticate or enable it first.',
        },
      });
    } finally {
      await f.db
        .update(mailAccounts)
        .set({ status: 'active' })
        .where(eq(mailAccounts.id, id('bob')));
    }
    expect(await verifyMailFlow(f.db, f.admin, '00000000-0000-4000-8000-000000000000', 5_000)).toEqual({
      ok: false,
      error: { code: 'account.missing', message: 'That mailbox no longer exists.' },
    });
    expect(f.harness.smtp.sent.length).toBe(sentBefore);
  });
});
