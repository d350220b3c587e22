// Import in the window, end to end: a researcher pastes the absolute path of a JSON Lines file
// into the Import form, names the dataset, presses Import, watches the card turn Ready, then
// opens it and reads the first row back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchApp, setField, testid } from "./harness.mjs";

const ROWS = 50;
let dataDir;
let app;

before(async () => {
  // Outside the app's temporary HOME: imported files live wherever the researcher keeps them.
  dataDir = mkdtempSync(join(tmpdir(), "mistudio-e2e-import-"));
  const lines = Array.from({ length: ROWS }, (_, i) => JSON.stringify({ text: `row ${i}` }));
  writeFileSync(join(dataDir, "rows.jsonl"), `${lines.join("\n")}\n`);
  app = await launchApp();
});

after(async () => {
  await app?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test("type a file's path, name the dataset, import it and read its first row", async () => {
  const { browser } = app;
  const file = join(dataDir, "rows.jsonl");

  await setField(browser, await testid(browser, "import-path", 30_000), file);
  // The name follows the path until it is edited.
  const name = await testid(browser, "import-name");
  await browser.waitUntil(async () => (await name.getValue()) === "rows", {
    timeout: 5_000,
    timeoutMsg: "the name was never prefilled from the file name",
  });
  await setField(browser, name, "e2e rows");
  const submit = await testid(browser, "import-submit");
  assert.equal(await submit.isEnabled(), true);
  await submit.click();

  // The form clears once the import is queued.
  const path = await testid(browser, "import-path");
  await browser.waitUntil(async () => (await path.getValue()) === "", {
    timeout: 10_000,
    timeoutMsg: "the import form was never cleared (did start_import fail?)",
  });
  assert.equal((await browser.$$('[data-testid="import-error"]')).length, 0);

  const card = await testid(browser, "dataset-card", 10_000);
  await browser.waitUntil(async () => /Ready/.test(await card.getText()), {
    timeout: 60_000,
    interval: 200,
    timeoutMsg: "the imported dataset never turned Ready",
  });
  // WebKit's WebDriver leaves the text of ellipsis-truncated elements (the name) out of getText().
  const text = await card.getProperty("textContent");
  assert.match(text, /e2e rows/);
  assert.match(text, /Source:\s*Local file/);
  assert.match(text, new RegExp(`Samples:\\s*${ROWS}(?!\\d)`));

  await card.click();
  await testid(browser, "dataset-modal");
  await (await testid(browser, "dataset-tab-samples")).click();
  const range = await testid(browser, "samples-range", 15_000);
  await browser.waitUntil(async () => new RegExp(`Showing 1–20 of ${ROWS}`).test(await range.getText()), {
    timeout: 15_000,
    interval: 100,
    timeoutMsg: `the first page of ${ROWS} rows never showed`,
  });
  assert.match(await (await testid(browser, "sample-label")).getText(), /^Sample #0\b/);
  assert.equal(await (await testid(browser, "sample-text")).getText(), "row 0");
});
