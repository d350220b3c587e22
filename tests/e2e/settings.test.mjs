// Settings for real: the engine validates, the window shows its typed error, a valid change
// moves the data folder, and the choice survives a restart (tauri-plugin-store on disk).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchApp } from "./harness.mjs";

const home = mkdtempSync(join(tmpdir(), "mistudio-e2e-settings-"));
const moved = join(home, "shared-drive", "mistudio");
after(() => rmSync(home, { recursive: true, force: true }));

async function openSettings(browser) {
  await (await browser.$('button[aria-label="Settings"]')).click();
  const dialog = await browser.$('[role="dialog"]');
  await dialog.waitForDisplayed({ timeout: 10_000 });
  const folder = await browser.$('[data-testid="settings-data-root"]');
  await browser.waitUntil(async () => (await folder.getValue()) !== "", { timeout: 10_000 });
  return { dialog, folder };
}

async function replaceValue(browser, input, value) {
  // Element Send Keys types the whole string (browser.keys() drops repeated letters in WebKit).
  await input.setValue(value);
  await browser.waitUntil(async () => (await input.getValue()) === value, {
    timeout: 5_000,
    timeoutMsg: `the field never showed ${value}`,
  });
}

test("a bad data folder is refused with the engine's message; a good one is used and kept", async () => {
  let app = await launchApp({ home });
  try {
    const { browser } = app;
    await (await browser.$('[data-testid="datasets-empty"]')).waitForDisplayed({ timeout: 30_000 });
    const { dialog, folder } = await openSettings(browser);

    await replaceValue(browser, folder, "relative/folder");
    await (await dialog.$('button[type="submit"]')).click();
    const alert = await browser.$('[data-testid="error-message"]');
    await alert.waitForDisplayed({ timeout: 10_000 });
    assert.match(await alert.getText(), /relative path; enter an absolute path/);
    assert.equal(await dialog.isDisplayed(), true, "the dialog stays open on an error");

    await replaceValue(browser, folder, moved);
    await replaceValue(browser, await browser.$('[data-testid="settings-hub-endpoint"]'), "http://127.0.0.1:18080/");
    await (await dialog.$('button[type="submit"]')).click();
    await dialog.waitForDisplayed({ reverse: true, timeout: 10_000 });
    assert.ok(existsSync(join(moved, "datasets")), "the engine prepared the new folder");
    const free = await browser.$('[data-testid="machine-free"]');
    await browser.waitUntil(async () => (await free.getAttribute("title")) === moved, {
      timeout: 10_000,
      timeoutMsg: "the header never switched to the new data folder",
    });
    const saved = JSON.parse(readFileSync(join(home, "data", "org.mistudio.datasets", "settings.json"), "utf8"));
    assert.equal(saved.settings.data_root, moved);
    assert.equal(saved.settings.hub_endpoint, "http://127.0.0.1:18080", "normalised by the engine");
  } finally {
    await app.close();
  }

  app = await launchApp({ home });
  try {
    const { folder } = await openSettings(app.browser);
    assert.equal(await folder.getValue(), moved, "the choice survived the restart");
  } finally {
    await app.close();
  }
});
