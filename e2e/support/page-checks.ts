import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// What React and Next log for a hydration mismatch or a misuse (production builds log the minified form).
const REACT_PROBLEM =
  /hydrat|did not match|Minified React error|Warning: |React does not recognize|validateDOMNesting|unique "key"/i;

/** Records what a page logs that React or Next would only log for a bug; read it with `problems()`. */
export function watchReactLogs(page: Page): { problems(): string[]; clear(): void } {
  let problems: string[] = [];
  page.on('console', (message) => {
    if ((message.type() === 'error' || message.type() === 'warning') && REACT_PROBLEM.test(message.text()))
      problems.push(`${page.url()}: console.${message.type()}: ${message.text().slice(0, 300)}`);
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: uncaught ${error.message.slice(0, 300)}`));
  return { problems: () => problems, clear: () => (problems = []) };
}

/** axe (WCAG 2.1 A and AA) on the page as it is now: no violation, each listed with where it is. */
export async function expectAccessible(page: Page, label = page.url()): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  const found = violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 5)
        .join(' | ')}`,
  );
  expect(found, `axe on ${label}`).toEqual([]);
}

/** At a phone's width the page itself never scrolls sideways (tables scroll inside their own frame). */
export async function expectFitsWidth(page: Page, width: number, label = page.url()): Promise<void> {
  const { scrollWidth, widest } = await page.evaluate((limit) => {
    // The outermost elements that stick out, to say what to fix.
    const out = [...document.querySelectorAll('body *')].filter(
      (e) =>
        e.getBoundingClientRect().right > limit + 1 &&
        !((e.parentElement?.getBoundingClientRect().right ?? 0) > limit + 1),
    );
    const describe = (e: Element) => `${e.tagName.toLowerCase()}.${[...e.classList].slice(0, 4).join('.')}`;
    return { scrollWidth: document.documentElement.scrollWidth, widest: out.slice(0, 5).map(describe) };
  }, width);
  expect(
    scrollWidth,
    `${label} is ${scrollWidth} px wide at a ${width} px viewport: ${widest.join(', ')}`,
  ).toBeLessThanOrEqual(width);
}
