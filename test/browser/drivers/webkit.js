// WebKit: WebKitGTK's MiniBrowser, driven by WebKitWebDriver through
// selenium-webdriver (WebDriver classic: WebKitGTK has no WebDriver BiDi).
// The driver runs on the display and audio daemons of daemons.js; it serves
// one session at a time, so each test file starts its own driver.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import webdriver from 'selenium-webdriver';

const { Builder, By } = webdriver;

const MINIBROWSER = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** @typedef {import('./types.js').Backend} Backend */

/** @type {Set<import('node:child_process').ChildProcess>} */
const drivers = new Set();
// A Jest worker that dies mid-file must not leave a driver (and its browser) behind.
// The driver leads a process group of its own, with the MiniBrowser it starts.
process.once('exit', () => {
  for (const d of drivers) killGroup(d);
});

/**
 * Kills a driver's process group: the driver and the browser it started.
 * @param {import('node:child_process').ChildProcess} child
 */
function killGroup(child) {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
}

/**
 * Selenium's sockets do not keep Node's event loop alive while a command
 * waits (a long executeAsyncScript); a timer does.
 * @template T
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function held(fn) {
  const keep = setInterval(() => {}, 1000);
  try {
    return await fn();
  } finally {
    clearInterval(keep);
  }
}

/**
 * @param {string} url
 * @param {number} ms
 */
async function waitForDriver(url, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(`${url}/status`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`WebKitWebDriver did not answer at ${url} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * @param {import('./types.js').LaunchOptions} options
 * @returns {Promise<import('./types.js').Driver>}
 */
export async function launch(options) {
  const display = process.env.RINGLET_DISPLAY;
  const pulse = process.env.RINGLET_PULSE_SERVER;
  if (!display || !pulse) {
    throw new Error(
      'WebKit needs the display and audio daemons: open it through harness.js openBrowser() (it starts them outside Jest) or jest.config.js (its globalSetup starts them)',
    );
  }
  const port = await freePort();
  /** @type {Record<string, string | undefined>} */
  const env = { ...process.env, DISPLAY: display, PULSE_SERVER: pulse };
  delete env.JSC_useSharedArrayBuffer;
  if (options.sharedArrayBuffer) env.JSC_useSharedArrayBuffer = '1';
  const child = spawn(process.env.WEBKIT_WEBDRIVER_PATH ?? 'WebKitWebDriver', [`--port=${port}`], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  drivers.add(child);
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  /** @type {import('selenium-webdriver').WebDriver} */
  let driver;
  try {
    await waitForDriver(url, 10000);
    const args = ['--automation', '--autoplay-policy=allow'];
    if (options.fakeMedia) args.push('--enable-mock-capture-devices=true');
    driver = await held(() =>
      new Builder()
        .usingServer(url)
        .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args } })
        .build(),
    );
    // Jest's timeouts bound every test; the driver's own must not cut a long evaluate short.
    await driver.manage().setTimeouts({ script: 3600000, pageLoad: 60000 });
  } catch (error) {
    killGroup(child);
    drivers.delete(child);
    throw new Error(`WebKit did not start: ${/** @type {Error} */ (error).message}\n${stderr}`, { cause: error });
  }
  const first = await driver.getWindowHandle();
  let current = first;
  /** @param {string} handle */
  const on = async (handle) => {
    if (current !== handle) {
      await driver.switchTo().window(handle);
      current = handle;
    }
  };
  /** @param {string} handle @returns {Backend} */
  const wrap = (handle) => ({
    raw: driver,
    evaluateRaw: (expression) =>
      held(async () => {
        await on(handle);
        return driver.executeAsyncScript(
          `const done = arguments[arguments.length - 1];
          Promise.resolve(${expression}).then(done, (e) =>
            done(JSON.stringify({ error: { name: 'Error', message: String(e), stack: '' } })));`,
        );
      }),
    goto: (target) =>
      held(async () => {
        await on(handle);
        await driver.get(target);
      }),
    reload: () =>
      held(async () => {
        await on(handle);
        await driver.navigate().refresh();
      }),
    url: async () => {
      await on(handle);
      return driver.getCurrentUrl();
    },
    click: (selector) =>
      held(async () => {
        await on(handle);
        await driver.findElement(By.css(selector)).click();
      }),
    mouseMove: (x, y) =>
      held(async () => {
        await on(handle);
        await driver
          .actions({ async: true })
          .move({ x: Math.round(x), y: Math.round(y), origin: 'viewport' })
          .perform();
      }),
    mouseDown: () =>
      held(async () => {
        await on(handle);
        await driver.actions({ async: true }).press().perform();
      }),
    mouseUp: () =>
      held(async () => {
        await on(handle);
        await driver.actions({ async: true }).release().perform();
      }),
    addInitScript: null,
    onError: null,
    close: async () => {
      await on(handle);
      await driver.close();
      current = '';
      const rest = await driver.getAllWindowHandles();
      if (rest[0]) await on(rest[0]);
    },
  });
  const version = async () => {
    const caps = await driver.getCapabilities();
    return `WebKitGTK ${caps.get('browserVersion') ?? '?'}`;
  };
  return {
    raw: driver,
    firstPage: async () => wrap(first),
    newPage: async () => {
      await driver.switchTo().newWindow('tab');
      current = await driver.getWindowHandle();
      return wrap(current);
    },
    version,
    /**
     * The session's first window and its tabs: closing the context closes
     * those tabs and leaves the first window on about:blank. A session has
     * one current window, so one context at a time, and its website data
     * is the session's: shared-browsers.js does not share WebKit's browsers.
     */
    async openContext() {
      return {
        raw: driver,
        firstPage: async () => wrap(first),
        newPage: async () => {
          await driver.switchTo().newWindow('tab');
          current = await driver.getWindowHandle();
          return wrap(current);
        },
        version,
        close: () =>
          held(async () => {
            for (const handle of await driver.getAllWindowHandles()) {
              if (handle === first) continue;
              await on(handle);
              await driver.close();
            }
            current = '';
            await on(first);
            await driver.get('about:blank');
          }),
      };
    },
    concurrentContexts: false,
    async alive() {
      /** @type {ReturnType<typeof setTimeout> | undefined} */
      let timer;
      const late = new Promise((resolve) => {
        timer = setTimeout(() => resolve(false), 5000);
      });
      try {
        return await Promise.race([held(() => driver.getAllWindowHandles()).then((h) => h.includes(first)), late]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      try {
        await held(() => driver.quit());
      } finally {
        child.kill('SIGTERM');
        const killed = setTimeout(() => killGroup(child), 3000);
        await exited;
        clearTimeout(killed);
        killGroup(child);
        drivers.delete(child);
      }
    },
  };
}
