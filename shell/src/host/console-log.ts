/**
 * A machine's console log as the console panel pages through it: the whole file on disk (what
 * the machine ever printed, kept as the log is, far beyond any terminal's scroll-back), read a
 * page of lines at a time, optionally without the lines that contain a text (a program's
 * repeated lines). One streaming pass per page, so a log of any size costs no memory beyond a
 * page.
 */
import { createReadStream } from 'node:fs';
import { LOG_PAGE_LINES } from '../common/api.js';

export interface LogPageRequest {
  /** Leave out lines that contain this (case-insensitive); empty or unset: keep all. */
  hide?: string;
  /** Which page, from 0; unset: the last. */
  page?: number;
}

export interface LogPage {
  /** The page's lines, each ending in CRLF, as a terminal writes them. */
  text: string;
  page: number;
  pages: number;
  /** Index (after hiding) of the page's first line, and the lines kept and hidden in the whole log. */
  firstLine: number;
  totalLines: number;
  hiddenLines: number;
}

/** Escape sequences (colours, cursor moves) are not text a user filters on. */
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

export async function readLogPage(
  path: string,
  request: LogPageRequest,
  pageLines = LOG_PAGE_LINES,
): Promise<LogPage> {
  const hide = request.hide?.toLowerCase() || undefined;
  const wanted = request.page;
  // Lines of the wanted page, or (for the last page) a ring of the newest full page and the rest.
  let kept: string[] = [];
  let total = 0;
  let hidden = 0;
  const take = (raw: string) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (hide && line.replace(ANSI, '').toLowerCase().includes(hide)) {
      hidden++;
      return;
    }
    const page = Math.floor(total / pageLines);
    total++;
    if (wanted === undefined) {
      // Keep the current page only: at a page's first line the previous one is dropped.
      if (total % pageLines === 1) kept = [];
      kept.push(line);
    } else if (page === wanted) kept.push(line);
  };
  let rest = '';
  try {
    for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) take(line);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (rest) take(rest);
  const pages = Math.max(1, Math.ceil(total / pageLines));
  const page = wanted === undefined ? pages - 1 : Math.min(wanted, pages - 1);
  if (wanted !== undefined && wanted > page) return readLogPage(path, { ...request, page }, pageLines);
  return {
    text: kept.map((line) => `${line}\r\n`).join(''),
    page,
    pages,
    firstLine: page * pageLines,
    totalLines: total,
    hiddenLines: hidden,
  };
}
