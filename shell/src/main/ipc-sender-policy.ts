/**
 * Who may send API frames to the host: the main frame of the studio's own window, showing the
 * app's page. A frame inside it, another window, or the same window after it somehow left its
 * page is ignored, so nothing but the studio's UI can drive the machines.
 */
import { APP_PAGE_URL } from './app-protocol-policy.js';

/** What main.ts reads off an IpcMainEvent (event.sender.id, event.senderFrame). */
export interface IpcSender {
  webContentsId: number;
  /** undefined when the frame is gone (it navigated or was destroyed). */
  frameUrl: string | undefined;
  isMainFrame: boolean;
}

export function isTrustedSender(sender: IpcSender, studioWebContentsId: number | undefined): boolean {
  return (
    studioWebContentsId !== undefined &&
    sender.webContentsId === studioWebContentsId &&
    sender.isMainFrame &&
    sender.frameUrl === APP_PAGE_URL
  );
}
