/**
 * Advice text from the error catalogs is plain prose in which a command (or a value to paste) is a backticked
 * segment standing after a colon: "Turn it on in PowerShell: `Set-CASMailbox …`". The UI shows each such segment
 * as a code block with a copy button, and never a literal backtick or other Markdown.
 */
export type AdvicePart = { kind: 'text'; text: string } | { kind: 'command'; text: string };

export function adviceParts(advice: string): AdvicePart[] {
  const parts: AdvicePart[] = [];
  advice.split(/`([^`]+)`/).forEach((segment, index) => {
    const text = index % 2 === 1 ? segment.trim() : segment.replace(/`|\*\*/g, '').trim();
    if (text) parts.push({ kind: index % 2 === 1 ? 'command' : 'text', text });
  });
  return parts;
}
