import { describe, expect, it } from 'vitest';
import { isHostileReturnPath, returnPathOrHome, safeReturnPath } from '@/lib/auth/return-path';

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

describe('a return path with a line break', () => {
  it.each(['/messages\r\nSet-Cookie: a=b', '\n/messages', '/messages?x=\r', '/a\u0000', '/a\u0085b', '/a\tb'])(
    'is hostile: %j',
    (value) => {
      expect(isHostileReturnPath(value)).toBe(true);
      expect(safeReturnPath(value)).toBeNull();
    },
  );

  it.each(['/messages', '/messages?x=%0d%0a', '/m\u00e9ssages', '//evil.example'])('is not hostile: %j', (value) => {
    expect(isHostileReturnPath(value)).toBe(false);
  });
});
