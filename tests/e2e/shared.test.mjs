// A data folder prepared elsewhere (here by the CLI with its own database, as another machine
// sharing the folder would) is adopted by the window: its dataset appears, Ready, with its rows.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchApp, testid } from "./harness.mjs";

const home = mkdtempSync(join(tmpdir(), "mistudio-e2e-shared-"));
let app;

after(async () => {
  await app?.close();
  rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

test("a data folder prepared by another machine shows its datasets", async () => {
  // The window's default data folder under this HOME, filled by "another machine".
  const dataRoot = join(home, "data", "org.mistudio.datasets", "data");
  const source = join(home, "notes.jsonl");
  writeFileSync(source, Array.from({ length: 12 }, (_, i) => JSON.stringify({ text: `shared row ${i}` })).join("\n") + "\n");
  const target = process.env.CARGO_TARGET_DIR ?? join(new URL("../..", import.meta.url).pathname, "target");
  const made = JSON.parse(
    execFileSync(
      join(target, "debug", "mistudio-cli"),
      ["--json", "import", source, "--name", "from the Jetson", "--progress", "none"],
      {
        env: {
          ...process.env,
          HOME: home,
          MISTUDIO_DATA_DIR: dataRoot,
          MISTUDIO_LOCAL_DIR: join(home, "jetson-local"),
        },
      },
    ).toString(),
  );
  assert.equal(made.status, "ready");

  app = await launchApp({ home });
  const { browser } = app;
  const card = await testid(browser, "dataset-card", 20_000);
  await browser.waitUntil(async () => /from the Jetson/.test(await card.getProperty("textContent")), {
    timeout: 15_000,
    timeoutMsg: "the shared dataset never appeared",
  });
  const text = await card.getProperty("textContent");
  assert.match(text, /Ready/);
  assert.match(text, /Samples:\s*12(?!\d)/);
});
