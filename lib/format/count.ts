/** "1 message", "2 messages", "1,024 messages": the number and the noun that agrees with it. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? singular : plural}`;
}
