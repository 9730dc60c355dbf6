/**
 * The stream's loop region in frames, computed the same way by the page
 * (lib/stream/) and by the decoding Worker (lib/stream-worker/), so that both
 * agree on the frame where a pass ends and the next begins. Pure; internal.
 */

/**
 * The region loopStart .. loopEnd (seconds) as frames of a track at `rate`
 * Hz that is `frames` long (Infinity when its length is not known): the end
 * clamped to the track, as AudioBufferSourceNode clamps loopEnd. Null when
 * there is no region: start below 0, start not before end, or nothing left
 * of it inside the track.
 * @param {{ start: number, end: number }} region seconds
 * @param {number} rate
 * @param {number} frames
 * @returns {{ start: number, end: number } | null}
 */
export function regionFrames(region, rate, frames) {
  if (!(region.start >= 0 && region.start < region.end)) return null;
  const start = Math.round(region.start * rate);
  const end = Math.min(Math.round(region.end * rate), frames);
  return start < end ? { start, end } : null;
}
