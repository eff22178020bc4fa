/* bench_bare.c -- the anchor for a worker's memory: a bare librdkafka
 * consumer process, exec'd on its own (not a fork of a bigger process, whose
 * child would leave out every page the dynamic loader touched before the
 * fork: fork copies no page-table entries of file mappings), linking only
 * librdkafka and jansson. It drains N events from TOPIC with the worker's
 * consumer settings (bus/consumer.c's defaults against a real broker),
 * parses each value with jansson and stores its offset; with PRODUCE=1 it
 * also sends one message per event to TOPIC-out with the worker's producer
 * settings (bus/producer.c), as a worker emits one. A second after the
 * drain, still a group member, it prints one line:
 *     events/s  VmHWM KiB  VmRSS KiB  Pss KiB  RssAnon KiB  RssFile KiB
 * and, with SMAPS_OUT, copies /proc/self/smaps there (per-mapping RSS).
 *
 *   bench_bare BOOTSTRAP TOPIC N PRODUCE [SMAPS_OUT]
 *
 * Run by bench_drain (bench/service/run.sh drain, rss, all). Not a test. */
#include <stdio.h>
#include <stdlib.h>

#include "bare_loop.h"

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: bench_bare BOOTSTRAP TOPIC N PRODUCE [SMAPS_OUT]\n");
        return 2;
    }
    return bare_loop_run(argv[1], argv[2], atol(argv[3]), atoi(argv[4]), argc > 5 ? argv[5] : NULL,
                         stdout);
}
