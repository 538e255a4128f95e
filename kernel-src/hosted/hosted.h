/*
 * hosted.h — what the hosted build (Linux) offers beyond platform.h: mapping the object space at
 * SPACE_BASE with mmap, and a virtual clock for deterministic runs. Used by hosted tools and
 * unit tests; the kernel has neither (it pages the space in from the store and has a real timer).
 */
#ifndef PHANTOM_HOSTED_H
#define PHANTOM_HOSTED_H

#include <stdint.h>

struct store;

/** Map `bytes` (a multiple of PAGE_SIZE) of zeroed memory at SPACE_BASE. 0, or -errno. */
int hosted_space_map(uint32_t bytes);
/** Unmap what hosted_space_map mapped (no-op when nothing is). */
void hosted_space_unmap(void);

/**
 * With the virtual clock on, time is counted, not measured: ph_ran_instructions moves it by 1 ms
 * for every VIRTUAL_MS_STEPS bytecodes run, and ph_idle_until jumps straight to the deadline, so
 * sleeps are instant, a thread waiting for a sleeper by spinning or yielding lets time pass, and
 * every run gives the same output. It is the clock of lang's reference interpreter
 * (kernel-src/docs/vm.md, "One model, two VMs").
 */
void hosted_use_virtual_clock(int on);

/**
 * Makes the next mounts of `s` check each candidate generation's contents as the kernel does
 * (hosted/space_check.c): its pages into the space mapped at SPACE_BASE, then vm_try_start. After
 * a mount the mapped space holds the mounted generation.
 */
void hosted_check_store_contents(struct store *s);

#endif
