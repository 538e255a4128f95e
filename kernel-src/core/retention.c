/*
 * retention.c — the retention policy (store.h, struct store_retention): time tiers, protected
 * generations, then a cap on the count that thins where generations are densest. Up to
 * IX_MAX_GENERATIONS + 1 generations come in, so nothing here is quadratic: parents are found by
 * binary search over the numbers, time buckets by sorting, and the cap takes its victims from a
 * heap of holes (n log n in all). The caller lends the work memory (retention_work_bytes), so the
 * kernel's small stack holds none of it.
 *
 * Not here: dropping anything. store.c writes an index without the generations this rejects
 * and frees their blocks once that index is committed.
 */
#include "retention.h"

enum { MINUTE = 60, HOUR = 3600, DAY = 86400 };
enum { NONE = 0xFFFFFFFFu };
/* Per-generation flags in the work memory. */
enum { HAS_CHILD = 1, FORK_POINT = 2, PROTECT = 4 };

/* One candidate of the cap: dropping `index` leaves a hole of `size` seconds; lower level goes first. */
struct hole {
  uint64_t size;
  uint32_t index;
  uint32_t level;
};

struct work {
  uint8_t *flags;   /* count */
  uint32_t *order;  /* count: indices sorted by time bucket */
  uint32_t *prev;   /* count: the kept neighbours, while the cap thins */
  uint32_t *next;
  struct hole *heap; /* 3 * count: every candidate once, and two pushes per victim */
};

size_t retention_work_bytes(uint32_t count) {
  return (size_t)count * (sizeof(struct hole) * 3 + sizeof(uint32_t) * 3 + 1) + sizeof(struct hole);
}

static struct work carve(void *memory, uint32_t count) {
  struct work w;
  w.heap = memory; /* first: the most aligned */
  w.order = (uint32_t *)(w.heap + (size_t)3 * count);
  w.prev = w.order + count;
  w.next = w.prev + count;
  w.flags = (uint8_t *)(w.next + count);
  return w;
}

int retention_check(const struct store_retention *policy) {
  if (policy->max_generations < 2 || policy->max_generations > IX_MAX_GENERATIONS) return STORE_EINVAL;
  if (policy->keep_all_seconds > policy->minutely_seconds || policy->minutely_seconds > policy->hourly_seconds ||
      policy->hourly_seconds > policy->daily_seconds)
    return STORE_EINVAL;
  return STORE_OK;
}

static uint64_t age_of(const struct store_generation *g, uint64_t now) {
  return g->wall_seconds < now ? now - g->wall_seconds : 0;
}

/* The bucket period for an age beyond keep_all (0: past every tier, not kept by time). */
static uint32_t period_for(uint64_t age, const struct store_retention *policy) {
  if (age <= policy->minutely_seconds) return MINUTE;
  if (age <= policy->hourly_seconds) return HOUR;
  if (age <= policy->daily_seconds) return DAY;
  return 0;
}

/* Newer in time, and by number when the clock ties (the clock has one-second steps). */
static bool newer(const struct store_generation *a, const struct store_generation *b) {
  return a->wall_seconds != b->wall_seconds ? a->wall_seconds > b->wall_seconds : a->number > b->number;
}

/* The first generation numbered `number` (they are sorted by number), or NONE. */
static uint32_t first_numbered(const struct store_generation *g, uint32_t count, uint32_t number) {
  uint32_t lo = 0, hi = count;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (g[mid].number < number) lo = mid + 1;
    else hi = mid;
  }
  return lo < count && g[lo].number == number ? lo : NONE;
}

/*
 * The first generation of a branch: its parent is older than the generation before it by
 * number (a rollback). Dropped generations leave holes, but a survivor's parent is then newer
 * than the survivor before it, so holes are not mistaken for branches.
 */
static bool is_branch_start(const struct store_generation *generations, uint32_t i) {
  return i > 0 && generations[i].parent != NO_GENERATION && generations[i].parent < generations[i - 1].number;
}

/*
 * HAS_CHILD: some generation names it as its parent. FORK_POINT: some generation that starts a
 * branch names it (a rollback's target). Marked on the first generation of each number, then
 * copied to the others with that number (only damaged entries repeat a number).
 */
static void mark_parents(const struct store_generation *g, uint32_t count, uint8_t *flags) {
  for (uint32_t j = 0; j < count; j++) {
    if (g[j].parent == NO_GENERATION || g[j].parent >= g[j].number) continue;
    uint32_t p = first_numbered(g, count, g[j].parent);
    if (p == NONE) continue;
    flags[p] |= HAS_CHILD;
    if (is_branch_start(g, j)) flags[p] |= FORK_POINT;
  }
  for (uint32_t i = 1; i < count; i++)
    if (g[i].number == g[i - 1].number) flags[i] |= flags[i - 1] & (HAS_CHILD | FORK_POINT);
}

/*
 * The tip of a branch other than the newest's: a generation that no generation names as parent,
 * and whose successor by number does not descend from it (its parent is older). Parents of
 * dropped generations are gone, so "no child" alone would make every generation before a
 * dropped one look like a tip; a successor with an older parent is what a rollback leaves.
 */
static bool is_tip(const struct store_generation *generations, uint32_t count, const uint8_t *flags, uint32_t i) {
  return i + 1 < count && generations[i + 1].parent < generations[i].number && !(flags[i] & HAS_CHILD);
}

/* ── sorting by time bucket (heapsort: no recursion, no memory) ── */

struct bucket_order {
  const struct store_generation *g;
  const uint32_t *period; /* per generation index, stored in the work's prev array */
};

/* a before b: by period, then bucket, then older first (so the last of a bucket is its newest). */
static bool before(const struct bucket_order *o, uint32_t a, uint32_t b) {
  uint32_t pa = o->period[a], pb = o->period[b];
  if (pa != pb) return pa < pb;
  uint64_t ba = o->g[a].wall_seconds / pa, bb = o->g[b].wall_seconds / pb;
  if (ba != bb) return ba < bb;
  return newer(&o->g[b], &o->g[a]);
}

static void sift_down(const struct bucket_order *o, uint32_t *x, uint32_t at, uint32_t n) {
  for (;;) {
    uint32_t child = 2 * at + 1;
    if (child >= n) return;
    if (child + 1 < n && before(o, x[child], x[child + 1])) child++;
    if (!before(o, x[at], x[child])) return;
    uint32_t t = x[at];
    x[at] = x[child];
    x[child] = t;
    at = child;
  }
}

static void sort_by_bucket(const struct bucket_order *o, uint32_t *x, uint32_t n) {
  for (uint32_t i = n / 2; i-- > 0;) sift_down(o, x, i, n);
  for (uint32_t end = n; end > 1; end--) {
    uint32_t t = x[0];
    x[0] = x[end - 1];
    x[end - 1] = t;
    sift_down(o, x, 0, end - 1);
  }
}

/* ── the cap: a min-heap of holes ── */

static bool smaller(const struct hole *a, const struct hole *b) {
  if (a->level != b->level) return a->level < b->level;
  if (a->size != b->size) return a->size < b->size;
  return a->index < b->index;
}

static void heap_push(struct hole *heap, uint32_t *n, struct hole h) {
  uint32_t at = (*n)++;
  while (at > 0 && smaller(&h, &heap[(at - 1) / 2])) {
    heap[at] = heap[(at - 1) / 2];
    at = (at - 1) / 2;
  }
  heap[at] = h;
}

static struct hole heap_pop(struct hole *heap, uint32_t *n) {
  struct hole top = heap[0];
  struct hole last = heap[--*n];
  uint32_t at = 0;
  for (;;) {
    uint32_t child = 2 * at + 1;
    if (child >= *n) break;
    if (child + 1 < *n && smaller(&heap[child + 1], &heap[child])) child++;
    if (!smaller(&heap[child], &last)) break;
    heap[at] = heap[child];
    at = child;
  }
  if (*n > 0) heap[at] = last;
  return top;
}

/*
 * The hole dropping kept generation i leaves: the time between its kept neighbours (from itself
 * when it is the oldest kept, which holds the far end of the history). Level 0: unprotected;
 * 1: the oldest kept, unprotected; 2: protected (dropped only when nothing else is left).
 */
static struct hole hole_of(const struct store_generation *g, const struct work *w, uint32_t i) {
  uint32_t prev = w->prev[i];
  uint64_t from = prev == NONE ? g[i].wall_seconds : g[prev].wall_seconds;
  uint64_t to = g[w->next[i]].wall_seconds;
  uint32_t level = (w->flags[i] & PROTECT) ? 2 : prev == NONE ? 1 : 0;
  return (struct hole){to > from ? to - from : 0, i, level};
}

static void cap(const struct store_generation *g, uint32_t count, uint32_t kept, uint32_t max, bool *keep,
                struct work *w) {
  uint32_t newest = count - 1;
  uint32_t last = NONE;
  for (uint32_t i = 0; i < count; i++) {
    if (!keep[i]) continue;
    w->prev[i] = last;
    if (last != NONE) w->next[last] = i;
    last = i;
  }
  uint32_t n = 0;
  for (uint32_t i = 0; i < newest; i++)
    if (keep[i]) heap_push(w->heap, &n, hole_of(g, w, i));
  while (kept > max && n > 0) {
    struct hole h = heap_pop(w->heap, &n);
    uint32_t v = h.index;
    if (!keep[v]) continue;
    struct hole now = hole_of(g, w, v);
    if (now.level != h.level || now.size != h.size) continue; /* stale: a fresher one is in the heap */
    keep[v] = false;
    kept--;
    uint32_t prev = w->prev[v], next = w->next[v];
    if (prev != NONE) w->next[prev] = next;
    w->prev[next] = prev;
    if (prev != NONE) heap_push(w->heap, &n, hole_of(g, w, prev));
    if (next != newest) heap_push(w->heap, &n, hole_of(g, w, next));
  }
}

void retention_select(const struct store_generation *generations, uint32_t count,
                      const struct store_retention *policy, bool *keep, void *work_memory) {
  if (count == 0) return;
  struct work w = carve(work_memory, count);
  uint32_t newest = count - 1;
  uint64_t now = generations[newest].wall_seconds;
  for (uint32_t i = 0; i < count; i++) w.flags[i] = 0;
  mark_parents(generations, count, w.flags);

  /* Time buckets: the newest generation of each bucket (undamaged, past keep_all) is kept by time. */
  uint32_t *period = w.prev; /* borrowed until the cap */
  uint32_t candidates = 0;
  for (uint32_t i = 0; i < count; i++) {
    const struct store_generation *g = &generations[i];
    uint64_t age = age_of(g, now);
    period[i] = g->damage == STORE_DAMAGE_NONE && age > policy->keep_all_seconds ? period_for(age, policy) : 0;
    if (period[i]) w.order[candidates++] = i;
  }
  struct bucket_order o = {generations, period};
  sort_by_bucket(&o, w.order, candidates);

  uint32_t kept = 0;
  for (uint32_t i = 0; i < count; i++) {
    const struct store_generation *g = &generations[i];
    uint64_t age = age_of(g, now);
    /* A branch's ends and where it left its parent: what draws the branch on a timeline. */
    bool protect = i == newest || (g->damage == STORE_DAMAGE_NONE && age <= policy->daily_seconds &&
                                   (is_tip(generations, count, w.flags, i) || is_branch_start(generations, i) ||
                                    (w.flags[i] & FORK_POINT)));
    if (protect) w.flags[i] |= PROTECT;
    keep[i] = protect || (g->damage == STORE_DAMAGE_NONE && age <= policy->keep_all_seconds);
  }
  for (uint32_t k = 0; k < candidates; k++) {
    uint32_t i = w.order[k];
    bool newest_of_bucket = k + 1 == candidates || period[w.order[k + 1]] != period[i] ||
                            generations[w.order[k + 1]].wall_seconds / period[i] != generations[i].wall_seconds / period[i];
    if (newest_of_bucket) keep[i] = true;
  }
  for (uint32_t i = 0; i < count; i++) kept += keep[i];
  if (kept > policy->max_generations) cap(generations, count, kept, policy->max_generations, keep, &w);
}
