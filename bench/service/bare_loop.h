/* bare_loop.h -- a bare librdkafka consumer draining N events from TOPIC
 * with the worker's consumer settings (bus/consumer.c's defaults against a
 * real broker): each value parsed with jansson, its offset stored; with
 * produce, also one message per event to TOPIC-out with the worker's
 * producer settings (bus/producer.c), as a worker emits one. A second after
 * the drain, still a group member, it writes one line to report:
 *     events/s  VmHWM KiB  VmRSS KiB  Pss KiB  RssAnon KiB  RssFile KiB
 * and, with smaps_out, copies /proc/self/smaps there. Returns 0 when all N
 * events came (within 300 s). Not a test: it measures. */
#ifndef MM_BENCH_BARE_LOOP_H
#define MM_BENCH_BARE_LOOP_H

#include <stdio.h>

int bare_loop_run(const char *bootstrap, const char *topic, long n, int produce,
                  const char *smaps_out, FILE *report);

/* CLOCK_MONOTONIC in seconds. */
double bare_now_s(void);

/* The KiB value of field ("VmRSS", "Pss", ...) in a /proc file of the
 * "Field:   N kB" kind (file: "/proc/self/status", ...); -1 when absent. */
long bare_proc_kib(const char *file, const char *field);

#endif
