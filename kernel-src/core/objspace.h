/*
 * objspace.h — the object space as the VM sees it: values (small integers and references), object
 * headers, slots and bytes, the space header at SPACE_BASE, validation of references, and the
 * allocator (free list first, then bump at SH_TOP) described in lang/docs/object-format.md.
 *
 * Not here: collection (gc.h; space_alloc never collects, gc_alloc does) and paging (the kernel
 * maps the region on demand, the hosted build with mmap — see hosted/space.h).
 *
 * Every word returned by these functions and every word stored in a slot is either a small
 * integer or a reference to an object start that space_validate() or the allocator produced:
 * that invariant, checked once at load, is what lets the interpreter and the collector follow
 * references without re-walking the heap.
 */
#ifndef PHANTOM_OBJSPACE_H
#define PHANTOM_OBJSPACE_H

#include <stddef.h>
#include <stdint.h>

#include "spec.h"

/** Fixed payload slots of each internal class (CID_ROOT_SLOTS, ...; -1 when it varies). */
enum {
#include "spec_ignore.h"
#undef CLASS
#define CLASS(name, id, full, kind, slots, doc) name##_SLOTS = (slots),
#include "../../lang/spec/layout.def"
#include "spec_ignore_end.h"
};

/** Junk-fill freed memory where catching a use-after-free matters more than the time it takes. */
#if defined(PH_HOSTED) || defined(PH_DEBUG)
#define PH_JUNK_FILL 1
#endif

/** One slot: a small integer (low bit 0), a reference (object address + 1) or null (0). */
typedef uint32_t word_t;

#define SPACE_FIRST_OBJECT ((uint32_t)SPACE_BASE + SPACE_HEADER_BYTES)
/** Smallest block that can sit on the free list: a header and the next-block word. */
#define FREE_BLOCK_MIN (HEADER_BYTES + 4u)

static inline int word_is_ref(word_t w) { return (w & REF_TAG) != 0; }
static inline int word_is_int(word_t w) { return (w & REF_TAG) == 0; }
static inline int32_t word_to_int(word_t w) { return (int32_t)w >> 1; }
/** Wraps to 31 bits, as every arithmetic opcode does. */
static inline word_t int_to_word(int32_t n) { return (uint32_t)n << 1; }
static inline int int_fits(int64_t n) { return n >= SMALLINT_MIN && n <= SMALLINT_MAX; }

static inline uint32_t align4(uint32_t n) { return (n + 3u) & ~3u; }

/** The header words of the object a reference names (HDR_CLASS, HDR_SIZE, HDR_FLAGS). */
static inline uint32_t *obj_header(word_t ref) { return (uint32_t *)(uintptr_t)(ref - REF_TAG); }
static inline uint32_t obj_addr(word_t ref) { return ref - REF_TAG; }
static inline word_t addr_ref(uint32_t addr) { return addr + REF_TAG; }
static inline word_t obj_class(word_t ref) { return obj_header(ref)[HDR_CLASS / 4]; }
static inline uint32_t obj_size(word_t ref) { return obj_header(ref)[HDR_SIZE / 4]; }
static inline uint32_t obj_kind(word_t ref) { return obj_header(ref)[HDR_FLAGS / 4] & FLAG_KIND_MASK; }
static inline word_t *obj_slots(word_t ref) { return (word_t *)(obj_header(ref) + HEADER_BYTES / 4); }
static inline uint8_t *obj_bytes(word_t ref) { return (uint8_t *)(obj_header(ref) + HEADER_BYTES / 4); }
/** Payload words of a KIND_SLOTS object (the length of an array). */
static inline uint32_t obj_slot_count(word_t ref) { return obj_size(ref) / 4; }
/** Bytes the object occupies in the space, header included. */
static inline uint32_t footprint(uint32_t payload_bytes) { return HEADER_BYTES + align4(payload_bytes); }

/** A word of the space header (SH_*). */
static inline uint32_t *space_field(uint32_t offset) { return (uint32_t *)(uintptr_t)(SPACE_BASE + offset); }
static inline uint32_t space_top(void) { return *space_field(SH_TOP); }
static inline uint32_t space_end(void) { return SPACE_BASE + *space_field(SH_SIZE); }
static inline word_t space_root(void) { return *space_field(SH_ROOT); }

/**
 * A cheap check that a word may be dereferenced as an object: a reference, inside the allocated
 * part of the space, aligned, with a kind of SLOTS or BYTES and a payload that ends below SH_TOP.
 */
int obj_is_sane(word_t w);

/**
 * Check a freshly mapped space before anything runs: the header (magic, version, size equal to
 * the mapping, SH_TOP, free list), every object header from SPACE_BASE + 64 to SH_TOP, every
 * reference in every slot (an object start), every object's class (a .internal.class), the root
 * and its class table. Returns 0 when sound, or a message naming the first problem. Leaves every
 * mark bit clear. mapped_bytes is how much of the region is mapped.
 */
const char *space_validate(uint32_t mapped_bytes);

/**
 * Allocate a zero-filled object of class cls (a class reference) with the given payload kind and
 * size in bytes. Free list first (first fit), then bump SH_TOP. Returns the reference, or 0 when
 * no block fits (the caller collects and retries: gc_alloc). Never collects.
 */
word_t space_alloc(word_t cls, uint32_t kind, uint32_t size_bytes);

/**
 * Return an object the caller knows nothing references (a dropped frame) to the free list now,
 * instead of waiting for a collection.
 */
void space_free(word_t ref);

/**
 * The space was captured (a generation frozen) or loaded to run: the next allocation opens a new
 * epoch (SH_EPOCH + 1), so no object allocated from now on carries the stamp of one that a
 * committed generation holds (lang/docs/object-format.md, "Identity across generations").
 */
void space_new_epoch(void);

/** Stamps an object with the current epoch, as an allocation does (a frame reused in place). */
void space_stamp(word_t ref);

/** Turn [addr, addr + bytes) into one free block; link it at the head when it can hold a link. */
void space_make_free(uint32_t addr, uint32_t bytes, int link);

/** Fill freed payloads with a recognisable pattern (hosted and debug builds catch use-after-free). */
void space_junk(uint32_t addr, uint32_t bytes);

#endif
