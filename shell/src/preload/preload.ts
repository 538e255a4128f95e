/**
 * The narrow gate between the sandboxed renderer and the main process: one function that
 * passes API frames (JSON text) through one channel. Nothing else of Electron or Node is
 * exposed. Bundled to CommonJS (preload.cjs), as sandboxed preloads require.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { API_CHANNEL, type PreloadApi } from '../common/ipc.js';

const api: PreloadApi = {
  call: (frame: string) => ipcRenderer.invoke(API_CHANNEL, String(frame)) as Promise<string>,
};
contextBridge.exposeInMainWorld('phantomApi', api);
