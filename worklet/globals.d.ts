// AudioWorkletGlobalScope, which TypeScript's DOM library does not describe.
// For checking worklet/ only; not part of the published types.
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor();
}
declare function registerProcessor(name: string, ctor: new (options: any) => AudioWorkletProcessor): void;
declare const currentTime: number;
declare const currentFrame: number;
declare const sampleRate: number;
