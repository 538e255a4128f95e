/**
 * Checkpoints are stored as a flat list with parent names; the UI and the CLI show them as a
 * tree. A checkpoint whose parent is unknown becomes a root (deleting one re-parents its children).
 * The edits of that list that need no hypervisor — renaming, re-parenting on delete, where "you
 * are here" goes after a rollback — are pure functions here, so the CLI and the studio (through
 * `Checkpoints`) make them the same way and they can be tested alone.
 */
import type { Checkpoint, CheckpointNode, CheckpointTree } from './api.js';

/** The hypervisor's snapshot tag of a checkpoint (its first name: snapshots cannot be renamed). */
export function checkpointTag(checkpoint: Checkpoint): string {
  return checkpoint.tag ?? checkpoint.name;
}

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

/** The list with checkpoint `from` called `to`: its children and "current" follow the new name. */
export function renamedCheckpoints(
  checkpoints: readonly Checkpoint[],
  current: string | null,
  from: string,
  to: string,
): { checkpoints: Checkpoint[]; current: string | null } {
  return {
    current: current === from ? to : current,
    checkpoints: checkpoints.map((c) => {
      const parent = c.parent === from ? to : c.parent;
      // The tag is written out once the name no longer says it.
      return c.name === from ? { ...c, name: to, tag: checkpointTag(c), parent } : { ...c, parent };
    }),
  };
}

/** The list without checkpoint `name`: its children move up to its parent, and so does "current". */
export function withoutCheckpoint(
  checkpoints: readonly Checkpoint[],
  current: string | null,
  name: string,
): { checkpoints: Checkpoint[]; current: string | null } {
  const gone = checkpoints.find((c) => c.name === name);
  const parent = gone?.parent ?? null;
  return {
    current: current === name ? parent : current,
    checkpoints: checkpoints
      .filter((c) => c.name !== name)
      .map((c) => (c.parent === name ? { ...c, parent } : c)),
  };
}

/**
 * The checkpoint the machine comes from after restarting at kernel generation `generation`: of
 * the checkpoints it came from before (`from` and its ancestors, newest first), the first taken at
 * or before that generation; null when none was. Generation numbers only grow along one line of
 * checkpoints (each is taken from the one before, or reverted to), so this is the newest
 * checkpoint the restarted machine's past still contains.
 */
export function checkpointBefore(
  checkpoints: readonly Checkpoint[],
  from: string | null,
  generation: number,
): string | null {
  const byName = new Map(checkpoints.map((c) => [c.name, c]));
  const seen = new Set<string>();
  for (let name = from; name !== null && !seen.has(name); ) {
    seen.add(name);
    const checkpoint = byName.get(name);
    if (!checkpoint) return null;
    if (checkpoint.generation !== null && checkpoint.generation <= generation) return name;
    name = checkpoint.parent;
  }
  return null;
}

/**
 * A snapshot tag for a new checkpoint called `name` that no checkpoint uses yet: the name itself,
 * unless a renamed checkpoint still holds it as its tag.
 */
export function freeTag(checkpoints: readonly Checkpoint[], name: string): string {
  const taken = new Set(checkpoints.map(checkpointTag));
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) if (!taken.has(`${name}~${n}`)) return `${name}~${n}`;
}

/** What a listing shows beside the tree. */
export interface TreeAnnotations {
  /** Machine memory each checkpoint holds, by name, in bytes (null: the hypervisor lost it). */
  sizes?: ReadonlyMap<string, number | null>;
  /** Where the machine is now ("generation 42"), shown as "you are here" under the current checkpoint. */
  here?: string;
}

/** A size as listings show it: whole KiB below a MiB, else MiB with one decimal. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The tree as indented lines, with `*` marking the checkpoint the machine last came from. */
export function formatCheckpointTree(tree: CheckpointTree, annotations: TreeAnnotations = {}): string[] {
  const lines: string[] = [];
  const hereLine = (depth: number) => `> ${'  '.repeat(depth)}you are here: ${annotations.here}`;
  const walk = (node: CheckpointNode, depth: number): void => {
    const c = node.checkpoint;
    const current = c.name === tree.current;
    const generation = c.generation === null ? 'gen ?' : `gen ${c.generation}`;
    const size = annotations.sizes?.get(c.name);
    const held =
      c.machineState === 'stopped'
        ? ', disk only'
        : size === undefined
          ? ''
          : size === null
            ? ', lost by the hypervisor'
            : `, ${formatBytes(size)}`;
    const description = c.description ? `  ${c.description}` : '';
    lines.push(
      `${current ? '*' : ' '} ${'  '.repeat(depth)}${c.name}  (${c.createdAt}, ${generation}${held})${description}`,
    );
    for (const child of node.children) walk(child, depth + 1);
    if (current && annotations.here) lines.push(hereLine(depth + 1));
  };
  for (const root of tree.roots) walk(root, 0);
  if (tree.current === null && annotations.here) lines.push(hereLine(0));
  return lines;
}
