import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MessageHeaders } from '@/app/(console)/messages/[id]/message-headers';
import { MessageTable } from '@/app/(console)/messages/message-table';
import { AzureChecklist } from '@/app/(console)/channels/microsoft365/azure-checklist';
import type { MessageDetail, MessageListRow } from '@/lib/db/queries/messages';
import { DECEPTIVE_CHARACTERS, visibleText } from '@/lib/format/visible-text';
import { sanitizeFilename } from '@/lib/mail/parse-fields';
import { bodyDocument } from '@/lib/messages/body-document';

const RLO = '\u202e';
// "Invoice <RLO>cod.exe" displays as "Invoice exe.doc".
const SUBJECT = `Invoice ${RLO}cod.exe`;
const FROM = `Accounts \u2067Payable\u2069 \u200f<billing@fabrikam.test>`;
const hidden = new RegExp(DECEPTIVE_CHARACTERS.source);

describe('header text with controls and bidi overrides', () => {
  it('shows each one escaped, in place', () => {
    expect(visibleText(SUBJECT)).toBe('Invoice [U+202E]cod.exe');
    expect(visibleText('a\u0000b\u0085c\u200bd\ufeffe\u202af\u2066g')).toBe(
      'a[U+0000]b[U+0085]c[U+200B]d[U+FEFF]e[U+202A]f[U+2066]g',
    );
    expect(visibleText('Grüße, 東京 — مرحبا')).toBe('Grüße, 東京 — مرحبا');
  });

  it('uses the same set file names are cleaned of', () => {
    expect(sanitizeFilename(`invoice${RLO}fdp.exe`)).toBe('invoicefdp.exe');
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const dropped = sanitizeFilename(`a${char}b`) === 'ab';
      if (dropped) expect(visibleText(char), `U+${code.toString(16)}`).not.toBe(char);
    }
  });

  it('never reaches the message list, the message page or the body frame’s title unescaped', () => {
    const row = {
      id: 1,
      accountId: 'a',
      folder: `INBOX${RLO}`,
      subject: SUBJECT,
      fromAddress: FROM,
      snippet: `Pay ${RLO}now`,
      internalDate: new Date(0),
      hasAttachments: false,
      hasParseError: false,
      skipped: false,
    } as unknown as MessageListRow;
    const list = renderToStaticMarkup(createElement(MessageTable, { rows: [row], accounts: [] }));
    const message = {
      fromAddress: FROM,
      toAddresses: [`Bob ${RLO}<bob@contoso.test>`],
      ccAddresses: [`\u202dCarol <carol@contoso.test>`],
      replyTo: [`\u2066x\u2069 <x@evil.test>`],
      date: null,
      dateHeader: `Mon${RLO}`,
      internalDate: new Date(0),
      messageId: `<id${RLO}@x>`,
      accountAddress: 'alice@contoso.test',
      folder: 'INBOX',
      uid: 1,
      uidValidity: 1,
      size: 10,
    } as unknown as MessageDetail;
    const page = renderToStaticMarkup(createElement(MessageHeaders, { message }));
    const frame = bodyDocument('<p>x</p>', visibleText(SUBJECT));
    for (const html of [list, page, frame]) {
      expect(html).not.toMatch(hidden);
      expect(html).toContain('[U+');
    }
    expect(list).toContain('Invoice [U+202E]cod.exe');
    expect(page).toContain('Accounts [U+2067]Payable[U+2069] [U+200F]&lt;billing@fabrikam.test&gt;');
  });
});

describe('the callback URL on the Microsoft 365 page', () => {
  const render = (fromRequest: boolean) =>
    renderToStaticMarkup(
      createElement(AzureChecklist, {
        callbackUrl: 'http://x/cb',
        fromRequest,
        transport: 'imap',
        access: 'delegated',
        clientId: '',
      }),
    );

  it('warns that APP_BASE_URL should be set when it was built from the request', () => {
    expect(render(true)).toContain('APP_BASE_URL is not set.');
    expect(render(false)).not.toContain('APP_BASE_URL');
  });
});
