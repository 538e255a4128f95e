/*
 * class_blob_wire.h — generated from lang/spec/class_blob.def by `npm run gen -w lang`; do not edit (a test
 * checks it is current). For every record of the spec: a struct; decode_RECORD, which checks a
 * whole payload (its length, every count and limit, every fixed field) and may fail; read_RECORD,
 * which reads one element of a checked payload and cannot fail; and for the records the kernel
 * writes, put_RECORD. Strings, lists and bytes point into the payload they were decoded from.
 */
#ifndef PHANTOM_CLASS_BLOB_WIRE_H
#define PHANTOM_CLASS_BLOB_WIRE_H

#include "wire.h"

/** First word of a blob: 'PHCB' read as a little-endian u32. */
#define CLASS_BLOB_MAGIC 0x42434850
/** Version of the blob's layout (2: source file, statements and locals). */
#define CLASS_BLOB_VERSION 2
/** Largest blob the kernel reassembles (256 KiB). */
#define CLASS_BLOB_MAX 0x40000
/** Most fields a class may have, inherited ones included. */
#define CLASS_BLOB_MAX_FIELDS 4096
/** Most vtable entries. */
#define CLASS_BLOB_MAX_VTABLE 4096
/** Most methods a class may declare. */
#define CLASS_BLOB_MAX_METHODS 1024
/** Most bytecode bytes of one method. */
#define CLASS_BLOB_MAX_CODE 65535
/** Most exception handlers of one method. */
#define CLASS_BLOB_MAX_HANDLERS 4096
/** Most line-table numbers of one method (pc, line pairs). */
#define CLASS_BLOB_MAX_LINES 0x10000
/** Most statement-table entries of one method (at most one per pc). */
#define CLASS_BLOB_MAX_STATEMENTS 65535
/** Most local-variable entries of one method. */
#define CLASS_BLOB_MAX_DEBUG_LOCALS 4096

/** Bytes of class_blob with its lists, strings and bytes empty. */
#define CLASS_BLOB_FIXED_BYTES 30u
/** Bytes of blob_vtable_entry with its lists, strings and bytes empty. */
#define BLOB_VTABLE_ENTRY_FIXED_BYTES 4u
/** Bytes of blob_method with its lists, strings and bytes empty. */
#define BLOB_METHOD_FIXED_BYTES 50u
/** Bytes of blob_statement with its lists, strings and bytes empty (its size: it has none). */
#define BLOB_STATEMENT_FIXED_BYTES 12u
/** Bytes of blob_local with its lists, strings and bytes empty. */
#define BLOB_LOCAL_FIXED_BYTES 14u
/** blob_constant.kind: A string. */
#define BLOB_CONSTANT_STRING 1
/** blob_constant.kind: A class. */
#define BLOB_CONSTANT_CLASS 2
/** blob_constant.kind: A method. */
#define BLOB_CONSTANT_METHOD 3
/** Bytes of blob_constant with its lists, strings and bytes empty. */
#define BLOB_CONSTANT_FIXED_BYTES 1u
/** Bytes of blob_handler with its lists, strings and bytes empty (its size: it has none). */
#define BLOB_HANDLER_FIXED_BYTES 16u

/** The blob: one program class. */
struct class_blob {
  struct wire_bytes name; /**< Full name (`.demo.counter`). */
  struct wire_bytes super_name; /**< Full name of the superclass (`.internal.object`). */
  uint32_t kind; /**< KIND_SLOTS or KIND_BYTES of instances. */
  struct wire_bytes source; /**< Source file the class was compiled from (as the compiler was given it; empty if unknown). */
  struct wire_list field_names; /**< Their names, inherited first. (str elements) */
  struct wire_list vtable; /**< By vtable index, inherited entries first. (struct blob_vtable_entry elements) */
  struct wire_list methods; /**< (struct blob_method elements) */
};
/** Checks that [p, p + len) is one class_blob and nothing else, then fills *out; returns 0 or why not. */
const char *decode_class_blob(const uint8_t *p, uint32_t len, struct class_blob *out);
/** Reads the class_blob at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_class_blob(const uint8_t *at, const uint8_t *end, struct class_blob *v);

/** A vtable entry: the method at that index. */
struct blob_vtable_entry {
  struct wire_bytes owner; /**< Full name of the class that declares it. */
  struct wire_bytes name; /**< Its name. */
};
/** Checks that [p, p + len) is one blob_vtable_entry and nothing else, then fills *out; returns 0 or why not. */
const char *decode_blob_vtable_entry(const uint8_t *p, uint32_t len, struct blob_vtable_entry *out);
/** Reads the blob_vtable_entry at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_blob_vtable_entry(const uint8_t *at, const uint8_t *end, struct blob_vtable_entry *v);

/** One method. */
struct blob_method {
  struct wire_bytes name; /**< Unique in the class. */
  uint32_t flags; /**< MF_* bits. */
  uint32_t argc; /**< Argument slots, the receiver included. */
  uint32_t locals; /**< Local slots, the arguments included. */
  uint32_t max_stack; /**< Deepest operand stack. */
  uint32_t native; /**< A NATIVE id, 0 for a bytecode method. */
  int32_t vindex; /**< Vtable index; -1 for static methods and constructors. */
  struct wire_bytes code; /**< The bytecode. */
  struct wire_list consts; /**< Its constants, by index. (struct blob_constant elements) */
  struct wire_list handlers; /**< Innermost first. (struct blob_handler elements) */
  struct wire_list lines; /**< pc, line pairs, pc ascending. (i32 elements) */
  struct wire_list statements; /**< pc ascending. (struct blob_statement elements) */
  struct wire_list debug_locals; /**< Parameters first, then in order of declaration. (struct blob_local elements) */
};
/** Checks that [p, p + len) is one blob_method and nothing else, then fills *out; returns 0 or why not. */
const char *decode_blob_method(const uint8_t *p, uint32_t len, struct blob_method *out);
/** Reads the blob_method at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_blob_method(const uint8_t *at, const uint8_t *end, struct blob_method *v);

/** Where a statement starts: its first instruction and its source position. */
struct blob_statement {
  uint32_t pc; /**< The statement's first instruction. */
  uint32_t line; /**< 1-based line. */
  uint32_t column; /**< 1-based column (UTF-16 code units). */
};
/** Checks that [p, p + len) is one blob_statement and nothing else, then fills *out; returns 0 or why not. */
const char *decode_blob_statement(const uint8_t *p, uint32_t len, struct blob_statement *out);
/** Reads the blob_statement at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_blob_statement(const uint8_t *at, const uint8_t *end, struct blob_statement *v);

/** A local variable: the slot holding it over a pc range. */
struct blob_local {
  struct wire_bytes name; /**< Its name. */
  uint32_t slot; /**< Its frame slot (< MAX_LOCALS). */
  uint32_t start; /**< First pc at which the slot holds it. */
  uint32_t end; /**< First pc after the range. */
};
/** Checks that [p, p + len) is one blob_local and nothing else, then fills *out; returns 0 or why not. */
const char *decode_blob_local(const uint8_t *p, uint32_t len, struct blob_local *out);
/** Reads the blob_local at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_blob_local(const uint8_t *at, const uint8_t *end, struct blob_local *v);

/** A method's constant, by name: the kernel resolves it in the running machine. */
struct blob_constant {
  uint8_t kind; /**< Which of the cases below. */
  struct wire_bytes value; /**< Its bytes. */
  struct wire_bytes name; /**< Its full name. */
  struct wire_bytes owner; /**< Full name of its class. */
};
/** Checks that [p, p + len) is one blob_constant and nothing else, then fills *out; returns 0 or why not. */
const char *decode_blob_constant(const uint8_t *p, uint32_t len, struct blob_constant *out);
/** Reads the blob_constant at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_blob_constant(const uint8_t *at, const uint8_t *end, struct blob_constant *v);

/** An exception handler. */
struct blob_handler {
  uint32_t start; /**< First pc it covers. */
  uint32_t end; /**< First pc after the range it covers. */
  uint32_t handler; /**< pc it jumps to. */
  int32_t class_const; /**< Constant index of the class it catches; -1 for any. */
};
/** Checks that [p, p + len) is one blob_handler and nothing else, then fills *out; returns 0 or why not. */
const char *decode_blob_handler(const uint8_t *p, uint32_t len, struct blob_handler *out);
/** Reads the blob_handler at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_blob_handler(const uint8_t *at, const uint8_t *end, struct blob_handler *v);

/** Every record of class_blob.def by name, with a decoder that checks a payload as that record (for tools and fuzzing). */
extern const struct wire_record class_blob_wire_records[7];

#endif
