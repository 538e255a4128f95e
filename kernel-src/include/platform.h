/*
 * platform.h — everything the portable core (core/) needs from the machine it runs on.
 *
 * Two implementations: the real kernel (arch/) and the hosted build (hosted/), which runs the
 * same core on Linux for unit and differential tests against a file or an in-memory fake disk.
 * The core calls nothing else outside itself except the freestanding C headers and klib.h.
 *
 * Not here: paging. The object space is always at SPACE_BASE; the kernel maps it on demand
 * (page faults read pages from the store), the hosted build maps it with mmap.
 */
#ifndef PHANTOM_PLATFORM_H
#define PHANTOM_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Write bytes to the human console (serial port 1 in the kernel, stdout when hosted). */
void ph_console_write(const char *bytes, size_t n);

/** Milliseconds since this boot, monotonic (PIT ticks in the kernel). Machine time is kept by core/. */
uint64_t ph_uptime_ms(void);

/** Wall-clock time, Unix seconds (CMOS RTC in the kernel). */
uint64_t ph_wall_seconds(void);

/** CPU timestamp counter and its rate, for measuring pauses in microseconds. */
uint64_t ph_tsc(void);
uint64_t ph_tsc_per_us(void);

/** Wait (halting the CPU in the kernel) until ph_uptime_ms() >= ms or something else wakes us. */
void ph_idle_until(uint64_t ms);

/**
 * The VM ran this many bytecodes in the turn that just ended. A real clock ignores it (the time
 * they took has passed); a virtual one (hosted) counts them as time: VIRTUAL_MS_STEPS make 1 ms.
 */
void ph_ran_instructions(uint32_t count);

/** Store disk, in BLOCK_SIZE blocks. Each returns 0 on success or a negative PH_E* code. */
enum { PH_OK = 0, PH_EIO = -1, PH_ERANGE = -2, PH_ENODEV = -3 };
uint32_t ph_disk_blocks(void);
int ph_disk_read(uint32_t block, void *buf, uint32_t count);
/** `count` blocks from `block` into `buf`: one of the ranges ph_disk_read_ranges reads at once. */
struct ph_disk_range {
  uint32_t block;
  void *buf;
  uint32_t count;
};
/**
 * Reads every range as ph_disk_read would, with all their requests in flight together, and
 * waits once for the lot: pages scattered over the disk cost one wait instead of one a range
 * (under QEMU TCG a wait, not the bytes, is most of a read). PH_OK, or the first range's error.
 */
int ph_disk_read_ranges(const struct ph_disk_range *ranges, uint32_t n);
int ph_disk_write(uint32_t block, const void *buf, uint32_t count);
int ph_disk_flush(void);
/**
 * Starts writing `count` blocks from `buf` and returns without waiting for the disk, so the
 * caller computes while the device writes. `buf` must stay untouched until ph_disk_wait. A bad
 * range or a dead disk fails at once; an error of the write itself comes back from ph_disk_wait.
 * ph_disk_read, ph_disk_write and ph_disk_flush wait for started writes before they return.
 */
int ph_disk_write_start(uint32_t block, const void *buf, uint32_t count);
/** Waits until every started write is done; PH_EIO if any of them failed since the last wait. */
int ph_disk_wait(void);
/**
 * Starts a flush of the writes already done (wait for the writes first: a flush need not cover a
 * write still in flight) and returns without waiting; its error comes back from ph_disk_wait.
 */
int ph_disk_flush_start(void);
/** True when no request is in flight (ph_disk_wait would not wait); never waits itself. */
bool ph_disk_idle(void);
/**
 * Requests are numbered as they are started: the number of the last one (a mark), so that one
 * request can be waited for while later ones stay in flight (a flush of one commit while the next
 * generation's pages are written).
 */
uint32_t ph_disk_mark(void);
/** True when every request started up to `mark` is done; never waits itself. */
bool ph_disk_done(uint32_t mark);
/**
 * Waits until every request started up to `mark` is done (later ones may still be in flight);
 * PH_EIO if any started write, whichever, failed since the last wait (as ph_disk_wait).
 */
int ph_disk_wait_for(uint32_t mark);

/** Stop the machine with a report (registers and stack trace in the kernel; abort() when hosted). */
__attribute__((noreturn, format(printf, 1, 2))) void ph_panic(const char *fmt, ...);

#endif
