// The playlist: tracks in order, shuffle and repeat, kept in IndexedDB across
// reloads. A track is a file kept by reference where the browser allows it
// (a FileSystemFileHandle, from the file picker or a drop in Chromium), else
// the File itself (a Blob IndexedDB stores), or a URL. Where IndexedDB
// refuses Blobs (WebKit's private and automation sessions), a file up to
// COPY_LIMIT bytes is kept as a copy of its bytes instead, in a store of its
// own that is read only when the track plays. Main thread.

const DB_NAME = 'ringlet-player';
const DB_VERSION = 2;
/** The largest file kept as a copy of its bytes where IndexedDB refuses Blobs; a larger one is kept for this visit only. */
const COPY_LIMIT = 256 * 1024 * 1024;

/**
 * @typedef {object} Track
 * @property {string} id
 * @property {string} name
 * @property {'file' | 'handle' | 'url'} kind
 * @property {Blob} [blob] kind 'file'
 * @property {{ type: string, lastModified: number }} [copy] kind 'file' kept as a copy of its bytes (store 'bytes', key id)
 * @property {FileSystemFileHandle} [handle] kind 'handle'
 * @property {string} [url] kind 'url'
 * @property {string} [title] from the file's tags, once opened
 * @property {string} [artist]
 * @property {number} [duration] seconds, once opened
 */

/** @typedef {'off' | 'all' | 'one'} Repeat */

/** @returns {Promise<IDBDatabase | null>} null where IndexedDB is refused (private modes) */
function openDb() {
  return new Promise((resolve) => {
    try {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('tracks')) db.createObjectStore('tracks', { keyPath: 'id' });
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
        if (!db.objectStoreNames.contains('bytes')) db.createObjectStore('bytes');
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
}

/**
 * @param {IDBTransaction} tx
 * @returns {Promise<void>}
 */
const done = (tx) =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });

/** @template T @param {IDBRequest<T>} req @returns {Promise<T>} */
const result = (req) =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

export class Playlist extends EventTarget {
  constructor() {
    super();
    /** @type {Track[]} */
    this.tracks = [];
    /** Index in `tracks` of the track heard, or -1. */
    this.current = -1;
    this.shuffle = false;
    /** @type {Repeat} */
    this.repeat = 'off';
    /** @type {IDBDatabase | null} */
    this.db = null;
    /** Where tracks were stored: 'indexeddb', or 'memory' when IndexedDB is refused. */
    this.storage = 'memory';
    /** True once IndexedDB refused a Blob: files are then kept as copies of their bytes. */
    this.blobsRefused = false;
    /** Seeded so a shuffle can be replayed: xorshift32 state. */
    this.seed = Date.now() >>> 0 || 1;
  }

  /** Loads what the last visit left. */
  async restore() {
    this.db = await openDb();
    if (!this.db) return;
    this.storage = 'indexeddb';
    try {
      const tx = this.db.transaction(['tracks', 'meta'], 'readonly');
      const all = /** @type {Track[]} */ (await result(tx.objectStore('tracks').getAll()));
      const meta =
        /** @type {{ order?: string[], current?: string, shuffle?: boolean, repeat?: Repeat } | undefined} */ (
          await result(tx.objectStore('meta').get('state'))
        );
      const byId = new Map(all.map((t) => [t.id, t]));
      const order = meta?.order ?? all.map((t) => t.id);
      this.tracks = order.map((id) => byId.get(id)).filter((t) => t !== undefined);
      this.current = meta?.current ? this.tracks.findIndex((t) => t.id === meta.current) : -1;
      this.shuffle = meta?.shuffle ?? false;
      this.repeat = meta?.repeat ?? 'off';
    } catch (error) {
      console.warn('[ringlet player] the saved playlist could not be read:', error);
    }
    this.changed();
  }

  /** Saves the order and the modes (tracks are saved as they are added). */
  async saveState() {
    if (!this.db) return;
    const tx = this.db.transaction('meta', 'readwrite');
    tx.objectStore('meta').put(
      {
        order: this.tracks.map((t) => t.id),
        current: this.tracks[this.current]?.id,
        shuffle: this.shuffle,
        repeat: this.repeat,
      },
      'state',
    );
    await done(tx).catch((e) => console.warn('[ringlet player] saving the playlist failed:', e));
  }

  /**
   * Saves a track: a file as its Blob, or where IndexedDB refuses Blobs as a
   * copy of its bytes (written once; later saves update the record only).
   * @param {Track} track
   */
  async saveTrack(track) {
    if (!this.db) return;
    const { blob, ...record } = track;
    if (blob && !track.copy && !this.blobsRefused) {
      const tx = this.db.transaction('tracks', 'readwrite');
      tx.objectStore('tracks').put(track);
      // WebKit aborts the transaction with no error when it cannot store a Blob.
      if (
        await done(tx).then(
          () => true,
          () => false,
        )
      )
        return;
      this.blobsRefused = true;
    }
    if (blob && !track.copy) {
      if (blob.size > COPY_LIMIT) {
        console.warn(
          `[ringlet player] ${track.name} is kept for this visit only: this browser stores no files, and copies are kept up to ${COPY_LIMIT / 2 ** 20} MiB`,
        );
        return;
      }
      const bytes = await blob.arrayBuffer();
      track.copy = { type: blob.type, lastModified: blob instanceof File ? blob.lastModified : Date.now() };
      const tx = this.db.transaction(['tracks', 'bytes'], 'readwrite');
      tx.objectStore('bytes').put(bytes, track.id);
      tx.objectStore('tracks').put({ ...record, copy: track.copy });
      await done(tx).catch((e) => {
        track.copy = undefined;
        console.warn('[ringlet player] saving a copy of a file failed:', e);
      });
      return;
    }
    const tx = this.db.transaction('tracks', 'readwrite');
    tx.objectStore('tracks').put(track.copy ? record : track);
    await done(tx).catch((e) => console.warn('[ringlet player] saving a track failed:', e));
  }

  /**
   * What a track plays from: its Blob (or the copy of its bytes, read now),
   * the file behind its handle (asking for read permission again after a
   * reload, which needs a user gesture), or its URL.
   * @param {Track} track
   * @returns {Promise<Blob | string>}
   */
  async sourceOf(track) {
    if (track.kind === 'url') return /** @type {string} */ (track.url);
    if (track.kind === 'handle') {
      const handle = /** @type {any} */ (track.handle);
      if (handle.queryPermission && (await handle.queryPermission({ mode: 'read' })) !== 'granted') {
        if ((await handle.requestPermission({ mode: 'read' })) !== 'granted')
          throw new Error(`${track.name}: the browser did not allow reading the file again`);
      }
      return handle.getFile();
    }
    if (track.blob) return track.blob;
    const copy = track.copy;
    if (!copy || !this.db) throw new Error(`${track.name}: the file was not kept`);
    const bytes = await result(this.db.transaction('bytes', 'readonly').objectStore('bytes').get(track.id));
    if (!(bytes instanceof ArrayBuffer)) throw new Error(`${track.name}: the copy of the file is gone`);
    return new File([bytes], track.name, copy);
  }

  changed() {
    this.dispatchEvent(new Event('change'));
  }

  /**
   * Adds tracks at the end; returns the index of the first one added.
   * @param {Omit<Track, 'id'>[]} items
   */
  async add(items) {
    const first = this.tracks.length;
    for (const item of items) {
      const track = { ...item, id: crypto.randomUUID?.() ?? `${Date.now()}-${Math.random()}` };
      this.tracks.push(track);
      await this.saveTrack(track);
    }
    await this.saveState();
    this.changed();
    return first;
  }

  /** @param {number} index */
  async remove(index) {
    const [track] = this.tracks.splice(index, 1);
    if (!track) return;
    if (index < this.current) this.current--;
    else if (index === this.current) this.current = -1;
    if (this.db) {
      const tx = this.db.transaction(['tracks', 'bytes'], 'readwrite');
      tx.objectStore('tracks').delete(track.id);
      tx.objectStore('bytes').delete(track.id);
      await done(tx).catch(() => {});
    }
    await this.saveState();
    this.changed();
  }

  async clear() {
    this.tracks = [];
    this.current = -1;
    if (this.db) {
      const tx = this.db.transaction(['tracks', 'bytes'], 'readwrite');
      tx.objectStore('tracks').clear();
      tx.objectStore('bytes').clear();
      await done(tx).catch(() => {});
    }
    await this.saveState();
    this.changed();
  }

  /**
   * Moves a track from one place to another (drag in the list, or Alt+arrows).
   * @param {number} from
   * @param {number} to
   */
  async move(from, to) {
    if (from === to || from < 0 || to < 0 || from >= this.tracks.length || to >= this.tracks.length) return;
    const heard = this.tracks[this.current];
    const [track] = this.tracks.splice(from, 1);
    this.tracks.splice(to, 0, track);
    this.current = heard ? this.tracks.indexOf(heard) : -1;
    await this.saveState();
    this.changed();
  }

  /** @param {number} index */
  async setCurrent(index) {
    this.current = index;
    await this.saveState();
    this.changed();
  }

  /** @param {Partial<Track>} facts */
  async describeCurrent(facts) {
    const track = this.tracks[this.current];
    if (!track) return;
    Object.assign(track, facts);
    await this.saveTrack(track);
    this.changed();
  }

  /** A pseudo-random integer below n (xorshift32). */
  random(/** @type {number} */ n) {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed % n;
  }

  /**
   * The index that follows `from` under the repeat and shuffle modes, or -1
   * at the end of the list.
   * @param {number} [from]
   */
  nextIndex(from = this.current) {
    const n = this.tracks.length;
    if (n === 0) return -1;
    if (this.repeat === 'one') return from;
    if (this.shuffle && n > 1) {
      const k = this.random(n - 1);
      return k >= from ? k + 1 : k;
    }
    if (from + 1 < n) return from + 1;
    return this.repeat === 'all' ? 0 : -1;
  }

  /** The index before the current one (wrapping with repeat all), or -1. */
  previousIndex() {
    if (this.current > 0) return this.current - 1;
    return this.repeat === 'all' && this.tracks.length ? this.tracks.length - 1 : -1;
  }
}

const AUDIO_NAME = /\.(wav|wave|mp3|flac|ogg|oga|opus|m4a|mp4|aac|webm|mka|weba)$/i;

/** @param {File} file */
export const isAudioFile = (file) => file.type.startsWith('audio/') || AUDIO_NAME.test(file.name);

/**
 * The audio files of a drop, folders included (walked recursively), as
 * tracks: by handle where the browser gives one (Chromium), else as Files.
 * @param {DataTransfer} data
 * @returns {Promise<Omit<Track, 'id'>[]>}
 */
export async function tracksFromDrop(data) {
  /** @type {Omit<Track, 'id'>[]} */
  const out = [];
  const items = [...data.items].filter((item) => item.kind === 'file');
  // Every item must be asked for synchronously, before the first await: the list empties after the event.
  /** @template T @param {() => T} fn @returns {T | null} */
  const attempt = (fn) => {
    try {
      return fn() ?? null;
    } catch {
      return null;
    }
  };
  const handles = items.map((item) => attempt(() => /** @type {any} */ (item).getAsFileSystemHandle?.()));
  const entries = items.map((item) => attempt(() => item.webkitGetAsEntry?.()));
  const files = items.map((item) => attempt(() => item.getAsFile()));
  for (let i = 0; i < items.length; i++) {
    const handle = await Promise.resolve(handles[i]).catch(() => null);
    if (handle && handle.kind === 'file') {
      const file = files[i] ?? (await handle.getFile());
      if (isAudioFile(file)) out.push({ name: file.name, kind: 'handle', handle });
      continue;
    }
    if (handle && handle.kind === 'directory') {
      await walkDirectoryHandle(handle, out);
      continue;
    }
    const entry = entries[i];
    if (entry && entry.isDirectory) {
      await walkEntry(entry, out);
      continue;
    }
    const file = files[i];
    if (file && isAudioFile(file)) out.push({ name: file.name, kind: 'file', blob: file });
  }
  // A synthetic drop (no items, only files) still carries data.files.
  if (items.length === 0)
    for (const file of data.files) if (isAudioFile(file)) out.push({ name: file.name, kind: 'file', blob: file });
  return out;
}

/**
 * @param {any} dir a FileSystemDirectoryHandle
 * @param {Omit<Track, 'id'>[]} out
 */
async function walkDirectoryHandle(dir, out) {
  /** @type {[string, any][]} */
  const children = [];
  for await (const entry of dir.entries()) children.push(entry);
  children.sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true }));
  for (const [name, child] of children) {
    if (child.kind === 'directory') await walkDirectoryHandle(child, out);
    else if (AUDIO_NAME.test(name)) out.push({ name, kind: 'handle', handle: child });
  }
}

/**
 * @param {FileSystemEntry} entry
 * @param {Omit<Track, 'id'>[]} out
 */
async function walkEntry(entry, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) =>
      /** @type {FileSystemFileEntry} */ (entry).file(resolve, reject),
    );
    if (isAudioFile(/** @type {File} */ (file)))
      out.push({ name: entry.name, kind: 'file', blob: /** @type {File} */ (file) });
    return;
  }
  const reader = /** @type {FileSystemDirectoryEntry} */ (entry).createReader();
  /** @type {FileSystemEntry[]} */
  const children = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) break;
    children.push(...batch);
  }
  children.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  for (const child of children) await walkEntry(child, out);
}
