import 'server-only';
import { headers } from 'next/headers';
import { getEnv } from '@/lib/config/env';
import { keyId } from '@/lib/crypto/seal';
import { getDatabase } from '@/lib/db';
import { migrationStatus } from '@/lib/db/migrations';
import { publicBaseUrl } from '@/lib/config/base-url';

export interface SummaryRow {
  label: string;
  value: string;
  hint?: string;
  warning?: boolean;
}

/** What the settings page shows: facts about the deployment, never a secret's value. */
export async function deploymentSummary(): Promise<SummaryRow[]> {
  const env = getEnv();
  const { db, kind } = await getDatabase();
  const migrations = await migrationStatus(db);
  const customEndpoints = [
    env.MICROSOFT_LOGIN_URL,
    env.MICROSOFT_IMAP_HOST,
    env.MICROSOFT_SMTP_HOST,
    env.MICROSOFT_GRAPH_URL,
  ].some(Boolean);
  return [
    {
      label: 'Database',
      value: kind === 'pglite' ? `Embedded (PGlite in ${env.DATA_DIR})` : 'PostgreSQL (DATABASE_URL)',
      hint: kind === 'pglite' ? 'Fine for one server. Set DATABASE_URL to use PostgreSQL in production.' : undefined,
    },
    {
      label: 'Schema',
      value: migrations === 'current' ? 'Up to date' : 'Migrations pending',
      warning: migrations !== 'current',
    },
    {
      label: 'Public URL',
      value: publicBaseUrl(await headers()),
      hint: env.APP_BASE_URL
        ? 'From APP_BASE_URL.'
        : env.publicBaseUrl
          ? 'The Vercel production domain.'
          : 'Taken from the Host header of this request. Set APP_BASE_URL to the public URL, so callback URLs never depend on how the console is reached.',
      warning: !env.publicBaseUrl,
    },
    kind === 'pglite'
      ? {
          label: 'Scheduled sync',
          value:
            env.SYNC_INTERVAL_MINUTES > 0
              ? `This console syncs every ${env.SYNC_INTERVAL_MINUTES} minutes (SYNC_INTERVAL_MINUTES)`
              : 'Off (SYNC_INTERVAL_MINUTES=0): mailboxes sync only with “Sync now” or npm run sync',
          warning: env.SYNC_INTERVAL_MINUTES === 0,
        }
      : {
          label: 'Scheduled sync',
          value: env.CRON_SECRET ? 'CRON_SECRET is set' : 'CRON_SECRET is not set: the sync route refuses every call',
          warning: !env.CRON_SECRET,
        },
    {
      label: 'Encryption key',
      value: `Key ${keyId(Buffer.from(env.APP_ENCRYPTION_KEY, 'base64'))}${env.APP_ENCRYPTION_KEY_PREVIOUS.length ? ` (+${env.APP_ENCRYPTION_KEY_PREVIOUS.length} previous)` : ''}`,
      hint: 'A fingerprint of APP_ENCRYPTION_KEY, not the key.',
    },
    {
      label: 'Microsoft endpoints',
      value: customEndpoints ? 'Custom endpoints (not Microsoft)' : 'Microsoft cloud endpoints',
      hint: customEndpoints
        ? 'MICROSOFT_* variables point sign-in or mail at other servers, e.g. the local stand-in.'
        : undefined,
      warning: customEndpoints,
    },
  ];
}
