/*
 * cmdline.c — the kernel command line: space-separated `name=value` options.
 *
 *   store=virtio0   the store device (virtio-blk disk 0; the only kind so far)
 *   snap=10         snapshot interval in milliseconds (0 turns snapshots off)
 *   gen=N           boot generation N of the store instead of the newest
 *   versions=N      keep at most N earlier page versions in memory for rollbacks in place (0, or below 64: none;
 *                   unset: as many as the memory beyond the space's needs holds)
 *   debug=a,b       debug switches (panic-test, pager-test, ...)
 *
 * Unknown options and bad values get a warning on the console and are ignored; nothing on the
 * command line can stop the boot. A later option overrides an earlier one.
 */
#include "cmdline.h"

#include <stddef.h>

#include "klib.h"

struct kernel_options kernel_options;

static const struct kernel_options defaults = {"virtio0", CMDLINE_SNAP_DEFAULT_MS, CMDLINE_NO_GEN, CMDLINE_VERSIONS_AUTO, ""};

/** Parses a decimal u32; false on anything else (empty, a sign, junk, overflow). */
static bool parse_u32(const char *s, size_t n, uint32_t *out) {
  if (n == 0 || n > 10) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (v > 0xFFFFFFFFu) return false;
  *out = (uint32_t)v;
  return true;
}

static bool copy_value(char *dst, size_t cap, const char *value, size_t n) {
  if (n == 0 || n >= cap) return false;
  memcpy(dst, value, n);
  dst[n] = '\0';
  return true;
}

static int parse_option(const char *word, size_t len, struct kernel_options *out) {
  size_t eq = 0;
  while (eq < len && word[eq] != '=') eq++;
  const char *value = word + eq + 1;
  size_t value_len = eq < len ? len - eq - 1 : 0;
  bool known = true, ok = eq < len;
  if (eq == 5 && !strncmp(word, "store", 5)) {
    ok = ok && copy_value(out->store, sizeof out->store, value, value_len);
  } else if (eq == 4 && !strncmp(word, "snap", 4)) {
    ok = ok && parse_u32(value, value_len, &out->snap_ms);
  } else if (eq == 3 && !strncmp(word, "gen", 3)) {
    ok = ok && parse_u32(value, value_len, &out->gen) && out->gen != CMDLINE_NO_GEN;
  } else if (eq == 8 && !strncmp(word, "versions", 8)) {
    ok = ok && parse_u32(value, value_len, &out->versions);
  } else if (eq == 5 && !strncmp(word, "debug", 5)) {
    ok = ok && copy_value(out->debug, sizeof out->debug, value, value_len);
  } else {
    known = false;
  }
  if (!known) kprintf("cmdline: warning: unknown option '%.*s' ignored\n", (int)len, word);
  else if (!ok) kprintf("cmdline: warning: bad value in '%.*s' ignored\n", (int)len, word);
  return known && ok ? 0 : 1;
}

int cmdline_parse(const char *cmdline, struct kernel_options *out) {
  *out = defaults;
  int warnings = 0;
  const char *p = cmdline;
  bool first = true;
  while (*p) {
    while (*p == ' ' || *p == '\t') p++;
    const char *word = p;
    while (*p && *p != ' ' && *p != '\t') p++;
    size_t len = (size_t)(p - word);
    if (len == 0) break;
    bool has_eq = false;
    for (size_t i = 0; i < len; i++) has_eq |= word[i] == '=';
    /* Multiboot loaders put the kernel's own path first; it is not an option. */
    if (!(first && !has_eq)) warnings += parse_option(word, len, out);
    first = false;
  }
  return warnings;
}

bool cmdline_debug(const struct kernel_options *options, const char *name) {
  size_t n = strlen(name);
  for (const char *p = options->debug; *p;) {
    const char *end = p;
    while (*end && *end != ',') end++;
    if ((size_t)(end - p) == n && !strncmp(p, name, n)) return true;
    p = *end ? end + 1 : end;
  }
  return false;
}
