// The desktop player's shortcuts: Space play/pause, S stop, L loop, ←/→ seek,
// ↑/↓ volume, Ctrl+O open, F1 the list of shortcuts. They stand back
// wherever a control needs the key itself (text fields, selects, sliders,
// knobs, and Space on a button). Main thread.

/**
 * @param {object} actions
 * @param {() => unknown} actions.togglePlay
 * @param {() => unknown} actions.stop
 * @param {() => unknown} actions.toggleLoop
 * @param {(seconds: number) => unknown} actions.seekBy
 * @param {(percent: number) => unknown} actions.volumeBy
 * @param {() => unknown} actions.open
 * @param {HTMLDialogElement} actions.dialog
 */
export function mountKeyboard({ togglePlay, stop, toggleLoop, seekBy, volumeBy, open, dialog }) {
  document.addEventListener('keydown', (e) => {
    if (e.key === 'F1') {
      e.preventDefault();
      if (dialog.open) dialog.close();
      else dialog.showModal();
      return;
    }
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'o') {
      e.preventDefault();
      open();
      return;
    }
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || dialog.open) return;
    const target = /** @type {HTMLElement} */ (e.target);
    const tag = target.tagName;
    const role = target.getAttribute?.('role');
    const type = tag === 'INPUT' ? /** @type {HTMLInputElement} */ (target).type : '';
    const typing =
      (tag === 'INPUT' && !['checkbox', 'radio', 'range', 'button', 'file'].includes(type)) ||
      tag === 'SELECT' ||
      tag === 'TEXTAREA' ||
      target.isContentEditable;
    const ownsArrows = typing || type === 'range' || role === 'slider' || role === 'tab' || role === 'radio';
    const arrows = e.key.startsWith('Arrow');
    if (typing && !arrows) return;
    if (arrows && ownsArrows) return;
    switch (e.key) {
      case ' ':
        if (
          tag === 'BUTTON' ||
          tag === 'A' ||
          tag === 'SUMMARY' ||
          type === 'checkbox' ||
          role === 'tab' ||
          role === 'radio'
        )
          return;
        togglePlay();
        break;
      case 's':
      case 'S':
        stop();
        break;
      case 'l':
      case 'L':
        toggleLoop();
        break;
      case 'ArrowLeft':
        seekBy(e.shiftKey ? -30 : -5);
        break;
      case 'ArrowRight':
        seekBy(e.shiftKey ? 30 : 5);
        break;
      case 'ArrowUp':
        volumeBy(5);
        break;
      case 'ArrowDown':
        volumeBy(-5);
        break;
      default:
        return;
    }
    e.preventDefault();
  });
}
