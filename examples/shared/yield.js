// Lets a Worker's queued messages ('halt', 'loop', 'stop') run between two
// blocking ring calls. A MessageChannel message, not setTimeout(0): Chromium
// delays Worker timers by up to ~200 ms when the page is hidden or headless
// (measured here), and a producer paused that long drains a small ring.
const channel = new MessageChannel();
/** @type {Array<() => void>} */
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();

/** @returns {Promise<void>} */
export function yieldToMessages() {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}
