/**
 * The input checks behind every console form and URL, fuzzed in-process with thousands of seeded hostile values
 * (the e2e spec 98-fuzz sends fewer through the real server). Each check must answer, never throw; refuse in the
 * product's own words; and never accept what Postgres would then refuse (NUL in text) or a non-id as an id.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { hasBearerSecret } from '@/lib/auth/bearer';
import { signInSchema } from '@/lib/auth/credentials';
import { setupSchema } from '@/lib/auth/setup';
import { accountSettingsSchema } from '@/lib/channels/microsoft365/accounts';
import { appCredentialsSchema } from '@/lib/channels/microsoft365/app-credentials-schema';
import { callbackParamsSchema } from '@/lib/channels/microsoft365/callback-params';
import { testMessageSchema } from '@/lib/channels/microsoft365/send-test';
import { fieldErrorsOf } from '@/lib/form-state';
import { decodeCursor } from '@/lib/messages/cursor';
import { parseMessageListQuery } from '@/lib/messages/list-params';
import { parseRecordId } from '@/lib/messages/record-id';
import { HOSTILE_IDS, hostileStrings, pick } from '@/e2e/support/hostile-input';
import { libraryTextIn } from '@/e2e/support/library-text';
import { prng } from '@/test/harness/random';
import { recordScenario } from './support/scenarios';

const SEED = 4242;
const INPUTS = 3_000;
const NUL = /\u0000/;

interface FormCheck {
  name: string;
  schema: z.ZodType;
  fields: string[];
  /** Fields whose accepted value is stored as Postgres text (which refuses NUL). */
  storedAsText?: string[];
  /** Arrays, as `form.getAll()` gives them (never missing). */
  arrays?: string[];
  /** False when a refusal is one generic page, so zod's messages never reach the admin. */
  messagesShown?: boolean;
}

const FORMS: FormCheck[] = [
  { name: 'sign-in', schema: signInSchema, fields: ['email', 'password'], storedAsText: ['email'] },
  {
    name: 'first-run set-up',
    schema: setupSchema,
    fields: ['name', 'email', 'password', 'confirmPassword'],
    storedAsText: ['name', 'email'],
  },
  {
    name: 'app credentials',
    schema: appCredentialsSchema,
    fields: ['clientId', 'clientSecret', 'tenant', 'secretExpiresOn', 'cloud'],
    storedAsText: ['clientId', 'tenant', 'secretExpiresOn'],
  },
  {
    name: 'account settings',
    schema: accountSettingsSchema,
    fields: ['folders', 'afterFetch', 'confirmDelete'],
    arrays: ['folders'],
    storedAsText: ['folders'],
  },
  { name: 'send test message', schema: testMessageSchema, fields: ['to', 'subject', 'body'] },
  {
    name: 'OAuth callback query',
    schema: callbackParamsSchema,
    fields: ['state', 'code', 'error', 'error_description', 'admin_consent', 'tenant'],
    storedAsText: ['state', 'error', 'error_description'],
    messagesShown: false,
  },
];

/** Now and then a plausible value, so the fuzz also walks past the first check of a form. */
const PLAUSIBLE: Record<string, string[]> = {
  email: ['ada@example.com'],
  password: ['a long and strong password'],
  confirmPassword: ['a long and strong password'],
  clientId: ['7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'],
  tenant: ['contoso.com', 'organizations', ''],
  cloud: ['global'],
  afterFetch: ['keep', 'delete'],
  to: ['bob@contoso.test'],
  state: ['a'.repeat(43)],
  error: ['access_denied'],
};

function hostileForm(check: FormCheck, rand: () => number, pool: string[]): Record<string, unknown> {
  const form: Record<string, unknown> = {};
  for (const field of check.fields) {
    const roll = rand();
    if (roll < 0.1 && !check.arrays?.includes(field)) continue; // missing, as a forged POST may leave it
    const value = roll < 0.3 && PLAUSIBLE[field] ? pick(rand, PLAUSIBLE[field]) : pick(rand, pool);
    form[field] = check.arrays?.includes(field)
      ? Array.from({ length: Math.floor(rand() * 4) }, () => (rand() < 0.5 ? value : pick(rand, pool)))
      : value;
  }
  return form;
}

function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(textsOf);
  return [];
}

describe('form and URL input checks under seeded hostile input @reliability', () => {
  const pool = hostileStrings(SEED, 400);

  for (const [index, check] of FORMS.entries()) {
    it(`${check.name}: refuses in plain words and never accepts NUL into stored text`, async () => {
      const rand = prng(SEED + index);
      const problems: string[] = [];
      let accepted = 0;
      for (let i = 0; i < INPUTS; i += 1) {
        const form = hostileForm(check, rand, pool);
        const result = check.schema.safeParse(form);
        if (result.success) {
          accepted += 1;
          const data = result.data as Record<string, unknown>;
          for (const field of check.storedAsText ?? [])
            if (textsOf(data[field]).some((text) => NUL.test(text)))
              problems.push(`${check.name} accepted NUL in ${field}`);
          continue;
        }
        if (check.messagesShown === false) continue;
        for (const [field, messages] of Object.entries(fieldErrorsOf(result.error))) {
          for (const message of messages) {
            const found = libraryTextIn(message);
            if (found.length > 0) problems.push(`${check.name}.${field}: "${message}" (${found.join(', ')})`);
          }
        }
      }
      await recordScenario({
        group: 'hostile input',
        scenario: `in-process: ${check.name} checks`,
        expected: INPUTS,
        stored: problems.length,
        lost: 0,
        duplicated: 0,
        note: `${accepted} accepted, ${INPUTS - accepted} refused in plain words`,
      });
      expect([...new Set(problems)]).toEqual([]);
    });
  }

  it('record ids, list positions and list filters: only real ids pass, nothing throws', async () => {
    const rand = prng(SEED + 50);
    const values = [...HOSTILE_IDS.map((id) => decodeURIComponentSafe(id)), ...pool];
    let tried = 0;
    const problems: string[] = [];
    for (const value of values) {
      tried += 1;
      const id = parseRecordId(value);
      if (id !== null && !(Number.isSafeInteger(id) && id > 0 && String(id) === value))
        problems.push(`record id ${JSON.stringify(value)} → ${id}`);
      const cursor = decodeCursor(value);
      if (cursor && !(Number.isSafeInteger(cursor.id) && /^-?\d{1,17}$/.test(cursor.micros)))
        problems.push(`cursor ${JSON.stringify(value)}`);
      const query = parseMessageListQuery({
        q: value,
        folder: pick(rand, pool),
        account: value,
        before: value,
        after: [value, value],
        attachments: value,
      });
      for (const text of [query.filters.search, query.filters.folder])
        if (text && NUL.test(text)) problems.push(`list filter kept NUL from ${JSON.stringify(value).slice(0, 40)}`);
    }
    await recordScenario({
      group: 'hostile input',
      scenario: 'in-process: record ids, cursors, list filters',
      expected: tried,
      stored: problems.length,
      lost: 0,
      duplicated: 0,
      note: 'only positive safe integers become ids',
    });
    expect(problems).toEqual([]);
  });

  it('the cron bearer check says no to every near miss and yes only to the secret', async () => {
    const secret = 'c0ffee'.repeat(8);
    const variants = [
      null,
      '',
      'Bearer',
      'Bearer ',
      `bearer ${secret}`,
      `Bearer  ${secret}`,
      `Bearer ${secret} `,
      `Bearer ${secret.slice(1)}`,
      `Bearer ${secret.toUpperCase()}`,
      `Basic ${secret}`,
      secret,
      ...pool.map((value) => `Bearer ${value}`),
    ];
    const passed = variants.filter((header) => hasBearerSecret(header, secret));
    await recordScenario({
      group: 'hostile input',
      scenario: 'in-process: cron bearer check near misses',
      expected: variants.length,
      stored: passed.length,
      lost: 0,
      duplicated: 0,
      note: 'constant-time compare, exact match only',
    });
    expect(passed).toEqual([]);
    expect(hasBearerSecret(`Bearer ${secret}`, secret)).toBe(true);
  });
});

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
