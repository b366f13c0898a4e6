import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from './control-client';
import { DEFAULT_TENANT } from './emulator/model';
import { startEmulator, type Emulator } from './emulator/server';

const SINGLE = { clientId: '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b', clientSecret: 'single~secret' };
const MULTI = { clientId: '1c2d3e4f-5061-4728-9bac-1d2e3f4a5b6c', clientSecret: 'multi~secret' };
const OUTLOOK_DEFAULT = 'https://outlook.office.com/.default';

let emulator: Emulator;
let fabrikam: string;

beforeAll(async () => {
  emulator = await startEmulator();
  const control = new ControlClient(emulator.url);
  fabrikam = (await control.addTenant({ domain: 'fabrikam.test', displayName: 'Fabrikam' })).id;
  await control.registerApp({
    ...SINGLE,
    redirectUris: ['http://127.0.0.1:3999/cb'],
    audience: 'single',
    tenant: DEFAULT_TENANT.id,
  });
  await control.registerApp({
    ...MULTI,
    redirectUris: ['http://127.0.0.1:3999/cb'],
    audience: 'organizations',
    tenant: DEFAULT_TENANT.id,
  });
});
afterAll(() => emulator.close());

async function appToken(tenant: string, fields: Record<string, string>) {
  const response = await fetch(`${emulator.url}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: OUTLOOK_DEFAULT, ...fields }),
  });
  const body = (await response.json()) as { error?: string; error_codes?: number[]; access_token?: string };
  return { status: response.status, code: body.error_codes?.[0], error: body.error, token: body.access_token };
}

describe('the client_credentials grant, as Microsoft answers it', () => {
  it('issues the app a token in its own directory, by id or domain, with no refresh or id token', async () => {
    for (const tenant of [DEFAULT_TENANT.id, DEFAULT_TENANT.domain]) {
      const answer = await appToken(tenant, { client_id: SINGLE.clientId, client_secret: SINGLE.clientSecret });
      expect(answer).toMatchObject({ status: 200, code: undefined });
      expect(answer.token).toBeTruthy();
    }
  });

  it('answers each wrong credential with its own AADSTS code', async () => {
    const single = { client_id: SINGLE.clientId, client_secret: SINGLE.clientSecret };
    expect(await appToken(DEFAULT_TENANT.id, { ...single, client_secret: 'guess' })).toMatchObject({
      status: 401,
      error: 'invalid_client',
      code: 7000215,
    });
    expect(await appToken('0d0d0d0d-0000-4000-8000-000000000000', single)).toMatchObject({ status: 400, code: 90002 });
    expect(
      await appToken(DEFAULT_TENANT.id, { ...single, client_id: '9e9e9e9e-0000-4000-8000-000000000000' }),
    ).toMatchObject({
      code: 700016,
    });
    // A multi-tenant app has no service principal in a directory that never consented to it.
    expect(await appToken(fabrikam, { client_id: MULTI.clientId, client_secret: MULTI.clientSecret })).toMatchObject({
      code: 700016,
    });
  });

  it('refuses the tenant aliases and a scope without /.default', async () => {
    const multi = { client_id: MULTI.clientId, client_secret: MULTI.clientSecret };
    expect(await appToken('common', multi)).toMatchObject({ status: 400, code: 9001023 });
    expect(await appToken('organizations', multi)).toMatchObject({ status: 400, code: 9001023 });
    expect(
      await appToken(DEFAULT_TENANT.id, { ...multi, scope: 'https://outlook.office.com/IMAP.AccessAsUser.All' }),
    ).toMatchObject({ status: 400, code: 1002012 });
  });
});
