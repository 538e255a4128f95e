/**
 * The studio window's web preferences: the renderer is an ordinary sandboxed web page with an
 * isolated preload (contextBridge) and no Node.js anywhere, as Electron's security checklist
 * asks. Each switch is spelled out, even where it is Electron's default, so that a change of
 * default can never loosen the window.
 */
export function studioWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  } as const;
}
