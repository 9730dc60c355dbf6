// The stream pages' signal, with no imports, so that the consumer run
// (Node) makes the FLAC file from the same samples the pages check: one
// second of 16-bit stereo at 48 kHz whose samples are never 0 (silence is
// then told apart from audio).
export const RATE = 48000;
export const FRAMES = RATE;

/** Frame i's left 16-bit sample. @param {number} i */
export const left = (i) => (i % 12000) + 1;
/** Frame i's right 16-bit sample. @param {number} i */
export const right = (i) => -((i * 7) % 9000) - 1;

/** The signal as a 16-bit stereo WAV file's bytes. */
export function wavBytes() {
  const bytes = new ArrayBuffer(44 + FRAMES * 4);
  const v = new DataView(bytes);
  const ascii = (at, s) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + FRAMES * 4, true);
  ascii(8, 'WAVEfmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 2, true);
  v.setUint32(24, RATE, true);
  v.setUint32(28, RATE * 4, true);
  v.setUint16(32, 4, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, FRAMES * 4, true);
  for (let i = 0; i < FRAMES; i++) {
    v.setInt16(44 + i * 4, left(i), true);
    v.setInt16(46 + i * 4, right(i), true);
  }
  return bytes;
}
