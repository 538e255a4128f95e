/* store_retention_test.c — the retention policy (core/retention.c) on made-up generation lists. */
#include <string.h>

#include "retention.h"
#include "test.h"

static const struct store_retention defaults = STORE_RETENTION_DEFAULTS;
enum { NOW = 1800000000 };

static struct store_generation gens[IX_MAX_GENERATIONS + 1];
static bool keep[IX_MAX_GENERATIONS + 1];
static uint64_t work[(IX_MAX_GENERATIONS + 1) * 8 + 8]; /* retention_work_bytes, 8-byte aligned */

/* A linear history: generation i committed at NOW - age_of(i), parent i - 1. */
static uint32_t linear(uint32_t count, uint64_t (*age_of)(uint32_t i, uint32_t count)) {
  memset(gens, 0, sizeof gens);
  for (uint32_t i = 0; i < count; i++) {
    gens[i].number = i;
    gens[i].parent = i == 0 ? NO_GENERATION : i - 1;
    gens[i].wall_seconds = NOW - age_of(i, count);
  }
  return count;
}

static uint32_t kept(uint32_t count) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < count; i++) n += keep[i];
  return n;
}

static uint64_t every_second(uint32_t i, uint32_t count) { return count - 1 - i; }
static uint64_t every_ten_seconds(uint32_t i, uint32_t count) { return 10ull * (count - 1 - i); }
static uint64_t every_ten_minutes(uint32_t i, uint32_t count) { return 600ull * (count - 1 - i); }
static uint64_t every_four_hours(uint32_t i, uint32_t count) { return 4 * 3600ull * (count - 1 - i); }

TEST(retention_check_rejects_bad_policies) {
  struct store_retention p = defaults;
  CHECK_EQ(retention_check(&p), STORE_OK);
  p.max_generations = 1;
  CHECK_EQ(retention_check(&p), STORE_EINVAL);
  p = defaults;
  p.max_generations = IX_MAX_GENERATIONS + 1;
  CHECK_EQ(retention_check(&p), STORE_EINVAL);
  p = defaults;
  p.hourly_seconds = p.minutely_seconds - 1;
  CHECK_EQ(retention_check(&p), STORE_EINVAL);
}

TEST(retention_keeps_every_recent_generation) {
  uint32_t n = linear(50, every_second);
  retention_select(gens, n, &defaults, keep, work);
  CHECK_EQ(kept(n), 50);
}

TEST(retention_keeps_one_per_minute_after_keep_all) {
  /* one every 10 s for 30 minutes: 60 s of everything, then the newest of each minute */
  uint32_t n = linear(180, every_ten_seconds);
  retention_select(gens, n, &defaults, keep, work);
  for (uint32_t i = 0; i < n; i++) {
    uint64_t age = NOW - gens[i].wall_seconds;
    if (age <= 60) CHECK(keep[i]);
  }
  uint32_t minutes_seen = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t age = NOW - gens[i].wall_seconds;
    if (age <= 60 || !keep[i]) continue;
    minutes_seen++;
    /* the newest of its minute: the next generation is in a later minute */
    CHECK(i + 1 == n || gens[i + 1].wall_seconds / 60 != gens[i].wall_seconds / 60);
  }
  CHECK(minutes_seen >= 28 && minutes_seen <= 31);
}

TEST(retention_thins_to_hours_and_days_then_drops) {
  uint32_t n = linear(200, every_ten_minutes); /* 33 hours of history */
  retention_select(gens, n, &defaults, keep, work);
  for (uint32_t i = 0; i < n; i++) {
    uint64_t age = NOW - gens[i].wall_seconds;
    if (age > 3600 && age <= 86400 && keep[i]) CHECK(i + 1 == n || gens[i + 1].wall_seconds / 3600 != gens[i].wall_seconds / 3600);
    if (age > 86400 && keep[i])
      CHECK(i + 1 == n || gens[i + 1].wall_seconds / 86400 != gens[i].wall_seconds / 86400 ||
            NOW - gens[i + 1].wall_seconds <= 86400);
  }
  n = linear(200, every_four_hours); /* 33 days: the oldest three days go */
  retention_select(gens, n, &defaults, keep, work);
  for (uint32_t i = 0; i < n; i++)
    if (NOW - gens[i].wall_seconds > 30 * 86400ull) CHECK(!keep[i]);
  CHECK(keep[n - 1]);
}

TEST(retention_always_keeps_the_newest_even_with_a_clock_gone_back) {
  uint32_t n = linear(3, every_four_hours);
  gens[2].wall_seconds = 1; /* the newest claims 1970 */
  retention_select(gens, n, &defaults, keep, work);
  CHECK(keep[2]);
  n = linear(2, every_second);
  gens[0].wall_seconds = 0;
  gens[1].wall_seconds = 0;
  retention_select(gens, n, &defaults, keep, work);
  CHECK(keep[1]);
}

TEST(retention_drops_damaged_generations) {
  uint32_t n = linear(10, every_second);
  gens[4].damage = STORE_DAMAGE_MAP_CHECKSUM;
  retention_select(gens, n, &defaults, keep, work);
  CHECK(!keep[4]);
  CHECK_EQ(kept(n), 9);
}

TEST(retention_protects_the_tip_a_rollback_left_behind) {
  /* everything younger than a minute, then one a day for a day, then nothing */
  struct store_retention tight = {60, 60, 60, 86400, IX_MAX_ENTRIES};
  /* 0..9 an hour apart; rolled back to 3: 10 (parent 3), 11 (parent 10) */
  uint32_t n = linear(12, every_four_hours);
  for (uint32_t i = 0; i < n; i++) gens[i].wall_seconds = NOW - 3600ull * (n - 1 - i);
  gens[10].parent = 3;
  retention_select(gens, n, &tight, keep, work);
  CHECK(keep[9]);  /* the old branch's tip */
  CHECK(keep[3]);  /* where the new branch left it */
  CHECK(keep[10]); /* the new branch's first */
  CHECK(keep[11]); /* the newest */
  for (uint32_t i = 0; i < 11; i++) /* besides those, only the newest of each day */
    if (i != 3 && i != 9 && i != 10)
      CHECK(keep[i] == (gens[i + 1].wall_seconds / 86400 != gens[i].wall_seconds / 86400));
  /* a linear history with holes (dropped generations) has no false tips */
  static const uint32_t survivors[] = {0, 1, 2, 5, 6, 9, 12};
  memset(gens, 0, sizeof gens);
  for (uint32_t i = 0; i < 7; i++) {
    gens[i].number = survivors[i];
    gens[i].parent = survivors[i] == 0 ? NO_GENERATION : survivors[i] - 1;
    gens[i].wall_seconds = NOW - 3 * 86400ull + survivors[i] * 21600ull;
  }
  retention_select(gens, 7, &tight, keep, work);
  for (uint32_t i = 0; i < 7; i++) CHECK(keep[i] == (NOW - gens[i].wall_seconds <= 86400));
}

TEST(retention_keeps_where_a_branch_starts_after_thinning) {
  /* one every 10 s for 40 minutes; at 180 a rollback to 90 (so 180's parent is 90) */
  uint32_t n = linear(240, every_ten_seconds);
  gens[180].parent = 90;
  retention_select(gens, n, &defaults, keep, work);
  CHECK(keep[90]);  /* the rollback's target */
  CHECK(keep[179]); /* the abandoned branch's tip */
  CHECK(keep[180]); /* the new branch's first */
  CHECK(kept(n) < n / 4); /* the minute tier still thins the rest */
  /* the survivors again, with the holes retention left: a hole is not a branch, so each
     survivor is kept (by its tier, or as one of those three) and no other is added */
  uint32_t survivors = 0;
  for (uint32_t i = 0; i < n; i++)
    if (keep[i]) gens[survivors++] = gens[i];
  retention_select(gens, survivors, &defaults, keep, work);
  CHECK_EQ(kept(survivors), survivors);
}

TEST(retention_cap_thins_where_generations_are_densest) {
  struct store_retention capped = defaults;
  capped.max_generations = 20;
  uint32_t n = linear(IX_MAX_ENTRIES + 1, every_second);
  retention_select(gens, n, &capped, keep, work);
  CHECK_EQ(kept(n), 20);
  CHECK(keep[n - 1]);
  /* the one-a-second minute is thinned out evenly, not cut off at one end */
  uint32_t previous = n, recent = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (!keep[i] || NOW - gens[i].wall_seconds > 60) continue;
    if (previous != n) CHECK(i - previous <= 6);
    previous = i;
    recent++;
  }
  CHECK(recent >= 10);
}

TEST(retention_cap_holds_when_everything_is_protected) {
  struct store_retention capped = defaults;
  capped.max_generations = 5;
  /* ten branches from generation 0, each one generation long: ten tips */
  memset(gens, 0, sizeof gens);
  for (uint32_t i = 0; i < 11; i++) {
    gens[i].number = i;
    gens[i].parent = i == 0 ? NO_GENERATION : 0;
    gens[i].wall_seconds = NOW - (10 - i);
  }
  retention_select(gens, 11, &capped, keep, work);
  CHECK_EQ(kept(11), 5);
  CHECK(keep[10]);
}

/*
 * 100 generations a second (the kernel's default interval) for a minute, each commit selecting
 * over what the one before kept, as store.c does: the cap keeps the last second whole and at
 * least one generation of every earlier second of the minute (the README's promise).
 */
TEST(retention_at_100_a_second_keeps_the_last_second_whole_and_every_second_of_the_minute) {
  enum { RATE = 100, SECONDS = 60 };
  memset(gens, 0, sizeof gens);
  uint32_t n = 0;
  for (uint32_t made = 0; made < RATE * SECONDS; made++) {
    gens[n] = (struct store_generation){.number = made, .parent = made == 0 ? NO_GENERATION : made - 1,
                                        .wall_seconds = NOW - SECONDS + made / RATE};
    retention_select(gens, ++n, &defaults, keep, work);
    uint32_t survivors = 0;
    for (uint32_t i = 0; i < n; i++)
      if (keep[i]) gens[survivors++] = gens[i];
    n = survivors;
    CHECK(n <= IX_MAX_ENTRIES);
  }
  uint64_t newest_second = gens[n - 1].wall_seconds;
  uint32_t in_newest = 0;
  for (uint32_t i = 0; i < n; i++) in_newest += gens[i].wall_seconds == newest_second;
  CHECK_EQ(in_newest, RATE);
  for (uint64_t second = NOW - SECONDS; second <= newest_second; second++) {
    bool seen = false;
    for (uint32_t i = 0; i < n && !seen; i++) seen = gens[i].wall_seconds == second;
    CHECK(seen);
  }
}

TEST(retention_work_fits_the_test_buffer) { CHECK(retention_work_bytes(IX_MAX_GENERATIONS + 1) <= sizeof work); }

TEST(retention_keeps_ten_thousand_recent_generations_and_caps_the_most_a_store_lists) {
  struct store_retention wide = defaults;
  wide.max_generations = IX_MAX_GENERATIONS;
  uint32_t n = linear(IX_MAX_GENERATIONS + 1, every_second); /* four and a half hours, one a second */
  wide.keep_all_seconds = wide.minutely_seconds = 5 * 3600;
  retention_select(gens, n, &wide, keep, work);
  CHECK_EQ(kept(n), IX_MAX_GENERATIONS);
  CHECK(keep[n - 1]);
  CHECK(keep[0]); /* the far end of the history stays: the cap took the densest, not the oldest */
}

/*
 * The rule as it was first written (quadratic: every pair of generations), kept here as the
 * reference the n log n version must agree with on every input.
 */
static uint64_t ref_age(const struct store_generation *g, uint64_t now) { return g->wall_seconds < now ? now - g->wall_seconds : 0; }
static uint32_t ref_period(uint64_t age, const struct store_retention *p) {
  return age <= p->minutely_seconds ? 60 : age <= p->hourly_seconds ? 3600 : age <= p->daily_seconds ? 86400 : 0;
}
static bool ref_newer(const struct store_generation *a, const struct store_generation *b) {
  return a->wall_seconds != b->wall_seconds ? a->wall_seconds > b->wall_seconds : a->number > b->number;
}
static bool ref_branch_start(const struct store_generation *g, uint32_t i) {
  return i > 0 && g[i].parent != NO_GENERATION && g[i].parent < g[i - 1].number;
}
static bool ref_tip(const struct store_generation *g, uint32_t count, uint32_t i) {
  if (i + 1 >= count || g[i + 1].parent >= g[i].number) return false;
  for (uint32_t j = i + 1; j < count; j++)
    if (g[j].parent == g[i].number) return false;
  return true;
}
static bool ref_fork(const struct store_generation *g, uint32_t count, uint32_t i) {
  for (uint32_t j = i + 1; j < count; j++)
    if (g[j].parent == g[i].number && ref_branch_start(g, j)) return true;
  return false;
}
static uint32_t ref_densest(const struct store_generation *g, uint32_t count, const bool *k, const bool *protect, bool allow_oldest) {
  uint32_t best = count, previous = count;
  uint64_t best_hole = 0;
  for (uint32_t i = 0; i + 1 < count; i++) {
    if (!k[i]) continue;
    uint32_t next = i + 1;
    while (!k[next]) next++;
    bool oldest = previous == count;
    if (!protect[i] && (!oldest || allow_oldest)) {
      uint64_t from = oldest ? g[i].wall_seconds : g[previous].wall_seconds, to = g[next].wall_seconds;
      uint64_t hole = to > from ? to - from : 0;
      if (best == count || hole < best_hole) best = i, best_hole = hole;
    }
    previous = i;
  }
  return best;
}
static void ref_select(const struct store_generation *g, uint32_t count, const struct store_retention *p, bool *k) {
  static bool protect[200], unprotected[200];
  uint32_t newest = count - 1, kept_n = 0;
  uint64_t now = g[newest].wall_seconds;
  for (uint32_t i = 0; i < count; i++) {
    uint64_t age = ref_age(&g[i], now);
    protect[i] = i == newest || (g[i].damage == STORE_DAMAGE_NONE && age <= p->daily_seconds &&
                                 (ref_tip(g, count, i) || ref_branch_start(g, i) || ref_fork(g, count, i)));
    k[i] = protect[i];
    if (!k[i] && g[i].damage == STORE_DAMAGE_NONE) {
      if (age <= p->keep_all_seconds) k[i] = true;
      else {
        uint32_t period = ref_period(age, p);
        k[i] = period != 0;
        for (uint32_t j = 0; j < count && k[i]; j++) {
          uint64_t h_age = ref_age(&g[j], now);
          if (j != i && g[j].damage == STORE_DAMAGE_NONE && h_age > p->keep_all_seconds && ref_period(h_age, p) == period &&
              g[j].wall_seconds / period == g[i].wall_seconds / period && ref_newer(&g[j], &g[i]))
            k[i] = false;
        }
      }
    }
    kept_n += k[i];
  }
  for (uint32_t i = 0; i < count; i++) unprotected[i] = i == newest;
  while (kept_n > p->max_generations) {
    uint32_t v = ref_densest(g, count, k, protect, false);
    if (v == count) v = ref_densest(g, count, k, protect, true);
    if (v == count) v = ref_densest(g, count, k, unprotected, true);
    k[v] = false;
    kept_n--;
  }
}

static uint32_t lcg = 12345;
static uint32_t rnd(uint32_t n) {
  lcg = lcg * 1103515245u + 12345u;
  return (lcg >> 8) % n;
}

TEST(retention_agrees_with_the_quadratic_rule_on_random_histories) {
  static bool expected[200];
  for (uint32_t round = 0; round < 3000; round++) {
    uint32_t n = 2 + rnd(150);
    memset(gens, 0, sizeof gens);
    uint64_t t = NOW - rnd(3) * 40 * 86400ull;
    uint32_t number = 0;
    for (uint32_t i = 0; i < n; i++) {
      number += 1 + (rnd(4) == 0 ? rnd(5) : 0); /* holes: generations dropped before */
      gens[i].number = rnd(40) == 0 && i > 0 ? gens[i - 1].number : number; /* now and then a repeated number */
      gens[i].parent = i == 0 ? NO_GENERATION : rnd(6) == 0 ? gens[rnd(i)].number : gens[i - 1].number;
      /* as mount marks them (store-format.md, step 3): damaged entries never count as kept history */
      if (i > 0 && gens[i].number == gens[i - 1].number)
        gens[i].damage = gens[i - 1].damage = STORE_DAMAGE_NUMBER_REPEATED;
      if (gens[i].parent != NO_GENERATION && gens[i].parent >= gens[i].number) gens[i].damage = STORE_DAMAGE_PARENT;
      static const uint32_t steps[] = {0, 1, 1, 7, 30, 61, 200, 3599, 3601, 86400};
      t += steps[rnd(10)];
      if (rnd(30) == 0) t -= rnd(100); /* a clock gone back */
      gens[i].wall_seconds = t;
      if (rnd(25) == 0 && gens[i].damage == STORE_DAMAGE_NONE) gens[i].damage = STORE_DAMAGE_RECORD_CHECKSUM;
    }
    struct store_retention p = defaults;
    p.max_generations = 2 + rnd(n + 5);
    if (rnd(2)) p.keep_all_seconds = 0;
    retention_select(gens, n, &p, keep, work);
    ref_select(gens, n, &p, expected);
    for (uint32_t i = 0; i < n; i++) CHECK_EQ(keep[i], expected[i]);
  }
}
