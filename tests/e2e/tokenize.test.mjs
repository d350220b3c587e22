// Tokenization in the window, end to end: download a small dataset from the Hub emulator, open
// it, add the emulator's real GPT-2 tokenizer from the Hub, watch the live preview, tokenize in
// packed mode (shuffled, as SAELens does), read the statistics of the finished tokenization, run
// its "Use in Python" snippets with Python's `datasets`, and make a second tokenization with
// another seed beside it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { downloadTinyDataset, launchApp, setField, startHubEmulator, testid } from "./harness.mjs";

const here = new URL(".", import.meta.url).pathname;
const tokenizer = join(here, "..", "data", "gpt2-tokenizer.json");
let hub;
let app;

/**
 * Runs a snippet the window offers, then `then`, with the Python scripts/test prepares
 * (MISTUDIO_PYTHON: a virtualenv with `datasets`); returns what it printed.
 */
function runPython(snippet, then) {
  const python = process.env.MISTUDIO_PYTHON;
  if (!python) {
    throw new Error("set MISTUDIO_PYTHON to a Python with datasets and pyarrow (scripts/test creates one)");
  }
  // load_dataset writes its cache under HF_HOME: a throwaway one keeps this machine's cache clean.
  const hfHome = mkdtempSync(join(tmpdir(), "mistudio-e2e-hf-"));
  try {
    return execFileSync(python, ["-c", `${snippet}\n${then}`], {
      env: { ...process.env, HF_HOME: hfHome, HF_DATASETS_OFFLINE: "1", HF_HUB_OFFLINE: "1" },
      encoding: "utf8",
      // Its progress bars stay out of the test's output; a failure carries its stderr.
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
  } finally {
    rmSync(hfHome, { recursive: true, force: true });
  }
}

before(async () => {
  hub = await startHubEmulator(["--tokenizer", tokenizer]);
  app = await launchApp({ env: { HF_ENDPOINT: hub.endpoint } });
});

after(async () => {
  await app?.close();
  hub?.stop();
});

test("add a Hub tokenizer, preview, tokenize packed and shuffled, read the statistics and use it from Python", async () => {
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

  // Packed mode with short rows so even this small dataset fills several; SAELens's tokens and a
  // shuffle with a seed left to chance are the defaults.
  await (await browser.$('[data-testid="tokenize-mode-packed"]')).click();
  await setField(browser, await testid(browser, "tokenize-context-size"), "32");
  assert.equal(await (await testid(browser, "tokenize-begin-batch")).getValue(), "bos");
  assert.equal(await (await testid(browser, "tokenize-separator")).getValue(), "bos");
  assert.equal(await (await testid(browser, "tokenize-shuffle")).getAttribute("aria-checked"), "true");
  assert.equal(await (await testid(browser, "tokenize-seed")).getValue(), "");
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
  // The seed drawn when the job started is recorded and shown.
  const summary = await (await testid(browser, "tokenization-summary")).getText();
  assert.match(summary, /^packed 32 · row start BOS · separator BOS · shuffled seed \d+/);
  const seed = summary.match(/shuffled seed (\d+)/)[1];
  const tokenizationId = await item.getAttribute("data-tokenization-id");
  assert.match(await (await testid(browser, "tokenization-facts")).getText(), /[\d,]+ tokens · [\d,]+ rows · .+ on disk/);
  // GPT-2 is plain byte-level BPE: the pass ran on the fast path and the item says so.
  assert.match(await (await testid(browser, "tokenization-encoder")).getText(), /fast byte-level BPE path/);

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
  await (await testid(browser, "tokenization-stats-toggle")).click();

  // Use in Python: the folder is the tokenization's own, and the snippets read it as they are.
  await (await testid(browser, "tokenization-python-toggle")).click();
  const panel = await testid(browser, "use-in-python");
  const folder = await (await testid(browser, "python-path")).getText();
  assert.ok(folder.startsWith("/"), `an absolute folder: ${folder}`);
  assert.ok(folder.endsWith(`/tokenized/${tokenizationId}`), `the folder names ${tokenizationId}: ${folder}`);
  assert.match(await (await testid(browser, "python-splits")).getText(), /Splits train, test/);
  const fromDisk = await (await testid(browser, "python-code-load_from_disk")).getProperty("textContent");
  assert.ok(fromDisk.includes(`load_from_disk(${JSON.stringify(folder)})["train"]`), fromDisk);
  const sae = await (await testid(browser, "python-code-sae_lens")).getProperty("textContent");
  assert.ok(sae.includes(`dataset_path=${JSON.stringify(folder)},`) && sae.includes("context_size=32,"), sae);
  await shot("tokenize-python", panel);
  const trainRows = runPython(fromDisk, 'print(len(ds), {len(r) for r in ds["input_ids"]})');
  assert.match(trainRows, /^\d+ \{32\}$/, `load_from_disk read rows of 32 ids: ${trainRows}`);
  const fromDataset = await (await testid(browser, "python-code-load_dataset")).getProperty("textContent");
  assert.equal(runPython(fromDataset, 'print(len(ds), {len(r) for r in ds["input_ids"]})'), trainRows);

  // The same tokenizer with another seed is another tokenization, beside the first.
  await (await testid(browser, "tokenize-seed")).scrollIntoView();
  const other = seed === "7" ? "8" : "7";
  await setField(browser, await testid(browser, "tokenize-seed"), other);
  await (await testid(browser, "tokenize-submit")).click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="tokenization-item"]')).length === 2, {
    timeout: 15_000,
    timeoutMsg: "the second tokenization never appeared beside the first",
  });
  await browser.waitUntil(
    async () => {
      for (const el of await browser.$$('[data-testid="tokenization-item"]')) {
        if ((await el.getAttribute("data-status")) !== "ready") return false;
      }
      return true;
    },
    { timeout: 120_000, interval: 200, timeoutMsg: "the second tokenization never turned Ready" },
  );
  const summaries = [];
  for (const el of await browser.$$('[data-testid="tokenization-summary"]')) summaries.push(await el.getText());
  assert.deepEqual(
    summaries.map((s) => s.match(/shuffled seed (\d+)/)?.[1]),
    [other, seed],
    `newest first, each with its seed: ${summaries.join(" | ")}`,
  );

  // Escape closes the detail view.
  await browser.keys("Escape");
  await modal.waitForDisplayed({ reverse: true, timeout: 5_000 });
});
