/*
 * install.h — installing or replacing one program class in the running object space from a
 * "class blob" (its layout and limits: lang/spec/class_blob.def, decoded by the generated
 * class_blob_wire.c; the host encodes it with inspector/src/common/class-blob.ts). The debug agent's INSTALL_CLASS request feeds the
 * chunks it receives here.
 *
 * Check, then do: the whole blob is decoded and validated (bounds, counts, bytecode, constant
 * kinds, every name resolvable) before anything is allocated; the existing space is changed only
 * after every new object has been allocated, so a refused or failed install leaves it as it was
 * (new objects that were allocated become garbage). Also RUN, which starts a thread running a
 * program class, typically one just installed.
 */
#ifndef PHANTOM_INSTALL_H
#define PHANTOM_INSTALL_H

#include <stdint.h>

#include "class_blob_wire.h"
#include "objspace.h"

/**
 * Install the class the blob describes. Returns 0 and sets *cls to the class object on success,
 * or a message saying why it was refused (the space is unchanged).
 */
const char *install_class(const uint8_t *blob, uint32_t len, word_t *cls);

/**
 * Feed one INSTALL_CLASS chunk: offset 0 starts a new blob of `total` bytes, later chunks must
 * continue exactly where the previous ended. *received is the bytes held so far; when the blob is
 * complete it is installed and *cls set. Returns 0 or why the chunk (or the class) was refused;
 * a refusal forgets the partial blob.
 */
const char *install_chunk(uint32_t total, uint32_t offset, const uint8_t *chunk, uint32_t n, uint32_t *received,
                          word_t *cls);

/**
 * RUN: start a thread doing `new C().m()` (C's nearest no-argument constructor, then its instance
 * method m without arguments; an empty method name means run), or `C.m()` for a static method
 * without arguments, where C is a program class. Returns 0 and sets *thread, or why not, with
 * *not_found set when the class or method does not exist (nothing changed). The space being full
 * is the only failure after the check.
 */
const char *run_class(const uint8_t *class_name, uint32_t class_len, const uint8_t *method_name, uint32_t method_len,
                      word_t *thread, int *not_found);

#endif
