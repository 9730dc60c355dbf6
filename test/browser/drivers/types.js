// What each engine driver (chromium.js, firefox.js, webkit.js) provides to
// the page API in ../page.js. Type definitions only.

/**
 * @typedef {object} LaunchOptions
 * @property {boolean} [fakeMedia] a fake microphone that getUserMedia may use without asking
 * @property {string[]} [chromiumArgs] extra Chromium command-line switches
 * @property {boolean} sharedArrayBuffer WebKit only: JSC_useSharedArrayBuffer=1 in the web process
 */

/**
 * One page (tab) of an engine, as primitives the page API builds on.
 * @typedef {object} Backend
 * @property {unknown} raw the engine's own page object (playwright Page, puppeteer Page, selenium WebDriver)
 * @property {(expression: string) => Promise<string>} evaluateRaw evaluates an expression that resolves to a string
 * @property {(url: string) => Promise<void>} goto navigates and waits for the load event
 * @property {() => Promise<void>} reload
 * @property {() => Promise<string>} url
 * @property {(selector: string) => Promise<void>} click a trusted click, as a user's (gives sticky activation)
 * @property {(x: number, y: number) => Promise<void>} mouseMove viewport coordinates
 * @property {() => Promise<void>} mouseDown
 * @property {() => Promise<void>} mouseUp
 * @property {((source: string) => Promise<void>) | null} addInitScript runs `source` before the page's scripts on every
 *   navigation; null where the engine has no such hook (WebKit: the harness's server injects it instead)
 * @property {((push: (message: string) => void) => void) | null} onError subscribes to console errors and uncaught
 *   page errors; null where the engine reports none (WebKit: recorded in the page instead)
 * @property {() => Promise<void>} close
 */

/**
 * A browsing context of one browser: its own pages, and as far as the engine
 * allows its own storage (Chromium: a browser context; Firefox: a BiDi user
 * context; WebKit: the session's first window and its tabs).
 * @typedef {object} Context
 * @property {unknown} raw the engine's own object (Playwright BrowserContext, puppeteer BrowserContext, selenium WebDriver)
 * @property {() => Promise<Backend>} firstPage the context's first page (the same one on every call)
 * @property {() => Promise<Backend>} newPage
 * @property {() => Promise<string>} version the browser's name and version, e.g. 'Chromium 131.0.6778.85'
 * @property {() => Promise<void>} close closes the context's pages; the browser stays
 */

/**
 * A launched browser. As a Context, it is its own first context; close()
 * closes the browser and removes its profile.
 * @typedef {Context & {
 *   openContext: () => Promise<Context>,
 *   concurrentContexts: boolean,
 *   alive: () => Promise<boolean>,
 * }} Driver
 * openContext: a further context, for one test file of the many that share
 * this browser (shared-browsers.js); concurrentContexts: whether two may be
 * open at once (not WebKit's, which share one session); alive: whether the
 * browser still answers. Each driver kills its browsers when the Node
 * process exits.
 */

export {};
