import { AdviceText } from '@/app/_components/advice-text';
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { ActionButton } from '@/app/_components/action-button';
import { FormMessage } from '@/app/_components/form-message';
import { PageHeader } from '@/app/_components/page-header';
import { requireAdmin } from '@/lib/auth/require-admin';
import { getAppView } from '@/lib/channels/microsoft365/app-credentials';
import { appLevelProblem } from '@/lib/channels/microsoft365/app-health';
import { callbackUrl } from '@/lib/channels/microsoft365/endpoints';
import { isPreviewDeployment, isPublicBaseUrlConfigured, publicBaseUrl } from '@/lib/config/base-url';
import { getDb } from '@/lib/db';
import { parseRecordId } from '@/lib/messages/record-id';
import {
  ACCOUNTS_PAGE_SIZE,
  countAccountsSignedInWith,
  listAccountErrors,
  listAccounts,
} from '@/lib/db/queries/mail-accounts';
import { watchedAmong } from '@/lib/db/queries/mailbox-watches';
import { pollIntervalMinutes } from '@/lib/channels/microsoft365/poll-interval';
import { AccountList } from './account-list';
import { AccountPager } from './account-pager';
import { requestAdminConsentAction } from './actions';
import { AppSetup } from './app-setup';
import { mailboxModeLabel } from './mailbox-mode';
import { AddAccountButton, AddApplicationMailbox, AddSharedMailbox } from './connect-buttons';
import { SyncAllNow } from './sync-all-now';

export const metadata: Metadata = { title: 'Microsoft 365' };
export const maxDuration = 300;

const FLASH: Record<string, string> = {
  granted: 'Admin consent was granted. Mailboxes of that tenant can now be connected.',
};

export default async function Microsoft365Page({
  searchParams,
}: {
  searchParams: Promise<{ consent?: string; removed?: string; page?: string }>;
}) {
  await requireAdmin();
  const db = await getDb();
  const params = await searchParams;
  // parseInt took '99999999999999999999' as 1e20, an OFFSET Postgres refuses ("5e+21"): a 500.
  const page = parseRecordId(params.page) ?? 1;
  const [app, { accounts, total }, errors] = await Promise.all([
    getAppView(db),
    listAccounts(db, { page }),
    listAccountErrors(db),
  ]);
  const [signedInMailboxes, watched] = await Promise.all([
    app ? countAccountsSignedInWith(db, app.id) : 0,
    watchedAmong(
      db,
      accounts.map((account) => account.id),
    ),
  ]);
  const callback = callbackUrl(publicBaseUrl(await headers()));
  if (accounts.length === 0 && page > 1) redirect('/channels/microsoft365'); // past the last page
  const appProblem = appLevelProblem(errors);

  return (
    <>
      <PageHeader
        title="Microsoft 365"
        description="Connect Microsoft 365 and Outlook mailboxes with a browser sign-in; their mail is synced into this console’s database."
        actions={
          app ? (
            <>
              {total > 0 ? <SyncAllNow /> : null}
              {app.access === 'delegated' ? <AddAccountButton /> : null}
            </>
          ) : undefined
        }
      />
      <div className="space-y-6">
        {params.consent && FLASH[params.consent] ? (
          <FormMessage tone="success">{FLASH[params.consent]}</FormMessage>
        ) : null}
        {params.removed ? <FormMessage tone="success">The mailbox was removed.</FormMessage> : null}
        {isPreviewDeployment() ? (
          <FormMessage tone="error">
            This is a preview deployment: mailboxes cannot be connected here. Microsoft returns sign-ins only to the
            production URL registered in Azure ({callback}); connect mailboxes on the production deployment.
          </FormMessage>
        ) : null}
        {appProblem ? (
          <FormMessage tone="error">
            <strong>{appProblem.title}</strong>
            <AdviceText text={appProblem.action} className="mt-1" />
          </FormMessage>
        ) : null}
        {app?.secretExpiryWarning ? (
          <FormMessage tone="error">
            The app’s client secret{' '}
            {app.secretExpiresInDays !== null && app.secretExpiresInDays < 0 ? 'expired' : 'expires'} on{' '}
            {app.secretExpiresOn}. Create a new secret in Azure (Certificates &amp; secrets) and enter it below:
            mailboxes stay connected.
          </FormMessage>
        ) : null}

        <section aria-labelledby="mailboxes" className="space-y-3">
          <h2 id="mailboxes" className="text-lg font-semibold text-slate-900">
            Mailboxes
          </h2>
          <AccountList
            accounts={accounts}
            appConfigured={Boolean(app)}
            applicationAccess={app?.access === 'application'}
            watched={watched}
            pollMinutes={pollIntervalMinutes()}
          />
          <AccountPager page={page} pageSize={ACCOUNTS_PAGE_SIZE} total={total} />
          {app?.access === 'application' ? (
            <AddApplicationMailbox transport={app.transport} />
          ) : app ? (
            <AddSharedMailbox />
          ) : null}
        </section>

        <AppSetup
          heading={
            <h2 id="app" className="text-lg font-semibold text-slate-900">
              {app ? 'Microsoft 365 app' : 'Connect Microsoft 365 App'}
            </h2>
          }
          summary={
            app ? (
              <dl className="grid grid-cols-3 gap-x-3 gap-y-1 text-sm">
                <dt className="text-slate-500">Client ID</dt>
                <dd className="col-span-2 font-mono text-xs break-all">{app.clientId}</dd>
                <dt className="text-slate-500">Tenant</dt>
                <dd className="col-span-2">{app.tenant}</dd>
                <dt className="text-slate-500">New mailboxes</dt>
                <dd className="col-span-2" data-testid="app-mode">
                  {mailboxModeLabel(app)}
                </dd>
                <dt className="text-slate-500">Client secret</dt>
                <dd className="col-span-2">
                  Set ({app.secretHint}){app.secretExpiresOn ? `, expires ${app.secretExpiresOn}` : ''}
                </dd>
              </dl>
            ) : null
          }
          footer={
            app && app.access === 'delegated' ? (
              <div className="border-t border-slate-100 pt-4 text-sm text-slate-600">
                <p className="mb-2">
                  If sign-ins fail with “needs admin approval” (AADSTS65001 or 90094), an Azure administrator grants
                  consent once for the whole organization:
                </p>
                <ActionButton action={requestAdminConsentAction} pendingLabel="Opening Microsoft…" variant="secondary">
                  Request admin consent
                </ActionButton>
              </div>
            ) : null
          }
          defaults={{
            clientId: app?.clientId ?? '',
            tenant: app?.tenant ?? '',
            cloud: app?.cloud ?? 'global',
            transport: app?.transport ?? 'imap',
            access: app?.access ?? 'delegated',
            secretExpiresOn: app?.secretExpiresOn ?? '',
            secretHint: app?.secretHint ?? null,
            signedInMailboxes,
          }}
          callbackUrl={callback}
          fromRequest={!isPublicBaseUrlConfigured()}
        />
      </div>
    </>
  );
}
