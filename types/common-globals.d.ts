// The few host globals that `common/` code may use: they exist, with the same meaning, in
// Node and in browsers. Everything else environment-specific belongs in `node/` or `browser/`.

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
