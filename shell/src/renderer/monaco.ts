/**
 * Monaco, as the studio bundles it: the editor API with every editor feature (find, folding,
 * go to definition, hover, ...) but none of Monaco's own languages, and its worker served
 * from our origin as a module (dist/www/editor.worker.js), so the CSP needs no blob: workers.
 */
import 'monaco-editor/features/register.all.js';
import * as monaco from 'monaco-editor/editor/editor.api.js';

(self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker: () => new Worker(new URL('editor.worker.js', location.href), { type: 'module', name: 'editor' }),
};

monaco.editor.defineTheme('phantom-dark', {
  base: 'vs-dark',
  inherit: true,
  rules: [],
  colors: { 'editor.background': '#1e1e1e', 'editorGutter.background': '#1e1e1e' },
});

export { monaco };
