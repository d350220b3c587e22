// A data folder prepared elsewhere (here by the CLI with its own database, as another machine
// sharing the folder would) is adopted by the window: its dataset appears, Ready, with its rows.
// While the window is open it follows the folder: a dataset another machine adds appears without
// a rescan being asked for, and a dataset another machine works on shows as busy on that host.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cardMatching, launchApp, testid } from "./harness.mjs";

const home = mkdtempSync(join(tmpdir(), "mistudio-e2e-shared-"));
let app;

after(async () => {
  await app?.close();
  rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

// The window's default data folder under this HOME, filled by "another machine".
const dataRoot = join(home, "data", "org.mistudio.datasets", "data");
const target = process.env.CARGO_TARGET_DIR ?? join(new URL("../..", import.meta.url).pathname, "target");

/** Imports rows with the CLI as the Jetson (its own database, the shared folder). */
function importOnJetson(name, rows, folder = dataRoot) {
  const source = join(home, `${name.replace(/\W+/g, "-")}.jsonl`);
  writeFileSync(source, Array.from({ length: rows }, (_, i) => JSON.stringify({ text: `shared row ${i}` })).join("\n") + "\n");
  return JSON.parse(
    execFileSync(join(target, "debug", "mistudio-cli"), ["--json", "import", source, "--name", name, "--progress", "none"], {
      env: {
        ...process.env,
        HOME: home,
        MISTUDIO_DATA_DIR: folder,
        MISTUDIO_LOCAL_DIR: join(home, "jetson-local"),
      },
    }).toString(),
  );
}

let first;

test("a data folder prepared by another machine shows its datasets", async () => {
  first = importOnJetson("from the Jetson", 12);
  assert.equal(first.status, "ready");

  app = await launchApp({ home });
  const { browser } = app;
  await testid(browser, "dataset-card", 20_000);
  const card = await cardMatching(browser, /from the Jetson/, 20_000, "the shared dataset never appeared");
  const text = await card.getProperty("textContent");
  assert.match(text, /Ready/);
  assert.match(text, /Samples:\s*12(?!\d)/);
});

test("the open window follows what another machine does in the folder", async () => {
  const { browser } = app;
  // Added on the Jetson while the window is open: it appears by itself.
  const second = importOnJetson("added later on the Jetson", 5);
  const card = await cardMatching(browser, /added later on the Jetson/, 20_000, "the new dataset was not noticed");
  assert.match(await card.getProperty("textContent"), /Samples:\s*5(?!\d)/);

  // The Jetson starts tokenizing the first dataset: its lock file names the host.
  const now = Date.now();
  const lock = join(dataRoot, "locks", `${first.id}.lock`);
  mkdirSync(join(dataRoot, "locks"), { recursive: true });
  writeFileSync(
    lock,
    JSON.stringify({
      format_version: 1,
      dataset_id: first.id,
      host: "lab-jetson",
      machine_id: "another-machine",
      pid: 4242,
      process_start: null,
      purpose: "tokenizing with gpt2",
      started_at: now,
      heartbeat_at: now,
      nonce: "e2e",
    }),
  );
  const busyCard = await cardMatching(browser, /from the Jetson/, 20_000, "the first card went away");
  await browser.waitUntil(async () => (await busyCard.$('[data-testid="dataset-busy"]')).isExisting(), {
    timeout: 20_000,
    timeoutMsg: "the dataset never showed as busy",
  });
  const badge = await busyCard.$('[data-testid="dataset-busy"]');
  assert.match(await badge.getProperty("textContent"), /Busy on lab-jetson/);

  // Done on the Jetson: the badge goes.
  unlinkSync(lock);
  await browser.waitUntil(async () => !(await busyCard.$('[data-testid="dataset-busy"]').isExisting()), {
    timeout: 20_000,
    timeoutMsg: "the busy badge stayed after the lock was released",
  });
  assert.equal(second.status, "ready");
});

test("switching the data folder in Settings adopts the library already in it, without copying", async () => {
  const { browser } = app;
  const share = join(home, "lab-share");
  const made = importOnJetson("kept on the lab share", 7, share);

  await (await browser.$('button[aria-label="Settings"]')).click();
  const dialog = await browser.$('[role="dialog"]');
  await dialog.waitForDisplayed({ timeout: 10_000 });
  const folder = await browser.$('[data-testid="settings-data-root"]');
  await browser.waitUntil(async () => (await folder.getValue()) !== "", { timeout: 10_000 });
  await folder.setValue(share);
  await browser.waitUntil(async () => (await folder.getValue()) === share, { timeout: 5_000 });
  await (await dialog.$('button[type="submit"]')).click();
  await dialog.waitForDisplayed({ reverse: true, timeout: 15_000 });

  const card = await cardMatching(browser, /kept on the lab share/, 20_000, "the library in the new folder was not adopted");
  assert.match(await card.getProperty("textContent"), /Samples:\s*7(?!\d)/);
  await browser.waitUntil(
    async () => {
      for (const c of await browser.$$('[data-testid="dataset-card"]')) {
        if (/from the Jetson/.test(await c.getProperty("textContent"))) return false;
      }
      return true;
    },
    { timeout: 15_000, timeoutMsg: "the old folder's datasets stayed in the list" },
  );
  // Adopted where it is: the share holds its one dataset, nothing was copied in or out.
  assert.deepEqual(readdirSync(join(share, "datasets")), [made.id]);
  assert.equal(readdirSync(join(dataRoot, "datasets")).includes(made.id), false);
});
