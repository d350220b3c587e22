// Smoke test: the built app starts on a fresh machine and shows the Datasets panel with its
// empty state, real machine state in the header, and a working Settings dialog.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launchApp } from "./harness.mjs";

let app;

before(async () => {
  app = await launchApp();
});

after(async () => {
  await app?.close();
});

test("the window opens on the Datasets panel with its empty state", async () => {
  const { browser } = app;
  const panel = await browser.$('[data-testid="datasets-panel"]');
  await panel.waitForDisplayed({ timeout: 30_000 });
  assert.match(await panel.getText(), /Datasets/);

  const empty = await browser.$('[data-testid="datasets-empty"]');
  await empty.waitForDisplayed({ timeout: 15_000 });
  assert.match(await empty.getText(), /No datasets yet/);

  const tabs = await browser.$$('[role="tab"]');
  const labels = [];
  for (const tab of tabs) labels.push(await tab.getText());
  assert.deepEqual(labels, ["Datasets"]);

  // WebKitWebDriver's own screenshot hangs under Xvfb, so a look at the window (for a person
  // reviewing a change) is taken from the X display instead.
  if (process.env.E2E_SCREENSHOT) app.screenshot(process.env.E2E_SCREENSHOT);
});

test("the header shows this machine, read from the engine", async () => {
  const { browser } = app;
  const status = await browser.$('[data-testid="machine-status"]');
  await browser.waitUntil(async () => (await status.getText()).includes(hostname()), {
    timeout: 15_000,
    timeoutMsg: "the header never showed the host name",
  });
  const text = await status.getText();
  assert.match(text, /free/);
  assert.match(text, /No jobs running/);
});

test("the Settings dialog shows the data folder the engine uses", async () => {
  const { browser, home } = app;
  await (await browser.$('button[aria-label="Settings"]')).click();
  const dialog = await browser.$('[role="dialog"]');
  await dialog.waitForDisplayed({ timeout: 10_000 });
  const folder = await browser.$('[data-testid="settings-data-root"]');
  await browser.waitUntil(async () => (await folder.getValue()).startsWith(home), {
    timeout: 10_000,
    timeoutMsg: "the data folder field never showed the app's data folder",
  });
  assert.match(await folder.getValue(), /org\.mistudio\.datasets\/data$/);
  await browser.keys("Escape");
  await dialog.waitForDisplayed({ reverse: true, timeout: 5_000 });
});

test("the app logs to a file in its log dir", () => {
  const log = join(app.home, "data", "org.mistudio.datasets", "logs", "mistudio.log");
  assert.ok(existsSync(log), `no log file at ${log}`);
  assert.match(readFileSync(log, "utf8"), /miStudio Datasets starting/);
});
