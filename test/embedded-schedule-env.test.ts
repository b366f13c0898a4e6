import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/config/env';

describe('embedded mode: the schedule and the secret npm run sync shares with the console', () => {
  it('syncs every 5 minutes unless SYNC_INTERVAL_MINUTES says otherwise (0 turns it off)', () => {
    const DATA_DIR = mkdtempSync(path.join(tmpdir(), 'mg-env-'));
    expect(parseEnv({ DATA_DIR }).SYNC_INTERVAL_MINUTES).toBe(5);
    expect(parseEnv({ DATA_DIR, SYNC_INTERVAL_MINUTES: '0' }).SYNC_INTERVAL_MINUTES).toBe(0);
    expect(parseEnv({ DATA_DIR, SYNC_INTERVAL_MINUTES: '0.5' }).SYNC_INTERVAL_MINUTES).toBe(0.5);
    expect(() => parseEnv({ DATA_DIR, SYNC_INTERVAL_MINUTES: '-1' })).toThrow(
      /^Invalid configuration: SYNC_INTERVAL_MINUTES must be a number of minutes \(0 turns the console’s own schedule off\)$/,
    );
  });

  it('generates a cron secret once into the data folder, so the CLI and the console read the same one', () => {
    const DATA_DIR = mkdtempSync(path.join(tmpdir(), 'mg-env-'));
    const first = parseEnv({ DATA_DIR }).CRON_SECRET;
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(parseEnv({ DATA_DIR }).CRON_SECRET).toBe(first);
    expect(parseEnv({ DATA_DIR, CRON_SECRET: 'set-by-the-admin-0123' }).CRON_SECRET).toBe('set-by-the-admin-0123');
  });
});
