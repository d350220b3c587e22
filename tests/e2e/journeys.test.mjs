// Researcher journeys through the built app, end to end, against one Hub emulator: a gated repo
// refused then opened with a granted token (which never shows up in the page or the logs),
// malformed repo ids caught at the field, a throttled download's bytes, speed and ETA, a download
// that survives quitting the app mid-way, and a tokenization's token view and deletion.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cardMatching, downloadTinyDataset, launchApp, setField, startHubEmulator, submitDownload, testid } from "./harness.mjs";

const here = new URL(".", import.meta.url).pathname;
const corpus = join(here, "..", "data", "corpus.parquet");
const tokenizer = join(here, "..", "data", "gpt2-tokenizer.json");
/** Granted to demo/gated by the emulator (and by nothing else). */
const TOKEN = "hf_e2eJourneySecret7Q4Z";
/** demo/corpus, train split: 134,310 rows (see download.test.mjs). */
const CORPUS_ROWS = /Samples:\s*134,310(?!\d)/;

let hub;
const apps = [];
const homes = [];

before(async () => {
  // Throttled so a corpus download lasts seconds: long enough to watch and to quit mid-way.
  hub = await startHubEmulator([
    "--corpus",
    corpus,
    "--tokenizer",
    tokenizer,
    "--throttle-kbps",
    "2500",
    "--grant",
    `${TOKEN}:demo/gated`,
  ]);
});

after(async () => {
  for (const app of apps) await app.close();
  hub?.stop();
  for (const home of homes) rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

async function launch(options = {}) {
  const app = await launchApp({ ...options, env: { HF_ENDPOINT: hub.endpoint } });
  apps.push(app);
  return app;
}

async function close(app) {
  apps.splice(apps.indexOf(app), 1);
  await app.close();
}

/** Every card's text content (WebKit's getText() drops ellipsis-truncated text). */
async function cardTexts(browser) {
  const texts = [];
  for (const card of await browser.$$('[data-testid="dataset-card"]')) texts.push(await card.getProperty("textContent"));
  return texts;
}

async function waitForCardText(browser, card, pattern, timeout, what) {
  await browser.waitUntil(async () => pattern.test(await card.getProperty("textContent")), {
    timeout,
    interval: 100,
    timeoutMsg: what,
  });
}

/** Types demo/corpus, waits for the inspection to list the train split, picks it and starts. */
async function startCorpusDownload(browser) {
  await setField(browser, await testid(browser, "download-repo", 30_000), "demo/corpus");
  const split = await browser.$('[data-testid="download-split"]');
  await browser.waitUntil(async () => (await split.isEnabled()) && (await split.getText()).includes("train"), {
    timeout: 20_000,
    timeoutMsg: "the split picker was never filled by the inspection",
  });
  await split.selectByAttribute("value", "train");
  await submitDownload(browser);
  return cardMatching(browser, /demo\/corpus · train/);
}

/**
 * Replaces what a field holds: emptied with the keyboard first (so React sees the field empty),
 * then typed, then waited for.
 */
async function replaceField(browser, el, value) {
  await el.click();
  await browser.keys(["Control", "a"]);
  await browser.keys("Backspace");
  await browser.waitUntil(async () => (await el.getValue()) === "", {
    timeout: 5_000,
    timeoutMsg: `the field was never emptied (it holds ${JSON.stringify(await el.getValue())})`,
  });
  await el.setValue(value);
  await browser.waitUntil(async () => (await el.getValue()) === value, {
    timeout: 5_000,
    timeoutMsg: `the field never showed ${value} (it holds ${JSON.stringify(await el.getValue())})`,
  });
}

/** Every file under `dir`, recursively. */
function filesUnder(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out; // e.g. the document portal's FUSE mount
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** A file's bytes, or nothing when it went away meanwhile. */
function readIfThere(file) {
  try {
    return statSync(file).size > 50_000_000 ? Buffer.alloc(0) : readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

// ---------------------------------------------------------------------------------------------
// One app for the Download form journeys.
let formApp;

test("malformed repo ids are caught at the field and cannot be downloaded", async () => {
  formApp = await launch();
  const { browser } = formApp;
  await testid(browser, "datasets-empty", 30_000);
  const repo = await testid(browser, "download-repo", 30_000);
  const submit = await testid(browser, "download-submit");

  const cases = [
    ["not a repo", /must not contain spaces/],
    ["../etc/passwd", /at most one "\/"/],
    ["../passwd", /must not contain "--" or "\.\."|must not start or end with "-" or "\."/],
  ];
  for (const [value, message] of cases) {
    await replaceField(browser, repo, value);
    const validation = await testid(browser, "download-repo-validation");
    await browser.waitUntil(async () => message.test(await validation.getText()), {
      timeout: 5_000,
      timeoutMsg: `no validation message matching ${message} for ${JSON.stringify(value)}`,
    });
    assert.equal(await repo.getAttribute("aria-invalid"), "true", `${value} is marked invalid`);
    assert.equal(await submit.isEnabled(), false, `Download is disabled for ${JSON.stringify(value)}`);
    // Enter in the field does not start it either.
    await browser.keys("Enter");
  }
  // Nothing was registered: still the empty state, no card, no start error.
  await browser.pause(500);
  assert.equal((await browser.$$('[data-testid="dataset-card"]')).length, 0);
  assert.equal(await (await browser.$('[data-testid="datasets-empty"]')).isDisplayed(), true);
  assert.equal((await browser.$$('[data-testid="download-error"]')).length, 0);

  // A well-formed id clears the message and enables the button.
  await replaceField(browser, repo, "demo/tiny-jsonl");
  await browser.waitUntil(async () => !(await browser.$('[data-testid="download-repo-validation"]').isExisting()), {
    timeout: 5_000,
    timeoutMsg: "the validation message stayed for a valid id",
  });
  assert.equal(await submit.isEnabled(), true);
});

test("a gated repo is refused without a token and downloads with a granted one; the token leaks nowhere", async () => {
  const { browser, home } = formApp;
  const repo = await testid(browser, "download-repo");
  await replaceField(browser, repo, "demo/gated");

  // The inspection asks the Hub and shows its refusal under the field.
  const kind = await testid(browser, "download-inspection-kind", 20_000);
  assert.match(await kind.getText(), /gated/i);
  const refusal = await (await testid(browser, "download-inspection")).getProperty("textContent");
  assert.match(refusal, /demo\/gated is a gated dataset/);
  assert.match(refusal, /accept its conditions/);
  assert.match(refusal, /access token/i);
  // Only inspected: nothing was made.
  assert.equal((await browser.$$('[data-testid="dataset-card"]')).length, 0);
  assert.equal(await (await browser.$('[data-testid="datasets-empty"]')).isDisplayed(), true);

  // With the granted token the inspection passes and the download goes through.
  await setField(browser, await testid(browser, "download-token"), TOKEN);
  const inspection = await testid(browser, "download-inspection");
  await browser.waitUntil(async () => /gated/.test(await inspection.getProperty("textContent")) && !(await browser.$('[data-testid="download-inspection-kind"]').isExisting()), {
    timeout: 20_000,
    interval: 100,
    timeoutMsg: "the inspection never passed with the granted token",
  });
  assert.doesNotMatch(await inspection.getProperty("textContent"), /Error|refused|no access/i);
  await submitDownload(browser);
  const card = await cardMatching(browser, /demo\/gated/);
  await waitForCardText(browser, card, /Ready/, 60_000, "the gated dataset never turned Ready");
  const text = await card.getProperty("textContent");
  assert.match(text, /Samples:\s*10(?!\d)/);
  assert.equal((await browser.$$('[data-testid="dataset-error"]')).length, 0);
  assert.equal((await browser.$$('[data-testid="dataset-card"]')).length, 1, "exactly one dataset was made");

  // The token is nowhere in the window: not in its text, not in its markup (the field is cleared).
  assert.equal(await (await testid(browser, "download-token")).getValue(), "");
  const bodyText = await browser.execute(() => document.body.textContent);
  assert.ok(!bodyText.includes(TOKEN), "the token shows in the page text");
  const html = await browser.execute(() => document.documentElement.outerHTML);
  assert.ok(!html.includes(TOKEN), "the token is in the page markup");

  // …nor in the app's logs.
  const logDir = join(home, "data", "org.mistudio.datasets", "logs");
  assert.ok(existsSync(join(logDir, "mistudio.log")), `no log file in ${logDir}`);
  const logs = filesUnder(logDir);
  const logText = logs.map((f) => readFileSync(f, "utf8")).join("\n");
  assert.match(logText, /download queued/, "the download was logged");
  for (const file of logs) assert.ok(!readFileSync(file, "utf8").includes(TOKEN), `the token is in ${file}`);
  // Not written anywhere in the profile either (it was not to be remembered).
  const profile = filesUnder(home);
  assert.ok(profile.length > 0);
  for (const file of profile) assert.ok(!readIfThere(file).includes(TOKEN), `the token was written to ${file}`);
});

test("a throttled download shows its bytes, speed and time left on the card", async () => {
  const { browser } = formApp;
  const card = await startCorpusDownload(browser);
  const seen = [];
  await browser.waitUntil(
    async () => {
      const transfer = await card.$('[data-testid="job-transfer"]');
      if (!(await transfer.isExisting())) return false;
      const text = (await transfer.getProperty("textContent")).trim();
      if (text) seen.push(text);
      // "4.1 MB / 17.5 MB • 2.4 MB/s • 6 s left"
      return /^\d+(\.\d)? (B|KB|MB) \/ 17\.5 MB • \d+(\.\d)? (KB|MB)\/s • \d+ (s|min) left$/.test(text);
    },
    { timeout: 30_000, interval: 100, timeoutMsg: "the card never showed bytes, speed and time left" },
  );
  const percent = await card.$('[data-testid="job-percent"]');
  assert.match(await percent.getText(), /^\d+%$/);
  assert.match(await (await card.$('[data-testid="job-stage"]')).getProperty("textContent"), /\w/);
  await waitForCardText(browser, card, /Ready/, 60_000, "the corpus never turned Ready");
  assert.match(await card.getProperty("textContent"), CORPUS_ROWS);
  // Done: the progress line is gone.
  assert.equal(await card.$('[data-testid="job-transfer"]').isExisting(), false);
  console.log(`# transfer texts seen: ${seen.length}, e.g. ${seen[Math.floor(seen.length / 2)]}`);
  await close(formApp);
});

test("quitting mid-download and starting again resumes the same dataset to Ready", async () => {
  const home = mkdtempSync(join(tmpdir(), "mistudio-e2e-resume-"));
  homes.push(home);
  let app = await launch({ home });
  let card = await startCorpusDownload(app.browser);
  let percentAtQuit = 0;
  await app.browser.waitUntil(
    async () => {
      const percent = await card.$('[data-testid="job-percent"]');
      if (!(await percent.isExisting())) return false;
      percentAtQuit = Number((await percent.getText()).replace("%", ""));
      return percentAtQuit >= 10;
    },
    { timeout: 30_000, interval: 100, timeoutMsg: "the download never made progress" },
  );
  assert.ok(percentAtQuit < 90, `quit too late to test resuming: ${percentAtQuit}%`);
  const id = await card.getAttribute("data-dataset-id");
  // The downloading process holds the dataset's lock. The app is started again at once: the
  // old process may not be reaped yet (its lock names a pid that still shows, as a zombie) or may
  // still be exiting; the requeued download must take the lock over rather than fail as busy.
  const lock = JSON.parse(readFileSync(join(home, "data", "org.mistudio.datasets", "data", "locks", `${id}.lock`), "utf8"));
  assert.equal(typeof lock.pid, "number");
  await close(app);

  app = await launch({ home });
  const { browser } = app;
  card = await cardMatching(browser, /demo\/corpus · train/, 30_000);
  assert.equal(await card.getAttribute("data-dataset-id"), id, "the same dataset continues");
  const percents = [];
  await browser.waitUntil(
    async () => {
      const text = await card.getProperty("textContent");
      const m = text.match(/(\d+)%/);
      if (m) percents.push(Number(m[1]));
      return /Ready/.test(text);
    },
    { timeout: 90_000, interval: 100, timeoutMsg: "the resumed download never turned Ready" },
  );
  console.log(`# quit at ${percentAtQuit}%, then saw ${percents.join(" ")}`);
  // It continued from the bytes already fetched instead of starting over.
  assert.ok(percents.length > 0 && percents[0] >= percentAtQuit, `quit at ${percentAtQuit}%, restarted at ${percents[0]}%`);
  assert.match(await card.getProperty("textContent"), CORPUS_ROWS);
  const texts = await cardTexts(browser);
  assert.equal(texts.filter((t) => /demo\/corpus/.test(t)).length, 1, `cards: ${texts.join(" | ")}`);
  assert.equal(texts.length, 1);
  await close(app);
});

// ---------------------------------------------------------------------------------------------
// One app for the tokenization journeys: tokenize demo/tiny-jsonl with the Hub's GPT-2.
let tokApp;
let tinyCard;

async function openTab(browser, key) {
  await (await testid(browser, `dataset-tab-${key}`)).click();
}

test("the Samples tab shows a row's tokens under a tokenization", async () => {
  tokApp = await launch();
  const { browser } = tokApp;
  tinyCard = await downloadTinyDataset(browser);
  await tinyCard.click();
  await testid(browser, "dataset-modal");
  await openTab(browser, "tokenization");
  await testid(browser, "tokenizer-empty");
  await (await testid(browser, "tokenizer-add-hub")).click();
  await setField(browser, await testid(browser, "tokenizer-hub-repo"), "demo/gpt2");
  await (await testid(browser, "tokenizer-hub-submit")).click();
  const select = await browser.$('[data-testid="tokenizer-select"]');
  await browser.waitUntil(async () => (await select.getValue()).startsWith("tk_"), {
    timeout: 30_000,
    timeoutMsg: "the tokenizer never appeared in the picker",
  });
  await (await testid(browser, "tokenize-submit")).click();
  const item = await testid(browser, "tokenization-item", 15_000);
  await browser.waitUntil(async () => (await item.getAttribute("data-status")) === "ready", {
    timeout: 120_000,
    interval: 200,
    timeoutMsg: "the tokenization never turned Ready",
  });

  await openTab(browser, "samples");
  const range = await testid(browser, "samples-range", 15_000);
  await browser.waitUntil(async () => /Showing 1–20 of 220/.test(await range.getText()), {
    timeout: 15_000,
    timeoutMsg: "the first page never showed",
  });
  // No tokenization chosen yet: no token view offered.
  assert.equal((await browser.$$('[data-testid="sample-tokens-toggle"]')).length, 0);
  await (await testid(browser, "samples-filters-toggle")).click();
  const choice = await testid(browser, "samples-tokenization");
  await choice.selectByIndex(1);
  const toggle = await testid(browser, "sample-tokens-toggle");
  assert.equal(await toggle.getAttribute("aria-expanded"), "false");
  await toggle.click();
  const view = await testid(browser, "sample-tokens", 15_000);
  await browser.waitUntil(async () => (await view.$$('[data-testid="token-chip"]')).length > 0, {
    timeout: 15_000,
    timeoutMsg: "the token view never showed chips",
  });
  assert.equal(await toggle.getAttribute("aria-expanded"), "true");
  const pieces = [];
  for (const chip of await view.$$('[data-testid="token-chip"]')) pieces.push(await chip.getProperty("textContent"));
  // "train example number 0" in GPT-2 pieces (a leading space drawn as ␣).
  assert.ok(pieces.includes("train") && pieces.includes("␣example") && pieces.includes("␣number"), `pieces: ${pieces.join(" | ")}`);
  const count = await (await testid(browser, "sample-tokens-count")).getText();
  assert.match(count, /^\d+ tokens?$/);
  assert.ok(Number(count.split(" ")[0]) >= 4, `count: ${count}`);
});

test("deleting a tokenization removes it from the list and the dataset's count", async () => {
  const { browser } = tokApp;
  assert.match(await tinyCard.getProperty("textContent"), /Tokenized/, "the card shows it is tokenized");
  await openTab(browser, "overview");
  const tile = await testid(browser, "overview-tokenizations");
  await browser.waitUntil(async () => /Tokenizations\s*1(?!\d)/.test(await tile.getProperty("textContent")), {
    timeout: 10_000,
    timeoutMsg: "the overview never counted the tokenization",
  });

  await openTab(browser, "tokenization");
  await testid(browser, "tokenization-item");
  await (await testid(browser, "tokenization-delete")).click();
  const dialog = await testid(browser, "tokenization-delete-confirm");
  assert.match(await dialog.getProperty("textContent"), /demo\/gpt2/);
  await (await testid(browser, "tokenization-delete-confirm-confirm")).click();
  await testid(browser, "tokenizations-empty", 15_000);
  assert.equal((await browser.$$('[data-testid="tokenization-item"]')).length, 0);
  assert.match(await (await testid(browser, "tokenization-list")).getProperty("textContent"), /Tokenizations \(0\)/);

  await openTab(browser, "overview");
  await browser.waitUntil(async () => /Tokenizations\s*0(?!\d)/.test(await (await testid(browser, "overview-tokenizations")).getProperty("textContent")), {
    timeout: 10_000,
    timeoutMsg: "the overview still counts a tokenization",
  });

  // The card in the list drops its Tokenized badge.
  await (await testid(browser, "dataset-modal-close")).click();
  await (await browser.$('[data-testid="dataset-modal"]')).waitForDisplayed({ reverse: true, timeout: 5_000 });
  const card = await cardMatching(browser, /demo\/tiny-jsonl/);
  await browser.waitUntil(async () => !/Tokenized/.test(await card.getProperty("textContent")), {
    timeout: 10_000,
    timeoutMsg: "the card still shows Tokenized",
  });
  assert.match(await card.getProperty("textContent"), /Ready/);
});
