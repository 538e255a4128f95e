/**
 * xterm.js and the addons the console uses, as one module that the console panel imports
 * dynamically: it lands in its own chunk, so the workspace starts without parsing it, and it is
 * fetched in the background once the workspace is ready (or at the first console tab).
 */
import '@xterm/xterm/css/xterm.css';

export { FitAddon } from '@xterm/addon-fit';
export { SearchAddon } from '@xterm/addon-search';
export { WebLinksAddon } from '@xterm/addon-web-links';
export { Terminal } from '@xterm/xterm';
