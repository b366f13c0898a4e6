/**
 * What an error page or form message must never show: a library's own words, a stack, SQL or Postgres text.
 * Returns the names of the patterns found, empty when the text reads as the product's own.
 */
const LIBRARY_TEXT: ReadonlyArray<readonly [string, RegExp]> = [
  ['an error class name', /\b(Type|Reference|Syntax|Range|Zod|Postgres|Drizzle|Seal|Config|Auth|Database|Sql)Error\b/],
  ['"Error:"', /\bError:/],
  // A frame always ends in :line:column; without that, "a soft break at the very end</p>" in a mail's snippet
  // would read as one.
  ['a stack frame', /\bat [\w.$<>[\] ]*\(?(?:\/|file:|node:|webpack|async )[^\s()]*:\d+:\d+/],
  ['node_modules', /node_modules/],
  ['postgres', /postgres/i],
  ['drizzle', /drizzle/i],
  ['undefined', /\bundefined\b/],
  [
    'SQL',
    /\b(?:syntax error at or near|invalid input syntax|violates \S+ (?:key )?constraint|out of range for type|relation "[^"]*" does not exist|invalid byte sequence|unsupported Unicode escape sequence|Failed query|insert into|delete from)\b/i,
  ],
  ['a zod default message', /\bInvalid input\b|expected \w+, received|\bToo (?:big|small): expected/],
];

/** Found anywhere in a page, scripts included, these can only be a leak: an error class, a stack, SQL. */
const LEAK_ANYWHERE = new Set(['an error class name', 'a stack frame', 'node_modules', 'SQL', 'a zod default message']);

export function libraryTextIn(text: string): string[] {
  // React's flight data encodes an absent value as "$undefined" (escaped again inside a page's scripts).
  const cleaned = text.replace(/\\*"\$undefined\\*"/g, '""');
  return LIBRARY_TEXT.filter(([, pattern]) => pattern.test(cleaned)).map(([name]) => name);
}

/**
 * For an HTML page: the words a visitor reads (head, scripts and tags removed) must be the product's own, and the
 * whole document, scripts included, must hold no stack, error class or SQL. ("Postgres" in the page's meta
 * description is the product talking about itself, not a leak.)
 */
export function libraryTextInHtml(html: string): string[] {
  const visible = html
    .replace(/<head[\s\S]*?<\/head>/gi, ' ')
    .replace(/<(script|style|template)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(?:lt|gt|amp|quot|#39|#x27);/g, ' ');
  const everywhere = libraryTextIn(html).filter((name) => LEAK_ANYWHERE.has(name));
  return [...new Set([...libraryTextIn(visible), ...everywhere])];
}
