/**
 * Seeded hostile input for the fuzzing spec: the same seed gives the same strings on every machine, so a failure
 * names an input that can be tried again. Nothing here contains the words the library-text scan looks for
 * (library-text.ts), so a hit always means the server produced them.
 */
import { between, prng } from '../../test/harness/random';

/** Inputs that broke web apps before: NUL, CRLF, markup, SQL, templates, traversal, bidi and odd unicode. */
export const HOSTILE_CORPUS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '%00',
  '\r\n',
  'x\r\nSet-Cookie: pwned=1',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "javascript:alert('x')",
  "' OR '1'='1' --",
  "'); DROP TABLE admins; --",
  '${7*7}{{7*7}}<%= 7*7 %>',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '\u202Egnp.exe\u202C',
  'مرحبا بالعالم עברית',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  'Z̸̢̛a̴͔͝l̷̰̈g̸̱͘o̵̦͐',
  '\u200B\u200D\uFEFF',
  '\uD800',
  '\uFFFF\uFFFE',
  '-1',
  '0',
  '1e309',
  'NaN',
  'null',
  '[]',
  '{"__proto__":{"admin":true}}',
  '%',
  '%zz',
  '+',
  'A'.repeat(16_384),
  'é'.repeat(8_192),
];

const POOLS: readonly (readonly [number, number])[] = [
  [0x20, 0x7e], // printable ASCII
  [0x00, 0x1f], // controls, NUL and CR LF among them
  [0x80, 0xff], // Latin-1
  [0x0590, 0x06ff], // Hebrew, Arabic (right to left)
  [0x200b, 0x206f], // zero-width and bidi controls
  [0x4e00, 0x4fff], // CJK
  [0x1f300, 0x1f6ff], // emoji (astral)
];

/** A random string from a mix of character pools; lengths favour the short but reach 16 KB. */
export function randomHostileString(rand: () => number): string {
  const bucket = rand();
  const length =
    bucket < 0.5 ? between(rand, 1, 24) : bucket < 0.9 ? between(rand, 24, 512) : between(rand, 512, 16_384);
  const pools = [POOLS[between(rand, 0, POOLS.length)], POOLS[between(rand, 0, POOLS.length)]];
  let out = '';
  while (out.length < length) {
    const [low, high] = pools[between(rand, 0, pools.length)] ?? POOLS[0]!;
    out += String.fromCodePoint(between(rand, low, high + 1));
  }
  return out;
}

/** The corpus first, then seeded random strings, `count` in all. */
export function hostileStrings(seed: number, count: number): string[] {
  const rand = prng(seed);
  const out = HOSTILE_CORPUS.slice(0, count);
  while (out.length < count) out.push(randomHostileString(rand));
  return out;
}

/** Values for a URL segment that names a numeric record: none of them may reach the database as an id. */
export const HOSTILE_IDS: readonly string[] = [
  'abc',
  '-1',
  '0',
  '00001',
  '1.5',
  '1e3',
  '0x10',
  '9007199254740993',
  '9223372036854775807',
  '9223372036854775808',
  '99999999999999999999',
  '1'.repeat(400),
  '-9223372036854775809',
  '%20',
  '1%00',
  '%00',
  '1%0d%0a',
  '%E2%80%AE1',
  '%F0%9F%92%A9',
  '١٢٣',
  '%C0%AF',
  '%ff',
  '%',
  '%zz',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%5c..%5cwindows',
  '1%2f2',
  '1;select',
  '1%27%20OR%20%271%27%3D%271',
  '%3Cscript%3E',
  'null',
  'NaN',
  'Infinity',
];

export function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[between(rand, 0, list.length)] as T;
}
