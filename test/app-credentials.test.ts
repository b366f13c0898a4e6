import { describe, expect, it } from 'vitest';
import { appCredentialsSchema, PERSONAL_ONLY_REFUSAL } from '@/lib/channels/microsoft365/app-credentials-schema';

const valid = {
  clientId: '3F9D2A10-5B6C-4D7E-8F90-A1B2C3D4E5F6',
  clientSecret: 'abc~1234',
  tenant: '',
  secretExpiresOn: '',
  cloud: 'global',
};
const errorsOf = (input: Record<string, string>) =>
  appCredentialsSchema.safeParse({ ...valid, ...input }).error?.issues.map((i) => `${String(i.path[0])}: ${i.message}`);

describe('app credentials form', () => {
  it('normalises a valid registration: lower-case GUID, empty tenant = common, no expiry, IMAP delegated', () => {
    expect(appCredentialsSchema.parse(valid)).toEqual({
      clientId: '3f9d2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6',
      clientSecret: 'abc~1234',
      tenant: 'common',
      secretExpiresOn: null,
      cloud: 'global',
      transport: 'imap',
      access: 'delegated',
    });
  });

  it.each(['organizations', 'common', 'contoso.onmicrosoft.com', 'c0ffee00-1111-4222-8333-444455556666'])(
    'accepts the tenant %s',
    (tenant) => {
      expect(appCredentialsSchema.safeParse({ ...valid, tenant }).success).toBe(true);
    },
  );

  it('refuses “personal accounts only” with the explanation', () => {
    expect(errorsOf({ tenant: 'consumers' })).toEqual([`tenant: ${PERSONAL_ONLY_REFUSAL}`]);
    expect(errorsOf({ tenant: '9188040d-6c67-4c5b-b112-36a304b66dad' })).toEqual([`tenant: ${PERSONAL_ONLY_REFUSAL}`]);
  });

  it('says what a client ID, tenant, date and cloud must look like', () => {
    expect(errorsOf({ clientId: 'my-app' })?.[0]).toMatch(/^clientId: Enter the Application \(client\) ID/);
    expect(errorsOf({ tenant: 'not a tenant!' })?.[0]).toMatch(/^tenant: Enter the Directory \(tenant\) ID/);
    expect(errorsOf({ secretExpiresOn: '31/05/2027' })?.[0]).toMatch(/^secretExpiresOn: Enter the date/);
    expect(errorsOf({ cloud: 'mars' })?.[0]).toMatch(/^cloud: Choose the cloud/);
  });
});
