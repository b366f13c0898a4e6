import { FormMessage } from '@/app/_components/form-message';
import { listMailboxFolders } from '@/lib/channels/microsoft365/mailbox-folders';
import { getDb } from '@/lib/db';
import { SettingsForm } from './settings-form';

/** Streams in after the page: listing folders needs a token and an IMAP round trip. */
export async function FolderSettings({
  accountId,
  selected,
  afterFetch,
  canList,
}: {
  accountId: string;
  selected: string[];
  afterFetch: string;
  canList: boolean;
}) {
  const listing = canList ? await listMailboxFolders(await getDb(), accountId) : null;
  return (
    <div className="space-y-3">
      {listing && !listing.ok ? (
        <FormMessage tone="info">
          The mailbox’s folder list could not be loaded: {listing.error.title} Only the folders already chosen are
          shown.
        </FormMessage>
      ) : null}
      <SettingsForm
        accountId={accountId}
        folders={listing?.ok ? listing.folders : []}
        selected={selected}
        afterFetch={afterFetch}
      />
    </div>
  );
}
