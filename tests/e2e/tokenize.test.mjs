// Tokenization in the window, end to end: download a small dataset from the Hub emulator, open
// it, add the emulator's real GPT-2 tokenizer from the Hub, watch the live preview, tokenize in
// packed mode and read the statistics of the finished tokenization.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { downloadTinyDataset, launchApp, setField, startHubEmulator, testid } from "./harness.mjs";

const here = new URL(".", import.meta.url).pathname;
const tokenizer = join(here, "..", "data", "gpt2-tokenizer.json");
let hub;
let app;

before(async () => {
  hub = await startHubEmulator(["--tokenizer", tokenizer]);
  app = await launchApp({ env: { HF_ENDPOINT: hub.endpoint } });
});

after(async () => {
  await app?.close();
  hub?.stop();
});

test("add a Hub tokenizer, preview, tokenize packed and read the statistics", async () => {
  const { browser } = app;
  // E2E_SCREENSHOT_DIR=/some/dir keeps pictures of the window along the way.
  const shot = async (name, el) => {
    if (!process.env.E2E_SCREENSHOT_DIR) return;
    if (el) await el.scrollIntoView();
    app.screenshot(join(process.env.E2E_SCREENSHOT_DIR, `${name}.png`));
  };

  // A small dataset: 200 train and 20 test rows, ready in seconds.
  const card = await downloadTinyDataset(browser);

  await card.click();
  const modal = await testid(browser, "dataset-modal");
  assert.match(await (await testid(browser, "dataset-modal-subtitle")).getText(), /220 samples/);
  await shot("detail-overview");
  await (await testid(browser, "dataset-tab-tokenization")).click();
  await testid(browser, "tokenization-tab");

  // The library starts empty; add the emulator's GPT-2 tokenizer from the Hub.
  await testid(browser, "tokenizer-empty");
  await (await testid(browser, "tokenizer-add-hub")).click();
  await setField(browser, await testid(browser, "tokenizer-hub-repo"), "demo/gpt2");
  await (await testid(browser, "tokenizer-hub-submit")).click();
  const select = await browser.$('[data-testid="tokenizer-select"]');
  await browser.waitUntil(async () => (await select.getValue()).startsWith("tk_"), {
    timeout: 30_000,
    timeoutMsg: "the tokenizer never appeared in the picker",
  });
  assert.equal(await (await select.$("option")).getText(), "demo/gpt2 — 50,257 tokens");
  assert.match(await (await testid(browser, "tokenizer-special-tokens")).getText(), /<\|endoftext\|>/);
  await shot("tokenize-tab", await testid(browser, "tokenizer-picker"));

  // Live preview: GPT-2 pieces with the leading space drawn as ␣.
  await setField(browser, await testid(browser, "preview-text"), "Hello world, hello tokens");
  await browser.waitUntil(async () => (await browser.$$('[data-testid="token-chip"]')).length >= 4, {
    timeout: 10_000,
    timeoutMsg: "no token chips appeared",
  });
  const pieces = [];
  for (const chip of await browser.$$('[data-testid="token-chip"]')) pieces.push(await chip.getText());
  assert.equal(pieces[0], "Hello");
  assert.ok(pieces.includes("␣world"), `pieces: ${pieces.join(" | ")}`);
  const footer = await testid(browser, "preview-footer");
  assert.match(await footer.getText(), /\d+ tokens · 1 row/);
  await shot("tokenize-preview", await testid(browser, "tokenize-preview"));

  // Packed mode with short rows so even this small dataset fills several.
  await (await browser.$('[data-testid="tokenize-mode-packed"]')).click();
  await setField(browser, await testid(browser, "tokenize-context-size"), "32");
  // The preview follows: a short text does not fill a 32-token row, so its tokens are left over.
  await browser.waitUntil(async () => /left over/.test(await (await testid(browser, "preview-footer")).getText()), {
    timeout: 10_000,
    timeoutMsg: "the preview never switched to packed mode",
  });
  await shot("tokenize-packed", await testid(browser, "tokenize-mode"));

  await (await testid(browser, "tokenize-submit")).click();
  const item = await testid(browser, "tokenization-item", 15_000);
  await shot("tokenize-started", item);
  const seen = new Set();
  await browser.waitUntil(
    async () => {
      const status = await item.getAttribute("data-status");
      seen.add(status);
      if (status === "processing" || status === "queued") {
        const progress = await browser.$('[data-testid="tokenize-stage"]');
        if (await progress.isExisting()) seen.add(`stage:${await progress.getText()}`);
      }
      return status === "ready";
    },
    { timeout: 120_000, interval: 100, timeoutMsg: "the tokenization never turned Ready" },
  );
  console.log(`# tokenization states seen: ${[...seen].join(", ")}`);
  assert.match(await (await testid(browser, "tokenization-summary")).getText(), /packed 32 · BOS · EOS between documents/);
  assert.match(await (await testid(browser, "tokenization-facts")).getText(), /[\d,]+ tokens · [\d,]+ rows · .+ on disk/);

  await (await testid(browser, "tokenization-stats-toggle")).click();
  await testid(browser, "tokenization-statistics");
  const rows = await (await testid(browser, "stat-rows")).getText();
  assert.match(rows, /from 220 samples/);
  const tokens = Number((await (await browser.$('[data-testid="stat-tokens"] [data-testid="stat-value"]')).getText()).replace(/,/g, ""));
  assert.ok(tokens > 0 && tokens % 32 === 0, `packed rows hold exactly 32 tokens each: ${tokens}`);
  await testid(browser, "length-histogram");
  assert.match(await (await testid(browser, "length-summary")).getText(), /Median: 32/);
  assert.ok((await browser.$$('[data-testid="top-token"]')).length > 0, "frequent tokens are listed");
  await shot("tokenize-statistics", await testid(browser, "tokenization-statistics"));

  // Escape closes the detail view.
  await browser.keys("Escape");
  await modal.waitForDisplayed({ reverse: true, timeout: 5_000 });
});
