/**
 * Exchange Online serves a generated notice instead of an item it cannot convert to MIME: sender "Microsoft
 * Exchange Server" (no address), subject "Retrieval using the IMAP4 protocol failed for the following message: N",
 * body "The server couldn't retrieve the following message ... The message hasn't been deleted"
 * (Foundry376/Mailspring#2038, freescout-help-desk/freescout#3203). Storing it as the mail would lose the mail.
 */
const SUBJECT = /^Subject:[ \t]*Retrieval using the IMAP4 protocol failed for the following message: \d+[ \t]*\r?$/im;
const SENDER = /^From:[ \t]*"?Microsoft Exchange Server"?[ \t]*\r?$/im;

/** True for Exchange's retrieval-failed notice; looks only at the header block. */
export function isRetrievalFailedNotice(source: Buffer): boolean {
  const head = source.subarray(0, 4_096).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const header = end >= 0 ? head.slice(0, end + 1) : head;
  return SUBJECT.test(header) && SENDER.test(header);
}
