/**
 * Checkpoints are stored as a flat list with parent names; the UI and the CLI show them as a
 * tree. A checkpoint whose parent is unknown becomes a root (deleting one re-parents its children).
 */
import type { Checkpoint, CheckpointNode, CheckpointTree } from './api.js';

export function checkpointTree(checkpoints: readonly Checkpoint[], current: string | null): CheckpointTree {
  const byName = new Map(checkpoints.map((c) => [c.name, c]));
  const nodes = new Map<string, CheckpointNode>(
    checkpoints.map((c) => [c.name, { checkpoint: c, children: [] }]),
  );
  const roots: CheckpointNode[] = [];
  for (const checkpoint of checkpoints) {
    const node = nodes.get(checkpoint.name)!;
    const parent = checkpoint.parent === null ? undefined : nodes.get(checkpoint.parent);
    if (parent && byName.has(checkpoint.parent!)) parent.children.push(node);
    else roots.push(node);
  }
  return { roots, current: current !== null && byName.has(current) ? current : null };
}

/** The tree as indented lines, with `*` marking where the machine is. */
export function formatCheckpointTree(tree: CheckpointTree): string[] {
  const lines: string[] = [];
  const walk = (node: CheckpointNode, depth: number): void => {
    const c = node.checkpoint;
    const here = c.name === tree.current ? '*' : ' ';
    const generation = c.generation === null ? 'gen ?' : `gen ${c.generation}`;
    const description = c.description ? `  ${c.description}` : '';
    lines.push(`${here} ${'  '.repeat(depth)}${c.name}  (${c.createdAt}, ${generation})${description}`);
    for (const child of node.children) walk(child, depth + 1);
  };
  for (const root of tree.roots) walk(root, 0);
  return lines;
}
