/*
 * rtc.c — the CMOS real-time clock, read once at boot (waiting out an update in progress and
 * reading until two reads agree); ph_wall_seconds adds the uptime to it. Handles BCD and
 * 12-hour modes. The century is taken as 20xx.
 */
#include "arch.h"
#include "cpu.h"
#include "klib.h"
#include "platform.h"

enum {
  CMOS_INDEX = 0x70,
  CMOS_DATA = 0x71,
  REG_SECONDS = 0x00,
  REG_MINUTES = 0x02,
  REG_HOURS = 0x04,
  REG_DAY = 0x07,
  REG_MONTH = 0x08,
  REG_YEAR = 0x09,
  REG_STATUS_A = 0x0A,
  REG_STATUS_B = 0x0B,
  STATUS_A_UPDATING = 0x80,
  STATUS_B_24_HOUR = 0x02,
  STATUS_B_BINARY = 0x04,
  NMI_DISABLE = 0x80,
};

static uint64_t boot_wall_seconds;
static uint64_t boot_uptime_ms;

static uint8_t cmos_read(uint8_t reg) {
  outb(CMOS_INDEX, NMI_DISABLE | reg);
  return inb(CMOS_DATA);
}

struct rtc_time {
  uint8_t second, minute, hour, day, month, year;
};

static void read_raw(struct rtc_time *t) {
  for (int spins = 0; spins < 1000000 && (cmos_read(REG_STATUS_A) & STATUS_A_UPDATING); spins++) cpu_pause();
  *t = (struct rtc_time){cmos_read(REG_SECONDS), cmos_read(REG_MINUTES), cmos_read(REG_HOURS),
                         cmos_read(REG_DAY),     cmos_read(REG_MONTH),   cmos_read(REG_YEAR)};
}

static uint8_t from_bcd(uint8_t v) { return (uint8_t)((v >> 4) * 10 + (v & 0x0F)); }

/** Days from 1970-01-01 to year-month-day (proleptic Gregorian; Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

void rtc_init(void) {
  struct rtc_time a, b;
  read_raw(&b);
  int tries = 0;
  do {
    a = b;
    read_raw(&b);
  } while (memcmp(&a, &b, sizeof a) != 0 && ++tries < 10);
  uint8_t status_b = cmos_read(REG_STATUS_B);
  bool pm = (b.hour & 0x80) != 0;
  b.hour &= 0x7F;
  if (!(status_b & STATUS_B_BINARY)) {
    b.second = from_bcd(b.second);
    b.minute = from_bcd(b.minute);
    b.hour = from_bcd(b.hour);
    b.day = from_bcd(b.day);
    b.month = from_bcd(b.month);
    b.year = from_bcd(b.year);
  }
  if (!(status_b & STATUS_B_24_HOUR)) b.hour = (uint8_t)(b.hour % 12 + (pm ? 12 : 0));
  if (b.month < 1 || b.month > 12 || b.day < 1 || b.day > 31 || b.hour > 23 || b.minute > 59 || b.second > 60) {
    kprintf("rtc: implausible time %02u-%02u %02u:%02u:%02u; wall clock starts at 0\n", b.month, b.day, b.hour,
            b.minute, b.second);
    return;
  }
  int64_t days = days_from_civil(2000 + b.year, b.month, b.day);
  boot_wall_seconds = (uint64_t)(days * 86400 + b.hour * 3600 + b.minute * 60 + b.second);
  boot_uptime_ms = ph_uptime_ms();
  kprintf("rtc: 20%02u-%02u-%02u %02u:%02u:%02u UTC\n", b.year, b.month, b.day, b.hour, b.minute, b.second);
}

uint64_t ph_wall_seconds(void) { return boot_wall_seconds + (ph_uptime_ms() - boot_uptime_ms) / 1000; }
