/**
 * What the SMTP stand-in asks the emulator, over HTTP so it works against an emulator in another process too.
 */
import type { HarnessUser } from './emulator/model';

export interface SmtpIntrospection {
  active: boolean;
  /** The token owner's mailbox (primary address). */
  username?: string;
  /** The owner's UPN: what SMTP AUTH's user= must name. */
  upn?: string;
  smtp_auth_disabled?: 'Mailbox' | 'Tenant' | false;
  max_send_bytes?: number;
  /** An Outlook.com account rather than a work mailbox: Exchange words some refusals differently. */
  personal?: boolean;
  send_from_alias?: boolean;
}

const TIMEOUT_MS = 5_000;

export class MailAuthority {
  constructor(private readonly emulatorUrl: string) {}

  /** `user`: SMTP AUTH's user=, which names the mailbox when the token is the app's own. */
  async introspectSmtp(token: string, user: string): Promise<SmtpIntrospection> {
    return this.post<SmtpIntrospection>('/_harness/introspect/smtp', { token, mailbox: user });
  }

  async maySendAs(user: string, from: string): Promise<boolean> {
    return (await this.post<{ allowed: boolean }>('/_harness/send-as', { user, from })).allowed;
  }

  /** The mailbox (primary address) mail to this address lands in, or null for no mailbox here. */
  async recipient(address: string): Promise<string | null> {
    return (await this.post<{ mailbox: string | null }>('/_harness/recipient', { address })).mailbox;
  }

  async findUser(address: string): Promise<HarnessUser | null> {
    const response = await fetch(`${this.emulatorUrl}/_harness/users/${encodeURIComponent(address)}`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return (await response.json()) as HarnessUser | null;
  }

  private async post<T>(path: string, fields: Record<string, string>): Promise<T> {
    const response = await fetch(`${this.emulatorUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`Emulator answered ${response.status} on ${path}`);
    return (await response.json()) as T;
  }
}
