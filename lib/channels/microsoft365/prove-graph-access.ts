import 'server-only';
import { z } from 'zod';
import type { Result } from '@/lib/errors';
import type { CloudEndpoints } from '@/lib/microsoft/clouds';
import { ExplainedFault, type ExplainedError } from '@/lib/microsoft/errors';
import { createGraphClient, type GraphClient, type GraphTokenSource } from '@/lib/microsoft/graph/client';
import { explainGraphFailure } from '@/lib/microsoft/graph/explain';
import { GraphFailure } from '@/lib/microsoft/graph/failure';

const inboxSchema = z.object({ id: z.string(), displayName: z.string() });

/**
 * A Graph mailbox is only called connected after its Inbox was read with the token it will sync with
 * (`GET /users/{address}/mailFolders/inbox`, https://learn.microsoft.com/en-us/graph/api/mailfolder-get): a
 * missing permission or admin consent, an RBAC for Applications scope without the mailbox, an unknown address or
 * a mailbox outside Exchange Online all show up here, explained.
 */
export async function proveGraphAccess(
  endpoints: CloudEndpoints,
  mailbox: { address: string; token: GraphTokenSource; personal: boolean; access: 'delegated' | 'application' },
): Promise<Result<object, ExplainedError>> {
  const graph = pageGraphClient(endpoints, mailbox.token);
  try {
    await graph.json(`/users/${encodeURIComponent(mailbox.address)}/mailFolders/inbox`, inboxSchema, {
      mailbox: mailbox.address,
    });
    return { ok: true };
  } catch (error) {
    if (error instanceof GraphFailure) {
      const explained = explainGraphFailure(error, { mailbox: mailbox.address, personal: mailbox.personal });
      return { ok: false, error: mailbox.access === 'delegated' ? delegatedAdvice(explained) : explained };
    }
    if (error instanceof ExplainedFault) return { ok: false, error: error.explained };
    throw error;
  }
}

/** A Graph client for an admin waiting on the page: one quick answer, no long throttling waits. */
export function pageGraphClient(endpoints: CloudEndpoints, token: GraphTokenSource): GraphClient {
  return createGraphClient({
    baseUrl: endpoints.graphBaseUrl,
    token,
    maxRetries: 1,
    maxWaitMs: 10_000,
    timeoutMs: 30_000,
  });
}

/** A signed-in user refused is not about the app's roles or RBAC scopes: consent or Full Access is missing. */
export function delegatedAdvice(explained: ExplainedError): ExplainedError {
  if (explained.code !== 'graph.access_denied') return explained;
  return {
    ...explained,
    title: 'The signed-in account may not read this mailbox through Microsoft Graph.',
    explanation:
      'Either the Graph permission Mail.ReadWrite (Mail.ReadWrite.Shared for a shared mailbox) was not consented, or the account that signed in has no Full Access to the shared mailbox.',
    action:
      'Grant admin consent for the delegated Graph permissions in Azure, or give the account Full Access in Exchange (Add-MailboxPermission -Identity <shared mailbox> -User <account> -AccessRights FullAccess), then connect again.',
    link: undefined,
  };
}
