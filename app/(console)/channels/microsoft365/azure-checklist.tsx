import { CopyButton } from '@/app/_components/copy-button';

const PERMISSIONS = ['email', 'offline_access', 'openid', 'profile', 'IMAP.AccessAsUser.All', 'SMTP.Send'];

/**
 * The Azure side of the set-up, in the order the Entra admin center asks for it. `fromRequest`: the callback URL
 * was built from this request's Host header (no APP_BASE_URL), so it is only right if everyone reaches the
 * console by this same address.
 */
export function AzureChecklist({ callbackUrl, fromRequest }: { callbackUrl: string; fromRequest: boolean }) {
  return (
    <section aria-labelledby="azure-steps" className="space-y-4">
      <h3 id="azure-steps" className="text-sm font-semibold text-slate-900">
        In Microsoft Entra (Azure): App registrations → New registration
      </h3>
      <div className="space-y-1">
        <label htmlFor="callback-url" className="block text-sm font-medium text-slate-800">
          Redirect URI (platform: Web)
        </label>
        <div className="flex gap-2">
          <input
            id="callback-url"
            readOnly
            value={callbackUrl}
            className="block w-full rounded-md border border-slate-500 bg-slate-50 px-3 py-2 font-mono text-xs"
          />
          <CopyButton value={callbackUrl} label="Copy callback URL" />
        </div>
        {fromRequest ? (
          <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            <strong>APP_BASE_URL is not set.</strong> This URL was built from the address this page was opened with. Set
            APP_BASE_URL to the console’s public URL (e.g. https://mail.example.com) and restart, so the callback URL
            registered in Azure does not depend on how the console is reached.
          </p>
        ) : null}
      </div>
      <ol className="list-decimal space-y-2 pl-5 text-sm text-slate-700">
        <li>
          <strong>Supported account types:</strong> “Accounts in this organizational directory only” (single tenant),
          “Accounts in any organizational directory” (multi-tenant) or “… and personal Microsoft accounts”. “Personal
          Microsoft accounts only” is not supported.
        </li>
        <li>
          <strong>Redirect URI:</strong> platform <strong>Web</strong> (not “Single-page application”, which fails with
          AADSTS9002327), the URL above exactly.
        </li>
        <li>
          <strong>API permissions → Add → Microsoft Graph → Delegated:</strong>{' '}
          {PERMISSIONS.map((p, i) => (
            <span key={p}>
              <code className="rounded bg-slate-100 px-1 text-xs">{p}</code>
              {i < PERMISSIONS.length - 1 ? ', ' : ''}
            </span>
          ))}
          . IMAP.AccessAsUser.All and SMTP.Send are listed under Microsoft Graph in the portal and issued for Outlook.
        </li>
        <li>
          <strong>Grant admin consent</strong> for your organization (or use “Request admin consent” below after
          saving).
        </li>
        <li>
          <strong>Certificates &amp; secrets → New client secret:</strong> copy its <em>Value</em> now (Azure shows it
          once) and note its expiry date.
        </li>
        <li>Copy the Application (client) ID and Directory (tenant) ID from the Overview page into the form.</li>
      </ol>
    </section>
  );
}
