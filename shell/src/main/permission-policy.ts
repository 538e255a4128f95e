/**
 * Which web permissions the window gets: none, except writing to the clipboard from the app's
 * own page (Monaco's and the console's "copy"). Camera, microphone, notifications, geolocation,
 * MIDI, HID, serial, USB, fullscreen requests from content... are all denied, as requests
 * (setPermissionRequestHandler) and as checks (setPermissionCheckHandler) alike.
 */
import { APP_HOST, APP_SCHEME } from './app-protocol-policy.js';

/** What the studio's own page may use. */
const GRANTED_TO_THE_APP = new Set(['clipboard-sanitized-write']);

export function mayGrantPermission(permission: string, requestingUrl: string): boolean {
  if (!GRANTED_TO_THE_APP.has(permission)) return false;
  try {
    const url = new URL(requestingUrl);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}
