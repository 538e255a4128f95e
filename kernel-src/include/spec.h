/*
 * spec.h — the formats the kernel shares with lang/, taken straight from the .def files in lang/spec.
 *
 * The .def files are X-macro tables: the single definition of the bytecode, the object layout
 * and the store. This header turns each table into C enumerators with the same names the
 * TypeScript side generates (OP_ADD, CID_THREAD, THREAD_FRAME, SB_SEQ_LO, ...), so the two sides
 * cannot disagree on a number. Tables with rows the kernel iterates (opcode names, native
 * signatures, error messages) are re-included where they are needed, with the one macro that
 * file cares about defined; spec_ignore.h supplies empty
 * definitions for the rest.
 *
 * Not here: behaviour. Only numbers and names.
 */
#ifndef PHANTOM_SPEC_H
#define PHANTOM_SPEC_H

/* ── opcodes.def ── */
enum {
#define OP(name, code, operands, bytes, pop, push, doc) OP_##name = (code),
#include "../../lang/spec/opcodes.def"
#undef OP
};

/* ── natives.def ── */
enum {
#define NATIVE(name, id, cls, method, kind, argc, sig, doc) NATIVE_##name = (id),
#include "../../lang/spec/natives.def"
#undef NATIVE
};

/* ── layout.def ── every row kind becomes an enumerator of its own value/offset/slot */
enum {
#define FORMAT(name, value, doc) name = (value),
#define HEADER(name, offset, bytes, doc) name = (offset),
#define SPACE(name, offset, bytes, doc) name = (offset),
#define KIND(name, value, doc) name = (value),
#define FLAG(name, value, doc) name = (value),
#define CLASS(name, id, full, kind, slots, doc) name = (id),
#define FIELD(cls, name, slot, doc) name = (slot),
#define CONST(name, value, doc) name = (value),
#define ERROR(name, code, message, doc) name = (code),
#include "../../lang/spec/layout.def"
};
#undef FORMAT
#undef HEADER
#undef SPACE
#undef KIND
#undef FLAG
#undef CLASS
#undef FIELD
#undef CONST
#undef ERROR

/* ── store.def ── (u32 values above INT_MAX, e.g. NO_GENERATION, make this enum unsigned) */
enum {
#define STORE(name, value, doc) name = (value),
#define SB(name, offset, bytes, doc) name = (offset),
#define IR(name, offset, bytes, doc) name = (offset),
#define IRE(name, offset, bytes, doc) name = (offset),
#define IX(name, offset, bytes, doc) name = (offset),
#define IXE(name, offset, bytes, doc) name = (offset),
#define GEN(name, offset, bytes, doc) name = (offset),
#define GME(name, offset, bytes, doc) name = (offset),
#define PME(name, offset, bytes, doc) name = (offset),
#include "../../lang/spec/store.def"
};
#undef STORE
#undef SB
#undef IR
#undef IRE
#undef IX
#undef IXE
#undef GEN
#undef GME
#undef PME

/* Size of a leaf reference, an index entry, a map-block entry and a page-map entry (the .def gives their fields). */
enum { IRE_BYTES = 16, IXE_BYTES = 16, GME_BYTES = 8, PME_BYTES = 8 };

#endif
