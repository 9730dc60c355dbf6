// An accessible rotary knob: role="slider", arrow keys (±step), Page Up/Down
// (±bigStep), Home/End, 0 or Delete to reset; vertical drag (Shift: finer),
// wheel and double-click to reset. Main thread.

const SWEEP = 135; // degrees either side of straight up

/** @param {number} deg */
const point = (deg, r = 22) => {
  const a = ((deg - 90) * Math.PI) / 180;
  return `${(29 + r * Math.cos(a)).toFixed(2)} ${(29 + r * Math.sin(a)).toFixed(2)}`;
};

/** An SVG arc path from angle a to angle b (degrees, clockwise from up). */
const arc = (/** @type {number} */ a, /** @type {number} */ b) => {
  if (Math.abs(b - a) < 0.01) return '';
  const [from, to] = a < b ? [a, b] : [b, a];
  return `M ${point(from)} A 22 22 0 ${to - from > 180 ? 1 : 0} 1 ${point(to)}`;
};

export class Knob {
  /**
   * @param {object} o
   * @param {string} o.label the accessible name
   * @param {number} o.min
   * @param {number} o.max
   * @param {number} o.value
   * @param {number} [o.step]
   * @param {number} [o.bigStep]
   * @param {number} [o.reset] the value 0 / Delete / double-click return to
   * @param {(v: number) => string} [o.format] the value as text (aria-valuetext)
   * @param {(v: number) => void} o.onInput
   */
  constructor({ label, min, max, value, step = 0.5, bigStep = 6, reset = 0, format = String, onInput }) {
    Object.assign(this, { min, max, step, bigStep, reset, format, onInput });
    this.value = value;
    const el = document.createElement('div');
    el.className = 'knob';
    el.tabIndex = 0;
    el.setAttribute('role', 'slider');
    el.setAttribute('aria-label', label);
    el.setAttribute('aria-valuemin', String(min));
    el.setAttribute('aria-valuemax', String(max));
    el.setAttribute('aria-orientation', 'vertical');
    el.innerHTML =
      '<svg viewBox="0 0 58 58" aria-hidden="true"><path class="track"/><path class="value"/>' +
      '<circle class="cap" cx="29" cy="29" r="15"/><line class="pointer" x1="29" y1="29" x2="29" y2="17"/></svg>';
    /** @type {SVGPathElement} */ (el.querySelector('.track')).setAttribute('d', arc(-SWEEP, SWEEP));
    this.el = el;
    this.listen();
    this.render();
  }

  /** @param {number} v */
  angle(v) {
    return -SWEEP + ((v - this.min) / (this.max - this.min)) * 2 * SWEEP;
  }

  /** Shows `v` without calling onInput (the EQ changed elsewhere). @param {number} v */
  set(v) {
    this.value = Math.min(this.max, Math.max(this.min, v));
    this.render();
  }

  render() {
    const el = this.el;
    const a = this.angle(this.value);
    const zero = this.angle(Math.min(this.max, Math.max(this.min, this.reset)));
    /** @type {SVGPathElement} */ (el.querySelector('.value')).setAttribute('d', arc(zero, a));
    /** @type {SVGLineElement} */ (el.querySelector('.pointer')).setAttribute('transform', `rotate(${a} 29 29)`);
    el.setAttribute('aria-valuenow', String(this.value));
    el.setAttribute('aria-valuetext', this.format(this.value));
  }

  /** @param {number} v */
  change(v) {
    const q = Math.round(Math.min(this.max, Math.max(this.min, v)) / 0.1) * 0.1;
    const next = Math.round(q * 10) / 10;
    if (next === this.value) return;
    this.value = next;
    this.render();
    this.onInput(next);
  }

  listen() {
    const el = this.el;
    el.addEventListener('keydown', (e) => {
      /** @type {Record<string, number>} */
      const moves = {
        ArrowUp: this.step,
        ArrowRight: this.step,
        ArrowDown: -this.step,
        ArrowLeft: -this.step,
        PageUp: this.bigStep,
        PageDown: -this.bigStep,
      };
      if (e.key in moves) this.change(this.value + moves[e.key]);
      else if (e.key === 'Home') this.change(this.min);
      else if (e.key === 'End') this.change(this.max);
      else if (e.key === '0' || e.key === 'Delete') this.change(this.reset);
      else return;
      e.preventDefault();
      e.stopPropagation();
    });
    /** @type {{ y: number, value: number } | null} */
    let drag = null;
    el.addEventListener('pointerdown', (e) => {
      drag = { y: e.clientY, value: this.value };
      el.setPointerCapture(e.pointerId);
      el.focus();
      e.preventDefault();
    });
    el.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const perPixel = ((this.max - this.min) / 200) * (e.shiftKey ? 0.2 : 1);
      this.change(drag.value + (drag.y - e.clientY) * perPixel);
    });
    const end = () => {
      drag = null;
    };
    el.addEventListener('pointerup', end);
    el.addEventListener('pointercancel', end);
    el.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        this.change(this.value + (e.deltaY < 0 ? this.step : -this.step));
      },
      { passive: false },
    );
    el.addEventListener('dblclick', () => this.change(this.reset));
  }
}
