import { expect, type Page } from '@playwright/test';

/**
 * After "Verify mail flow": both legs reported and both passed. The check waits up to 60 s for its message
 * (VERIFY_WAIT_MS) and then answers either way; sending and the syncs before and after add to that on a loaded
 * machine, so the answer is awaited longer than that, and a failed leg shows as the product's own verdict.
 */
export async function expectMailFlowVerified(page: Page): Promise<void> {
  for (const leg of ['Send (SMTP)', 'Receive (IMAP sync)']) {
    const shown = page.locator(`[data-leg="${leg}"]`);
    await expect(shown, `the ${leg} leg is reported`).toBeVisible({ timeout: 100_000 });
    await expect(shown, `the ${leg} leg passed`).toHaveAttribute('data-ok', 'true');
  }
}
