import { FormMessage } from '@/app/_components/form-message';
import type { MessageDetail } from '@/lib/db/queries/messages';

/** Why the message may look incomplete; the original stays downloadable either way. */
export function MessageProblems({ message }: { message: MessageDetail }) {
  const original = message.sourceSize !== null ? ' The original is stored: download it to read it elsewhere.' : '';
  return (
    <>
      {message.skippedReason ? (
        <FormMessage tone="info">
          <strong>Skipped:</strong> {message.skippedReason}.{original}
        </FormMessage>
      ) : null}
      {message.parseError ? (
        <FormMessage tone="error">
          <strong>This message could not be read completely:</strong> {message.parseError}
          {original}
        </FormMessage>
      ) : null}
    </>
  );
}
