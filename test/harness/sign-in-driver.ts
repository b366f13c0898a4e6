/**
 * Drives the emulator's sign-in pages with plain fetch, the way a browser would: GET the authorize URL, pick an
 * account, answer a consent page, and stop at the redirect back to the app. Cookies are kept for single sign-on.
 */
export interface SignInResult {
  /** Where the emulator sent the browser: the app's redirect URI with `code` or `error`. */
  redirect: URL;
}

export interface SignInOptions {
  consent?: 'accept' | 'cancel';
  /** Press Cancel on the account picker instead of choosing an account. */
  cancel?: boolean;
}

export class SignInDriver {
  private readonly cookies = new Map<string, string>();

  /** `account` undefined: expect single sign-on or an immediate redirect (errors, prompt=none). */
  async signIn(authorizeUrl: string, account: string | undefined, options: SignInOptions = {}): Promise<SignInResult> {
    let response = await this.request(authorizeUrl);
    for (let step = 0; step < 4; step += 1) {
      if (response.status === 302) return { redirect: new URL(response.headers.get('location') ?? '') };
      const html = await response.text();
      if (response.status !== 200) throw new Error(`Sign-in page answered ${response.status}: ${textOf(html)}`);
      const form = parseForm(html, authorizeUrl);
      if (html.includes('name="account"')) {
        if (!options.cancel && !account) throw new Error('Sign-in page shown but no account given');
        const choice: Record<string, string> = options.cancel ? { cancel: '1' } : { account: account ?? '' };
        response = await this.request(form.action, { ...form.fields, ...choice });
      } else {
        response = await this.request(form.action, { ...form.fields, decision: options.consent ?? 'accept' });
      }
    }
    throw new Error('Sign-in did not end in a redirect');
  }

  private async request(url: string, form?: Record<string, string>): Promise<Response> {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(this.cookies.size > 0 ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
      signal: AbortSignal.timeout(5_000),
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) this.cookies.set(name.trim(), value.join('='));
    }
    return response;
  }
}

function parseForm(html: string, base: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`No form on page: ${textOf(html)}`);
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[unescape(match[1] ?? '')] = unescape(match[2] ?? '');
  }
  return { action: new URL(unescape(action), base).toString(), fields };
}

function unescape(value: string): string {
  return value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}
