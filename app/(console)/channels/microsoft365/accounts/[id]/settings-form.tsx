'use client';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { useActionState, useState } from 'react';
import { ChoiceFieldset } from '@/app/_components/choice-fieldset';
import { ConfirmCheckbox } from '@/app/_components/confirm-checkbox';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { initialFormState } from '@/lib/form-state';
import { saveAccountSettingsAction } from './actions';

const MODES = [
  { value: 'keep', label: 'Keep in the mailbox', hint: 'Nothing changes in the mailbox (recommended).' },
  { value: 'mark_seen', label: 'Mark as read', hint: 'Stored messages are marked as read in the mailbox.' },
  {
    value: 'delete',
    label: 'Delete from the mailbox',
    hint: 'Stored messages are deleted from the mailbox after they are safely stored here.',
  },
] as const;

export function SettingsForm({
  accountId,
  folders,
  listed,
  selected,
  afterFetch,
}: {
  accountId: string;
  folders: { path: string; name: string }[];
  /** False when the mailbox's folder list could not be read: chosen folders are then not called missing. */
  listed: boolean;
  selected: string[];
  afterFetch: string;
}) {
  const [state, action] = useActionState(saveAccountSettingsAction, initialFormState);
  const form = useFormFeedback(state);
  const [mode, setMode] = useState(afterFetch);
  const choices = [
    ...folders,
    ...selected
      .filter((path) => !folders.some((f) => f.path === path))
      .map((path) => ({ path, name: listed ? `${path} (not found in the mailbox)` : path })),
  ];
  const folderError = state.fieldErrors?.folders;
  return (
    <form ref={form} action={action} className="space-y-5">
      <input type="hidden" name="accountId" value={accountId} />
      {state.message ? <FormMessage tone={state.ok ? 'success' : 'error'}>{state.message}</FormMessage> : null}
      <fieldset aria-describedby={folderError ? 'folders-error' : undefined}>
        <legend className="text-sm font-medium text-slate-800">Folders to sync</legend>
        <div className="mt-2 max-h-64 space-y-1 overflow-y-auto rounded-md border border-slate-200 p-3">
          {choices.map((folder) => (
            <label key={folder.path} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                name="folders"
                value={folder.path}
                defaultChecked={selected.includes(folder.path)}
                aria-invalid={folderError ? true : undefined}
                aria-describedby={folderError ? 'folders-error' : undefined}
              />
              {folder.name}
            </label>
          ))}
        </div>
        {folderError ? (
          <p id="folders-error" className="mt-1 text-sm text-red-700">
            {folderError.join(' ')}
          </p>
        ) : null}
      </fieldset>
      <ChoiceFieldset
        name="afterFetch"
        legend="After a message is stored"
        choices={MODES}
        value={mode}
        onChange={setMode}
      />
      {mode === 'delete' || state.fieldErrors?.confirmDelete ? (
        <ConfirmCheckbox
          name="confirmDelete"
          errors={state.fieldErrors?.confirmDelete}
          className="rounded-md border border-red-200 bg-red-50 p-3 text-red-900"
        >
          I understand that messages are deleted from the mailbox once they are stored in this console.
        </ConfirmCheckbox>
      ) : null}
      <SubmitButton pendingLabel="Saving…">Save settings</SubmitButton>
    </form>
  );
}
