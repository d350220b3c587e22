// Download in the window, end to end: the app talks to the standalone Hub emulator through
// HF_ENDPOINT; the researcher types a repo id, picks a split, watches progress, gets Ready.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launchApp, startHubEmulator, submitDownload } from "./harness.mjs";

const corpus = join(new URL(".", import.meta.url).pathname, "..", "data", "corpus.parquet");
let hub;
let app;

before(async () => {
  // Throttled so the progress bar is seen moving.
  hub = await startHubEmulator(["--corpus", corpus, "--throttle-kbps", "15000"]);
  app = await launchApp({ env: { HF_ENDPOINT: hub.endpoint } });
});

after(async () => {
  await app?.close();
  hub?.stop();
});

test("type a repo id, pick a split, see progress move and the card turn Ready", async () => {
  const { browser } = app;
  const repo = await browser.$('[data-testid="download-repo"]');
  await repo.waitForDisplayed({ timeout: 30_000 });
  await repo.setValue("demo/corpus");

  const split = await browser.$('[data-testid="download-split"]');
  await browser.waitUntil(async () => (await split.isEnabled()) && (await split.getText()).includes("train"), {
    timeout: 20_000,
    timeoutMsg: "the split picker was never filled by the inspection",
  });
  await split.selectByAttribute("value", "train");
  await submitDownload(browser);

  const card = await browser.$('[data-testid="dataset-card"]');
  await card.waitForDisplayed({ timeout: 10_000 });
  const percents = new Set();
  await browser.waitUntil(
    async () => {
      const text = await card.getText();
      const m = text.match(/(\d+)%/);
      if (m) percents.add(m[1]);
      return /Ready/.test(text);
    },
    { timeout: 120_000, interval: 100, timeoutMsg: "the card never turned Ready" },
  );
  assert.ok(percents.size >= 2, `progress did not move: saw ${[...percents].join(", ")}`);
  if (process.env.E2E_SCREENSHOT) app.screenshot(process.env.E2E_SCREENSHOT);
  const text = await card.getText();
  assert.match(text, /Samples: 134,310/);
  assert.match(await card.getHTML(), /demo\/corpus · train/);
});
