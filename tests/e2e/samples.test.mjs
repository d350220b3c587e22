// Samples and deletion in the window, end to end: download a small dataset from the Hub
// emulator, page through its rows, search them, see its text statistics, then delete it from the
// detail view.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { downloadTinyDataset, launchApp, setField, startHubEmulator, testid } from "./harness.mjs";

let hub;
let app;

before(async () => {
  hub = await startHubEmulator([]);
  app = await launchApp({ env: { HF_ENDPOINT: hub.endpoint } });
});

after(async () => {
  await app?.close();
  hub?.stop();
});

async function waitForText(browser, el, pattern, what) {
  await browser.waitUntil(async () => pattern.test(await el.getText()), {
    timeout: 15_000,
    interval: 100,
    timeoutMsg: `${what} never matched ${pattern}`,
  });
}

test("page through samples, search them, see their statistics and delete the dataset", async () => {
  const { browser } = app;

  // 200 train and 20 test rows: "train example number 0", … with an id.
  const card = await downloadTinyDataset(browser);

  await card.click();
  await testid(browser, "dataset-modal");
  await (await testid(browser, "dataset-tab-samples")).click();
  const range = await testid(browser, "samples-range", 15_000);
  await waitForText(browser, range, /Showing 1–20 of 220/, "the first page");
  const labels = async () => {
    const els = await browser.$$('[data-testid="sample-label"]');
    const texts = [];
    for (let i = 0; i < els.length; i += 1) texts.push(await els[i].getText());
    return texts;
  };
  assert.equal((await labels())[0], "Sample #0 • train");
  const firstText = await (await testid(browser, "sample-text")).getText();
  assert.equal(firstText, "train example number 0");

  await (await testid(browser, "samples-next")).click();
  await waitForText(browser, range, /Showing 21–40 of 220/, "the second page");
  assert.equal((await labels())[0], "Sample #20 • train");

  // The last page holds the test split.
  await setField(browser, await testid(browser, "samples-page-input"), "11");
  await browser.keys("Enter");
  await waitForText(browser, range, /Showing 201–220 of 220/, "the last page");
  assert.equal((await labels())[0], "Sample #0 • test");

  // Case-insensitive search over every split, highlighted.
  await setField(browser, await testid(browser, "samples-search"), "NUMBER 13");
  await waitForText(browser, range, /Showing 1–12 of 12 matches/, "the search");
  const marks = await browser.$$('[data-testid="sample-match"]');
  assert.equal(marks.length, 12);
  assert.equal(await marks[0].getText(), "number 13");

  // Statistics: the raw text's characters per row, measured by the engine, drawn as bars.
  await (await testid(browser, "dataset-tab-statistics")).click();
  const rowsTile = await testid(browser, "summary-rows");
  // WebKit's WebDriver leaves the text of ellipsis-truncated elements out of getText().
  await browser.waitUntil(async () => /220/.test(await rowsTile.getProperty("textContent")), {
    timeout: 15_000,
    interval: 100,
    timeoutMsg: "the rows tile never showed 220",
  });
  const chars = await testid(browser, "chars-histogram", 30_000);
  await browser.waitUntil(async () => (await chars.$$(".recharts-bar-rectangle")).length > 0, {
    timeout: 15_000,
    interval: 200,
    timeoutMsg: "the characters-per-row histogram never drew a bar",
  });

  // Delete it from the detail view: the modal closes and the list is empty.
  await (await testid(browser, "dataset-modal-delete")).click();
  const dialog = await testid(browser, "delete-dialog");
  assert.match(await dialog.getText(), /tiny-jsonl/);
  await (await testid(browser, "delete-dialog-hub-files")).click();
  await (await testid(browser, "delete-dialog-confirm")).click();
  await testid(browser, "datasets-empty", 15_000);
  assert.equal((await browser.$$('[data-testid="dataset-modal"]')).length, 0);
});
