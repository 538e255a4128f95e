/*
 * cmdline.h — the kernel's options, parsed from its command line (core/cmdline.c). Portable, so
 * that the hosted build tests and fuzzes the parser; the kernel reads the line from multiboot.
 */
#ifndef PHANTOM_CMDLINE_H
#define PHANTOM_CMDLINE_H

#include <stdbool.h>
#include <stdint.h>

#define CMDLINE_NO_GEN 0xFFFFFFFFu
#define CMDLINE_SNAP_DEFAULT_MS 10u /* 100 generations a second: at most 10 ms of work lost (issue 21) */
#define CMDLINE_VERSIONS_AUTO 0xFFFFFFFFu /* versions= unset: as many earlier page versions as memory allows */

struct kernel_options {
  char store[16];   /* store=virtio0: the store device */
  uint32_t snap_ms; /* snap=N: snapshot interval in ms (0 = off) */
  uint32_t gen;     /* gen=N: boot generation N instead of the newest; CMDLINE_NO_GEN if unset */
  uint32_t versions; /* versions=N: at most N earlier page versions kept in memory (0: none); CMDLINE_VERSIONS_AUTO if unset */
  char debug[96];   /* debug=a,b,c: debug switches */
};
extern struct kernel_options kernel_options;

/**
 * Parses a command line into *out (defaults first). A first word without '=' is the kernel's
 * path (multiboot loaders put it there) and is skipped. Unknown options and bad values get a
 * warning on the console and are ignored; returns how many warnings there were.
 */
int cmdline_parse(const char *cmdline, struct kernel_options *out);
/** Whether the comma-separated debug= list contains the switch name. */
bool cmdline_debug(const struct kernel_options *options, const char *name);

#endif
