/**
 * What Exchange Online's IMAP says, word for word, and what it refuses. Each fact names its source; where the
 * sources are silent the comment says so and the stricter answer is chosen.
 */

/**
 * Before login. Observed on outlook.office365.com: MailKit#908 and #1494 (jstedfast/MailKit), imapsync#368.
 * No CONDSTORE, QRESYNC, SPECIAL-USE, ENABLE, ESEARCH, COMPRESS, STATUS=SIZE.
 */
export const PRE_AUTH_CAPABILITIES =
  'IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+';

/** After login. jstedfast/MailKit#908, imapsync/imapsync#239, simonrob/email-oauth2-proxy#74. */
export const POST_AUTH_CAPABILITIES =
  'IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CLIENTACCESSRULES ' +
  'CLIENTNETWORKPRESENCELOCATION BACKENDAUTHENTICATE CHILDREN IDLE NAMESPACE LITERAL+';

/**
 * Some tenants since September 2026 (jstedfast/MailKit#2016, verbatim lists from its protocol log): LOGINDISABLED
 * before login, `ENABLE IMAP4rev2` after.
 */
export const REV2_PRE_AUTH_CAPABILITIES =
  'IMAP4 IMAP4rev1 AUTH=XOAUTH2 LOGINDISABLED SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+';
export const REV2_POST_AUTH_CAPABILITIES =
  'IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT ENABLE IMAP4rev2 CLIENTACCESSRULES ' +
  'CLIENTNETWORKPRESENCELOCATION BACKENDAUTHENTICATE BACKENDAUTHENTICATE-IR CHILDREN IDLE NAMESPACE LITERAL+';

/**
 * Exchange Online's answer to ID (RFC 2971) before login, word for word in imapflow's quirk transcripts (issue
 * #392, imapflow 1.0.184: `* ID ("name" "Microsoft.Exchange.Imap4.Imap4Server" "version" "15.20")`) and in a
 * Thunderbird profile's `serverIDResponse` for outlook.office365.com. Its answer after login is not recorded, so
 * there the command goes on as before.
 */
export const EXCHANGE_ID = '* ID ("name" "Microsoft.Exchange.Imap4.Imap4Server" "version" "15.20")';

/** Every failed AUTHENTICATE, whatever the cause (jstedfast/MailKit#908, #1437; DESIGN.md section 5). */
export const AUTH_FAILED = 'NO AUTHENTICATE failed.';
/** Basic auth is off in Exchange Online: imapsync/imapsync#368 shows `NO LOGIN failed.`. */
export const LOGIN_FAILED = 'NO LOGIN failed.';
export const AUTH_OK = 'OK AUTHENTICATE completed.';

/**
 * A live token whose `user=` names a mailbox it cannot open: AUTHENTICATE succeeds, then every command is refused,
 * and the second refusal closes the session (simonrob/email-oauth2-proxy#74 protocol log; #275; MailKit#1486).
 */
export const NOT_CONNECTED = 'BAD User is authenticated but not connected.';
export const CONNECTION_CLOSED_BYE = '* BYE Connection closed. 14';

/**
 * The session's token expired. The line is what public client code and incident notes record from Exchange
 * Online (seen during IDLE and as a command's answer); Microsoft does not document it. The stand-in sends it
 * as an untagged BYE and closes, the stricter of the two.
 */
export const TOKEN_EXPIRED_BYE = '* BYE Session invalidated - AccessTokenExpired';

/**
 * An authenticated connection that sent no command for `idleTimeoutMs` is logged off. Exchange's "Authenticated
 * time-out" defaults to 1,800 s ("Set connection time-out limits for IMAP4", which lists Exchange Online among the
 * products it applies to: technet.microsoft.com/en-us/library/aa998665); Exchange Online's value is not
 * published. An IDLE in progress does not count as activity (RFC 2177 §3 allows a server to log off an idling
 * client; only a new command resets the timer), the stricter reading. The line is the one Office 365 users
 * recorded when it dropped their connections (mscdex/node-imap#561); Microsoft does not document it.
 */
export const IDLE_TIMEOUT_MS = 1_800_000;
export const IDLE_TIMEOUT_BYE = '* BYE Connection is closed. 13';

/**
 * Throttling: `BAD Request is throttled. Suggested Backoff Time: N milliseconds` followed by `* BYE Connection
 * closed. 14` in the same read (simonrob/email-oauth2-proxy#191; imapsync/imapsync#212, #272; ikvk/imap_tools#135
 * shows NO on FETCH). Microsoft publishes no IMAP budget, so the stand-in's is a setting, off by default.
 */
export function throttledLines(tag: string, backoffMs: number): string {
  return `${tag} BAD Request is throttled. Suggested Backoff Time: ${backoffMs} milliseconds\r\n${CONNECTION_CLOSED_BYE}\r\n`;
}

/**
 * The answer to search keys, fetch items and command options Exchange does not implement (imapsync/imapsync#239,
 * #389; DirectoryTree/ImapEngine#109 for `UID FETCH n ()`; jstedfast/MailKit#1139).
 */
export const ARGUMENT_ERROR = 'BAD Command Argument Error. 11';

/**
 * Why Exchange would refuse this command line, or undefined. Capabilities it does not announce are refused
 * (the sources show no lenient case); Exchange IMAP4 standards-support notes (msdn.microsoft.com/en-us/library/ee624767(v=exchg.80), V0037-V0039): SEARCH
 * supports only US-ASCII and KEYWORD only `$MDNSent`.
 */
export function unsupported(command: string, args: string): string | undefined {
  const upper = args.toUpperCase();
  switch (command) {
    case 'ENABLE':
    case 'COMPRESS':
    case 'GETQUOTA':
    case 'GETQUOTAROOT':
    case 'SORT':
    case 'UID SORT':
    case 'THREAD':
    case 'UID THREAD':
    case 'ESEARCH':
    case 'NOTIFY':
    case 'GETMETADATA':
    case 'SETMETADATA':
      return 'command not offered';
    case 'SEARCH':
    case 'UID SEARCH':
      if (/(^|\s)RETURN\s*\(/.test(upper)) return 'ESEARCH return options';
      if (/(^|[\s(])MODSEQ\s/.test(upper)) return 'CONDSTORE search key';
      if (/(^|[\s(])(OLDER|YOUNGER|X-GM-RAW|FUZZY|SAVEDBEFORE|SAVEDON|SAVEDSINCE)\s/.test(upper))
        return 'search key not offered';
      if (/(^|[\s(])KEYWORD\s+(?!\$MDNSENT\b)/.test(upper)) return 'KEYWORD other than $MDNSent';
      return undefined;
    case 'FETCH':
    case 'UID FETCH':
      if (/\(\s*\)\s*$/.test(args)) return 'empty fetch list';
      if (/CHANGEDSINCE|VANISHED|\bMODSEQ\b|BINARY[.[]|PREVIEW|EMAILID|THREADID|X-GM-/.test(upper))
        return 'fetch item not offered';
      return undefined;
    case 'SELECT':
    case 'EXAMINE':
      return /\((CONDSTORE|QRESYNC)/.test(upper) ? 'CONDSTORE/QRESYNC parameter' : undefined;
    case 'STATUS':
      return /HIGHESTMODSEQ|\bSIZE\b|\bDELETED\b|APPENDLIMIT|MAILBOXID/.test(upper)
        ? 'status item not offered'
        : undefined;
    case 'LIST':
      return /RETURN\s*\(|^\s*\(/.test(upper) ? 'LIST-EXTENDED options' : undefined;
    case 'STORE':
    case 'UID STORE':
      return /UNCHANGEDSINCE/.test(upper) ? 'CONDSTORE modifier' : undefined;
    default:
      return undefined;
  }
}

/** A non-ASCII charset: the same notes, V0038, `NO [BADCHARSET (US-ASCII)]` (the text after it is not published). */
export function badCharset(command: string, args: string): boolean {
  if (command !== 'SEARCH' && command !== 'UID SEARCH') return false;
  const charset = /^\s*CHARSET\s+("?)([^\s"]+)\1/i.exec(args);
  return !!charset && (charset[2] as string).toUpperCase() !== 'US-ASCII';
}

/**
 * What Exchange serves instead of an item it cannot convert to MIME: a generated message from "Microsoft Exchange
 * Server" whose subject names the message (Foundry376/Mailspring#2038; freescout-help-desk/freescout#3203 for the
 * body text and the bare sender). Whether N is the UID or the sequence number is not documented: the UID is used.
 */
export function retrievalFailedPlaceholder(uid: number, date: Date = new Date()): Buffer {
  const header =
    `From: Microsoft Exchange Server\r\n` +
    `Subject: Retrieval using the IMAP4 protocol failed for the following message: ${uid}\r\n` +
    `Date: ${date.toUTCString().replace('GMT', '+0000')}\r\n` +
    `MIME-Version: 1.0\r\n` +
    `Content-Type: text/plain; charset="us-ascii"\r\n\r\n`;
  const body =
    `The server couldn't retrieve the following message:\r\n\r\n` +
    `The message hasn't been deleted. You might be able to view it using either Outlook or Outlook Web App. ` +
    `You can also contact the sender to find out what the message says.\r\n`;
  return Buffer.from(header + body, 'ascii');
}

/**
 * RFC822.SIZE as an estimate: Exchange reports the stored item's size unless an on-premises admin turned on
 * EnableExactRFC822Size (learn: powershell/module/exchange/set-imapsettings; msdn ee624767 V0040 "stored-message
 * size"); Exchange Online offers no such switch. The factor is not published: the stand-in errs both ways,
 * deterministically per UID, so a client trusting it mis-plans in either direction.
 */
export function estimatedSize(exact: number, uid: number): number {
  return uid % 2 === 0 ? Math.round(exact * 1.12) + 311 : Math.max(1, Math.round(exact * 0.9) - 97);
}
