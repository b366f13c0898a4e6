import { describe, expect, it } from 'vitest';
import { returnPathOrHome, safeReturnPath } from '@/lib/auth/return-path';

describe('the page sign-in returns to', () => {
  it('keeps a path on this site with its query', () => {
    expect(safeReturnPath('/messages?q=invoice&account=1')).toBe('/messages?q=invoice&account=1');
    expect(safeReturnPath('/channels/microsoft365/accounts/0b1c')).toBe('/channels/microsoft365/accounts/0b1c');
  });

  it.each([
    '//evil.example/x',
    '/\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '/\u000d\u000aLocation: x',
    '/\tevil',
    'messages',
    '/sign-in?next=/x',
    '/setup',
    '',
    undefined,
    ['/messages'],
  ])('refuses %j and falls back to the console’s home', (value) => {
    expect(safeReturnPath(value)).toBeNull();
    expect(returnPathOrHome(value)).toBe('/channels/microsoft365');
  });
});
