import { describe, expect, it } from 'vitest';
import { toAppView } from '@/lib/channels/microsoft365/app-credentials';
import { appLevelProblem } from '@/lib/channels/microsoft365/app-health';
import type { Microsoft365App } from '@/lib/db/queries/microsoft365-apps';

const app = (secretExpiresOn: string | null): Microsoft365App => ({
  id: 'a',
  clientId: 'c',
  tenant: 'common',
  cloud: 'global',
  clientSecretSealed: 'v1:x:y',
  clientSecretHint: '1a2b',
  transport: 'imap',
  access: 'delegated',
  secretExpiresOn,
  active: true,
  createdAt: new Date(),
  updatedAt: new Date(),
});
const now = new Date('2027-01-01T12:00:00Z');

describe('app health', () => {
  it('warns about the client secret from 30 days before it expires, and shows only its last 4 characters', () => {
    expect(toAppView(app('2027-03-01'), now)).toMatchObject({ secretExpiryWarning: false, secretHint: '••••1a2b' });
    expect(toAppView(app('2027-01-30'), now)).toMatchObject({ secretExpiryWarning: true, secretExpiresInDays: 29 });
    expect(toAppView(app('2026-12-01'), now).secretExpiryWarning).toBe(true);
    expect(toAppView(app(null), now).secretExpiryWarning).toBe(false);
    expect(JSON.stringify(toAppView(app(null), now))).not.toContain('v1:x:y');
  });

  it('reports an expired app secret once for all mailboxes, not as separate account errors', () => {
    const expired = { lastError: { code: 'AADSTS7000222', message: 'x', at: '' } };
    expect(appLevelProblem([{ lastError: null }, expired, expired])?.title).toBe('The app’s client secret expired.');
    expect(appLevelProblem([{ lastError: { code: 'AADSTS700082', message: 'x', at: '' } }])).toBeNull();
  });
});
