import { AdviceText } from '@/app/_components/advice-text';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { z } from 'zod';
import { ActionButton } from '@/app/_components/action-button';
import { FormMessage } from '@/app/_components/form-message';
import { PageHeader } from '@/app/_components/page-header';
import { StatusBadge } from '@/app/_components/status-badge';
import { currentAdmin, requireAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { countStoredMessages, findAccount } from '@/lib/db/queries/mail-accounts';
import { listSyncRuns } from '@/lib/db/queries/sync-runs';
import { listUnretrievable } from '@/lib/db/queries/unretrievable';
import { formatDateTime } from '@/lib/format/date';
import { describeLastSync } from '@/lib/format/last-sync';
import { describeMailArrival } from '@/lib/format/mail-arrival';
import { pollIntervalMinutes } from '@/lib/channels/microsoft365/poll-interval';
import { watchedAmong } from '@/lib/db/queries/mailbox-watches';
import { signInLapse } from '@/lib/format/sign-in-lapse';
import { isConsentProblem } from '@/lib/microsoft/errors';
import { reauthenticateAction, requestAdminConsentAction } from '../../actions';
import { setAccountEnabledAction } from './actions';
import { FolderSettings } from './folder-settings';
import { MailboxAddressForm } from './mailbox-address-form';
import { MailFlow } from './mail-flow';
import { MessagesChart } from './messages-chart';
import { PushStatus } from './push-status';
import { RemoveForm } from './remove-form';
import { SyncHistory } from './sync-history';
import { SyncNow } from './sync-now';
import { mailboxModeLabel } from '../../mailbox-mode';
import { mailboxDescription } from './mailbox-description';
import { SmtpWarning } from './smtp-warning';
import { UnretrievableList } from './unretrievable-list';

/** The tab names the mailbox (for a signed-in admin only: metadata is resolved apart from the page). */
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  const account =
    z.uuid().safeParse(id).success && (await currentAdmin()) ? await findAccount(await getDb(), id) : undefined;
  return { title: account && !account.removedAt ? account.emailAddress : 'Mailbox' };
}
// "Sync now" keeps working after its response (next/server after()) up to this long.
export const maxDuration = 300;

export default async function AccountPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdmin();
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const db = await getDb();
  const account = await findAccount(db, id);
  if (!account || account.removedAt) notFound();
  const [messageCount, runs, unretrievable, watched] = await Promise.all([
    countStoredMessages(db, id),
    listSyncRuns(db, id, { limit: 50 }),
    listUnretrievable(db, id),
    watchedAmong(db, [id]),
  ]);
  const arrival = describeMailArrival({ ...account, watched: watched.has(id), pollMinutes: pollIntervalMinutes() });
  const lastSync = describeLastSync(account);
  // A lapsed or revoked sign-in already shows as needs_reauth with its error.
  // Application access has no refresh token to lapse: the app's own token is issued afresh each time.
  const signIn =
    account.status === 'needs_reauth' || account.access === 'application'
      ? null
      : signInLapse(account.signInRenewedAt, new Date());

  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/channels/microsoft365" className="text-brand-700 hover:underline">
          Microsoft 365
        </Link>{' '}
        /
      </p>
      <PageHeader
        title={account.emailAddress}
        description={mailboxDescription(account)}
        actions={
          <>
            {account.access === 'delegated' ? (
              <ActionButton
                action={reauthenticateAction}
                fields={{ accountId: id }}
                pendingLabel="Opening Microsoft sign-in…"
                variant={account.status === 'needs_reauth' ? 'primary' : 'secondary'}
              >
                Re-authenticate
              </ActionButton>
            ) : null}
            {account.status === 'active' || account.status === 'error' ? (
              <SyncNow accountId={id} runningAtLoad={runs[0]?.outcome === 'running'} />
            ) : null}
            <ActionButton
              action={setAccountEnabledAction}
              fields={{ accountId: id, enabled: account.status === 'disabled' ? 'true' : 'false' }}
              pendingLabel="Saving…"
              variant="secondary"
            >
              {account.status === 'disabled' ? 'Enable' : 'Disable'}
            </ActionButton>
          </>
        }
      />
      <div className="space-y-6">
        {account.lastError ? (
          <FormMessage tone="error">
            <strong>{account.lastError.message}</strong>
            <AdviceText text={account.lastError.hint} className="mt-1" />
            {isConsentProblem(account.lastError.code) ? (
              <span className="mt-2 block">
                <ActionButton action={requestAdminConsentAction} pendingLabel="Opening Microsoft…" variant="secondary">
                  Request admin consent
                </ActionButton>
              </span>
            ) : null}
          </FormMessage>
        ) : null}
        <SmtpWarning warning={account.smtpWarning} />
        {signIn?.warning ? (
          <FormMessage tone="error">
            <span data-testid="sign-in-lapse-warning">{signIn.warning}</span>
          </FormMessage>
        ) : null}

        <dl className="grid gap-x-6 gap-y-3 rounded-lg border border-slate-200 bg-white p-6 text-sm sm:grid-cols-2">
          <div>
            <dt className="text-slate-600">Status</dt>
            <dd>
              <StatusBadge status={account.status} />
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">Messages stored</dt>
            <dd className="tabular-nums">
              {messageCount.toLocaleString('en')}
              {unretrievable.total > 0 ? (
                <p className="text-xs text-slate-700">
                  <a className="text-brand-700 hover:underline" href="#unretrievable">
                    {unretrievable.total.toLocaleString('en')} not retrievable yet
                  </a>
                </p>
              ) : null}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">Last sync</dt>
            <dd>
              {lastSync.line}
              {lastSync.detail ? <p className="text-xs text-slate-600">{lastSync.detail}</p> : null}
            </dd>
          </div>
          {arrival ? (
            <div>
              <dt className="text-slate-600">New mail</dt>
              <dd data-testid="mail-arrival">{arrival}</dd>
            </div>
          ) : null}
          <PushStatus account={account} />
          <div>
            <dt className="text-slate-600">Next attempt</dt>
            <dd>{account.status === 'active' ? formatDateTime(account.nextAttemptAt) : '—'}</dd>
          </div>
          <div>
            <dt className="text-slate-600">Reached through</dt>
            <dd data-testid="mailbox-mode">{mailboxModeLabel(account)}</dd>
          </div>
          {account.access === 'delegated' ? (
            <div>
              <dt className="text-slate-600">Signs in as</dt>
              <dd>{account.signInAddress}</dd>
            </div>
          ) : null}

          <div>
            <dt className="text-slate-600">Connected</dt>
            <dd>{formatDateTime(account.createdAt)}</dd>
          </div>
          {signIn ? (
            <div>
              <dt className="text-slate-600">Sign-in renewed</dt>
              <dd data-testid="sign-in-renewed">
                {signIn.renewedAt
                  ? formatDateTime(signIn.renewedAt)
                  : 'Not recorded yet: the next scheduled pass renews it'}
                {signIn.lapsesAt ? (
                  <p className="text-xs text-slate-600">
                    Lapses {formatDateTime(signIn.lapsesAt)} unless renewed (90 days without use)
                  </p>
                ) : null}
              </dd>
            </div>
          ) : null}
        </dl>

        <section aria-labelledby="received" className="rounded-lg border border-slate-200 bg-white p-6">
          <h2 id="received" className="mb-4 text-lg font-semibold text-slate-900">
            Messages received, last 30 days
          </h2>
          <Suspense fallback={<p className="text-sm text-slate-500">Loading…</p>}>
            <MessagesChart accountId={id} />
          </Suspense>
        </section>

        <section aria-labelledby="mailbox-address" className="rounded-lg border border-slate-200 bg-white p-6">
          <h2 id="mailbox-address" className="mb-1 text-lg font-semibold text-slate-900">
            Address and sign-in
          </h2>
          <p className="mb-4 text-sm text-slate-600">
            {account.emailAddress === account.signInAddress
              ? 'The same as the sign-in name.'
              : `Differs from the sign-in name ${account.signInAddress}, which is only used to sign in.`}
          </p>
          <MailboxAddressForm accountId={id} address={account.emailAddress} />
        </section>

        <section aria-labelledby="settings" className="rounded-lg border border-slate-200 bg-white p-6">
          <h2 id="settings" className="mb-4 text-lg font-semibold text-slate-900">
            Settings
          </h2>
          <Suspense fallback={<p className="text-sm text-slate-500">Loading the mailbox’s folders…</p>}>
            <FolderSettings
              accountId={id}
              selected={account.folders}
              afterFetch={account.afterFetch}
              status={account.status}
            />
          </Suspense>
        </section>

        {account.status === 'active' || account.status === 'error' ? (
          <section aria-labelledby="mail-flow" className="rounded-lg border border-slate-200 bg-white p-6">
            <h2 id="mail-flow" className="mb-4 text-lg font-semibold text-slate-900">
              Mail flow
            </h2>
            <MailFlow accountId={id} address={account.emailAddress} />
          </section>
        ) : null}

        {unretrievable.total > 0 ? <UnretrievableList {...unretrievable} /> : null}

        <section aria-labelledby="history" className="space-y-3">
          <h2 id="history" className="text-lg font-semibold text-slate-900">
            Sync history
          </h2>
          <SyncHistory runs={runs} />
        </section>

        <RemoveForm accountId={id} address={account.emailAddress} />
      </div>
    </>
  );
}
