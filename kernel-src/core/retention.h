/*
 * retention.h — which generations a commit keeps in the index (the policy of struct
 * store_retention, in store.h). A pure function of the generations and the policy, so that it
 * can be tested alone; store.c applies its answer.
 */
#ifndef PHANTOM_RETENTION_H
#define PHANTOM_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/** STORE_OK, or STORE_EINVAL when the tiers are not ascending or max_generations is not 2..IX_MAX_GENERATIONS. */
int retention_check(const struct store_retention *policy);

/** Bytes of work memory retention_select needs for `count` generations (8-byte aligned). */
size_t retention_work_bytes(uint32_t count);

/**
 * Sets keep[i] for each of the `count` generations (ordered by number; the last one is the
 * generation being committed, whose wall clock is "now"). At most policy->max_generations are
 * kept, the last one always among them. `work`: retention_work_bytes(count) bytes, overwritten.
 * O(count log count).
 */
void retention_select(const struct store_generation *generations, uint32_t count,
                      const struct store_retention *policy, bool *keep, void *work);

#endif
