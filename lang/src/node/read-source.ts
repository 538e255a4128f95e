import { readFile } from 'node:fs/promises';

/** Source files are UTF-8; a byte order mark is dropped so columns match what editors show. */
export async function readSource(path: string): Promise<string> {
  const text = await readFile(path, 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
