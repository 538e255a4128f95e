/*
 * space_check.c — the store's contents check (store_check_contents) for hosted programs: phstore
 * and phrun mount a store file the way the kernel boots it. The candidate generation's pages are
 * read (through store_read_page, so each is checked against its CRC) into the object space mapped
 * at SPACE_BASE, and vm_try_start, the kernel's own check, decides. The kernel does the same over
 * its pager (arch/space.c); lang/docs/store-format.md says why a mount checks contents at all.
 *
 * After a mount that used it, the mapped space holds the mounted generation, ready to run.
 */
#include <stdio.h>
#include <string.h>

#include "hosted.h"
#include "store.h"
#include "vm.h"

static uint32_t mapped_size;

static const char *check_contents(void *context, struct store *s) {
  static char why[96];
  if (mapped_size != s->space_size) {
    hosted_space_unmap();
    mapped_size = 0;
    if (hosted_space_map(s->space_size)) return "the object space cannot be mapped at SPACE_BASE";
    mapped_size = s->space_size;
  }
  for (uint32_t page = 0; page < s->space_pages; page++) {
    uint8_t *at = (uint8_t *)(uintptr_t)(SPACE_BASE + page * PAGE_SIZE);
    int rc = store_read_page(s, page, at);
    if (rc == STORE_ZERO_PAGE) memset(at, 0, PAGE_SIZE);
    else if (rc != STORE_OK) {
      snprintf(why, sizeof why, "page %u cannot be read (%s)", page, store_status_name(rc));
      return why;
    }
  }
  return vm_try_start(s->space_size);
}

void hosted_check_store_contents(struct store *s) {
  struct store_contents_check check = {check_contents, 0};
  store_check_contents(s, &check);
}
