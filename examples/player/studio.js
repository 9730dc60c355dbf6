// The Generator and Recorder tabs: coming. Main thread.

/**
 * Mounts the studio tabs.
 * @param {{ generatorPanel: HTMLElement, recorderPanel: HTMLElement, ctx: AudioContext, speakers: AudioNode, pool?: unknown, say: (text: string) => void }} studio
 */
export async function mountStudio({ generatorPanel, recorderPanel }) {
  for (const panel of [generatorPanel, recorderPanel])
    panel.append(Object.assign(document.createElement('p'), { className: 'note', textContent: 'coming' }));
}
