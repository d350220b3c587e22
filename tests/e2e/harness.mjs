// Starts what an end-to-end test needs: a virtual display (unless one is given), tauri-driver
// (which starts WebKitWebDriver, which starts the app), and a WebDriver session on the app.
// Every app run gets its own HOME and XDG dirs, so tests never see this machine's data.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { remote } from "webdriverio";

const here = new URL(".", import.meta.url).pathname;
const repo = join(here, "..", "..");

export function appBinary() {
  const target = process.env.CARGO_TARGET_DIR ?? join(repo, "target");
  const bin = process.env.MISTUDIO_APP_BINARY ?? join(target, "debug", "mistudio-datasets");
  if (!existsSync(bin)) {
    throw new Error(`The app binary ${bin} does not exist: build it with \`tauri build --debug --no-bundle\` (scripts/test does) or set MISTUDIO_APP_BINARY.`);
  }
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => { socket.destroy(); resolve(true); });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms`);
}

async function startDisplay(env) {
  if (process.env.DISPLAY) return { display: process.env.DISPLAY, stop: () => {} };
  // -displayfd makes Xvfb pick a free display number and tell us which.
  const xvfb = spawn("Xvfb", ["-displayfd", "1", "-screen", "0", "1400x900x24", "-nolisten", "tcp"], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const display = await new Promise((resolve, reject) => {
    let out = "";
    xvfb.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) resolve(`:${out.trim()}`);
    });
    xvfb.once("exit", (code) => reject(new Error(`Xvfb exited with code ${code}`)));
  });
  return { display, stop: () => xvfb.kill() };
}

/**
 * Launches the app and returns a WebDriver browser for it. Without `home`, on a fresh, empty
 * profile that is removed on close; with it, on that profile (to test what survives a restart),
 * which the caller removes.
 */
export async function launchApp({ home: givenHome, env: extraEnv = {} } = {}) {
  const home = givenHome ?? mkdtempSync(join(tmpdir(), "mistudio-e2e-"));
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(home, "data"),
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    XDG_RUNTIME_DIR: home,
    MISTUDIO_LOG: "info",
    // WebKitGTK under Xvfb with no GPU.
    WEBKIT_DISABLE_COMPOSITING_MODE: "1",
    LIBGL_ALWAYS_SOFTWARE: "1",
    ...extraEnv,
  };
  const { display, stop: stopDisplay } = await startDisplay(env);
  env.DISPLAY = display;
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const stopAll = () => {
    driver.kill();
    stopDisplay();
    // The document portal (started over D-Bus by GTK/WebKit) may have mounted its FUSE file
    // system at $XDG_RUNTIME_DIR/doc, which is inside home: unmount it before removing home.
    for (const tool of ["fusermount3", "fusermount"]) {
      try {
        execFileSync(tool, ["-u", "-z", join(home, "doc")], { stdio: "ignore" });
        break;
      } catch {
        // Not mounted, or this tool is missing: try the next.
      }
    }
    if (!givenHome) rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };
  try {
    await waitForPort(port, driver, "tauri-driver");
    const browser = await remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "warn",
      capabilities: { "tauri:options": { application: appBinary() } },
    });
    return {
      browser,
      home,
      screenshot(file) {
        execFileSync("import", ["-window", "root", file], { env });
      },
      async close() {
        await browser.deleteSession().catch(() => {});
        stopAll();
      },
    };
  } catch (error) {
    stopAll();
    throw error;
  }
}

/**
 * Starts the standalone Hub emulator (built with the workspace) and returns its endpoint; the
 * app reaches it through HF_ENDPOINT exactly as it would reach the real Hub.
 */
export async function startHubEmulator(args = []) {
  const target = process.env.CARGO_TARGET_DIR ?? join(repo, "target");
  const bin = join(target, "debug", "hub-emulator");
  if (!existsSync(bin)) {
    throw new Error(`${bin} does not exist: build it with \`cargo build -p mistudio-hub-emulator\``);
  }
  const child = spawn(bin, ["--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const endpoint = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`hub-emulator exited with code ${code}`)));
  });
  return { endpoint, stop: () => child.kill() };
}

/** The element with this data-testid, once it is displayed. */
export async function testid(browser, id, timeout = 10_000) {
  const el = await browser.$(`[data-testid="${id}"]`);
  await el.waitForDisplayed({ timeout, timeoutMsg: `${id} never appeared` });
  return el;
}

/** Types into a field and waits until it shows the value. */
export async function setField(browser, el, value) {
  // Element Send Keys types the whole string (browser.keys() drops repeated letters in WebKit).
  await el.setValue(value);
  await browser.waitUntil(async () => (await el.getValue()) === value, {
    timeout: 5_000,
    timeoutMsg: `the field never showed ${value}`,
  });
}

/**
 * Presses Download once the form has settled: the inspection and the dry run have answered,
 * so the summary above the button no longer grows under the click.
 */
export async function submitDownload(browser) {
  await browser.waitUntil(
    async () =>
      (await browser.$('[data-testid="download-plan"]').isDisplayed()) &&
      !(await browser.$('[data-testid="download-plan-checking"]').isExisting()),
    { timeout: 20_000, interval: 100, timeoutMsg: "the download's dry run never answered" },
  );
  const submit = await testid(browser, "download-submit");
  await submit.scrollIntoView({ block: "center" });
  await submit.click();
}

/**
 * Downloads `demo/tiny-jsonl` (200 train and 20 test rows) through the form and returns its
 * card once it is Ready.
 */
export async function downloadTinyDataset(browser) {
  await setField(browser, await testid(browser, "download-repo", 30_000), "demo/tiny-jsonl");
  await submitDownload(browser);
  const card = await testid(browser, "dataset-card");
  await browser.waitUntil(async () => /Ready/.test(await card.getText()), {
    timeout: 60_000,
    interval: 200,
    timeoutMsg: "the dataset never turned Ready",
  });
  return card;
}

/** The dataset card whose text matches `pattern`, once there is one. */
export async function cardMatching(browser, pattern, timeout = 20_000, timeoutMsg = `no card matched ${pattern}`) {
  let found = null;
  await browser.waitUntil(
    async () => {
      for (const card of await browser.$$('[data-testid="dataset-card"]')) {
        if (pattern.test(await card.getProperty("textContent"))) {
          found = card;
          return true;
        }
      }
      return false;
    },
    { timeout, interval: 100, timeoutMsg },
  );
  return found;
}
