/**
 * Characters a sender can use to make text read other than it is: C0 and C1 controls, zero-width characters and
 * marks (U+200B–U+200F: LRM/RLM among them), bidirectional embeddings and overrides (U+202A–U+202E: RLO turns
 * "Invoice <U+202E>cod.exe" into "Invoice exe.doc") and isolates (U+2066–U+2069), and the BOM.
 * (Unicode UAX #9 for the bidi controls; "Trojan Source", CVE-2021-42574, for the trick itself.)
 * One set for every place mail text is shown or saved: file names drop them (lib/mail/parse-fields.ts), header
 * fields show them escaped.
 */
export const DECEPTIVE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A header value (From name, subject, …) as the admin should read it: each deceptive character shown as
 * `[U+202E]`, in place, so the reversed or hidden text is visible for what it is and nothing reorders around it.
 */
export function visibleText(value: string): string {
  return value.replace(
    DECEPTIVE_CHARACTERS,
    (char) => `[U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`,
  );
}

export function visibleTexts(values: string[]): string[] {
  return values.map(visibleText);
}
