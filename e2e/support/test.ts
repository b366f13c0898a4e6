import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { recordResponses } from './response-log';

export const CAPTURED_ACTIONS = path.join(process.cwd(), 'test-results', 'server-actions.jsonl');

export interface CapturedAction {
  id: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Every spec's page records the server-action requests the admin's clicks send, so a later spec can replay each
 * one without a session and prove it is refused (see 95-actions-need-admin.spec.ts), and the bodies it receives,
 * for the secret scan that runs last (99-secrets-scan.spec.ts).
 */
export const test = base.extend({
  page: async ({ page }, use) => {
    mkdirSync(path.dirname(CAPTURED_ACTIONS), { recursive: true });
    page.on('request', (request) => {
      const id = request.headers()['next-action'];
      if (request.method() !== 'POST' || !id) return;
      const captured: CapturedAction = {
        id,
        url: request.url(),
        headers: request.headers(),
        body: (request.postDataBuffer() ?? Buffer.alloc(0)).toString('base64'),
      };
      appendFileSync(CAPTURED_ACTIONS, `${JSON.stringify(captured)}\n`);
    });
    const stopRecording = recordResponses(page.context());
    await use(page);
    await stopRecording();
  },
});

export { expect } from '@playwright/test';
