import { describe, expect, it } from 'vitest';
import { AppError, fail, failureResponse, statusOf, visibleMessage } from '@/lib/errors';

describe('failure codes', () => {
  it('let a use case’s sentence reach the browser, with the status its code names', async () => {
    const gone = fail('account.missing', 'That mailbox no longer exists.');
    expect(gone).toEqual({ ok: false, error: { code: 'account.missing', message: 'That mailbox no longer exists.' } });
    expect(visibleMessage(gone.error)).toBe('That mailbox no longer exists.');
    const response = failureResponse({ code: 'record.missing', message: 'No such message.' }, { 'X-Test': '1' });
    expect(response.status).toBe(404);
    expect(response.headers.get('X-Test')).toBe('1');
    expect(await response.json()).toEqual({ error: 'No such message.' });
  });

  it('keep a code meant for the log out of the browser, however the message reads', async () => {
    const fault = new AppError('sync.lease_failed', 'Could not take the next due mailbox: connection refused');
    expect(visibleMessage(fault)).not.toMatch(/connection refused/);
    expect(visibleMessage(fault)).toMatch(/server log/);
    const response = failureResponse(fault);
    expect(response.status).toBe(statusOf('sync.lease_failed'));
    expect(JSON.stringify(await response.json())).not.toMatch(/connection refused/);
  });
});
