// A row budget in the window, end to end: on the emulator's FineWeb-shaped demo/web (parquet
// shards in dump folders), the form's dry run tells the rows and bytes 1 % takes before
// Download is pressed, and the download turns Ready with its "subset" badge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchApp, setField, startHubEmulator, submitDownload, testid } from "./harness.mjs";

let hub;
let app;

before(async () => {
  // 2 dumps × 20 shards × 400 rows: 16,000 rows; 1 % is 160 rows of the first shard.
  hub = await startHubEmulator(["--web", "2x20x400"]);
  app = await launchApp({ env: { HF_ENDPOINT: hub.endpoint } });
});

after(async () => {
  await app?.close();
  hub?.stop();
});

test("the dry run tells what 1 % takes, and the budgeted download turns Ready as a subset", async () => {
  const { browser } = app;
  await setField(browser, await testid(browser, "download-repo", 30_000), "demo/web");
  const config = await testid(browser, "download-config");
  await browser.waitUntil(async () => config.isEnabled(), {
    timeout: 20_000,
    timeoutMsg: "the config picker was never filled by the inspection",
  });
  const plan = await testid(browser, "download-plan-files", 20_000);
  await browser.waitUntil(async () => /40 of 40 files/.test(await plan.getText()), {
    timeout: 20_000,
    timeoutMsg: "the whole split's plan never showed",
  });
  assert.match(await plan.getText(), /16,000 rows/);

  await setField(browser, await testid(browser, "download-rows"), "1%");
  await browser.waitUntil(
    async () => {
      const el = await browser.$('[data-testid="download-plan-files"]');
      return (await el.isExisting()) && /1 of 40 files .*160 of 16,000 rows/.test(await el.getText());
    },
    { timeout: 20_000, interval: 100, timeoutMsg: "the plan never showed 1 % of the rows" },
  );
  assert.match(await (await testid(browser, "download-plan-disk")).getText(), /Needs .* on disk .* free/);

  await submitDownload(browser);
  const card = await testid(browser, "dataset-card", 10_000);
  await browser.waitUntil(async () => /Ready/.test(await card.getText()), {
    timeout: 60_000,
    interval: 200,
    timeoutMsg: "the budgeted download never turned Ready",
  });
  assert.match(await card.getText(), /Samples: 160/);
  const badge = await card.$('[data-testid="dataset-subset"]');
  assert.ok(await badge.isDisplayed(), "no subset badge on the card");
  assert.match(await badge.getAttribute("title"), /160 of 16,000 rows · 1 of 40 files, 1 read in part \(--rows 1%\)/);
  if (process.env.E2E_SCREENSHOT) app.screenshot(process.env.E2E_SCREENSHOT);
});
