import type { ReactNode } from 'react';
import { CopyButton } from '@/app/_components/copy-button';
import type { MailAccess, MailTransport } from '@/lib/channels/microsoft365/app-credentials-schema';
import { rbacScript, servicePrincipalScript } from './rbac-script';

const OPENID = ['email', 'offline_access', 'openid', 'profile'];
const IMAP_PERMISSIONS = [...OPENID, 'IMAP.AccessAsUser.All', 'SMTP.Send'];
const GRAPH_DELEGATED = [...OPENID, 'Mail.ReadWrite', 'Mail.Send'];
const GRAPH_SHARED = ['Mail.ReadWrite.Shared', 'Mail.Send.Shared'];
const GRAPH_APPLICATION = ['Mail.ReadWrite', 'Mail.Send'];
const EXCHANGE_APPLICATION = ['IMAP.AccessAsApp', 'SMTP.SendAsApp'];

const Names = ({ names }: { names: string[] }) =>
  names.map((p, i) => (
    <span key={p}>
      <code className="rounded bg-slate-100 px-1 text-xs">{p}</code>
      {i < names.length - 1 ? ', ' : ''}
    </span>
  ));

/**
 * The Azure side of the set-up for the chosen transport and access, in the order the Entra admin center asks for
 * it. `fromRequest`: the callback URL was built from this request's Host header (no APP_BASE_URL), so it is only
 * right if everyone reaches the console by this same address.
 */
export function AzureChecklist({
  callbackUrl,
  fromRequest,
  transport,
  access,
  clientId,
}: {
  callbackUrl: string;
  fromRequest: boolean;
  transport: MailTransport;
  access: MailAccess;
  clientId: string;
}) {
  const application = access === 'application';
  return (
    <section aria-labelledby="azure-steps" className="space-y-4">
      <h3 id="azure-steps" className="text-sm font-semibold text-slate-900">
        In Microsoft Entra (Azure): App registrations → New registration
      </h3>
      <p className="text-sm text-slate-700" data-testid="checklist-mode">
        For {transport === 'graph' ? 'Microsoft Graph' : 'IMAP and SMTP'} with {access} access.
      </p>
      {application ? null : (
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
              <strong>APP_BASE_URL is not set.</strong> This URL was built from the address this page was opened with.
              Set APP_BASE_URL to the console’s public URL (e.g. https://mail.example.com) and restart, so the callback
              URL registered in Azure does not depend on how the console is reached.
            </p>
          ) : null}
        </div>
      )}
      <ol className="list-decimal space-y-2 pl-5 text-sm text-slate-700">
        {application ? (
          <li>
            <strong>Supported account types:</strong> “Accounts in this organizational directory only”. Application
            access reads one organisation’s mailboxes, so enter its Directory (tenant) ID in the form.
          </li>
        ) : (
          <>
            <li>
              <strong>Supported account types:</strong> “Accounts in this organizational directory only” (single
              tenant), “Accounts in any organizational directory” (multi-tenant) or “… and personal Microsoft accounts”.
              “Personal Microsoft accounts only” is not supported.
            </li>
            <li>
              <strong>Redirect URI:</strong> platform <strong>Web</strong> (not “Single-page application”, which fails
              with AADSTS9002327), the URL above exactly.
            </li>
          </>
        )}
        {transport === 'imap' && application ? (
          <li>
            <strong>
              API permissions → Add → APIs my organization uses → Office 365 Exchange Online → Application permissions:
            </strong>{' '}
            <Names names={EXCHANGE_APPLICATION} />, then <strong>Grant admin consent</strong>.
          </li>
        ) : transport === 'imap' ? (
          <li>
            <strong>API permissions → Add → Microsoft Graph → Delegated:</strong> <Names names={IMAP_PERMISSIONS} />.
            IMAP.AccessAsUser.All and SMTP.Send are listed under Microsoft Graph in the portal and issued for Outlook.
          </li>
        ) : application ? (
          <li>
            <strong>API permissions → Add → Microsoft Graph → Application permissions:</strong>{' '}
            <Names names={GRAPH_APPLICATION} />, then <strong>Grant admin consent</strong>. This lets the app open every
            mailbox of the organisation; to limit it to chosen mailboxes, follow the last step instead of granting
            consent here.
          </li>
        ) : (
          <li>
            <strong>API permissions → Add → Microsoft Graph → Delegated:</strong> <Names names={GRAPH_DELEGATED} />; for
            shared mailboxes also <Names names={GRAPH_SHARED} />.
          </li>
        )}
        {application ? null : (
          <li>
            <strong>Grant admin consent</strong> for your organization (or use “Request admin consent” below after
            saving).
          </li>
        )}
        <li>
          <strong>Certificates &amp; secrets → New client secret:</strong> copy its <em>Value</em> now (Azure shows it
          once) and note its expiry date.
        </li>
        <li>Copy the Application (client) ID and Directory (tenant) ID from the Overview page into the form.</li>
        {application && transport === 'graph' ? <RbacStep clientId={clientId} /> : null}
        {application && transport === 'imap' ? <ServicePrincipalStep clientId={clientId} /> : null}
      </ol>
    </section>
  );
}

/**
 * Exchange Online RBAC for Applications: role assignments limited by a management scope decide which mailboxes
 * the app may open. They add to the Entra grants, which stay tenant-wide, so the Entra permissions must go for the
 * scope to limit anything (https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac, "These
 * permission grants are independent of the unscoped grants in Microsoft Entra ID":
 * https://learn.microsoft.com/en-us/graph/auth-limit-mailbox-access).
 */
function RbacStep({ clientId }: { clientId: string }) {
  const script = rbacScript(clientId);
  return (
    <li className="space-y-2">
      <p>
        <strong>Only chosen mailboxes (recommended):</strong> in Exchange Online PowerShell, give the app its mail roles
        within a management scope (RBAC for Applications). Remove the Graph application permissions from the app (or
        never grant consent for them): they reach every mailbox whatever the scope says.
      </p>
      <PowerShell script={script} />
      <p>
        Mailboxes outside the scope answer “access denied”; add them to the scope (here: set their CustomAttribute1) and
        Exchange applies it within about an hour.{' '}
        <DocLink href="https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac">
          RBAC for Applications in Exchange Online
        </DocLink>
      </p>
    </li>
  );
}

const CLIENT_CREDENTIALS_DOC =
  'https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth#use-client-credentials-grant-flow-to-authenticate-smtp-imap-and-pop-connections';

/**
 * Exchange Online's own record of the app and a mailbox permission per mailbox: what IMAP and SMTP with the app's
 * token need besides the consented permissions (CLIENT_CREDENTIALS_DOC).
 */
function ServicePrincipalStep({ clientId }: { clientId: string }) {
  return (
    <li className="space-y-2">
      <p>
        <strong>Let the app into each mailbox:</strong> in Exchange Online PowerShell, register the app once as a
        service principal, then give it a mailbox permission on every mailbox you add here. A mailbox without it answers
        “AUTHENTICATE failed”; Exchange can take up to an hour to apply a new permission.
      </p>
      <PowerShell script={servicePrincipalScript(clientId)} />
      <p>
        <DocLink href={CLIENT_CREDENTIALS_DOC}>Client credentials for IMAP and SMTP in Exchange Online</DocLink>
      </p>
    </li>
  );
}

/** A script to paste into Exchange Online PowerShell, with a copy button. */
function PowerShell({ script }: { script: string }) {
  return (
    <div className="flex items-start gap-2">
      <pre
        // Scrolls sideways: focusable so keyboard users can scroll it too.
        tabIndex={0}
        className="min-w-0 flex-1 overflow-x-auto rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100"
      >
        <code>{script}</code>
      </pre>
      <CopyButton value={script} label="Copy PowerShell" />
    </div>
  );
}

function DocLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <a className="text-brand-700 underline" href={href}>
      {children}
    </a>
  );
}
