/** The one IPC channel between Electron's renderer and main: API frames as JSON text. */
export const API_CHANNEL = 'phantom:api';

/** What the preload exposes to the renderer as `window.phantomApi` (Electron only). */
export interface PreloadApi {
  call(frame: string): Promise<string>;
}
