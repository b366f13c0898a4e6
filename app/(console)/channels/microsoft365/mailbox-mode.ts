/** How a mailbox (or the app, for new ones) is reached, as the pages name it: "Microsoft Graph · application". */
export function mailboxModeLabel(mode: { transport: 'imap' | 'graph'; access: 'delegated' | 'application' }): string {
  return `${mode.transport === 'graph' ? 'Microsoft Graph' : 'IMAP and SMTP'} · ${mode.access}`;
}
