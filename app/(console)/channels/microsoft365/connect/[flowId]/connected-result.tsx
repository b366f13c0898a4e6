import Link from 'next/link';
import { FormMessage } from '@/app/_components/form-message';
import { PageHeader } from '@/app/_components/page-header';
import type { MailAccount } from '@/lib/db/queries/mail-accounts';
import type { MailboxAddressSource } from '@/lib/db/schema';
import { MailboxAddressForm } from '../../accounts/[id]/mailbox-address-form';
import { mailboxDescription } from '../../accounts/[id]/mailbox-description';
import { SmtpWarning } from '../../accounts/[id]/smtp-warning';

const SOURCE: Record<MailboxAddressSource, string> = {
  email_claim: 'Taken from the e-mail address Microsoft sent for this account.',
  sign_in_name:
    'Microsoft sent no e-mail address for this account, so this is its sign-in name. If the mailbox receives mail at another address, enter that address.',
  kept: 'The address confirmed before; signing in again does not change it.',
  shared_mailbox: 'The shared mailbox’s address, as entered when connecting it.',
};

/** The end of a successful connect: which mailbox this is, and the one place to correct its address. */
export function ConnectedResult({
  account,
  reauthenticated,
  source,
}: {
  account: MailAccount;
  reauthenticated: boolean;
  source: MailboxAddressSource | undefined;
}) {
  return (
    <>
      <PageHeader title={account.emailAddress} description={mailboxDescription(account)} />
      <div className="space-y-6">
        <FormMessage tone="success">
          {reauthenticated ? 'Re-authenticated.' : 'Connected.'} The mailbox signed in and its{' '}
          {account.transport === 'graph' ? 'Inbox was read through Microsoft Graph' : 'IMAP access was verified'}.
        </FormMessage>
        <SmtpWarning warning={account.smtpWarning} />
        <section aria-labelledby="check-address" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
          <h2 id="check-address" className="text-lg font-semibold text-slate-900">
            Check the mailbox address
          </h2>
          <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
            <div>
              <dt className="text-slate-500">Signs in as</dt>
              <dd data-testid="sign-in-name">{account.signInAddress}</dd>
            </div>
            <div>
              <dt className="text-slate-500">Mailbox address</dt>
              <dd data-testid="mailbox-address">{account.emailAddress}</dd>
            </div>
          </dl>
          <p className="text-sm text-slate-600">{source ? SOURCE[source] : null}</p>
          <MailboxAddressForm accountId={account.id} address={account.emailAddress} />
        </section>
        <Link
          href={`/channels/microsoft365/accounts/${account.id}`}
          className="inline-block rounded-md bg-brand-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-brand-700"
        >
          Continue to the mailbox
        </Link>
        <p className="text-sm text-slate-600">
          On the mailbox page, “Verify mail flow” sends a message to the mailbox address and waits for it to arrive: it
          proves the address and both directions.
        </p>
      </div>
    </>
  );
}
