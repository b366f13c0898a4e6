import { z } from 'zod';
import { CLOUD_NAMES, type CloudName } from '@/lib/microsoft/clouds';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
/** The tenant personal Microsoft accounts sign in through; an app limited to it cannot open work mailboxes. */
export const CONSUMERS_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

export const PERSONAL_ONLY_REFUSAL =
  '“Personal Microsoft accounts only” is not supported. In Azure, choose an account type that includes work or school accounts, then enter your directory (tenant) ID, “organizations”, or leave this empty for “common”.';

export const CLOUDS = [
  { value: 'global', label: 'Global, including GCC (microsoftonline.com)' },
  { value: 'gcc_high', label: 'US Government GCC High (microsoftonline.us)' },
  { value: 'dod', label: 'US Government DoD (microsoftonline.us, outlook-dod)' },
  { value: 'china', label: 'China, operated by 21Vianet (partner.microsoftonline.cn)' },
] as const satisfies readonly { value: CloudName; label: string }[];

const CLIENT_ID_MESSAGE =
  'Enter the Application (client) ID: a GUID like 1b2c3d4e-0000-4000-8000-123456789abc, from the app’s Overview page.';

export const TRANSPORTS = [
  { value: 'imap', label: 'IMAP and SMTP', hint: 'Reads over IMAP and sends over SMTP, each mailbox signed in once.' },
  {
    value: 'graph',
    label: 'Microsoft Graph',
    hint: 'Reads and sends through the Graph API.',
  },
] as const;

export const ACCESSES = [
  {
    value: 'delegated',
    label: 'Delegated (a sign-in per mailbox)',
    hint: 'Each mailbox signs in once in the browser; the console acts as that user.',
  },
  {
    value: 'application',
    label: 'Application (no sign-in)',
    hint: 'The app reads the mailboxes an administrator allowed it; you enter their addresses.',
  },
] as const;

export type MailTransport = (typeof TRANSPORTS)[number]['value'];
export type MailAccess = (typeof ACCESSES)[number]['value'];

// The client-credentials grant names one directory; `common` and `organizations` are refused (AADSTS9001023).
export const APPLICATION_NEEDS_TENANT =
  'Application access needs your organisation’s own directory: enter the Directory (tenant) ID or a verified domain, not “common” or “organizations”.';

/**
 * Why a transport, access and tenant cannot work together, by the field to fix; none when they can. All four
 * transport × access combinations work: application access over IMAP and SMTP is Exchange Online's client-credentials
 * support for those protocols (IMAP.AccessAsApp, SMTP.SendAsApp and a mailbox permission per mailbox,
 * https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth#use-client-credentials-grant-flow-to-authenticate-smtp-imap-and-pop-connections).
 */
export function accessRefusal(input: {
  transport: MailTransport;
  access: MailAccess;
  tenant: string;
}): { field: 'access' | 'tenant'; message: string } | null {
  if (input.access !== 'application') return null;
  if (input.tenant === 'common' || input.tenant === 'organizations')
    return { field: 'tenant', message: APPLICATION_NEEDS_TENANT };
  return null;
}

const credentialFields = z.object({
  clientId: z
    .string(CLIENT_ID_MESSAGE)
    .trim()
    .regex(GUID, CLIENT_ID_MESSAGE)
    .transform((v) => v.toLowerCase()),
  // Empty keeps the saved secret; the use case insists on one when there is none yet.
  clientSecret: z.string().trim().max(1024, 'A client secret is at most 1,024 characters.').optional().default(''),
  tenant: z
    .string()
    .trim()
    .max(253, 'A tenant ID or domain is at most 253 characters.')
    .optional()
    .default('')
    .transform((v) => (v === '' ? 'common' : v.toLowerCase()))
    .refine((v) => v !== 'consumers' && v !== CONSUMERS_TENANT_ID, PERSONAL_ONLY_REFUSAL)
    .refine(
      (v) =>
        v === 'common' ||
        v === 'organizations' ||
        v === 'consumers' ||
        v === CONSUMERS_TENANT_ID ||
        GUID.test(v) ||
        DOMAIN.test(v),
      'Enter the Directory (tenant) ID (a GUID), a verified domain such as contoso.com, “organizations”, or leave it empty.',
    ),
  secretExpiresOn: z
    .string()
    .trim()
    .optional()
    .default('')
    .refine(
      (v) => v === '' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))),
      'Enter the date as shown in Azure, e.g. 2027-05-31.',
    )
    .transform((v) => (v === '' ? null : v)),
  cloud: z.enum(CLOUD_NAMES, { message: 'Choose the cloud your tenant lives in.' }).default('global'),
  transport: z.enum(['imap', 'graph'], { message: 'Choose IMAP and SMTP or Microsoft Graph.' }).default('imap'),
  access: z
    .enum(['delegated', 'application'], { message: 'Choose delegated or application access.' })
    .default('delegated'),
});

export const appCredentialsSchema = credentialFields.superRefine((input, ctx) => {
  const refusal = accessRefusal(input);
  if (refusal) ctx.addIssue({ code: 'custom', path: [refusal.field], message: refusal.message });
});

export type AppCredentialsInput = z.infer<typeof appCredentialsSchema>;
