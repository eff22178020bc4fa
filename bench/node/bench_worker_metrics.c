/* bench_worker_metrics.c -- the cost per event of a worker's metric hooks
 * (service/worker_metrics.h): in-flight up, the handler's clock readings and
 * histogram, ce_time parsed, the end-to-end histogram, in-flight down.
 * bench/node/worker_metrics.sh runs it under callgrind at two event counts
 * and prints the difference per event (deterministic instructions). */
#include <stdio.h>
#include <stdlib.h>

#include "service/worker_metrics.h"

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 100000;
    static mm_worker_metrics m;
    mm_event ev = {.time = "2026-12-06T18:04:19.123Z"};
    for (long i = 0; i < n; i++) {
        mm_wm_started(&m);
        int64_t t0 = mm_wm_mono_us();
        mm_wm_handler_time(&m, t0);
        mm_wm_done(&m, &ev, -1, 0);
    }
    printf("%llu events\n", (unsigned long long)atomic_load(&m.handled));
    return 0;
}
