// Generated from lang/spec/*.def by `npm run gen -w lang`; do not edit. A test checks it is current.

// ── opcodes.def ──
/** Do nothing. */
export const OP_NOP = 0;
/** Push null. */
export const OP_PUSH_NULL = 1;
/** Push the operand as a small integer (it fits in 31 bits). */
export const OP_PUSH_INT = 2;
/** Push consts[operand] of the current method (a string, class or method reference). */
export const OP_PUSH_CONST = 3;
/** Drop the top value. */
export const OP_POP = 4;
/** Duplicate the top value. */
export const OP_DUP = 5;
/** Duplicate the top two values (a b -> a b a b). */
export const OP_DUP2 = 6;
/** Push local slot operand (slot 0 is the receiver in instance methods). */
export const OP_LOAD = 7;
/** Pop into local slot operand. */
export const OP_STORE = 8;
/** obj -> obj.slots[operand]; null raises NullReference, a slot beyond the object raises BadField. */
export const OP_GET_FIELD = 9;
/** obj value -> ; stores obj.slots[operand]; BadField as GET_FIELD, and for a field a system class declares unless the running method is that class's. */
export const OP_PUT_FIELD = 10;
/** Allocate an instance of the class consts[operand], every field null/0, and push it. */
export const OP_NEW = 11;
/** length -> a new array of the array class consts[operand], that many null/0 slots; a negative length raises BadArgument. */
export const OP_NEW_ARRAY = 12;
/** array index -> array[index]; raises IndexOutOfRange or NullReference. */
export const OP_ALOAD = 13;
/** array index value -> ; array[index] = value; raises ArrayStore unless the array's class admits the value (CLASS_ELEMENT). */
export const OP_ASTORE = 14;
/** array -> its length. */
export const OP_ALEN = 15;
/** a b -> a + b (31-bit two's complement, wraps). */
export const OP_ADD = 16;
/** a b -> a - b (wraps). */
export const OP_SUB = 17;
/** a b -> a * b (wraps). */
export const OP_MUL = 18;
/** a b -> a / b truncated toward zero; b = 0 raises DivideByZero. */
export const OP_DIV = 19;
/** a b -> a % b with the sign of a; b = 0 raises DivideByZero. */
export const OP_MOD = 20;
/** a -> -a (wraps). */
export const OP_NEG = 21;
/** a b -> a & b. */
export const OP_BAND = 22;
/** a b -> a | b. */
export const OP_BOR = 23;
/** a b -> a ^ b. */
export const OP_BXOR = 24;
/** a -> ~a. */
export const OP_BNOT = 25;
/** a b -> a << (b & 31), wrapped to 31 bits. */
export const OP_SHL = 26;
/** a b -> a >> (b & 31), arithmetic. */
export const OP_SHR = 27;
/** a b -> a == b: compares the 32-bit words (integers by value, references by identity). */
export const OP_EQ = 28;
/** a b -> a != b (word compare). */
export const OP_NE = 29;
/** a b -> a < b (integers). */
export const OP_LT = 30;
/** a b -> a <= b. */
export const OP_LE = 31;
/** a b -> a > b. */
export const OP_GT = 32;
/** a b -> a >= b. */
export const OP_GE = 33;
/** b -> !b (booleans are the small integers 0 and 1). */
export const OP_NOT = 34;
/** pc = next + operand. */
export const OP_JMP = 35;
/** Pop b; if b is false (0) jump. */
export const OP_JMP_FALSE = 36;
/** Pop b; if b is true (non-zero) jump. */
export const OP_JMP_TRUE = 37;
/** receiver args... -> [result]. Operands: vtable index, argc (receiver included). Looks the method up in the receiver's class vtable; null receiver raises NullReference. */
export const OP_CALL_VIRT = 38;
/** [receiver] args... -> [result]. Operands: index of a method in consts, argc. Calls that method directly (static methods, constructors, super calls, natives). */
export const OP_CALL_STATIC = 39;
/** Pop the result, drop the frame, push the result on the caller's stack. */
export const OP_RET = 40;
/** Drop the frame; the caller's stack is unchanged. */
export const OP_RET_VOID = 41;
/** Pop an object and throw it (null raises NullReference). Unwinds to the nearest matching handler or ends the thread. */
export const OP_THROW = 42;
/** s1 s2 -> a new string s1 s2 (both strings; null reads as "null"). */
export const OP_CONCAT = 43;
/** int -> its decimal string. */
export const OP_I2S = 44;
/** boolean -> "true" or "false". */
export const OP_B2S = 45;
/** ref -> a string: a string itself, null as "null", any other object as "<" + class name + ">". */
export const OP_O2S = 46;
/** ref -> ref; raises BadCast unless ref is null or an instance of the class consts[operand] (or a subclass). */
export const OP_CHECKCAST = 47;
/** ref -> boolean: ref is non-null and an instance of consts[operand] (or a subclass). */
export const OP_INSTANCEOF = 48;
export interface OpcodeInfo { name: string; code: number; operands: string; operandBytes: number; pop: number; push: number; doc: string }
export const OPCODES: readonly OpcodeInfo[] = [
  { name: "NOP", code: 0, operands: "NONE", operandBytes: 0, pop: 0, push: 0, doc: "Do nothing." },
  { name: "PUSH_NULL", code: 1, operands: "NONE", operandBytes: 0, pop: 0, push: 1, doc: "Push null." },
  { name: "PUSH_INT", code: 2, operands: "I32", operandBytes: 4, pop: 0, push: 1, doc: "Push the operand as a small integer (it fits in 31 bits)." },
  { name: "PUSH_CONST", code: 3, operands: "U16", operandBytes: 2, pop: 0, push: 1, doc: "Push consts[operand] of the current method (a string, class or method reference)." },
  { name: "POP", code: 4, operands: "NONE", operandBytes: 0, pop: 1, push: 0, doc: "Drop the top value." },
  { name: "DUP", code: 5, operands: "NONE", operandBytes: 0, pop: 1, push: 2, doc: "Duplicate the top value." },
  { name: "DUP2", code: 6, operands: "NONE", operandBytes: 0, pop: 2, push: 4, doc: "Duplicate the top two values (a b -> a b a b)." },
  { name: "LOAD", code: 7, operands: "U8", operandBytes: 1, pop: 0, push: 1, doc: "Push local slot operand (slot 0 is the receiver in instance methods)." },
  { name: "STORE", code: 8, operands: "U8", operandBytes: 1, pop: 1, push: 0, doc: "Pop into local slot operand." },
  { name: "GET_FIELD", code: 9, operands: "U16", operandBytes: 2, pop: 1, push: 1, doc: "obj -> obj.slots[operand]; null raises NullReference, a slot beyond the object raises BadField." },
  { name: "PUT_FIELD", code: 10, operands: "U16", operandBytes: 2, pop: 2, push: 0, doc: "obj value -> ; stores obj.slots[operand]; BadField as GET_FIELD, and for a field a system class declares unless the running method is that class's." },
  { name: "NEW", code: 11, operands: "U16", operandBytes: 2, pop: 0, push: 1, doc: "Allocate an instance of the class consts[operand], every field null/0, and push it." },
  { name: "NEW_ARRAY", code: 12, operands: "U16", operandBytes: 2, pop: 1, push: 1, doc: "length -> a new array of the array class consts[operand], that many null/0 slots; a negative length raises BadArgument." },
  { name: "ALOAD", code: 13, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "array index -> array[index]; raises IndexOutOfRange or NullReference." },
  { name: "ASTORE", code: 14, operands: "NONE", operandBytes: 0, pop: 3, push: 0, doc: "array index value -> ; array[index] = value; raises ArrayStore unless the array's class admits the value (CLASS_ELEMENT)." },
  { name: "ALEN", code: 15, operands: "NONE", operandBytes: 0, pop: 1, push: 1, doc: "array -> its length." },
  { name: "ADD", code: 16, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a + b (31-bit two's complement, wraps)." },
  { name: "SUB", code: 17, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a - b (wraps)." },
  { name: "MUL", code: 18, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a * b (wraps)." },
  { name: "DIV", code: 19, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a / b truncated toward zero; b = 0 raises DivideByZero." },
  { name: "MOD", code: 20, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a % b with the sign of a; b = 0 raises DivideByZero." },
  { name: "NEG", code: 21, operands: "NONE", operandBytes: 0, pop: 1, push: 1, doc: "a -> -a (wraps)." },
  { name: "BAND", code: 22, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a & b." },
  { name: "BOR", code: 23, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a | b." },
  { name: "BXOR", code: 24, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a ^ b." },
  { name: "BNOT", code: 25, operands: "NONE", operandBytes: 0, pop: 1, push: 1, doc: "a -> ~a." },
  { name: "SHL", code: 26, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a << (b & 31), wrapped to 31 bits." },
  { name: "SHR", code: 27, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a >> (b & 31), arithmetic." },
  { name: "EQ", code: 28, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a == b: compares the 32-bit words (integers by value, references by identity)." },
  { name: "NE", code: 29, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a != b (word compare)." },
  { name: "LT", code: 30, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a < b (integers)." },
  { name: "LE", code: 31, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a <= b." },
  { name: "GT", code: 32, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a > b." },
  { name: "GE", code: 33, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "a b -> a >= b." },
  { name: "NOT", code: 34, operands: "NONE", operandBytes: 0, pop: 1, push: 1, doc: "b -> !b (booleans are the small integers 0 and 1)." },
  { name: "JMP", code: 35, operands: "I16", operandBytes: 2, pop: 0, push: 0, doc: "pc = next + operand." },
  { name: "JMP_FALSE", code: 36, operands: "I16", operandBytes: 2, pop: 1, push: 0, doc: "Pop b; if b is false (0) jump." },
  { name: "JMP_TRUE", code: 37, operands: "I16", operandBytes: 2, pop: 1, push: 0, doc: "Pop b; if b is true (non-zero) jump." },
  { name: "CALL_VIRT", code: 38, operands: "U16_U8", operandBytes: 3, pop: -1, push: -1, doc: "receiver args... -> [result]. Operands: vtable index, argc (receiver included). Looks the method up in the receiver's class vtable; null receiver raises NullReference." },
  { name: "CALL_STATIC", code: 39, operands: "U16_U8", operandBytes: 3, pop: -1, push: -1, doc: "[receiver] args... -> [result]. Operands: index of a method in consts, argc. Calls that method directly (static methods, constructors, super calls, natives)." },
  { name: "RET", code: 40, operands: "NONE", operandBytes: 0, pop: 1, push: 0, doc: "Pop the result, drop the frame, push the result on the caller's stack." },
  { name: "RET_VOID", code: 41, operands: "NONE", operandBytes: 0, pop: 0, push: 0, doc: "Drop the frame; the caller's stack is unchanged." },
  { name: "THROW", code: 42, operands: "NONE", operandBytes: 0, pop: 1, push: 0, doc: "Pop an object and throw it (null raises NullReference). Unwinds to the nearest matching handler or ends the thread." },
  { name: "CONCAT", code: 43, operands: "NONE", operandBytes: 0, pop: 2, push: 1, doc: "s1 s2 -> a new string s1 s2 (both strings; null reads as \"null\")." },
  { name: "I2S", code: 44, operands: "NONE", operandBytes: 0, pop: 1, push: 1, doc: "int -> its decimal string." },
  { name: "B2S", code: 45, operands: "NONE", operandBytes: 0, pop: 1, push: 1, doc: "boolean -> \"true\" or \"false\"." },
  { name: "O2S", code: 46, operands: "NONE", operandBytes: 0, pop: 1, push: 1, doc: "ref -> a string: a string itself, null as \"null\", any other object as \"<\" + class name + \">\"." },
  { name: "CHECKCAST", code: 47, operands: "U16", operandBytes: 2, pop: 1, push: 1, doc: "ref -> ref; raises BadCast unless ref is null or an instance of the class consts[operand] (or a subclass)." },
  { name: "INSTANCEOF", code: 48, operands: "U16", operandBytes: 2, pop: 1, push: 1, doc: "ref -> boolean: ref is non-null and an instance of consts[operand] (or a subclass)." },
];

// ── natives.def ──
export const N_TTY_PRINT = 1;
export const N_TTY_PRINTLN = 2;
export const N_TIME_UPTIME = 3;
export const N_TIME_SLEEP = 4;
export const N_THREAD_START = 5;
export const N_THREAD_CURRENT = 6;
export const N_THREAD_YIELD = 7;
export const N_THREAD_ID = 8;
export const N_THREAD_ALIVE = 9;
export const N_DIR_ROOT = 10;
export const N_DIR_GET = 11;
export const N_DIR_PUT = 12;
export const N_DIR_REMOVE = 13;
export const N_DIR_HAS = 14;
export const N_DIR_SIZE = 15;
export const N_DIR_KEYS = 16;
export const N_STR_LENGTH = 17;
export const N_STR_CHAR_AT = 18;
export const N_STR_SUBSTRING = 19;
export const N_STR_INDEX_OF = 20;
export const N_STR_EQUALS = 21;
export const N_STR_COMPARE = 22;
export const N_STR_HASH = 23;
export const N_STR_TO_INT = 24;
export const N_STR_FROM_CHAR = 25;
export const N_ARR_COPY = 26;
export const N_ARR_RESIZE = 27;
export const N_OBJ_CLASS_NAME = 28;
export interface NativeInfo { name: string; id: number; className: string; method: string; isStatic: boolean; argc: number; signature: string; doc: string }
export const NATIVES: readonly NativeInfo[] = [
  { name: "TTY_PRINT", id: 1, className: ".internal.io.tty", method: "print", isStatic: true, argc: 1, signature: "(string)void", doc: "Write the string to the console (serial port 1); null prints null." },
  { name: "TTY_PRINTLN", id: 2, className: ".internal.io.tty", method: "println", isStatic: true, argc: 1, signature: "(string)void", doc: "Write the string and a newline." },
  { name: "TIME_UPTIME", id: 3, className: ".internal.time", method: "uptime", isStatic: true, argc: 0, signature: "()int", doc: "Milliseconds of machine time since generation 0 (keeps counting across snapshots and restarts)." },
  { name: "TIME_SLEEP", id: 4, className: ".internal.time", method: "sleep", isStatic: true, argc: 1, signature: "(int)void", doc: "Sleep the current thread for at least the given number of milliseconds of machine time." },
  { name: "THREAD_START", id: 5, className: ".internal.thread", method: "start", isStatic: true, argc: 1, signature: "(any).internal.thread", doc: "Start a new thread that calls target.run() (a method with no arguments); returns the thread." },
  { name: "THREAD_CURRENT", id: 6, className: ".internal.thread", method: "current", isStatic: true, argc: 0, signature: "().internal.thread", doc: "The thread that is running." },
  { name: "THREAD_YIELD", id: 7, className: ".internal.thread", method: "yield", isStatic: true, argc: 0, signature: "()void", doc: "End the current thread's turn." },
  { name: "THREAD_ID", id: 8, className: ".internal.thread", method: "id", isStatic: false, argc: 1, signature: "()int", doc: "The thread's number (1 for the first thread)." },
  { name: "THREAD_ALIVE", id: 9, className: ".internal.thread", method: "isAlive", isStatic: false, argc: 1, signature: "()boolean", doc: "True until the thread's first method returns or an uncaught error ends it." },
  { name: "DIR_ROOT", id: 10, className: ".internal.directory", method: "root", isStatic: true, argc: 0, signature: "().internal.directory", doc: "The machine's root directory (the root object's directory)." },
  { name: "DIR_GET", id: 11, className: ".internal.directory", method: "get", isStatic: false, argc: 2, signature: "(string)any", doc: "The object stored under the name, or null." },
  { name: "DIR_PUT", id: 12, className: ".internal.directory", method: "put", isStatic: false, argc: 3, signature: "(string,any)void", doc: "Store the object under the name (replacing any previous one). A null name raises NullReference." },
  { name: "DIR_REMOVE", id: 13, className: ".internal.directory", method: "remove", isStatic: false, argc: 2, signature: "(string)boolean", doc: "Remove the name; true if it was there." },
  { name: "DIR_HAS", id: 14, className: ".internal.directory", method: "has", isStatic: false, argc: 2, signature: "(string)boolean", doc: "True if the name is present." },
  { name: "DIR_SIZE", id: 15, className: ".internal.directory", method: "size", isStatic: false, argc: 1, signature: "()int", doc: "Number of names." },
  { name: "DIR_KEYS", id: 16, className: ".internal.directory", method: "keys", isStatic: false, argc: 1, signature: "()string[]", doc: "A new array of the names, in insertion order." },
  { name: "STR_LENGTH", id: 17, className: ".internal.string", method: "length", isStatic: false, argc: 1, signature: "()int", doc: "Length in bytes (strings are UTF-8)." },
  { name: "STR_CHAR_AT", id: 18, className: ".internal.string", method: "charAt", isStatic: false, argc: 2, signature: "(int)int", doc: "The byte at the index (0..255); raises IndexOutOfRange." },
  { name: "STR_SUBSTRING", id: 19, className: ".internal.string", method: "substring", isStatic: false, argc: 3, signature: "(int,int)string", doc: "Bytes [begin, end); raises IndexOutOfRange unless 0 <= begin <= end <= length." },
  { name: "STR_INDEX_OF", id: 20, className: ".internal.string", method: "indexOf", isStatic: false, argc: 2, signature: "(string)int", doc: "Index of the first occurrence of the argument, or -1." },
  { name: "STR_EQUALS", id: 21, className: ".internal.string", method: "equals", isStatic: false, argc: 2, signature: "(string)boolean", doc: "Same bytes (false for null)." },
  { name: "STR_COMPARE", id: 22, className: ".internal.string", method: "compareTo", isStatic: false, argc: 2, signature: "(string)int", doc: "Byte-wise order: the difference of the first differing bytes (this minus other), else of the lengths; null raises NullReference." },
  { name: "STR_HASH", id: 23, className: ".internal.string", method: "hash", isStatic: false, argc: 1, signature: "()int", doc: "32-bit FNV-1a h of the bytes, xor-folded to 30 bits: ((h >>> 30) ^ h) & 0x3FFFFFFF (same on every machine)." },
  { name: "STR_TO_INT", id: 24, className: ".internal.string", method: "toInt", isStatic: false, argc: 1, signature: "()int", doc: "Parse an optional '-' and decimal digits; raises BadArgument otherwise or when the value is outside the small integers." },
  { name: "STR_FROM_CHAR", id: 25, className: ".internal.string", method: "fromChar", isStatic: true, argc: 1, signature: "(int)string", doc: "A one-byte string (the argument & 255)." },
  { name: "ARR_COPY", id: 26, className: ".internal.array", method: "copy", isStatic: true, argc: 5, signature: "(.internal.array,int,.internal.array,int,int)void", doc: "copy(src, srcPos, dst, dstPos, n): copies n slots (overlap-safe); raises IndexOutOfRange, or ArrayStore (copying nothing) when dst's class does not admit one of them." },
  { name: "ARR_RESIZE", id: 27, className: ".internal.array", method: "resize", isStatic: true, argc: 2, signature: "(.internal.array,int).internal.array", doc: "A new array of the argument's class and the given length holding its first slots (the rest null/0)." },
  { name: "OBJ_CLASS_NAME", id: 28, className: ".internal.object", method: "className", isStatic: false, argc: 1, signature: "()string", doc: "The full name of the receiver's class." },
];

// ── layout.def ──
/** Version of the bytecode, object layout and store formats; every image and store carries it (2: arrays of typed array classes). */
export const FORMAT_VERSION = 2;
/** Bytes per object-space page and per store block. */
export const PAGE_SIZE = 4096;
/** Virtual address of the first byte of the object space (fixed; references are absolute addresses). */
export const SPACE_BASE = 0x40000000;
/** Default object-space size: 64 MiB. */
export const SPACE_SIZE_DEFAULT = 0x4000000;
/** Smallest object space an image may ask for: 1 MiB. */
export const SPACE_SIZE_MIN = 0x100000;
/** Largest object space: 512 MiB (the space ends at or below 0x60000000). */
export const SPACE_SIZE_MAX = 0x20000000;
/** 'PHOS' read as a little-endian u32: the first word of the object space. */
export const SPACE_MAGIC = 0x534f4850;
/** Size of the object-space header; the first object starts at SPACE_BASE + 64. */
export const SPACE_HEADER_BYTES = 64;
/** Size of an object's header; its payload follows. */
export const HEADER_BYTES = 12;
/** Objects start at multiples of 4; an object occupies HEADER_BYTES + align4(size) bytes. */
export const OBJECT_ALIGN = 4;
/** Smallest small integer (-2^30). */
export const SMALLINT_MIN = -1073741824;
/** Largest small integer (2^30 - 1). */
export const SMALLINT_MAX = 0x3fffffff;
/** The null reference (also the small integer 0). */
export const NULL_REF = 0;
/** Low bit of a reference word; a reference word minus 1 is the object's address. */
export const REF_TAG = 1;
/** Most local slots (receiver and arguments included) a method may have: LOAD/STORE take a u8. */
export const MAX_LOCALS = 255;
/** Most constants a method may have: PUSH_CONST and friends take a u16. */
export const MAX_CONSTS = 65535;
/** Call depth at which a thread raises StackOverflow. */
export const MAX_FRAME_DEPTH = 2000;
/** Instructions a thread runs before the scheduler may switch (preemption by instruction budget). */
export const TIME_SLICE = 10000;
/** VM model: bytes a program may allocate after a collection before the next one, at least (the budget is the larger of this and the live bytes). */
export const GC_BUDGET_MIN = 0x400000;
/** VM model: free-list blocks an allocation tries before it bumps SH_TOP (the whole list is tried only when the bump fails). */
export const FREE_SCAN_QUICK = 32;
/** VM model: a collection links free blocks of at least this many bytes first, so the quick scan finds room in them. */
export const FREE_BLOCK_LARGE = 1024;
/** VM model: frames dropped during a turn that the next calls of that turn may reuse (same size) before they go back to the free list. */
export const FRAME_CACHE_SIZE = 8;
/** Bit position of an object's birth stamp in its header flags (FLAG_STAMP_MASK). */
export const STAMP_SHIFT = 16;
/** Epochs a birth stamp tells apart: it is SH_EPOCH mod STAMP_EPOCHS. */
export const STAMP_EPOCHS = 0x10000;
/** VM model: instructions that make one millisecond of machine time on a virtual clock (phrun --virtual-clock, the reference interpreter). */
export const VIRTUAL_MS_STEPS = 10000;
/** Reference (address + 1) to the object's class; 0 only for free blocks. */
export const HDR_CLASS = 0;
/** Payload size in bytes (for SLOTS objects 4 x number of slots; for BYTES objects the exact byte count). */
export const HDR_SIZE = 4;
/** Bits 0..3: payload kind; bits 8..15: GC bits; bits 16..31: birth stamp (SH_EPOCH mod 2^16 when the object was allocated). */
export const HDR_FLAGS = 8;
/** Payload is value words: the GC scans every one. */
export const KIND_SLOTS = 1;
/** Payload is raw bytes (strings, code): the GC does not scan it. */
export const KIND_BYTES = 2;
/** A free block (class 0); payload word 0 is the next free block's address or 0. */
export const KIND_FREE = 3;
/** Mask of the payload kind. */
export const FLAG_KIND_MASK = 15;
/** GC mark bit; clear in every object of a committed snapshot and of generation 0. */
export const FLAG_MARK = 256;
/** Birth stamp: SH_EPOCH mod 2^16 when the object was allocated (or its frame reused); tools tell a reused address from the same object by it. */
export const FLAG_STAMP_MASK = 0xffff0000;
/** SPACE_MAGIC. */
export const SH_MAGIC = 0;
/** FORMAT_VERSION. */
export const SH_VERSION = 4;
/** Size of the object space in bytes (a multiple of PAGE_SIZE, SPACE_SIZE_MIN..SPACE_SIZE_MAX). */
export const SH_SIZE = 8;
/** Reference (address + 1) to the root object (.internal.root). */
export const SH_ROOT = 12;
/** Address of the first never-allocated byte (bump allocation continues here). */
export const SH_TOP = 16;
/** Address of the first free block (KIND_FREE) or 0. */
export const SH_FREE = 20;
/** Number of allocated objects (informational; the GC recounts it). */
export const SH_OBJECTS = 24;
/** Bytes in allocated objects (informational). */
export const SH_LIVE_BYTES = 28;
/** Bytes that may still be allocated before the next collection (VM model). A collection, and phc image, set it to max(GC_BUDGET_MIN, live bytes); at 0 the next allocation collects first. */
export const SH_GC_ALLOWANCE = 32;
/** Allocation epoch: the first allocation after the space was captured (a generation frozen) or loaded to run adds 1 (0 in a space phc writes). Objects are stamped with it. */
export const SH_EPOCH = 36;
/** .internal.object */
export const CID_OBJECT = 1;
/** .internal.class */
export const CID_CLASS = 2;
/** .internal.method */
export const CID_METHOD = 3;
/** .internal.code */
export const CID_CODE = 4;
/** .internal.string */
export const CID_STRING = 5;
/** .internal.array */
export const CID_ARRAY = 6;
/** .internal.thread */
export const CID_THREAD = 7;
/** .internal.frame */
export const CID_FRAME = 8;
/** .internal.directory */
export const CID_DIRECTORY = 9;
/** .internal.root */
export const CID_ROOT = 10;
/** .internal.error */
export const CID_ERROR = 11;
/** .internal.io.tty */
export const CID_TTY = 12;
/** .internal.time */
export const CID_TIME = 13;
/** .internal.boot */
export const CID_BOOT = 14;
/** string: full name, e.g. .ru.dz.demo.start */
export const CLASS_NAME = 0;
/** class or null (only .internal.object has none) */
export const CLASS_SUPER = 1;
/** array of method: virtual methods by vtable index (inherited ones first) */
export const CLASS_VTABLE = 2;
/** int: payload slots of an instance (inherited fields first) */
export const CLASS_FIELD_COUNT = 3;
/** array of string: name of each instance slot */
export const CLASS_FIELD_NAMES = 4;
/** int: payload kind of instances (KIND_SLOTS or KIND_BYTES) */
export const CLASS_KIND = 5;
/** int: CID_* of an internal class, 0 for program classes */
export const CLASS_INTERNAL_ID = 6;
/** array of method: every method declared by the class (static, constructors and virtual) */
export const CLASS_METHODS = 7;
/** what the elements of an array class (CLASS_INTERNAL_ID = CID_ARRAY) may be: a class (null or an instance of it or a subclass), ELEM_INT or ELEM_BOOLEAN; null: nothing a program stores (.internal.array, the VM's own arrays). null for other classes */
export const CLASS_ELEMENT = 8;
/** string: name (constructors are named <init>) */
export const METHOD_NAME = 0;
/** class that declares it */
export const METHOD_OWNER = 1;
/** code or null (natives) */
export const METHOD_CODE = 2;
/** array: the constants PUSH_CONST, NEW, CALL_STATIC, CHECKCAST and INSTANCEOF index */
export const METHOD_CONSTS = 3;
/** int: argument slots, receiver included */
export const METHOD_ARGC = 4;
/** int: local slots, arguments included (>= argc) */
export const METHOD_LOCALS = 5;
/** int: deepest operand stack the code reaches */
export const METHOD_MAX_STACK = 6;
/** int: NATIVE id from natives.def, 0 for bytecode methods */
export const METHOD_NATIVE = 7;
/** int: MF_* bits */
export const METHOD_FLAGS = 8;
/** array of int, 4 per handler: start pc, end pc (exclusive), handler pc, consts index of the caught class or -1 for any; innermost first */
export const METHOD_HANDLERS = 9;
/** array of int, 2 per entry: pc, source line (pc ascending); for error reports */
export const METHOD_LINES = 10;
/** int: vtable index, -1 for static methods and constructors */
export const METHOD_VINDEX = 11;
/** optional (only in a method of 13 slots; readers check the count): array of 3 for debuggers: string source file, array of int statement starts (pc, line, column triples, pc ascending), array of the locals, 4 per local: string name, int slot, int first pc, int pc after its range; the VM never reads it */
export const METHOD_DEBUG = 12;
/** Method flag: no receiver. */
export const MF_STATIC = 1;
/** Method flag: a constructor. */
export const MF_CTOR = 2;
/** Method flag: returns a value (RET), otherwise RET_VOID; natives push a result iff set. */
export const MF_RETURNS = 4;
/** CLASS_ELEMENT of int[]: the elements are small integers. */
export const ELEM_INT = 1;
/** CLASS_ELEMENT of boolean[]: the elements are the small integers 0 and 1. */
export const ELEM_BOOLEAN = 2;
/** frame: the innermost frame, null when the thread has ended */
export const THREAD_FRAME = 0;
/** int: TS_* */
export const THREAD_STATE = 1;
/** int: machine time (ms) at which a sleeping thread becomes runnable */
export const THREAD_WAKE_AT = 2;
/** thread: next in the root's list of threads (null at the end) */
export const THREAD_NEXT = 3;
/** int: 1, 2, ... in order of creation */
export const THREAD_ID = 4;
/** the uncaught object that ended the thread, or null */
export const THREAD_ERROR = 5;
/** the object whose run() the thread started with (null for initial threads) */
export const THREAD_TARGET = 6;
/** Thread state: ready to run. */
export const TS_RUNNABLE = 0;
/** Thread state: waiting until THREAD_WAKE_AT. */
export const TS_SLEEPING = 1;
/** Thread state: its first method returned. */
export const TS_DONE = 2;
/** Thread state: ended by an uncaught error (THREAD_ERROR). */
export const TS_FAILED = 3;
/** The debugger's state (the .internal.array under $debugger in the root directory; kernel-src/core/debugger.c): the slot of its layout version. */
export const DEBUGGER_STATE_VERSION = 0;
/** That version: DEBUGGER_STATE_SLOTS slots. */
export const DEBUGGER_STATE_V1 = 1;
/** Slots of the debugger's state: 3 of its own, DBG_MAX_BREAKPOINTS rows of 10 for breakpoints, DBG_MAX_DEBUGGED rows of DEBUGGER_ROW_SLOTS for threads. */
export const DEBUGGER_STATE_SLOTS = 1219;
/** The first slot of its thread rows. */
export const DEBUGGER_THREAD_ROWS = 643;
/** Slots of one thread row. */
export const DEBUGGER_ROW_SLOTS = 9;
/** A thread row's thread (null: an empty row). */
export const DEBUGGER_ROW_THREAD = 0;
/** A thread row's mode, DEBUGGER_MODE_STOPPED for a thread the debugger holds stopped: it does not run until a client continues or steps it. */
export const DEBUGGER_ROW_MODE = 1;
/** The mode of a stopped thread. */
export const DEBUGGER_MODE_STOPPED = 1;
/** method being run */
export const FRAME_METHOD = 0;
/** int: byte offset of the next instruction in the method's code */
export const FRAME_PC = 1;
/** frame to return to, or null */
export const FRAME_CALLER = 2;
/** int: operand stack depth (values in use) */
export const FRAME_SP = 3;
/** first local slot; the operand stack starts at slot 4 + METHOD_LOCALS */
export const FRAME_LOCALS = 4;
/** int: number of names */
export const DIR_COUNT = 0;
/** array of string (capacity >= count; insertion order) */
export const DIR_KEYS = 1;
/** array of values, parallel to DIR_KEYS */
export const DIR_VALUES = 2;
/** array of class indexed by CID_* (slot 0 null) */
export const ROOT_CLASSES = 0;
/** directory: the machine's root directory */
export const ROOT_DIRECTORY = 1;
/** thread: head of the list of all threads (THREAD_NEXT), oldest first */
export const ROOT_THREADS = 2;
/** int: id the next thread gets */
export const ROOT_NEXT_THREAD_ID = 3;
/** int: machine time in ms before the last turn (while idle, at most a second old; runs across restarts) */
export const ROOT_CLOCK = 4;
/** thread: the thread that runs next (the scheduler resumes round-robin from here) */
export const ROOT_CURRENT = 5;
/** array of class: the program's classes, for tools */
export const ROOT_PROGRAM_CLASSES = 6;
/** class: the class the image was built to start */
export const ROOT_MAIN_CLASS = 7;
/** array of class: every array class of the space (T[]), one per array type; the image builder makes those the program names, INSTALL_CLASS adds new ones */
export const ROOT_ARRAY_CLASSES = 8;
/** string: what went wrong */
export const ERROR_MESSAGE = 0;
/** NullReference */
export const ERR_NULL_REFERENCE = 1;
/** IndexOutOfRange */
export const ERR_INDEX = 2;
/** DivideByZero */
export const ERR_DIVIDE_BY_ZERO = 3;
/** BadCast */
export const ERR_BAD_CAST = 4;
/** BadArgument */
export const ERR_BAD_ARGUMENT = 5;
/** StackOverflow */
export const ERR_STACK_OVERFLOW = 6;
/** OutOfMemory */
export const ERR_OUT_OF_MEMORY = 7;
/** BadField */
export const ERR_BAD_FIELD = 8;
/** NoRunMethod */
export const ERR_NO_RUN = 9;
/** ArrayStore */
export const ERR_ARRAY_STORE = 10;
export interface InternalClassInfo { name: string; id: number; fullName: string; kind: string; slots: number; doc: string }
export const INTERNAL_CLASSES: readonly InternalClassInfo[] = [
  { name: "CID_OBJECT", id: 1, fullName: ".internal.object", kind: "KIND_SLOTS", slots: 0, doc: "Root of the class hierarchy." },
  { name: "CID_CLASS", id: 2, fullName: ".internal.class", kind: "KIND_SLOTS", slots: 9, doc: "A class (array classes too: one per array type, CLASS_INTERNAL_ID = CID_ARRAY)." },
  { name: "CID_METHOD", id: 3, fullName: ".internal.method", kind: "KIND_SLOTS", slots: 12, doc: "A method (bytecode or native); 13 slots when it carries METHOD_DEBUG." },
  { name: "CID_CODE", id: 4, fullName: ".internal.code", kind: "KIND_BYTES", slots: -1, doc: "A method's bytecode." },
  { name: "CID_STRING", id: 5, fullName: ".internal.string", kind: "KIND_BYTES", slots: -1, doc: "An immutable UTF-8 string; payload = the bytes, HDR_SIZE = their count." },
  { name: "CID_ARRAY", id: 6, fullName: ".internal.array", kind: "KIND_SLOTS", slots: -1, doc: "An array of values; its length is HDR_SIZE / 4. The class of the VM's own arrays (read-only to programs) and the superclass of every array class." },
  { name: "CID_THREAD", id: 7, fullName: ".internal.thread", kind: "KIND_SLOTS", slots: 7, doc: "A thread." },
  { name: "CID_FRAME", id: 8, fullName: ".internal.frame", kind: "KIND_SLOTS", slots: -1, doc: "A call frame: 4 fixed slots, then the method's locals, then its operand stack." },
  { name: "CID_DIRECTORY", id: 9, fullName: ".internal.directory", kind: "KIND_SLOTS", slots: 3, doc: "A name -> object map." },
  { name: "CID_ROOT", id: 10, fullName: ".internal.root", kind: "KIND_SLOTS", slots: 9, doc: "The root object: everything reachable is reachable from here." },
  { name: "CID_ERROR", id: 11, fullName: ".internal.error", kind: "KIND_SLOTS", slots: 1, doc: "The error the VM throws (and the base class programs may extend)." },
  { name: "CID_TTY", id: 12, fullName: ".internal.io.tty", kind: "KIND_SLOTS", slots: 0, doc: "Console output (static natives only)." },
  { name: "CID_TIME", id: 13, fullName: ".internal.time", kind: "KIND_SLOTS", slots: 0, doc: "Machine time and sleep (static natives only)." },
  { name: "CID_BOOT", id: 14, fullName: ".internal.boot", kind: "KIND_SLOTS", slots: 0, doc: "Holds the generated boot method each initial thread starts in." },
];
export interface ErrorInfo { name: string; code: number; message: string }
export const ERRORS: readonly ErrorInfo[] = [
  { name: "ERR_NULL_REFERENCE", code: 1, message: "NullReference" },
  { name: "ERR_INDEX", code: 2, message: "IndexOutOfRange" },
  { name: "ERR_DIVIDE_BY_ZERO", code: 3, message: "DivideByZero" },
  { name: "ERR_BAD_CAST", code: 4, message: "BadCast" },
  { name: "ERR_BAD_ARGUMENT", code: 5, message: "BadArgument" },
  { name: "ERR_STACK_OVERFLOW", code: 6, message: "StackOverflow" },
  { name: "ERR_OUT_OF_MEMORY", code: 7, message: "OutOfMemory" },
  { name: "ERR_BAD_FIELD", code: 8, message: "BadField" },
  { name: "ERR_NO_RUN", code: 9, message: "NoRunMethod" },
  { name: "ERR_ARRAY_STORE", code: 10, message: "ArrayStore" },
];

// ── store.def ──
/** Bytes per block; equals PAGE_SIZE. */
export const BLOCK_SIZE = 4096;
/** 'PHSB': superblock. */
export const SB_MAGIC = 0x42534850;
/** 'PHIX': index leaf (or the whole index of a store written before index roots). */
export const IX_MAGIC = 0x58494850;
/** 'PHIR': index root, listing the index leaves. */
export const IR_MAGIC = 0x52494850;
/** 'PHGN': generation record. */
export const GEN_MAGIC = 0x4e474850;
/** Superblock slot used by even sequence numbers. */
export const SB_BLOCK_A = 0;
/** Superblock slot used by odd sequence numbers. */
export const SB_BLOCK_B = 1;
/** A page-map entry with block 0 means an all-zero page (nothing stored). */
export const ZERO_BLOCK = 0;
/** Parent of generation 0. */
export const NO_GENERATION = 0xffffffff;
/** Most generations an index leaf lists. */
export const IX_MAX_ENTRIES = 255;
/** Fewest generations a writer leaves in a leaf that is not the last (so that IX_MAX_GENERATIONS fit). */
export const IX_MIN_ENTRIES = 128;
/** Most leaves an index root lists. */
export const IR_MAX_LEAVES = 254;
/** Most generations a store's index lists (readers refuse more; retention keeps at most this many). */
export const IX_MAX_GENERATIONS = 16384;
/** Page-map entries per map block (8 bytes each). */
export const PME_PER_BLOCK = 512;
/** Most map blocks a record lists: enough for 496 x 512 pages = 992 MiB. */
export const GEN_MAX_MAP_BLOCKS = 496;
/** SB field (4 bytes): SB_MAGIC */
export const SB_MAGIC_F = 0;
/** SB field (4 bytes): FORMAT_VERSION */
export const SB_VERSION = 4;
/** SB field (4 bytes): Sequence number, low word: the valid superblock with the highest sequence wins */
export const SB_SEQ_LO = 8;
/** SB field (4 bytes): Sequence number, high word */
export const SB_SEQ_HI = 12;
/** SB field (4 bytes): BLOCK_SIZE */
export const SB_BLOCK_SIZE = 16;
/** SB field (4 bytes): Blocks the store may use (the disk's size in blocks when it was formatted) */
export const SB_BLOCK_COUNT = 20;
/** SB field (4 bytes): SPACE_BASE */
export const SB_SPACE_BASE = 24;
/** SB field (4 bytes): Object-space size in bytes */
export const SB_SPACE_SIZE = 28;
/** SB field (4 bytes): Block of the current generation index */
export const SB_INDEX_BLOCK = 32;
/** SB field (4 bytes): CRC-32C of that index block (equals its IX_CRC) */
export const SB_INDEX_CRC = 36;
/** SB field (4 bytes): Number of the newest committed generation */
export const SB_NEWEST_GEN = 40;
/** SB field (4 bytes): 0 (reserved) */
export const SB_FLAGS = 44;
/** SB field (4 bytes): CRC-32C of the whole superblock block with this field 0 */
export const SB_CRC = 60;
/** IR field (4 bytes): IR_MAGIC */
export const IR_MAGIC_F = 0;
/** IR field (4 bytes): FORMAT_VERSION */
export const IR_VERSION = 4;
/** IR field (4 bytes): Number of leaves (1 .. IR_MAX_LEAVES), in the order of their entries */
export const IR_COUNT = 8;
/** IR field (4 bytes): CRC-32C of the block with this field 0 */
export const IR_CRC = 12;
/** IR field (4 bytes): Generations in all leaves together (1 .. IX_MAX_GENERATIONS) */
export const IR_TOTAL = 16;
/** IR field (0 bytes): IR_COUNT leaf references of 16 bytes */
export const IR_LEAVES = 32;
/** IRE field (4 bytes): Block of the leaf */
export const IRE_BLOCK = 0;
/** IRE field (4 bytes): The leaf's CRC-32C (equals its IX_CRC) */
export const IRE_CRC = 4;
/** IRE field (4 bytes): Entries in the leaf (equals its IX_COUNT) */
export const IRE_COUNT = 8;
/** IRE field (4 bytes): 0 */
export const IRE_RESERVED = 12;
/** IX field (4 bytes): IX_MAGIC */
export const IX_MAGIC_F = 0;
/** IX field (4 bytes): FORMAT_VERSION */
export const IX_VERSION = 4;
/** IX field (4 bytes): Number of entries (oldest first), 1 .. IX_MAX_ENTRIES */
export const IX_COUNT = 8;
/** IX field (4 bytes): CRC-32C of the block with this field 0 */
export const IX_CRC = 12;
/** IX field (0 bytes): IX_COUNT entries of 16 bytes */
export const IX_ENTRIES = 16;
/** IXE field (4 bytes): Generation number */
export const IXE_GEN = 0;
/** IXE field (4 bytes): Block of its generation record */
export const IXE_RECORD = 4;
/** IXE field (4 bytes): The record block's CRC-32C (equals its GEN_CRC) */
export const IXE_RECORD_CRC = 8;
/** IXE field (4 bytes): Parent generation (NO_GENERATION for 0), so branches can be drawn without reading records */
export const IXE_PARENT = 12;
/** GEN field (4 bytes): GEN_MAGIC */
export const GEN_MAGIC_F = 0;
/** GEN field (4 bytes): FORMAT_VERSION */
export const GEN_VERSION = 4;
/** GEN field (4 bytes): Generation number (0 for the image phc writes; then 1, 2, ... across branches) */
export const GEN_NUMBER = 8;
/** GEN field (4 bytes): Generation this one was snapshotted from or rolled back to; NO_GENERATION for 0 */
export const GEN_PARENT = 12;
/** GEN field (4 bytes): Wall-clock time of the commit, Unix seconds, low word */
export const GEN_WALL_LO = 16;
/** GEN field (4 bytes): high word */
export const GEN_WALL_HI = 20;
/** GEN field (4 bytes): Machine time (ROOT_CLOCK's clock) at the snapshot, ms, low word */
export const GEN_UPTIME_LO = 24;
/** GEN field (4 bytes): high word */
export const GEN_UPTIME_HI = 28;
/** GEN field (4 bytes): Stop-the-world pause of the snapshot, microseconds */
export const GEN_PAUSE_US = 32;
/** GEN field (4 bytes): Pages copied on write while the generation was written */
export const GEN_PAGES_COW = 36;
/** GEN field (4 bytes): Data pages written for this generation */
export const GEN_PAGES_WRITTEN = 40;
/** GEN field (4 bytes): Bytes written for this generation (pages, map blocks, record, index, superblock) */
export const GEN_BYTES_WRITTEN = 44;
/** GEN field (4 bytes): Time writing pages, microseconds */
export const GEN_WRITE_US = 48;
/** GEN field (4 bytes): Time from the last page written to the superblock written, microseconds */
export const GEN_COMMIT_US = 52;
/** GEN field (4 bytes): Object-space size in bytes */
export const GEN_SPACE_SIZE = 56;
/** GEN field (4 bytes): Number of map blocks = ceil(space pages / PME_PER_BLOCK) */
export const GEN_MAP_BLOCKS = 60;
/** GEN field (4 bytes): CRC-32C of the record block with this field 0 */
export const GEN_CRC = 64;
/** GEN field (0 bytes): GEN_MAP_BLOCKS entries of 8 bytes */
export const GEN_MAP = 128;
/** GME field (4 bytes): Block holding map block i (map blocks of unchanged ranges are shared with the parent) */
export const GME_BLOCK = 0;
/** GME field (4 bytes): CRC-32C of that map block */
export const GME_CRC = 4;
/** PME field (4 bytes): Block holding the page's contents, or ZERO_BLOCK */
export const PME_BLOCK = 0;
/** PME field (4 bytes): CRC-32C of the page's 4096 bytes (for ZERO_BLOCK: the CRC of 4096 zero bytes) */
export const PME_CRC = 4;
