/* vm_fixture.c — see vm_fixture.h. */
#include "vm_fixture.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hosted.h"
#include "platform.h"

word_t vm_fixture_native(uint32_t cid, const char *name, uint32_t native, uint32_t argc, uint32_t flags) {
  struct fixture_method m = {.name = name, .argc = argc, .locals = argc, .flags = flags, .native = native, .vindex = -1};
  return fixture_method(fixture_internal_class(cid), &m);
}

word_t vm_fixture_static(word_t cls, const char *name, const uint8_t *code, uint32_t len, uint32_t locals,
                         uint32_t max_stack, const word_t *consts, uint32_t nconsts) {
  static const int32_t lines[] = {0, 1};
  struct fixture_method m = {.name = name, .code = code, .code_len = len, .locals = locals, .max_stack = max_stack,
                             .flags = MF_STATIC, .vindex = -1, .consts = consts, .const_count = nconsts,
                             .lines = lines, .line_pairs = 1};
  return fixture_method(cls, &m);
}

static char output[1 << 16];

const char *vm_fixture_run(uint64_t max_instructions, int64_t max_ms, enum vm_stop *stop) {
  const char *err = vm_try_start(*space_field(SH_SIZE));
  if (err) ph_panic("vm_fixture_run: %s", err);
  hosted_use_virtual_clock(1);
  fflush(stdout);
  FILE *capture = tmpfile();
  int saved = dup(1);
  dup2(fileno(capture), 1);
  struct vm_limits limits = {max_instructions, max_ms};
  enum vm_stop how = vm_run_for(&limits);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  rewind(capture);
  size_t n = fread(output, 1, sizeof output - 1, capture);
  output[n] = 0;
  fclose(capture);
  if (stop) *stop = how;
  return output;
}
