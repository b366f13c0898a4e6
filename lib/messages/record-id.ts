/**
 * A bigint id from a URL, or null. Ids are drizzle `mode: 'number'`, so anything past 2^53 cannot name a row;
 * refusing it here turns a would-be database error into a plain 404.
 */
export function parseRecordId(value: string | undefined): number | null {
  if (!value || !/^[1-9]\d{0,15}$/.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}
