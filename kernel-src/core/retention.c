/*
 * retention.c — the retention policy (store.h, struct store_retention): time tiers, protected
 * generations, then a cap on the count that thins where generations are densest. At most
 * IX_MAX_ENTRIES + 1 generations come in, so the quadratic loops here stay under 70 000 steps.
 *
 * Not here: dropping anything. store.c writes an index without the generations this rejects
 * and frees their blocks once that index is committed.
 */
#include "retention.h"

enum { MINUTE = 60, HOUR = 3600, DAY = 86400 };

int retention_check(const struct store_retention *policy) {
  if (policy->max_generations < 2 || policy->max_generations > IX_MAX_ENTRIES) return STORE_EINVAL;
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

/*
 * The tip of a branch other than the newest's: a generation that no generation names as parent,
 * and whose successor by number does not descend from it (its parent is older). Parents of
 * dropped generations are gone, so "no child" alone would make every generation before a
 * dropped one look like a tip; a successor with an older parent is what a rollback leaves.
 */
static bool is_tip(const struct store_generation *generations, uint32_t count, uint32_t i) {
  if (i + 1 >= count || generations[i + 1].parent >= generations[i].number) return false;
  for (uint32_t j = i + 1; j < count; j++)
    if (generations[j].parent == generations[i].number) return false;
  return true;
}

/*
 * The first generation of a branch: its parent is older than the generation before it by
 * number (a rollback). Dropped generations leave holes, but a survivor's parent is then newer
 * than the survivor before it, so holes are not mistaken for branches.
 */
static bool is_branch_start(const struct store_generation *generations, uint32_t i) {
  return i > 0 && generations[i].parent != NO_GENERATION && generations[i].parent < generations[i - 1].number;
}

/* The generation a branch was started from (a rollback's target): some later generation names it
 * as its parent while starting a branch. */
static bool is_fork_point(const struct store_generation *generations, uint32_t count, uint32_t i) {
  for (uint32_t j = i + 1; j < count; j++)
    if (generations[j].parent == generations[i].number && is_branch_start(generations, j)) return true;
  return false;
}

/*
 * The kept generation whose removal leaves the smallest hole: the least time between its kept
 * neighbours (by number). The oldest kept one only goes when nothing else may: it holds the far
 * end of the history. Returns count when no candidate is left at this protection level.
 */
static uint32_t densest(const struct store_generation *generations, uint32_t count, const bool *keep,
                        const bool *protect, bool allow_oldest) {
  uint32_t best = count;
  uint64_t best_hole = 0;
  uint32_t previous = count;
  for (uint32_t i = 0; i + 1 < count; i++) {
    if (!keep[i]) continue;
    uint32_t next = i + 1;
    while (!keep[next]) next++; /* the last generation is always kept */
    bool oldest = previous == count;
    if (!protect[i] && (!oldest || allow_oldest)) {
      uint64_t from = oldest ? generations[i].wall_seconds : generations[previous].wall_seconds;
      uint64_t to = generations[next].wall_seconds;
      uint64_t hole = to > from ? to - from : 0;
      if (best == count || hole < best_hole) {
        best = i;
        best_hole = hole;
      }
    }
    previous = i;
  }
  return best;
}

void retention_select(const struct store_generation *generations, uint32_t count,
                      const struct store_retention *policy, bool *keep) {
  if (count == 0) return;
  uint32_t newest = count - 1;
  uint64_t now = generations[newest].wall_seconds;
  bool protect[IX_MAX_ENTRIES + 1];
  uint32_t kept = 0;
  for (uint32_t i = 0; i < count; i++) {
    const struct store_generation *g = &generations[i];
    uint64_t age = age_of(g, now);
    /* A branch's ends and where it left its parent: what draws the branch on a timeline. */
    protect[i] = i == newest || (g->damage == STORE_DAMAGE_NONE && age <= policy->daily_seconds &&
                                 (is_tip(generations, count, i) || is_branch_start(generations, i) ||
                                  is_fork_point(generations, count, i)));
    keep[i] = protect[i];
    if (!keep[i] && g->damage == STORE_DAMAGE_NONE) {
      if (age <= policy->keep_all_seconds) {
        keep[i] = true;
      } else {
        uint32_t period = period_for(age, policy);
        keep[i] = period != 0;
        /* the newest of its bucket only */
        for (uint32_t j = 0; j < count && keep[i]; j++) {
          const struct store_generation *h = &generations[j];
          if (j == i || h->damage != STORE_DAMAGE_NONE) continue;
          uint64_t h_age = age_of(h, now);
          bool same_bucket = h_age > policy->keep_all_seconds && period_for(h_age, policy) == period &&
                             h->wall_seconds / period == g->wall_seconds / period;
          if (same_bucket && newer(h, g)) keep[i] = false;
        }
      }
    }
    kept += keep[i];
  }
  bool unprotected[IX_MAX_ENTRIES + 1];
  for (uint32_t i = 0; i < count; i++) unprotected[i] = i == newest;
  while (kept > policy->max_generations) {
    uint32_t victim = densest(generations, count, keep, protect, false);
    if (victim == count) victim = densest(generations, count, keep, protect, true);
    if (victim == count) victim = densest(generations, count, keep, unprotected, true);
    keep[victim] = false;
    kept--;
  }
}
