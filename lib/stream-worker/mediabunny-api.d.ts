/**
 * The part of mediabunny's API (1.x) that the stream worker uses, for the
 * type check: tsconfig.json maps the module 'mediabunny' here, because
 * mediabunny's own declarations reference @types/dom-webcodecs, which
 * clashes with TypeScript's DOM library. At run time the real package is
 * imported.
 */
export declare class Source {}
export declare class BlobSource extends Source {
  constructor(blob: Blob, options?: { maxCacheSize?: number; handleUnhandledError?: (error: unknown) => unknown });
}
export declare class UrlSource extends Source {
  constructor(
    url: string,
    options?: {
      maxCacheSize?: number;
      requestInit?: Omit<RequestInit, 'signal'>;
      fetchFn?: typeof fetch;
      getRetryDelay?: (previousAttempts: number, error: unknown) => number | null;
      handleUnhandledError?: (error: unknown) => unknown;
    },
  );
}
export declare class ReadableStreamSource extends Source {
  constructor(
    stream: ReadableStream<Uint8Array>,
    options?: { maxCacheSize?: number; handleUnhandledError?: (error: unknown) => unknown },
  );
}
export declare class InputFormat {
  get name(): string;
}
export declare const ALL_FORMATS: InputFormat[];
export declare class UnsupportedInputFormatError extends Error {}

export interface AttachedImage {
  data: Uint8Array;
  mimeType: string;
  kind: 'coverFront' | 'coverBack' | 'unknown';
}
export interface MetadataTags {
  title?: string;
  description?: string;
  artist?: string;
  album?: string;
  albumArtist?: string;
  trackNumber?: number;
  tracksTotal?: number;
  discNumber?: number;
  discsTotal?: number;
  beatsPerMinute?: number;
  genre?: string;
  date?: Date;
  lyrics?: string;
  comment?: string;
  images?: AttachedImage[];
}

export declare class InputAudioTrack {
  getCodec(): Promise<string | null>;
  getNumberOfChannels(): Promise<number>;
  getSampleRate(): Promise<number>;
  canDecode(): Promise<boolean>;
  getDecoderConfig(): Promise<{ codec: string; sampleRate: number; numberOfChannels: number } | null>;
}
export declare class Input {
  constructor(options: { source: Source; formats: InputFormat[] });
  getFormat(): Promise<InputFormat>;
  getPrimaryAudioTrack(): Promise<InputAudioTrack | null>;
  computeDuration(tracks?: InputAudioTrack[]): Promise<number>;
  getDurationFromMetadata(tracks?: InputAudioTrack[]): Promise<number | null>;
  getMimeType(): Promise<string>;
  getMetadataTags(): Promise<MetadataTags>;
  dispose(): void;
}
export declare class AudioSample {
  constructor(init: {
    data: ArrayBufferView | ArrayBuffer;
    format: 'f32-planar' | 'f32';
    numberOfChannels: number;
    sampleRate: number;
    timestamp: number;
  });
  readonly sampleRate: number;
  readonly numberOfFrames: number;
  readonly numberOfChannels: number;
  readonly timestamp: number;
  copyTo(
    destination: Float32Array,
    options: { planeIndex: number; format?: 'f32-planar'; frameOffset?: number; frameCount?: number },
  ): void;
  close(): void;
}
export declare class AudioSampleSink {
  constructor(track: InputAudioTrack);
  samples(startTimestamp?: number, endTimestamp?: number): AsyncGenerator<AudioSample, void, unknown>;
}
export declare class EncodedPacket {
  readonly data: Uint8Array;
  readonly timestamp: number;
  readonly duration: number;
}
/** A decoder mediabunny uses for a codec once registered (registerDecoder). */
export declare abstract class CustomAudioDecoder {
  readonly codec: string;
  readonly onSample: (sample: AudioSample) => unknown;
  readonly onError: (error: unknown) => undefined;
  static supports(codec: string, config: { codec: string; sampleRate: number; numberOfChannels: number }): boolean;
  abstract init(): void | Promise<void>;
  abstract decode(packet: EncodedPacket): void | Promise<void>;
  abstract flush(): void | Promise<void>;
  abstract close(): void | Promise<void>;
}
export declare const registerDecoder: (decoder: typeof CustomAudioDecoder) => void;
