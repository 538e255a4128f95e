/**
 * The narrow gate between the sandboxed renderer and the main process: one function that
 * sends API frames (JSON text) to the host and one that receives the host's frames. Nothing
 * else of Electron or Node is exposed. Bundled to CommonJS (preload.cjs), as sandboxed
 * preloads require.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { API_FROM_HOST_CHANNEL, API_TO_HOST_CHANNEL, type PreloadApi } from '../common/ipc.js';

let frameListener: ((frame: string) => void) | undefined;
ipcRenderer.on(API_FROM_HOST_CHANNEL, (_event, frame: unknown) => {
  if (typeof frame === 'string') frameListener?.(frame);
});

const api: PreloadApi = {
  send: (frame: string) => ipcRenderer.send(API_TO_HOST_CHANNEL, String(frame)),
  onFrame: (listener) => {
    if (frameListener) throw new Error('phantomApi.onFrame: a listener is already set');
    frameListener = listener;
  },
};
contextBridge.exposeInMainWorld('phantomApi', api);
