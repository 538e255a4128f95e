/**
 * The timeline's memory of a machine's kernel generations. The store disk holds only what the
 * kernel's retention keeps (every generation of the last minute, then one a minute), and a
 * checkpoint revert puts the disk back as it was, after which the kernel numbers new generations
 * from there again. Read from the disk alone, an abandoned branch would fade from the timeline
 * within minutes, and after a revert two different generations would share a number.
 *
 * So the host records each generation the first time it sees it, in an append-only file in the
 * machine's folder, and builds the timeline from that record. A record's id is unique on the
 * machine's timeline; its parent is resolved to the record it descends from when it is first
 * seen. Generations no longer on the disk stay, marked so: they can be shown, not restored.
 *
 * The file is one JSON object per line, so a host killed mid-write loses at most its last line;
 * a line that cannot be read is skipped (and counted), never fatal: the disk stays the truth
 * about what can be restored.
 */
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import type { Generation as StoreGeneration } from '@phantom/vm-manager/node/index.js';
import { z } from 'zod';
import type { Generation } from '../common/api.js';

/**
 * A generation committed this much before the newest one recorded is taken for the work of a
 * guest clock put back (by a checkpoint revert), not for lateness: generations are committed
 * about every second and read within a few.
 */
const CLOCK_BACK_MS = 10_000;

/** Past this many records the oldest of those no longer on the disk are forgotten. */
export const MAX_RECORDS = 50_000;

const RecordLine = z
  .object({
    id: z.number().int().nonnegative(),
    number: z.number().int().nonnegative(),
    parentNumber: z.number().int().nonnegative().nullable(),
    parentId: z.number().int().nonnegative().nullable(),
    /** When it was committed, on the host's clock (the guest's, corrected by `offsetMs`). */
    time: z.number().finite(),
    pauseMs: z.number().nonnegative().nullable(),
    dirtyPages: z.number().int().nonnegative().nullable(),
    /** What the kernel measured for it (`stampOf`); absent in records written before it was kept. */
    stamp: z.string().optional(),
    /**
     * What was added to the guest's clock to place it (absent: nothing). A checkpoint revert puts
     * the guest's clock back with its RAM, so the branch it starts would be drawn in the past,
     * over the branch it left; its generations are placed when they happened instead.
     */
    offsetMs: z.number().finite().optional(),
  })
  .strict();
type GenerationRecord = z.infer<typeof RecordLine>;

export interface MergedTimeline {
  generations: Generation[];
  /** The id of the generation the kernel would resume from, if any. */
  current: number | null;
}

/** What the store disk holds now (vm-manager's readGenerations). */
export interface StoreView {
  generations: StoreGeneration[];
  /** The number of the generation the kernel resumes from at its next boot (null: none). */
  resumes: number | null;
}

/**
 * What tells two generations of one number and one second apart: after a checkpoint revert the
 * guest's clock is put back too, so the kernel commits the reused numbers at the same wall-clock
 * seconds as the abandoned ones, but the times it measures with the TSC (pause, write, commit, in
 * µs) are never all the same twice.
 */
function stampOf(g: StoreGeneration): string | undefined {
  const s = g.stats;
  return s ? `${s.pauseUs}/${s.writeUs}/${s.commitUs}/${s.bytesWritten}` : undefined;
}

export class GenerationHistory {
  private records: GenerationRecord[] = [];
  /** Records by kernel generation number, in the order first seen (reuse after a revert). */
  private readonly byNumber = new Map<number, GenerationRecord[]>();
  private nextId = 0;
  /** The latest `time` of any record. */
  private newestTime = Number.NEGATIVE_INFINITY;
  /** Lines of the file that could not be read when it was loaded. */
  unreadableLines = 0;
  /** The file ends in a torn line (a host killed mid-write): the next append starts a new line. */
  private tornEnd = false;
  /** Appends are chained, so lines reach the file in the order records were made. */
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly file: string | undefined) {}

  /** A history kept only in memory (tests, benchmarks). */
  static inMemory(): GenerationHistory {
    return new GenerationHistory(undefined);
  }

  /** Loads the history file (none yet is an empty history). */
  static async open(file: string): Promise<GenerationHistory> {
    const history = new GenerationHistory(file);
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    history.tornEnd = text !== '' && !text.endsWith('\n');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let parsed: ReturnType<typeof RecordLine.safeParse>;
      try {
        parsed = RecordLine.safeParse(JSON.parse(line));
      } catch {
        history.unreadableLines++;
        continue;
      }
      if (!parsed.success || parsed.data.id < history.nextId) history.unreadableLines++;
      else history.add(parsed.data);
    }
    if (history.records.length > MAX_RECORDS) await history.compact(new Set());
    return history;
  }

  get size(): number {
    return this.records.length;
  }

  /**
   * Records what the store disk holds now and returns the whole timeline: every record, each
   * marked whether it is still on the disk, and with the damage the store found in it.
   */
  async merge(store: StoreView, now = Date.now()): Promise<MergedTimeline> {
    const onDisk = new Set<number>();
    const damage = new Map<number, string>();
    const made: GenerationRecord[] = [];
    const idByNumber = new Map<number, number>();
    let previousTime = 0;
    for (const g of [...store.generations].sort((a, b) => a.number - b.number)) {
      const time = g.committedAt ? Date.parse(g.committedAt) : undefined;
      const stamp = stampOf(g);
      // The parent as this disk holds it (parents have smaller numbers, so it was resolved above);
      // undefined when retention reclaimed it.
      const parentHere = g.parent === null ? undefined : idByNumber.get(g.parent);
      let record = this.find(g.number, time, stamp, parentHere);
      if (!record) {
        // A parent no longer on the disk is the newest record of that number: a number reused
        // after a revert names the generation of the branch being extended, which was recorded last.
        const parent =
          g.parent === null
            ? undefined
            : parentHere !== undefined
              ? this.byId(parentHere)
              : this.byNumber.get(g.parent)?.at(-1);
        const offsetMs = time === undefined ? 0 : this.clockOffset(time, parent, now);
        record = {
          id: this.nextId,
          number: g.number,
          parentNumber: g.parent,
          parentId: parent?.id ?? null,
          // A generation the store gives no time is placed just after the one before it.
          time: time === undefined ? Math.max(previousTime, parent?.time ?? 0) + 1 : time + offsetMs,
          ...(offsetMs !== 0 ? { offsetMs } : {}),
          pauseMs: g.stats ? g.stats.pauseUs / 1000 : null,
          dirtyPages: g.stats ? g.stats.pagesWritten : null,
          ...(stamp ? { stamp } : {}),
        };
        this.add(record);
        made.push(record);
      }
      onDisk.add(record.id);
      if (g.damage) damage.set(record.id, g.damage.reason);
      if (!g.damage || !idByNumber.has(g.number)) idByNumber.set(g.number, record.id);
      previousTime = record.time;
    }
    if (made.length > 0) await this.append(made);
    if (this.records.length > MAX_RECORDS) await this.compact(onDisk);
    return {
      generations: this.records.map((r) => ({
        id: r.id,
        number: r.number,
        parent: r.parentId,
        parentNumber: r.parentNumber,
        time: r.time,
        pauseMs: r.pauseMs,
        dirtyPages: r.dirtyPages,
        objects: null,
        bytes: null,
        onDisk: onDisk.has(r.id),
        damage: damage.get(r.id) ?? null,
      })),
      current: store.resumes === null ? null : (idByNumber.get(store.resumes) ?? null),
    };
  }

  /**
   * The record of generation `number` committed at `time` (unknown time: the newest of that
   * number), with the same measurements where both have them, and descending from `parentId` when
   * the parent is on the disk: once a reused number is told apart, its children are too.
   */
  private find(
    number: number,
    time: number | undefined,
    stamp: string | undefined,
    parentId: number | undefined,
  ): GenerationRecord | undefined {
    const candidates = this.byNumber.get(number);
    if (!candidates) return undefined;
    for (let i = candidates.length - 1; i >= 0; i--) {
      const c = candidates[i]!;
      if (time !== undefined && c.time - (c.offsetMs ?? 0) !== time) continue;
      if (stamp !== undefined && c.stamp !== undefined && c.stamp !== stamp) continue;
      if (parentId !== undefined && c.parentId !== null && c.parentId !== parentId) continue;
      return c;
    }
    return undefined;
  }

  /**
   * What to add to a new generation's guest time `guestTime`: its parent's correction while that
   * still places it in the past (the guest's clock is still the one put back); none when the guest's
   * clock reads true again (a restart reads the real time); and, when the guest's time lies well
   * before the newest generation recorded (a revert put its clock back), what places it now.
   */
  private clockOffset(guestTime: number, parent: GenerationRecord | undefined, now: number): number {
    const inherited = parent?.offsetMs ?? 0;
    const offset = inherited !== 0 && guestTime + inherited <= now + CLOCK_BACK_MS ? inherited : 0;
    if (guestTime + offset < this.newestTime - CLOCK_BACK_MS && guestTime < now - CLOCK_BACK_MS)
      return now - guestTime;
    return offset;
  }

  private byId(id: number): GenerationRecord | undefined {
    // Ids grow with the list; a compaction only drops records, so search from the id's place back.
    for (let i = Math.min(id, this.records.length - 1); i >= 0; i--)
      if (this.records[i]!.id === id) return this.records[i];
    return undefined;
  }

  private add(record: GenerationRecord): void {
    this.records.push(record);
    this.newestTime = Math.max(this.newestTime, record.time);
    const list = this.byNumber.get(record.number);
    if (list) list.push(record);
    else this.byNumber.set(record.number, [record]);
    this.nextId = record.id + 1;
  }

  private append(records: GenerationRecord[]): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const text = (this.tornEnd ? '\n' : '') + records.map((r) => `${JSON.stringify(r)}\n`).join('');
    this.tornEnd = false;
    this.writing = this.writing.then(() => appendFile(file, text));
    return this.writing;
  }

  /** Forgets the oldest records not on the disk until MAX_RECORDS remain, and rewrites the file. */
  private async compact(onDisk: Set<number>): Promise<void> {
    let excess = this.records.length - MAX_RECORDS;
    const kept = this.records.filter((r) => excess <= 0 || onDisk.has(r.id) || excess-- <= 0);
    this.records = [];
    this.byNumber.clear();
    const nextId = this.nextId;
    for (const record of kept) this.add(record);
    this.nextId = nextId;
    const file = this.file;
    if (!file) return;
    const text = kept.map((r) => `${JSON.stringify(r)}\n`).join('');
    const temporary = `${file}.${process.pid}.tmp`;
    this.writing = this.writing.then(async () => {
      await writeFile(temporary, text);
      await rename(temporary, file);
    });
    await this.writing;
  }
}
