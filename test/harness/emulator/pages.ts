/**
 * The HTML a browser sees: account picker, consent prompts and Microsoft's "we're having trouble signing you in"
 * page. Buttons carry accessible names with the address so Playwright can click `getByRole('button', { name })`.
 */
import type { AadError } from './aadsts';
import type { HarnessUser } from './model';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:Segoe UI,system-ui,sans-serif;background:#f2f2f2;margin:0}main{max-width:440px;margin:48px auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
ul{list-style:none;padding:0}li{margin:6px 0}button{font:inherit;padding:8px 12px;cursor:pointer}.account{width:100%;text-align:left;background:#fff;border:1px solid #ccc}
.account small{display:block;color:#555}.hinted{border-color:#0067b8}.primary{background:#0067b8;color:#fff;border:0}code{word-break:break-all}</style>
</head><body><main>${body}</main></body></html>`;
}

function hidden(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
}

export function signInPage(opts: {
  action: string;
  flow: string;
  appName: string;
  users: HarnessUser[];
  loginHint?: string;
}): string {
  const hint = opts.loginHint?.toLowerCase();
  const isHinted = (u: HarnessUser) => u.signInName === hint;
  const ordered = [...opts.users].sort((a, b) => Number(isHinted(b)) - Number(isHinted(a)));
  // People pick themselves by the name they sign in with (a UPN, an address or a phone number).
  const items = ordered
    .map((u) => {
      const hinted = isHinted(u);
      return `<li><button type="submit" name="account" value="${escapeHtml(u.address)}" class="account${hinted ? ' hinted' : ''}"${hinted ? ' autofocus' : ''}
 aria-label="Sign in as ${escapeHtml(u.displayName)} (${escapeHtml(u.signInName)})">${escapeHtml(u.displayName)}<small>${escapeHtml(u.signInName)}</small></button></li>`;
    })
    .join('\n');
  return layout(
    'Sign in to your account',
    `<h1>Pick an account</h1><p>to continue to ${escapeHtml(opts.appName)}</p>
<form method="post" action="${escapeHtml(opts.action)}">${hidden({ flow: opts.flow })}
<ul>${items}</ul>
<button type="submit" name="cancel" value="1">Cancel</button></form>`,
  );
}

export function consentPage(opts: {
  action: string;
  fields: Record<string, string>;
  appName: string;
  address: string;
  scopes: string[];
  admin: boolean;
}): string {
  const scopes = opts.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('');
  const heading = opts.admin ? 'Permissions requested — Accept for your organization' : 'Permissions requested';
  return layout(
    heading,
    `<h1>${escapeHtml(heading)}</h1><p>${escapeHtml(opts.appName)} wants to access ${escapeHtml(opts.address)}:</p><ul>${scopes}</ul>
<form method="post" action="${escapeHtml(opts.action)}">${hidden(opts.fields)}
<button type="submit" name="decision" value="accept" class="primary">Accept</button>
<button type="submit" name="decision" value="cancel">Cancel</button></form>`,
  );
}

/**
 * What a user who may not consent sees (wording from the many "Need admin approval" reports, e.g.
 * Azure-Samples/active-directory-aspnetcore-webapp-openidconnect-v2#44). Signing in with an admin account from
 * here is not emulated; the admin-consent endpoint is.
 */
export function needAdminApprovalPage(opts: {
  action: string;
  fields: Record<string, string>;
  appName: string;
}): string {
  const app = escapeHtml(opts.appName);
  return layout(
    'Need admin approval',
    `<h1>Need admin approval</h1><p>${app} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>
<form method="post" action="${escapeHtml(opts.action)}">${hidden(opts.fields)}
<button type="submit" name="decision" value="return">Return to the application without granting consent</button></form>`,
  );
}

/** Admin consent: a tenant admin picks who they are (which decides the tenant) and accepts. */
export function adminConsentPage(opts: {
  action: string;
  fields: Record<string, string>;
  appName: string;
  admins: HarnessUser[];
  scope: string;
}): string {
  const items = opts.admins
    .map(
      (u) =>
        `<li><button type="submit" name="admin" value="${escapeHtml(u.address)}" class="account" aria-label="Accept as ${escapeHtml(u.address)}">Accept as ${escapeHtml(u.displayName)}<small>${escapeHtml(u.address)}</small></button></li>`,
    )
    .join('');
  return layout(
    'Permissions requested',
    `<h1>Permissions requested</h1><p>${escapeHtml(opts.appName)} asks an administrator to consent for the whole organization to <code>${escapeHtml(opts.scope)}</code>.</p>
<form method="post" action="${escapeHtml(opts.action)}">${hidden(opts.fields)}<ul>${items}</ul>
<button type="submit" name="decision" value="cancel">Cancel</button></form>`,
  );
}

export function errorPage(error: AadError): string {
  return layout(
    'Sign in to your account',
    `<h1>Sorry, but we’re having trouble signing you in.</h1>
<p data-error-code="${error.code}"><code>${escapeHtml(error.message)}</code></p>
<p><small>Request Id: ${escapeHtml(error.traceId)}<br>Correlation Id: ${escapeHtml(error.correlationId)}<br>Timestamp: ${escapeHtml(error.timestamp.toISOString())}</small></p>`,
  );
}
