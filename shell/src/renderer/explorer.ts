/**
 * The explorer: the Phantom programs the host offers (the shipped examples and the user's
 * project), grouped by root; a click opens one in the editor.
 */
import type { FileEntry, FileRoot } from '../common/api.js';
import type { ApiClient } from './api-client.js';
import { showError } from './notifications.js';

const rootTitles: Record<FileRoot, string> = { examples: 'Examples', project: 'My project' };

export class Explorer {
  constructor(
    private readonly root: HTMLElement,
    private readonly api: ApiClient,
    private readonly onOpen: (entry: FileEntry) => void,
  ) {}

  async refresh(): Promise<void> {
    let entries: FileEntry[];
    try {
      entries = await this.api.call('files.list', {});
    } catch (err) {
      showError('Cannot list the programs', err);
      return;
    }
    const heading = document.createElement('h2');
    heading.textContent = 'Explorer';
    const sections = (Object.keys(rootTitles) as FileRoot[]).map((root) => {
      const section = document.createElement('section');
      section.className = 'explorer-section';
      const title = document.createElement('h3');
      title.textContent = rootTitles[root];
      const list = document.createElement('ul');
      list.className = 'file-list';
      const mine = entries.filter((e) => e.root === root);
      for (const entry of mine) {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.className = 'file';
        button.dataset.file = `${entry.root}/${entry.path}`;
        button.title = `${entry.root}/${entry.path}`;
        const icon = document.createElement('span');
        icon.className = 'file-icon';
        icon.textContent = '◇';
        const name = document.createElement('span');
        name.textContent = entry.path;
        button.append(icon, name);
        button.addEventListener('click', () => this.onOpen(entry));
        item.append(button);
        list.append(item);
      }
      if (mine.length === 0) {
        const empty = document.createElement('li');
        empty.className = 'empty';
        empty.textContent = root === 'examples' ? 'No examples yet.' : 'No programs yet.';
        list.append(empty);
      }
      section.append(title, list);
      return section;
    });
    this.root.replaceChildren(heading, ...sections);
  }
}
