/** The IPC channels between Electron's renderer and main: API frames as JSON text, both ways. */
export const API_TO_HOST_CHANNEL = 'phantom:api:to-host';
export const API_FROM_HOST_CHANNEL = 'phantom:api:from-host';

/** What the preload exposes to the renderer as `window.phantomApi` (Electron only). */
export interface PreloadApi {
  send(frame: string): void;
  /** Every frame from the host (replies, events, stream output) goes to this one listener. */
  onFrame(listener: (frame: string) => void): void;
}
