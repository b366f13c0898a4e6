import { describe, expect, it } from 'vitest';
import { replaceGeneratedSection } from '@/scripts/support/generated-doc-section';

describe('a generated section of a doc', () => {
  it('replaces only what lies between its markers', () => {
    const doc = 'Prose before.\n\n<!-- bench:start -->\nold table\n<!-- bench:end -->\n\nProse after.\n';
    expect(replaceGeneratedSection(doc, 'bench', '| new | table |\n')).toBe(
      'Prose before.\n\n<!-- bench:start -->\n| new | table |\n<!-- bench:end -->\n\nProse after.\n',
    );
  });

  it('leaves other sections alone and appends a section the doc lacks', () => {
    const doc = '<!-- other:start -->\nkeep\n<!-- other:end -->\n';
    expect(replaceGeneratedSection(doc, 'bench', 'figures')).toBe(
      '<!-- other:start -->\nkeep\n<!-- other:end -->\n\n<!-- bench:start -->\nfigures\n<!-- bench:end -->\n',
    );
  });
});
