import { FormMessage } from '@/app/_components/form-message';
import { listMailboxFolders } from '@/lib/channels/microsoft365/mailbox-folders';
import { getDb } from '@/lib/db';
import type { AccountStatus } from '@/app/_components/status-badge';
import { SettingsForm } from './settings-form';

// Listing folders needs a working sign-in; these states have none (or must not use it).
const UNAVAILABLE: Partial<Record<AccountStatus, string>> = {
  disabled: 'it is disabled',
  needs_reauth: 'it is signed out (re-authenticate it first)',
};

/** Streams in after the page: listing folders needs a token and IMAP or Graph round trips. */
export async function FolderSettings({
  accountId,
  selected,
  afterFetch,
  status,
}: {
  accountId: string;
  selected: string[];
  afterFetch: string;
  status: AccountStatus;
}) {
  const unavailable = UNAVAILABLE[status];
  const listing = unavailable ? null : await listMailboxFolders(await getDb(), accountId);
  return (
    <div className="space-y-3">
      {unavailable ? (
        <FormMessage tone="info">
          The mailbox’s folder list is not available while {unavailable}. Only the folders already chosen are shown.
        </FormMessage>
      ) : null}
      {listing && !listing.ok ? (
        <FormMessage tone="info">
          The mailbox’s folder list could not be loaded: {listing.error.title} Only the folders already chosen are
          shown.
        </FormMessage>
      ) : null}
      <SettingsForm
        accountId={accountId}
        folders={listing?.ok ? listing.folders : []}
        listed={listing?.ok ?? false}
        selected={selected}
        afterFetch={afterFetch}
      />
    </div>
  );
}
