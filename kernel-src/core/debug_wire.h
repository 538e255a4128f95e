/*
 * debug_wire.h — generated from lang/spec/debug.def by `npm run gen -w lang`; do not edit (a test
 * checks it is current). For every record of the spec: a struct; decode_RECORD, which checks a
 * whole payload (its length, every count and limit, every fixed field) and may fail; read_RECORD,
 * which reads one element of a checked payload and cannot fail; and for the records the kernel
 * writes, put_RECORD. Strings, lists and bytes point into the payload they were decoded from.
 */
#ifndef PHANTOM_DEBUG_WIRE_H
#define PHANTOM_DEBUG_WIRE_H

#include "wire.h"

/** First two bytes of every frame: 'P' 'D'. */
#define DBG_MAGIC 0x4450
/** Protocol version; HELLO tells both sides' versions, a mismatch gets ERROR BAD_VERSION. */
#define DBG_VERSION 1
/** Requests added to this version without changing any shape (1: RUN, 2: RESET, 3: the debugger's breakpoints, stops and steps, 4: SET_LOCAL, SET_FIELD, DIRTY_PAGES, NOW_PAGES and ROLLBACK, 5: STAGE_PAGE and BRANCH); HELLO reports it, a client checks it before sending a newer request. */
#define DBG_REVISION 5
/** Size of the frame header. */
#define DBG_HEADER_BYTES 16
/** Largest payload either side sends; longer frames get ERROR TOO_LARGE and are skipped. */
#define DBG_MAX_PAYLOAD 0x10000
/** Set in the type of a reply to the request type it answers. */
#define DBG_REPLY_BIT 128
/** Type of an error reply (payload: error_reply). */
#define DBG_ERROR_TYPE 255
/** Most objects one READ_OBJECTS or ENUMERATE request may name or return. */
#define DBG_MAX_BATCH 1024
/** Most frames THREADS reports per thread (innermost first). */
#define DBG_MAX_FRAMES 64
/** An unfinished frame whose bytes stop arriving for this long is dropped (ERROR BAD_FRAME); a sender never pauses inside a frame. */
#define DBG_FRAME_TIMEOUT_MS 2000
/** Bytes of a READ_PAGE reply: one object-space page (PAGE_SIZE). */
#define DBG_PAGE_BYTES 4096
/** The generation number READ_PAGE takes for the live object space. */
#define DBG_LIVE_GENERATION 0xFFFFFFFFu
/** Bit of the flags STATS, PAUSE and RESUME report: the world is paused. */
#define DBG_FLAG_PAUSED 1
/** READ_OBJECTS status: the object, all of its payload. */
#define DBG_OBJECT_OK 0
/** READ_OBJECTS status: the address is not the start of an object. */
#define DBG_OBJECT_NONE 1
/** READ_OBJECTS status: the payload did not fit; ask for that object alone. */
#define DBG_OBJECT_TRUNCATED 2
/** Most breakpoints a machine holds at once. */
#define DBG_MAX_BREAKPOINTS 64
/** Most threads that may be stopped or stepping at once. */
#define DBG_MAX_DEBUGGED 64
/** Longest logpoint message in bytes. */
#define DBG_MAX_LOG_MESSAGE 200
/** Breakpoint flag: a logpoint; a hit sends EV_LOGPOINT and the thread goes on. */
#define DBG_BP_LOG 1
/** Breakpoint condition: none; every hit counts. */
#define DBG_COND_NONE 0
/** Breakpoint condition: local == value. */
#define DBG_COND_EQ 1
/** Breakpoint condition: local != value. */
#define DBG_COND_NE 2
/** Breakpoint condition: local < value. */
#define DBG_COND_LT 3
/** Breakpoint condition: local <= value. */
#define DBG_COND_LE 4
/** Breakpoint condition: local > value. */
#define DBG_COND_GT 5
/** Breakpoint condition: local >= value (a reference or null local never satisfies an ordering). */
#define DBG_COND_GE 6
/** STEP kind: one instruction, into a call if it is one. */
#define DBG_STEP_INSTRUCTION 0
/** STEP kind: to the next source line, into calls. */
#define DBG_STEP_INTO 1
/** STEP kind: to the next source line of this frame or its callers. */
#define DBG_STEP_OVER 2
/** STEP kind: until this frame has returned. */
#define DBG_STEP_OUT 3
/** EV_STOPPED reason: a breakpoint. */
#define DBG_STOP_BREAKPOINT 1
/** EV_STOPPED reason: a STEP ended. */
#define DBG_STOP_STEP 2
/** EV_STOPPED reason: PAUSE_THREAD. */
#define DBG_STOP_PAUSE 3
/** EV_STOPPED reason: an error was thrown (before any handler runs). */
#define DBG_STOP_EXCEPTION 4
/** EXCEPTION_STOPS mode: never stop for a throw. */
#define DBG_EXCEPTIONS_NONE 0
/** EXCEPTION_STOPS mode: stop where an error no handler catches is thrown. */
#define DBG_EXCEPTIONS_UNCAUGHT 1
/** EXCEPTION_STOPS mode: stop at every throw. */
#define DBG_EXCEPTIONS_ALL 2
/** A typed value's kind: a small integer. */
#define DBG_VALUE_INT 0
/** A typed value's kind: a reference (0: null). */
#define DBG_VALUE_REF 1
/** Most bytes of a DIRTY_PAGES bitmap: one bit for each page of the largest space (SPACE_SIZE_MAX / PAGE_SIZE / 8). */
#define DBG_MAX_DIRTY_BITMAP 16384
/** Most pages a NOW_PAGES reply carries (15 pages and their numbers fit in DBG_MAX_PAYLOAD). */
#define DBG_MAX_NOW_PAGES 15
/** Frame header field at this offset (2 bytes): DBG_MAGIC */
#define DF_MAGIC 0
/** Frame header field at this offset (1 bytes): DBG_VERSION */
#define DF_VERSION 2
/** Frame header field at this offset (1 bytes): message type */
#define DF_TYPE 3
/** Frame header field at this offset (4 bytes): request id, echoed by the reply; 0 in events */
#define DF_ID 4
/** Frame header field at this offset (4 bytes): payload bytes (<= DBG_MAX_PAYLOAD) */
#define DF_LENGTH 8
/** Frame header field at this offset (4 bytes): CRC-32C of header (this field 0) and payload */
#define DF_CRC 12
/** The frame's CRC or header is wrong, or it stopped arriving before its end (reply id is the frame's id when it could be read, else 0). */
#define DE_BAD_FRAME 1
/** The frame's protocol version is not DBG_VERSION. */
#define DE_BAD_VERSION 2
/** Unknown request type. */
#define DE_UNKNOWN 3
/** The payload does not have the request's shape (length, counts, reserved fields). */
#define DE_BAD_REQUEST 4
/** Payload longer than DBG_MAX_PAYLOAD; skipped. */
#define DE_TOO_LARGE 5
/** No such generation or object. */
#define DE_NOT_FOUND 6
/** The request cannot run now (e.g. a snapshot is being written); try again. */
#define DE_BUSY 7
/** The operation failed (message says why). */
#define DE_FAILED 8
/** Handshake; the first request after RESET. */
#define DBG_HELLO 0x01
/** Machine statistics. */
#define DBG_STATS 0x02
/** The root object and the heads the inspector starts from. */
#define DBG_ROOTS 0x03
/** Every thread with its frames, innermost first (at most DBG_MAX_FRAMES each). */
#define DBG_THREADS 0x04
/** Header and payload of each object. Fewer objects than asked when the reply is full; the client asks again for the rest. */
#define DBG_READ_OBJECTS 0x05
/** Objects at or after start (address order), of the class or of all classes when class is 0. */
#define DBG_ENUMERATE 0x06
/** Every class object (internal and program classes). */
#define DBG_CLASSES 0x07
/** The kept generations, oldest first, and the one the machine runs on. */
#define DBG_GENERATIONS 0x08
/** READ_OBJECTS as of a committed generation (read from the store). */
#define DBG_READ_OBJECTS_AT 0x09
/** Take a snapshot now; the reply comes when it is committed. */
#define DBG_SNAPSHOT_NOW 0x0A
/** Stop running threads (the agent keeps serving). */
#define DBG_PAUSE 0x0B
/** Let threads run again. */
#define DBG_RESUME 0x0C
/** Install or replace a class: the chunks carry one class blob (class_blob.def); the reply to the last chunk names the class object. Running frames keep their code; new calls use the new methods. */
#define DBG_INSTALL_CLASS 0x0D
/** One object-space page, live (generation DBG_LIVE_GENERATION: pause first for a consistent set) or as of a committed generation. */
#define DBG_READ_PAGE 0x0E
/** Start a new thread doing `new class().method()` (method empty: run), or class.method() for a static method; no arguments. The reply names the thread; EV_THREAD_END tells when it ends. */
#define DBG_RUN 0x0F
/** Start the channel afresh; a client's first request. A RESET frame (no payload) ends any unfinished frame it arrives inside, so no payload may contain one. */
#define DBG_RESET 0x10
/** Set a breakpoint (or logpoint) before the instruction at pc of a bytecode method; it is part of the machine's state. */
#define DBG_SET_BREAKPOINT 0x11
/** Remove a breakpoint. */
#define DBG_CLEAR_BREAKPOINT 0x12
/** Every breakpoint, with its hits. */
#define DBG_LIST_BREAKPOINTS 0x13
/** Stop a thread (0: every live thread) where it is, between two instructions; EV_STOPPED for each. */
#define DBG_PAUSE_THREAD 0x14
/** Let a stopped thread (0: every stopped thread) run on; EV_CONTINUED tells it. */
#define DBG_CONTINUE_THREAD 0x15
/** Let a stopped thread run one step (DBG_STEP_*); EV_STOPPED (reason DBG_STOP_STEP) when it is done. */
#define DBG_STEP 0x16
/** Frame N (0: innermost) of a stopped thread: method, pc, line, locals (arguments and this first) and operand stack as typed values. */
#define DBG_FRAME 0x17
/** When a throw stops its thread (DBG_EXCEPTIONS_*); part of the machine's state. */
#define DBG_EXCEPTION_STOPS 0x18
/** Every thread the debugger holds stopped (as EV_STOPPED told it), and the exception mode: what a client that connects later, or after a restart, needs. */
#define DBG_STOPPED 0x19
/** Write a local of frame N of a stopped thread (not this), when the value is of a kind the slot may hold. */
#define DBG_SET_LOCAL 0x1A
/** Write a field of a program object, or an element of a program's array, when the value is one it may hold; a system object's fields are read-only. */
#define DBG_SET_FIELD 0x1B
/** The pages that may differ from the committed generation the machine runs on: with the world paused, that generation (from the store disk) with these pages read live is the machine now. */
#define DBG_DIRTY_PAGES 0x20
/** DIRTY_PAGES and those pages' live bytes, all read at one safe point (no PAUSE needed) when there are at most DBG_MAX_NOW_PAGES; else none of them, and the client pauses and reads them itself. */
#define DBG_NOW_PAGES 0x21
/** Roll the running machine back to a kept generation without restarting it: the threads stop, the live space is dropped (with any generation still being written), the generation is mounted by the mount rule (a damaged one falls back to its parent, as at boot) and the threads resume from it. The next commit names the mounted generation as its parent, as after a boot with gen=N. */
#define DBG_ROLLBACK 0x28
/** Stage one page of an object space for BRANCH, in kernel memory beside the space (which it does not touch); first = 1 drops every page staged before. The reply counts the pages staged. */
#define DBG_STAGE_PAGE 0x29
/** Continue the running machine from a space: roll back in place to kept generation parent (as ROLLBACK), put the staged pages over it, check the space as a boot does, and commit it at once as a new generation whose parent is parent: a new branch. The staged pages are dropped either way. A space the check refuses gets FAILED and the machine goes back to the generation it ran on before, as a ROLLBACK to it. */
#define DBG_BRANCH 0x2A
/** A generation was committed. */
#define EV_GENERATION 0xC1
/** A thread ended (returned or failed). */
#define EV_THREAD_END 0xC2
/** A thread stopped (breakpoint, step, pause or throw); it stays stopped, across snapshots and restarts, until CONTINUE_THREAD or STEP. */
#define EV_STOPPED 0xC3
/** A stopped thread runs again. */
#define EV_CONTINUED 0xC4
/** A logpoint was hit; the thread went on. */
#define EV_LOGPOINT 0xC5

/** Bytes of error_reply with its lists, strings and bytes empty. */
#define ERROR_REPLY_FIXED_BYTES 4u
/** Bytes of hello_request with its lists, strings and bytes empty (its size: it has none). */
#define HELLO_REQUEST_FIXED_BYTES 2u
/** Bytes of hello_reply with its lists, strings and bytes empty. */
#define HELLO_REPLY_FIXED_BYTES 22u
/** Bytes of stats_reply with its lists, strings and bytes empty (its size: it has none). */
#define STATS_REPLY_FIXED_BYTES 52u
/** Bytes of roots_reply with its lists, strings and bytes empty (its size: it has none). */
#define ROOTS_REPLY_FIXED_BYTES 16u
/** Bytes of threads_reply with its lists, strings and bytes empty. */
#define THREADS_REPLY_FIXED_BYTES 4u
/** Bytes of thread_entry with its lists, strings and bytes empty. */
#define THREAD_ENTRY_FIXED_BYTES 16u
/** Bytes of frame_entry with its lists, strings and bytes empty (its size: it has none). */
#define FRAME_ENTRY_FIXED_BYTES 12u
/** Bytes of read_objects_request with its lists, strings and bytes empty. */
#define READ_OBJECTS_REQUEST_FIXED_BYTES 4u
/** Bytes of read_objects_at_request with its lists, strings and bytes empty. */
#define READ_OBJECTS_AT_REQUEST_FIXED_BYTES 8u
/** Bytes of objects_reply with its lists, strings and bytes empty. */
#define OBJECTS_REPLY_FIXED_BYTES 4u
/** Bytes of object_entry with its lists, strings and bytes empty. */
#define OBJECT_ENTRY_FIXED_BYTES 24u
/** Bytes of enumerate_request with its lists, strings and bytes empty (its size: it has none). */
#define ENUMERATE_REQUEST_FIXED_BYTES 12u
/** Bytes of enumerate_reply with its lists, strings and bytes empty. */
#define ENUMERATE_REPLY_FIXED_BYTES 8u
/** Bytes of classes_reply with its lists, strings and bytes empty. */
#define CLASSES_REPLY_FIXED_BYTES 4u
/** Bytes of generations_reply with its lists, strings and bytes empty. */
#define GENERATIONS_REPLY_FIXED_BYTES 8u
/** Bytes of generation with its lists, strings and bytes empty (its size: it has none). */
#define GENERATION_FIXED_BYTES 48u
/** Bytes of snapshot_reply with its lists, strings and bytes empty (its size: it has none). */
#define SNAPSHOT_REPLY_FIXED_BYTES 4u
/** Bytes of rollback_request with its lists, strings and bytes empty (its size: it has none). */
#define ROLLBACK_REQUEST_FIXED_BYTES 4u
/** Bytes of rollback_reply with its lists, strings and bytes empty (its size: it has none). */
#define ROLLBACK_REPLY_FIXED_BYTES 24u
/** Bytes of stage_page_request with its lists, strings and bytes empty (its size: it has none). */
#define STAGE_PAGE_REQUEST_FIXED_BYTES 4104u
/** Bytes of stage_page_reply with its lists, strings and bytes empty (its size: it has none). */
#define STAGE_PAGE_REPLY_FIXED_BYTES 4u
/** Bytes of branch_request with its lists, strings and bytes empty (its size: it has none). */
#define BRANCH_REQUEST_FIXED_BYTES 4u
/** Bytes of branch_reply with its lists, strings and bytes empty (its size: it has none). */
#define BRANCH_REPLY_FIXED_BYTES 16u
/** Bytes of flags_reply with its lists, strings and bytes empty (its size: it has none). */
#define FLAGS_REPLY_FIXED_BYTES 4u
/** Bytes of install_class_request with its lists, strings and bytes empty. */
#define INSTALL_CLASS_REQUEST_FIXED_BYTES 8u
/** Bytes of install_class_reply with its lists, strings and bytes empty (its size: it has none). */
#define INSTALL_CLASS_REPLY_FIXED_BYTES 8u
/** Bytes of read_page_request with its lists, strings and bytes empty (its size: it has none). */
#define READ_PAGE_REQUEST_FIXED_BYTES 8u
/** Bytes of read_page_reply with its lists, strings and bytes empty (its size: it has none). */
#define READ_PAGE_REPLY_FIXED_BYTES 4096u
/** Bytes of run_request with its lists, strings and bytes empty. */
#define RUN_REQUEST_FIXED_BYTES 4u
/** Bytes of run_reply with its lists, strings and bytes empty (its size: it has none). */
#define RUN_REPLY_FIXED_BYTES 8u
/** Bytes of reset_reply with its lists, strings and bytes empty (its size: it has none). */
#define RESET_REPLY_FIXED_BYTES 4u
/** Bytes of thread_end_event with its lists, strings and bytes empty (its size: it has none). */
#define THREAD_END_EVENT_FIXED_BYTES 9u
/** Bytes of set_breakpoint_request with its lists, strings and bytes empty. */
#define SET_BREAKPOINT_REQUEST_FIXED_BYTES 22u
/** Bytes of breakpoint_reply with its lists, strings and bytes empty (its size: it has none). */
#define BREAKPOINT_REPLY_FIXED_BYTES 4u
/** Bytes of breakpoint_request with its lists, strings and bytes empty (its size: it has none). */
#define BREAKPOINT_REQUEST_FIXED_BYTES 4u
/** Bytes of breakpoints_reply with its lists, strings and bytes empty. */
#define BREAKPOINTS_REPLY_FIXED_BYTES 4u
/** Bytes of breakpoint_entry with its lists, strings and bytes empty. */
#define BREAKPOINT_ENTRY_FIXED_BYTES 30u
/** Bytes of thread_request with its lists, strings and bytes empty (its size: it has none). */
#define THREAD_REQUEST_FIXED_BYTES 4u
/** Bytes of step_request with its lists, strings and bytes empty (its size: it has none). */
#define STEP_REQUEST_FIXED_BYTES 8u
/** Bytes of frame_request with its lists, strings and bytes empty (its size: it has none). */
#define FRAME_REQUEST_FIXED_BYTES 8u
/** Bytes of frame_reply with its lists, strings and bytes empty. */
#define FRAME_REPLY_FIXED_BYTES 22u
/** Bytes of value_entry with its lists, strings and bytes empty (its size: it has none). */
#define VALUE_ENTRY_FIXED_BYTES 8u
/** Bytes of exception_stops_request with its lists, strings and bytes empty (its size: it has none). */
#define EXCEPTION_STOPS_REQUEST_FIXED_BYTES 1u
/** Bytes of stopped_reply with its lists, strings and bytes empty. */
#define STOPPED_REPLY_FIXED_BYTES 4u
/** Bytes of stopped_event with its lists, strings and bytes empty (its size: it has none). */
#define STOPPED_EVENT_FIXED_BYTES 32u
/** Bytes of set_local_request with its lists, strings and bytes empty (its size: it has none). */
#define SET_LOCAL_REQUEST_FIXED_BYTES 16u
/** Bytes of set_field_request with its lists, strings and bytes empty (its size: it has none). */
#define SET_FIELD_REQUEST_FIXED_BYTES 16u
/** Bytes of continued_event with its lists, strings and bytes empty (its size: it has none). */
#define CONTINUED_EVENT_FIXED_BYTES 8u
/** Bytes of dirty_pages_reply with its lists, strings and bytes empty. */
#define DIRTY_PAGES_REPLY_FIXED_BYTES 12u
/** Bytes of now_pages_reply with its lists, strings and bytes empty. */
#define NOW_PAGES_REPLY_FIXED_BYTES 16u
/** Bytes of now_page with its lists, strings and bytes empty (its size: it has none). */
#define NOW_PAGE_FIXED_BYTES 4100u
/** Bytes of logpoint_event with its lists, strings and bytes empty. */
#define LOGPOINT_EVENT_FIXED_BYTES 18u

/** The payload of an ERROR reply (type DBG_ERROR_TYPE). */
struct error_reply {
  uint16_t code; /**< A DE_* code. */
  struct wire_bytes message; /**< What went wrong, for people. */
};
/** Checks that [p, p + len) is one error_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_error_reply(const uint8_t *p, uint32_t len, struct error_reply *out);
/** Reads the error_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_error_reply(const uint8_t *at, const uint8_t *end, struct error_reply *v);
/** Writes *v. */
void put_error_reply(struct wire_out *o, const struct error_reply *v);

/** HELLO's request. */
struct hello_request {
  uint16_t client_version; /**< The client's DBG_VERSION. */
};
/** Checks that [p, p + len) is one hello_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_hello_request(const uint8_t *p, uint32_t len, struct hello_request *out);
/** Reads the hello_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_hello_request(const uint8_t *at, const uint8_t *end, struct hello_request *v);
/** Writes *v. */
void put_hello_request(struct wire_out *o, const struct hello_request *v);

/** HELLO's reply: the kernel and its object space. */
struct hello_reply {
  uint16_t protocol_version; /**< The kernel's DBG_VERSION. */
  uint16_t revision; /**< The kernel's DBG_REVISION (0 for kernels from before revisions). */
  uint32_t format_version; /**< FORMAT_VERSION of the object space and the store. */
  uint32_t space_base; /**< SPACE_BASE. */
  uint32_t space_size; /**< Size of the object space in bytes. */
  uint32_t max_payload; /**< DBG_MAX_PAYLOAD. */
  struct wire_bytes kernel; /**< The kernel's name and version. */
};
/** Checks that [p, p + len) is one hello_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_hello_reply(const uint8_t *p, uint32_t len, struct hello_reply *out);
/** Reads the hello_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_hello_reply(const uint8_t *at, const uint8_t *end, struct hello_reply *v);
/** Writes *v. */
void put_hello_reply(struct wire_out *o, const struct hello_reply *v);

/** STATS's reply. */
struct stats_reply {
  uint64_t uptime_ms; /**< Milliseconds since this boot. */
  uint64_t machine_ms; /**< The persistent machine clock: milliseconds the machine has run over all its boots. */
  uint32_t objects; /**< Objects in the space. */
  uint32_t live_bytes; /**< Bytes those objects take. */
  uint32_t space_top; /**< Address of the first byte never allocated. */
  uint32_t generation; /**< The generation the machine runs on. */
  uint32_t threads; /**< Threads not ended. */
  uint32_t gc_runs; /**< Collections since boot. */
  uint32_t gc_pause_us; /**< The last collection's pause. */
  uint32_t snapshots; /**< Snapshots committed since boot. */
  uint32_t flags; /**< DBG_FLAG_PAUSED. */
};
/** Checks that [p, p + len) is one stats_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_stats_reply(const uint8_t *p, uint32_t len, struct stats_reply *out);
/** Reads the stats_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_stats_reply(const uint8_t *at, const uint8_t *end, struct stats_reply *v);
/** Writes *v. */
void put_stats_reply(struct wire_out *o, const struct stats_reply *v);

/** ROOTS's reply; 0 for a head the space lacks. */
struct roots_reply {
  uint32_t root; /**< The root object. */
  uint32_t directory; /**< The root directory. */
  uint32_t threads; /**< The first thread of the thread list. */
  uint32_t classes; /**< The array of internal classes. */
};
/** Checks that [p, p + len) is one roots_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_roots_reply(const uint8_t *p, uint32_t len, struct roots_reply *out);
/** Reads the roots_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_roots_reply(const uint8_t *at, const uint8_t *end, struct roots_reply *v);
/** Writes *v. */
void put_roots_reply(struct wire_out *o, const struct roots_reply *v);

/** THREADS's reply; as many threads as fit. */
struct threads_reply {
  struct wire_list threads; /**< Every thread, in list order. (struct thread_entry elements) */
};
/** Checks that [p, p + len) is one threads_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_threads_reply(const uint8_t *p, uint32_t len, struct threads_reply *out);
/** Reads the threads_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_threads_reply(const uint8_t *at, const uint8_t *end, struct threads_reply *v);
/** Writes *v up to its list; the caller then writes v->threads.count elements. */
void put_threads_reply(struct wire_out *o, const struct threads_reply *v);

/** One thread in a THREADS reply. */
struct thread_entry {
  uint32_t thread; /**< The thread object. */
  uint32_t id; /**< Its id. */
  uint8_t state; /**< A TS_* state. */
  uint32_t wake_at; /**< Machine time a sleeping thread wakes at. */
  struct wire_list frames; /**< Its frames, innermost first. (struct frame_entry elements) */
};
/** Checks that [p, p + len) is one thread_entry and nothing else, then fills *out; returns 0 or why not. */
const char *decode_thread_entry(const uint8_t *p, uint32_t len, struct thread_entry *out);
/** Reads the thread_entry at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_thread_entry(const uint8_t *at, const uint8_t *end, struct thread_entry *v);
/** Writes *v up to its list; the caller then writes v->frames.count elements. */
void put_thread_entry(struct wire_out *o, const struct thread_entry *v);

/** One frame of a thread. */
struct frame_entry {
  uint32_t frame; /**< The frame object. */
  uint32_t method; /**< Its method. */
  uint32_t pc; /**< Its pc. */
};
/** Checks that [p, p + len) is one frame_entry and nothing else, then fills *out; returns 0 or why not. */
const char *decode_frame_entry(const uint8_t *p, uint32_t len, struct frame_entry *out);
/** Reads the frame_entry at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_frame_entry(const uint8_t *at, const uint8_t *end, struct frame_entry *v);
/** Writes *v. */
void put_frame_entry(struct wire_out *o, const struct frame_entry *v);

/** READ_OBJECTS's request. */
struct read_objects_request {
  struct wire_list objects; /**< Their addresses. (ref elements) */
};
/** Checks that [p, p + len) is one read_objects_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_read_objects_request(const uint8_t *p, uint32_t len, struct read_objects_request *out);
/** Reads the read_objects_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_read_objects_request(const uint8_t *at, const uint8_t *end, struct read_objects_request *v);
/** Writes *v up to its list; the caller then writes v->objects.count elements. */
void put_read_objects_request(struct wire_out *o, const struct read_objects_request *v);

/** READ_OBJECTS_AT's request. */
struct read_objects_at_request {
  uint32_t generation; /**< A committed generation. */
  struct wire_list objects; /**< Their addresses. (ref elements) */
};
/** Checks that [p, p + len) is one read_objects_at_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_read_objects_at_request(const uint8_t *p, uint32_t len, struct read_objects_at_request *out);
/** Reads the read_objects_at_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_read_objects_at_request(const uint8_t *at, const uint8_t *end, struct read_objects_at_request *v);
/** Writes *v up to its list; the caller then writes v->objects.count elements. */
void put_read_objects_at_request(struct wire_out *o, const struct read_objects_at_request *v);

/** The reply to READ_OBJECTS and READ_OBJECTS_AT: the objects asked for, in order, as many as fit. */
struct objects_reply {
  struct wire_list objects; /**< (struct object_entry elements) */
};
/** Checks that [p, p + len) is one objects_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_objects_reply(const uint8_t *p, uint32_t len, struct objects_reply *out);
/** Reads the objects_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_objects_reply(const uint8_t *at, const uint8_t *end, struct objects_reply *v);
/** Writes *v up to its list; the caller then writes v->objects.count elements. */
void put_objects_reply(struct wire_out *o, const struct objects_reply *v);

/** One object in a READ_OBJECTS reply; all zero but object and status when status is DBG_OBJECT_NONE. */
struct object_entry {
  uint32_t object; /**< The address asked for. */
  uint8_t status; /**< DBG_OBJECT_OK, DBG_OBJECT_NONE or DBG_OBJECT_TRUNCATED. */
  uint32_t class_word; /**< Its header's class word (the class's address + 1). */
  uint32_t size; /**< Its payload's size. */
  uint32_t flags; /**< Its header's flags. */
  struct wire_bytes bytes; /**< The payload. */
};
/** Checks that [p, p + len) is one object_entry and nothing else, then fills *out; returns 0 or why not. */
const char *decode_object_entry(const uint8_t *p, uint32_t len, struct object_entry *out);
/** Reads the object_entry at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_object_entry(const uint8_t *at, const uint8_t *end, struct object_entry *v);
/** Writes *v; bytes.p 0 writes zeros instead. Returns where bytes went, 0 when o is full. */
uint8_t *put_object_entry(struct wire_out *o, const struct object_entry *v);

/** ENUMERATE's request. */
struct enumerate_request {
  uint32_t start; /**< Where to start (0: the first object). */
  uint32_t class; /**< Only objects of this class (0: of every class). */
  uint16_t max; /**< Most objects to return (more than DBG_MAX_BATCH counts as DBG_MAX_BATCH). */
};
/** Checks that [p, p + len) is one enumerate_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_enumerate_request(const uint8_t *p, uint32_t len, struct enumerate_request *out);
/** Reads the enumerate_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_enumerate_request(const uint8_t *at, const uint8_t *end, struct enumerate_request *v);
/** Writes *v. */
void put_enumerate_request(struct wire_out *o, const struct enumerate_request *v);

/** ENUMERATE's reply. */
struct enumerate_reply {
  uint32_t next; /**< Where to continue, 0 at the end. */
  struct wire_list objects; /**< (ref elements) */
};
/** Checks that [p, p + len) is one enumerate_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_enumerate_reply(const uint8_t *p, uint32_t len, struct enumerate_reply *out);
/** Reads the enumerate_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_enumerate_reply(const uint8_t *at, const uint8_t *end, struct enumerate_reply *v);
/** Writes *v up to its list; the caller then writes v->objects.count elements. */
void put_enumerate_reply(struct wire_out *o, const struct enumerate_reply *v);

/** CLASSES's reply. */
struct classes_reply {
  struct wire_list classes; /**< (ref elements) */
};
/** Checks that [p, p + len) is one classes_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_classes_reply(const uint8_t *p, uint32_t len, struct classes_reply *out);
/** Reads the classes_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_classes_reply(const uint8_t *at, const uint8_t *end, struct classes_reply *v);
/** Writes *v up to its list; the caller then writes v->classes.count elements. */
void put_classes_reply(struct wire_out *o, const struct classes_reply *v);

/** GENERATIONS's reply. */
struct generations_reply {
  uint32_t current; /**< The generation the machine runs on. */
  struct wire_list generations; /**< (struct generation elements) */
};
/** Checks that [p, p + len) is one generations_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_generations_reply(const uint8_t *p, uint32_t len, struct generations_reply *out);
/** Reads the generations_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_generations_reply(const uint8_t *at, const uint8_t *end, struct generations_reply *v);
/** Writes *v up to its list; the caller then writes v->generations.count elements. */
void put_generations_reply(struct wire_out *o, const struct generations_reply *v);

/** One kept generation, in GENERATIONS and EV_GENERATION. */
struct generation {
  uint32_t number; /**< Its number. */
  uint32_t parent; /**< The generation it followed (NO_GENERATION for generation 0). */
  uint64_t wall_seconds; /**< Wall-clock time of its commit. */
  uint64_t machine_ms; /**< Machine time of its freeze. */
  uint32_t pause_us; /**< How long the threads stopped for its freeze. */
  uint32_t pages_cow; /**< Pages copied on write while it was written. */
  uint32_t pages_written; /**< Pages written to the store. */
  uint32_t bytes_written; /**< Bytes written to the store. */
  uint32_t write_us; /**< Time spent writing its pages. */
  uint32_t commit_us; /**< Time its commit took. */
};
/** Checks that [p, p + len) is one generation and nothing else, then fills *out; returns 0 or why not. */
const char *decode_generation(const uint8_t *p, uint32_t len, struct generation *out);
/** Reads the generation at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_generation(const uint8_t *at, const uint8_t *end, struct generation *v);
/** Writes *v. */
void put_generation(struct wire_out *o, const struct generation *v);

/** SNAPSHOT_NOW's reply. */
struct snapshot_reply {
  uint32_t generation; /**< The generation committed. */
};
/** Checks that [p, p + len) is one snapshot_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_snapshot_reply(const uint8_t *p, uint32_t len, struct snapshot_reply *out);
/** Reads the snapshot_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_snapshot_reply(const uint8_t *at, const uint8_t *end, struct snapshot_reply *v);
/** Writes *v. */
void put_snapshot_reply(struct wire_out *o, const struct snapshot_reply *v);

/** ROLLBACK's request. */
struct rollback_request {
  uint32_t generation; /**< The kept generation to go back to. */
};
/** Checks that [p, p + len) is one rollback_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_rollback_request(const uint8_t *p, uint32_t len, struct rollback_request *out);
/** Reads the rollback_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_rollback_request(const uint8_t *at, const uint8_t *end, struct rollback_request *v);
/** Writes *v. */
void put_rollback_request(struct wire_out *o, const struct rollback_request *v);

/** ROLLBACK's reply, sent once the machine runs on the mounted generation. */
struct rollback_reply {
  uint32_t generation; /**< The generation mounted: the one asked for, or the one the mount fell back to when it was damaged. */
  uint32_t previous; /**< The generation the machine ran on before. */
  uint32_t abandoned; /**< Pages of a generation that was being written and was dropped with the live space (0: none was). */
  uint32_t pages_kept; /**< Pages of the mounted generation taken from memory (their block unchanged) instead of read from the disk. */
  uint32_t pages_read; /**< Pages of the generation read from the disk and checked before threads resumed (the mount is lazy: the rest are read when first touched). */
  uint32_t micros; /**< Time from the request to the threads resuming, kernel clock. */
};
/** Checks that [p, p + len) is one rollback_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_rollback_reply(const uint8_t *p, uint32_t len, struct rollback_reply *out);
/** Reads the rollback_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_rollback_reply(const uint8_t *at, const uint8_t *end, struct rollback_reply *v);
/** Writes *v. */
void put_rollback_reply(struct wire_out *o, const struct rollback_reply *v);

/** STAGE_PAGE's request. */
struct stage_page_request {
  uint32_t first; /**< 1: drop every page staged before this one. */
  uint32_t page; /**< Page number inside the space. */
  struct wire_bytes bytes; /**< The page's bytes. */
};
/** Checks that [p, p + len) is one stage_page_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_stage_page_request(const uint8_t *p, uint32_t len, struct stage_page_request *out);
/** Reads the stage_page_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_stage_page_request(const uint8_t *at, const uint8_t *end, struct stage_page_request *v);
/** Writes *v; bytes.p 0 writes zeros instead. Returns where bytes went, 0 when o is full. */
uint8_t *put_stage_page_request(struct wire_out *o, const struct stage_page_request *v);

/** STAGE_PAGE's reply. */
struct stage_page_reply {
  uint32_t staged; /**< Pages staged now (a page staged twice counts once). */
};
/** Checks that [p, p + len) is one stage_page_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_stage_page_reply(const uint8_t *p, uint32_t len, struct stage_page_reply *out);
/** Reads the stage_page_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_stage_page_reply(const uint8_t *at, const uint8_t *end, struct stage_page_reply *v);
/** Writes *v. */
void put_stage_page_reply(struct wire_out *o, const struct stage_page_reply *v);

/** BRANCH's request. */
struct branch_request {
  uint32_t parent; /**< The kept generation the staged pages go over. */
};
/** Checks that [p, p + len) is one branch_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_branch_request(const uint8_t *p, uint32_t len, struct branch_request *out);
/** Reads the branch_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_branch_request(const uint8_t *at, const uint8_t *end, struct branch_request *v);
/** Writes *v. */
void put_branch_request(struct wire_out *o, const struct branch_request *v);

/** BRANCH's reply, sent once the machine runs on the new generation. */
struct branch_reply {
  uint32_t generation; /**< The generation committed: the space, on a new branch. */
  uint32_t previous; /**< The generation the machine ran on before. */
  uint32_t pages; /**< Staged pages put over the parent. */
  uint32_t micros; /**< Time from the request to the threads resuming, kernel clock. */
};
/** Checks that [p, p + len) is one branch_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_branch_reply(const uint8_t *p, uint32_t len, struct branch_reply *out);
/** Reads the branch_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_branch_reply(const uint8_t *at, const uint8_t *end, struct branch_reply *v);
/** Writes *v. */
void put_branch_reply(struct wire_out *o, const struct branch_reply *v);

/** PAUSE's and RESUME's reply. */
struct flags_reply {
  uint32_t flags; /**< DBG_FLAG_PAUSED. */
};
/** Checks that [p, p + len) is one flags_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_flags_reply(const uint8_t *p, uint32_t len, struct flags_reply *out);
/** Reads the flags_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_flags_reply(const uint8_t *at, const uint8_t *end, struct flags_reply *v);
/** Writes *v. */
void put_flags_reply(struct wire_out *o, const struct flags_reply *v);

/** INSTALL_CLASS's request: one chunk of a class blob; offset 0 starts a new blob, every later chunk starts where the previous ended. */
struct install_class_request {
  uint32_t total; /**< The blob's size (at most CLASS_BLOB_MAX). */
  uint32_t offset; /**< Where this chunk starts in the blob. */
  struct wire_bytes chunk; /**< The chunk's bytes. */
};
/** Checks that [p, p + len) is one install_class_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_install_class_request(const uint8_t *p, uint32_t len, struct install_class_request *out);
/** Reads the install_class_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_install_class_request(const uint8_t *at, const uint8_t *end, struct install_class_request *v);
/** Writes *v; chunk.p 0 writes zeros instead. Returns where chunk went, 0 when o is full. */
uint8_t *put_install_class_request(struct wire_out *o, const struct install_class_request *v);

/** INSTALL_CLASS's reply. */
struct install_class_reply {
  uint32_t received; /**< Bytes of the blob the kernel holds. */
  uint32_t class; /**< The class object once the last chunk is installed, 0 before. */
};
/** Checks that [p, p + len) is one install_class_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_install_class_reply(const uint8_t *p, uint32_t len, struct install_class_reply *out);
/** Reads the install_class_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_install_class_reply(const uint8_t *at, const uint8_t *end, struct install_class_reply *v);
/** Writes *v. */
void put_install_class_reply(struct wire_out *o, const struct install_class_reply *v);

/** READ_PAGE's request. */
struct read_page_request {
  uint32_t generation; /**< A committed generation, or DBG_LIVE_GENERATION. */
  uint32_t page; /**< Page number inside the space. */
};
/** Checks that [p, p + len) is one read_page_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_read_page_request(const uint8_t *p, uint32_t len, struct read_page_request *out);
/** Reads the read_page_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_read_page_request(const uint8_t *at, const uint8_t *end, struct read_page_request *v);
/** Writes *v. */
void put_read_page_request(struct wire_out *o, const struct read_page_request *v);

/** READ_PAGE's reply. */
struct read_page_reply {
  struct wire_bytes bytes; /**< The page. */
};
/** Checks that [p, p + len) is one read_page_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_read_page_reply(const uint8_t *p, uint32_t len, struct read_page_reply *out);
/** Reads the read_page_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_read_page_reply(const uint8_t *at, const uint8_t *end, struct read_page_reply *v);
/** Writes *v; bytes.p 0 writes zeros instead. Returns where bytes went, 0 when o is full. */
uint8_t *put_read_page_reply(struct wire_out *o, const struct read_page_reply *v);

/** RUN's request. */
struct run_request {
  struct wire_bytes class_name; /**< Full name of a program class. */
  struct wire_bytes method; /**< A method without arguments; empty means run. */
};
/** Checks that [p, p + len) is one run_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_run_request(const uint8_t *p, uint32_t len, struct run_request *out);
/** Reads the run_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_run_request(const uint8_t *at, const uint8_t *end, struct run_request *v);
/** Writes *v. */
void put_run_request(struct wire_out *o, const struct run_request *v);

/** RUN's reply. */
struct run_reply {
  uint32_t thread; /**< The new thread object. */
  uint32_t id; /**< Its id, as THREADS and EV_THREAD_END give it. */
};
/** Checks that [p, p + len) is one run_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_run_reply(const uint8_t *p, uint32_t len, struct run_reply *out);
/** Reads the run_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_run_reply(const uint8_t *at, const uint8_t *end, struct run_reply *v);
/** Writes *v. */
void put_run_reply(struct wire_out *o, const struct run_reply *v);

/** RESET's reply. */
struct reset_reply {
  uint32_t discarded; /**< Bytes the kernel dropped since it last answered a request. */
};
/** Checks that [p, p + len) is one reset_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_reset_reply(const uint8_t *p, uint32_t len, struct reset_reply *out);
/** Reads the reset_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_reset_reply(const uint8_t *at, const uint8_t *end, struct reset_reply *v);
/** Writes *v. */
void put_reset_reply(struct wire_out *o, const struct reset_reply *v);

/** EV_THREAD_END's payload. */
struct thread_end_event {
  uint32_t thread; /**< The thread object. */
  uint32_t id; /**< Its id. */
  uint8_t state; /**< TS_DONE or TS_FAILED. */
};
/** Checks that [p, p + len) is one thread_end_event and nothing else, then fills *out; returns 0 or why not. */
const char *decode_thread_end_event(const uint8_t *p, uint32_t len, struct thread_end_event *out);
/** Reads the thread_end_event at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_thread_end_event(const uint8_t *at, const uint8_t *end, struct thread_end_event *v);
/** Writes *v. */
void put_thread_end_event(struct wire_out *o, const struct thread_end_event *v);

/** SET_BREAKPOINT's request. A hit is counted when the thread reaches pc and the condition holds; it stops (or logs) from the hit_count-th counted hit on. */
struct set_breakpoint_request {
  uint32_t method; /**< A bytecode method. */
  uint32_t pc; /**< The start of one of its instructions. */
  uint8_t flags; /**< DBG_BP_LOG for a logpoint. */
  uint8_t condition; /**< A DBG_COND_*: compares local with value. */
  uint8_t local; /**< The local slot the condition reads (arguments first). */
  int32_t value; /**< What the condition compares the local with. */
  uint32_t hit_count; /**< Counted hits before it acts, the acting one included (0 and 1: every one). */
  struct wire_bytes message; /**< A logpoint's message (EV_LOGPOINT; at most DBG_MAX_LOG_MESSAGE bytes); empty for a breakpoint. */
};
/** Checks that [p, p + len) is one set_breakpoint_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_set_breakpoint_request(const uint8_t *p, uint32_t len, struct set_breakpoint_request *out);
/** Reads the set_breakpoint_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_set_breakpoint_request(const uint8_t *at, const uint8_t *end, struct set_breakpoint_request *v);
/** Writes *v. */
void put_set_breakpoint_request(struct wire_out *o, const struct set_breakpoint_request *v);

/** SET_BREAKPOINT's reply. */
struct breakpoint_reply {
  uint32_t id; /**< The new breakpoint's id (never 0, never reused by this machine). */
};
/** Checks that [p, p + len) is one breakpoint_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_breakpoint_reply(const uint8_t *p, uint32_t len, struct breakpoint_reply *out);
/** Reads the breakpoint_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_breakpoint_reply(const uint8_t *at, const uint8_t *end, struct breakpoint_reply *v);
/** Writes *v. */
void put_breakpoint_reply(struct wire_out *o, const struct breakpoint_reply *v);

/** CLEAR_BREAKPOINT's request. */
struct breakpoint_request {
  uint32_t id; /**< A breakpoint's id. */
};
/** Checks that [p, p + len) is one breakpoint_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_breakpoint_request(const uint8_t *p, uint32_t len, struct breakpoint_request *out);
/** Reads the breakpoint_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_breakpoint_request(const uint8_t *at, const uint8_t *end, struct breakpoint_request *v);
/** Writes *v. */
void put_breakpoint_request(struct wire_out *o, const struct breakpoint_request *v);

/** LIST_BREAKPOINTS's reply. */
struct breakpoints_reply {
  struct wire_list breakpoints; /**< In the order they were set. (struct breakpoint_entry elements) */
};
/** Checks that [p, p + len) is one breakpoints_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_breakpoints_reply(const uint8_t *p, uint32_t len, struct breakpoints_reply *out);
/** Reads the breakpoints_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_breakpoints_reply(const uint8_t *at, const uint8_t *end, struct breakpoints_reply *v);
/** Writes *v up to its list; the caller then writes v->breakpoints.count elements. */
void put_breakpoints_reply(struct wire_out *o, const struct breakpoints_reply *v);

/** One breakpoint. */
struct breakpoint_entry {
  uint32_t id; /**< Its id. */
  uint32_t method; /**< Its method. */
  uint32_t pc; /**< Its pc. */
  uint8_t flags; /**< DBG_BP_LOG for a logpoint. */
  uint8_t condition; /**< Its DBG_COND_*. */
  uint8_t local; /**< The local the condition reads. */
  int32_t value; /**< The condition's value. */
  uint32_t hit_count; /**< Counted hits before it acts. */
  uint32_t hits; /**< Counted hits so far. */
  struct wire_bytes message; /**< A logpoint's message. */
};
/** Checks that [p, p + len) is one breakpoint_entry and nothing else, then fills *out; returns 0 or why not. */
const char *decode_breakpoint_entry(const uint8_t *p, uint32_t len, struct breakpoint_entry *out);
/** Reads the breakpoint_entry at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_breakpoint_entry(const uint8_t *at, const uint8_t *end, struct breakpoint_entry *v);
/** Writes *v. */
void put_breakpoint_entry(struct wire_out *o, const struct breakpoint_entry *v);

/** PAUSE_THREAD's and CONTINUE_THREAD's request. */
struct thread_request {
  uint32_t thread; /**< A thread object; 0 for all. */
};
/** Checks that [p, p + len) is one thread_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_thread_request(const uint8_t *p, uint32_t len, struct thread_request *out);
/** Reads the thread_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_thread_request(const uint8_t *at, const uint8_t *end, struct thread_request *v);
/** Writes *v. */
void put_thread_request(struct wire_out *o, const struct thread_request *v);

/** STEP's request. */
struct step_request {
  uint32_t thread; /**< A stopped thread. */
  uint8_t kind; /**< A DBG_STEP_*. */
};
/** Checks that [p, p + len) is one step_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_step_request(const uint8_t *p, uint32_t len, struct step_request *out);
/** Reads the step_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_step_request(const uint8_t *at, const uint8_t *end, struct step_request *v);
/** Writes *v. */
void put_step_request(struct wire_out *o, const struct step_request *v);

/** FRAME's request. */
struct frame_request {
  uint32_t thread; /**< A stopped thread. */
  uint16_t depth; /**< 0 for the innermost frame, 1 for its caller, ... */
};
/** Checks that [p, p + len) is one frame_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_frame_request(const uint8_t *p, uint32_t len, struct frame_request *out);
/** Reads the frame_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_frame_request(const uint8_t *at, const uint8_t *end, struct frame_request *v);
/** Writes *v. */
void put_frame_request(struct wire_out *o, const struct frame_request *v);

/** FRAME's reply. */
struct frame_reply {
  uint32_t frame; /**< The frame object. */
  uint32_t method; /**< Its method. */
  uint32_t pc; /**< The next instruction it runs (for a caller: after its call). */
  int32_t line; /**< The source line of pc from the method's line table (of the call for a caller), -1 without one. */
  uint8_t argc; /**< Argument slots at the start of locals, this included. */
  uint8_t method_flags; /**< The method's MF_* bits (MF_STATIC: no this). */
  uint16_t local_count; /**< How many of the values are locals: this (unless MF_STATIC), the arguments, the other locals. */
  struct wire_list values; /**< The locals, then the operand stack, bottom first (as much of it as fits in a reply). (struct value_entry elements) */
};
/** Checks that [p, p + len) is one frame_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_frame_reply(const uint8_t *p, uint32_t len, struct frame_reply *out);
/** Reads the frame_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_frame_reply(const uint8_t *at, const uint8_t *end, struct frame_reply *v);
/** Writes *v up to its list; the caller then writes v->values.count elements. */
void put_frame_reply(struct wire_out *o, const struct frame_reply *v);

/** A typed value of a frame. */
struct value_entry {
  uint8_t kind; /**< DBG_VALUE_INT or DBG_VALUE_REF. */
  uint32_t bits; /**< The integer (two's complement) or the object's address (0: null). */
};
/** Checks that [p, p + len) is one value_entry and nothing else, then fills *out; returns 0 or why not. */
const char *decode_value_entry(const uint8_t *p, uint32_t len, struct value_entry *out);
/** Reads the value_entry at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_value_entry(const uint8_t *at, const uint8_t *end, struct value_entry *v);
/** Writes *v. */
void put_value_entry(struct wire_out *o, const struct value_entry *v);

/** EXCEPTION_STOPS's request. */
struct exception_stops_request {
  uint8_t mode; /**< A DBG_EXCEPTIONS_*. */
};
/** Checks that [p, p + len) is one exception_stops_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_exception_stops_request(const uint8_t *p, uint32_t len, struct exception_stops_request *out);
/** Reads the exception_stops_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_exception_stops_request(const uint8_t *at, const uint8_t *end, struct exception_stops_request *v);
/** Writes *v. */
void put_exception_stops_request(struct wire_out *o, const struct exception_stops_request *v);

/** STOPPED's reply. */
struct stopped_reply {
  uint8_t exceptions; /**< The DBG_EXCEPTIONS_* mode in force. */
  struct wire_list threads; /**< (struct stopped_event elements) */
};
/** Checks that [p, p + len) is one stopped_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_stopped_reply(const uint8_t *p, uint32_t len, struct stopped_reply *out);
/** Reads the stopped_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_stopped_reply(const uint8_t *at, const uint8_t *end, struct stopped_reply *v);
/** Writes *v up to its list; the caller then writes v->threads.count elements. */
void put_stopped_reply(struct wire_out *o, const struct stopped_reply *v);

/** EV_STOPPED's payload, and one stopped thread of STOPPED's reply. */
struct stopped_event {
  uint32_t thread; /**< The thread object. */
  uint32_t id; /**< Its id. */
  uint8_t reason; /**< A DBG_STOP_*. */
  uint32_t breakpoint; /**< The breakpoint's id (reason DBG_STOP_BREAKPOINT), else 0. */
  uint32_t method; /**< The innermost frame's method. */
  uint32_t pc; /**< Its pc: the instruction the thread runs next (for a throw, the throwing one). */
  int32_t line; /**< The source line of pc, -1 without one. */
  uint32_t exception; /**< The thrown object (reason DBG_STOP_EXCEPTION), else 0. */
};
/** Checks that [p, p + len) is one stopped_event and nothing else, then fills *out; returns 0 or why not. */
const char *decode_stopped_event(const uint8_t *p, uint32_t len, struct stopped_event *out);
/** Reads the stopped_event at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_stopped_event(const uint8_t *at, const uint8_t *end, struct stopped_event *v);
/** Writes *v. */
void put_stopped_event(struct wire_out *o, const struct stopped_event *v);

/** SET_LOCAL's request. */
struct set_local_request {
  uint32_t thread; /**< A stopped thread. */
  uint16_t depth; /**< 0 for the innermost frame, 1 for its caller, ... */
  uint16_t slot; /**< The local slot (as FRAME numbers them: this, the arguments, the other locals). */
  uint8_t kind; /**< DBG_VALUE_INT or DBG_VALUE_REF. */
  uint32_t bits; /**< The integer (a small integer, two's complement) or an object's address (0: null). */
};
/** Checks that [p, p + len) is one set_local_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_set_local_request(const uint8_t *p, uint32_t len, struct set_local_request *out);
/** Reads the set_local_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_set_local_request(const uint8_t *at, const uint8_t *end, struct set_local_request *v);
/** Writes *v. */
void put_set_local_request(struct wire_out *o, const struct set_local_request *v);

/** SET_FIELD's request. */
struct set_field_request {
  uint32_t object; /**< An object of a program class, or an array a program made. */
  uint32_t slot; /**< The field's slot (inherited fields first), or the array's index. */
  uint8_t kind; /**< DBG_VALUE_INT or DBG_VALUE_REF. */
  uint32_t bits; /**< The integer (a small integer, two's complement) or an object's address (0: null). */
};
/** Checks that [p, p + len) is one set_field_request and nothing else, then fills *out; returns 0 or why not. */
const char *decode_set_field_request(const uint8_t *p, uint32_t len, struct set_field_request *out);
/** Reads the set_field_request at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_set_field_request(const uint8_t *at, const uint8_t *end, struct set_field_request *v);
/** Writes *v. */
void put_set_field_request(struct wire_out *o, const struct set_field_request *v);

/** EV_CONTINUED's payload. */
struct continued_event {
  uint32_t thread; /**< The thread object. */
  uint32_t id; /**< Its id. */
};
/** Checks that [p, p + len) is one continued_event and nothing else, then fills *out; returns 0 or why not. */
const char *decode_continued_event(const uint8_t *p, uint32_t len, struct continued_event *out);
/** Reads the continued_event at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_continued_event(const uint8_t *at, const uint8_t *end, struct continued_event *v);
/** Writes *v. */
void put_continued_event(struct wire_out *o, const struct continued_event *v);

/** DIRTY_PAGES's reply: bit p (byte p / 8, bit p % 8) is set for page p of the space when it was written since that generation's freeze, or is frozen for a generation not committed yet. Every other page is that generation's. */
struct dirty_pages_reply {
  uint32_t generation; /**< The committed generation the bitmap is relative to (STATS's generation), NO_GENERATION before the first. */
  uint32_t dirty; /**< Bits set in the bitmap. */
  struct wire_bytes bitmap; /**< The bitmap. */
};
/** Checks that [p, p + len) is one dirty_pages_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_dirty_pages_reply(const uint8_t *p, uint32_t len, struct dirty_pages_reply *out);
/** Reads the dirty_pages_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_dirty_pages_reply(const uint8_t *at, const uint8_t *end, struct dirty_pages_reply *v);
/** Writes *v; bitmap.p 0 writes zeros instead. Returns where bitmap went, 0 when o is full. */
uint8_t *put_dirty_pages_reply(struct wire_out *o, const struct dirty_pages_reply *v);

/** NOW_PAGES's reply: that generation with these pages is the machine as it was at one safe point. */
struct now_pages_reply {
  uint32_t generation; /**< The committed generation the pages differ from (STATS's generation), NO_GENERATION before the first. */
  uint32_t dirty; /**< Pages that may differ from it (as DIRTY_PAGES counts them). */
  uint32_t build_us; /**< Microseconds the threads waited while the kernel listed and copied them. */
  struct wire_list pages; /**< In page order. (struct now_page elements) */
};
/** Checks that [p, p + len) is one now_pages_reply and nothing else, then fills *out; returns 0 or why not. */
const char *decode_now_pages_reply(const uint8_t *p, uint32_t len, struct now_pages_reply *out);
/** Reads the now_pages_reply at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_now_pages_reply(const uint8_t *at, const uint8_t *end, struct now_pages_reply *v);
/** Writes *v up to its list; the caller then writes v->pages.count elements. */
void put_now_pages_reply(struct wire_out *o, const struct now_pages_reply *v);

/** One page of a NOW_PAGES reply. */
struct now_page {
  uint32_t page; /**< Its page number inside the space. */
  struct wire_bytes bytes; /**< Its live bytes. */
};
/** Checks that [p, p + len) is one now_page and nothing else, then fills *out; returns 0 or why not. */
const char *decode_now_page(const uint8_t *p, uint32_t len, struct now_page *out);
/** Reads the now_page at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_now_page(const uint8_t *at, const uint8_t *end, struct now_page *v);
/** Writes *v; bytes.p 0 writes zeros instead. Returns where bytes went, 0 when o is full. */
uint8_t *put_now_page(struct wire_out *o, const struct now_page *v);

/** EV_LOGPOINT's payload. */
struct logpoint_event {
  uint32_t breakpoint; /**< The logpoint's id. */
  uint32_t thread; /**< The thread that hit it. */
  uint32_t id; /**< That thread's id. */
  uint32_t hits; /**< Its counted hits, this one included. */
  struct wire_bytes message; /**< Its message. */
};
/** Checks that [p, p + len) is one logpoint_event and nothing else, then fills *out; returns 0 or why not. */
const char *decode_logpoint_event(const uint8_t *p, uint32_t len, struct logpoint_event *out);
/** Reads the logpoint_event at `at` of a checked payload ending at `end`; returns where it ends. */
const uint8_t *read_logpoint_event(const uint8_t *at, const uint8_t *end, struct logpoint_event *v);
/** Writes *v. */
void put_logpoint_event(struct wire_out *o, const struct logpoint_event *v);

/** Every record of debug.def by name, with a decoder that checks a payload as that record (for tools and fuzzing). */
extern const struct wire_record debug_wire_records[53];

/* Implemented by the debug agent: one function per request, called with its payload decoded. */
void serve_hello(uint32_t id, const struct hello_request *request);
void serve_stats(uint32_t id);
void serve_roots(uint32_t id);
void serve_threads(uint32_t id);
void serve_read_objects(uint32_t id, const struct read_objects_request *request);
void serve_enumerate(uint32_t id, const struct enumerate_request *request);
void serve_classes(uint32_t id);
void serve_generations(uint32_t id);
void serve_read_objects_at(uint32_t id, const struct read_objects_at_request *request);
void serve_snapshot_now(uint32_t id);
void serve_pause(uint32_t id);
void serve_resume(uint32_t id);
void serve_install_class(uint32_t id, const struct install_class_request *request);
void serve_read_page(uint32_t id, const struct read_page_request *request);
void serve_run(uint32_t id, const struct run_request *request);
void serve_reset(uint32_t id);
void serve_set_breakpoint(uint32_t id, const struct set_breakpoint_request *request);
void serve_clear_breakpoint(uint32_t id, const struct breakpoint_request *request);
void serve_list_breakpoints(uint32_t id);
void serve_pause_thread(uint32_t id, const struct thread_request *request);
void serve_continue_thread(uint32_t id, const struct thread_request *request);
void serve_step(uint32_t id, const struct step_request *request);
void serve_frame(uint32_t id, const struct frame_request *request);
void serve_exception_stops(uint32_t id, const struct exception_stops_request *request);
void serve_stopped(uint32_t id);
void serve_set_local(uint32_t id, const struct set_local_request *request);
void serve_set_field(uint32_t id, const struct set_field_request *request);
void serve_dirty_pages(uint32_t id);
void serve_now_pages(uint32_t id);
void serve_rollback(uint32_t id, const struct rollback_request *request);
void serve_stage_page(uint32_t id, const struct stage_page_request *request);
void serve_branch(uint32_t id, const struct branch_request *request);
/**
 * Decodes the payload of a request of this type and hands it to its serve_ function. Returns 0,
 * or DE_UNKNOWN or DE_BAD_REQUEST with *why (nothing served) when the type is unknown or the
 * payload does not have the request's shape.
 */
int serve_request(uint8_t type, uint32_t id, const uint8_t *p, uint32_t len, const char **why);

#endif
