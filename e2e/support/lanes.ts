import type { Page } from '@playwright/test';
import { recordResponses } from './response-log';

/**
 * Works through `items` on `lanes` pages at once, each in a browser context of its own that carries `page`'s
 * session (so no lane sees another's dialogs, console or requests), and returns what each lane's `open` made. A
 * console page mostly waits (on the network settling, a body frame, a timer), so a few lanes side by side take a
 * fraction of the time of one page visiting every item. Sign-outs and other session changes belong after it.
 */
export async function inLanes<Item, Lane>(
  page: Page,
  baseURL: string,
  items: Item[],
  lanes: number,
  open: (lanePage: Page) => Promise<Lane>,
  visit: (lanePage: Page, lane: Lane, item: Item) => Promise<void>,
): Promise<Lane[]> {
  const session = await page.context().storageState();
  const browser = page.context().browser();
  if (!browser) throw new Error('inLanes needs a page of a launched browser');
  const queue = [...items];
  return Promise.all(
    Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, async () => {
      const context = await browser.newContext({ baseURL, storageState: session });
      const stopRecording = recordResponses(context);
      try {
        const lanePage = await context.newPage();
        const lane = await open(lanePage);
        for (let item = queue.shift(); item !== undefined; item = queue.shift()) await visit(lanePage, lane, item);
        return lane;
      } finally {
        await stopRecording();
        await context.close();
      }
    }),
  );
}
