// The worker test/bench/pool.browser.js gives workerpool: the same tasks as
// ringlet's built-ins. 'render' calls ringlet's own built-in render function,
// taken from the task registry of dist/ringlet-worker.js (imported on first
// use, so it does not weigh on start-up), so both pools run identical code
// on identical wasm and only the pool mechanics differ. A classic worker:
// workerpool's browser build is a UMD script.
/* global workerpool */
importScripts('/node_modules/workerpool/dist/workerpool.js');

/** @type {((payload: unknown, context: object) => Promise<{ value: unknown, transfer: Transferable[] }>) | null} */
let render = null;

async function ringletRender() {
  if (render === null) {
    await import('/dist/ringlet-worker.js');
    render = self[Symbol.for('ringlet.worker.state')].tasks.get('render');
  }
  return render;
}

workerpool.worker({
  echo: (payload) => payload,
  render: async (payload) => {
    const run = await ringletRender();
    const out = await run(payload, { id: 0, name: 'render', progress() {} });
    return new workerpool.Transfer(out.value, out.transfer);
  },
});
