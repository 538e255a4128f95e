/**
 * The studio window's web preferences, and the rule they are held to: the renderer is an
 * ordinary sandboxed web page with an isolated preload (contextBridge) and no Node.js anywhere,
 * as Electron's security checklist asks. `webPreferencesProblems` judges any set of preferences
 * against that rule; `studioWebPreferences` builds the window's and refuses to hand out a set
 * the rule finds fault with, so a loosened window fails at start-up rather than running.
 */
import { isAbsolute } from 'node:path';

/**
 * Each switch the rule requires, with the value it must have. A switch left out counts as a
 * problem even where Electron's default is the safe value: a change of default must never
 * loosen the window.
 */
const REQUIRED_SWITCHES: Readonly<Record<string, boolean>> = {
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
};

/** What is wrong with `preferences` for a studio window, one sentence each; none: it may run. */
export function webPreferencesProblems(preferences: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const [name, required] of Object.entries(REQUIRED_SWITCHES)) {
    const value = preferences[name];
    if (value === undefined) problems.push(`${name} is left to Electron's default; it must be ${required}`);
    else if (value !== required) problems.push(`${name} is ${String(value)}; it must be ${required}`);
  }
  const preload = preferences.preload;
  if (typeof preload !== 'string' || !isAbsolute(preload))
    problems.push(`preload must be an absolute path, not ${JSON.stringify(preload)}`);
  // Blink features off by default (experimental web platform APIs) stay off.
  if (preferences.enableBlinkFeatures !== undefined && preferences.enableBlinkFeatures !== '')
    problems.push(`enableBlinkFeatures turns on ${JSON.stringify(preferences.enableBlinkFeatures)}`);
  return problems;
}

/** The studio window's preferences, with `preload` its preload script (an absolute path). */
export function studioWebPreferences(preload: string) {
  const preferences = {
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
  const problems = webPreferencesProblems(preferences);
  if (problems.length > 0) throw new Error(`the studio window's web preferences: ${problems.join('; ')}`);
  return preferences;
}
