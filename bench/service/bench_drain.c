/* bench_drain.c -- one create_form worker draining a backlog: N
 * CreateFormEvent events are put on a fresh topic first (by a child process,
 * so the worker's process holds nothing of the producing), then the forms
 * example's create_form consumer (loaded from forms.so, as `gregor worker`
 * does) handles them all: each event still writes its form to Redis
 * (HSET), emits its FormCreatedEvent and stores its result. Prints one JSON
 * line: events/s (first to last event), CPU per event (user + system of
 * this process, which runs only the worker), and the process's RSS now and
 * at its peak (VmRSS, VmHWM); and, as anchors from the same run, a bare
 * librdkafka consumer process (bench_bare, exec'd on its own: the worker's
 * consumer settings, JSON parse, no handler) draining the same backlog: its
 * events/s, peak and resting RSS (and resting Pss, RssAnon, RssFile); and
 * the same with a producer that sends one message per event, as a worker
 * emits (bare_cp_*). With BENCH_SMAPS_DIR set, each bare process leaves its
 * /proc/self/smaps there when resting (bare_consumer.smaps,
 * bare_consumer_producer.smaps). With BENCH_BARE_FORK=1 also the earlier
 * anchor, the same bare loop (bare_loop.c) in a child forked from this
 * process (bare_fork_rss_after_kib): a fork child's RSS leaves out the pages
 * the dynamic loader read before the fork (docs/benchmarks.md, "Worker RSS
 * against a bare consumer").
 *
 *   bench_drain BOOTSTRAP REDIS_URL FORMS_SO [N=20000]
 *
 * Not a test: it measures. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bare_loop.h"
#include "bus/admin.h"
#include "bus/producer.h"
#include "common/config.h"
#include "common/uuid.h"
#include "service/app.h"
#include "service/consumer_runner.h"
#include "service/schema_merge.h"
#include "service/service_internal.h"

static int produce_backlog(const char *bootstrap, const char *topic, long n) {
    char err[512];
    mm_producer *p = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    if (!p) {
        fprintf(stderr, "producer: %s\n", err);
        return 1;
    }
    const char *topics[] = {topic};
    if (mm_kafka_create_topics(mm_producer_rdkafka(p), topics, 1, 1, -1, 30000, err, sizeof err)) {
        fprintf(stderr, "create topic: %s\n", err);
        return 1;
    }
    for (long i = 0; i < n; i++) {
        mm_event ev;
        mm_event_init(&ev);
        mm_event_create(
            &ev, "forms", "CreateFormEvent",
            json_pack("{s:s,s:s,s:s}", "name", "bench", "template", "t", "creator", "b"));
        json_object_set_new(ev.data, "id", json_string(ev.id));
        if (mm_producer_send(p, topic, &ev, NULL, NULL, err, sizeof err)) {
            fprintf(stderr, "send: %s\n", err);
            return 1;
        }
        mm_event_clear(&ev);
    }
    int rc = mm_producer_flush(p, 120000);
    mm_producer_free(p);
    return rc ? 1 : 0;
}

typedef struct timing {
    double start, last;
    uint64_t seen;
    long rss_max_kib;                      /* VmRSS sampled every 1,000 events while draining */
    long anon_at_max_kib, file_at_max_kib; /* its RssAnon / RssFile then */
    uint64_t rss_max_at;
    uint64_t nudges; /* fetch nudges (bus/consumer.c) */
    double max_gap;  /* longest time between two events handled (a stall shows here) */
} timing;

static int progress(void *ud, const mm_consumer_stats *st) {
    timing *t = ud;
    if (t->seen == 0) t->start = bare_now_s();
    t->seen = st->handled + st->skipped + st->dead_lettered;
    double now = bare_now_s();
    if (t->seen > 1 && now - t->last > t->max_gap) t->max_gap = now - t->last;
    t->last = now;
    t->nudges = st->fetch_nudges;
    if (t->seen % 1000 == 1) {
        long rss = bare_proc_kib("/proc/self/status", "VmRSS");
        if (rss > t->rss_max_kib) {
            t->rss_max_kib = rss, t->rss_max_at = t->seen;
            t->anon_at_max_kib = bare_proc_kib("/proc/self/status", "RssAnon");
            t->file_at_max_kib = bare_proc_kib("/proc/self/status", "RssFile");
        }
    }
    return 0;
}

/* The resting figures of a bare process. */
typedef struct bare_rss {
    double eps;
    long peak, after, pss, anon, file;
} bare_rss;

/* bench_bare (next to this binary) over the backlog, exec'd on its own
 * (zeros when it failed). */
static void run_bare_exec(const char *bootstrap, const char *topic, long n, bool produce,
                          bare_rss *out) {
    *out = (bare_rss){0};
    char self[1024], cmd[4096], smaps[600] = "";
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) return;
    self[len] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) *slash = '\0';
    const char *dir = getenv("BENCH_SMAPS_DIR");
    if (dir)
        snprintf(smaps, sizeof smaps, " '%s/%s.smaps'", dir,
                 produce ? "bare_consumer_producer" : "bare_consumer");
    snprintf(cmd, sizeof cmd, "'%s/bench_bare' '%s' '%s' %ld %d%s", self, bootstrap, topic, n,
             produce ? 1 : 0, smaps);
    FILE *f = popen(cmd, "r");
    if (!f) return;
    char buf[256] = "";
    bool ok = fgets(buf, sizeof buf, f) != NULL;
    if (pclose(f) != 0 || !ok ||
        sscanf(buf, "%lf %ld %ld %ld %ld %ld", &out->eps, &out->peak, &out->after, &out->pss,
               &out->anon, &out->file) != 6)
        *out = (bare_rss){0};
}

/* The earlier anchor: the same bare loop in a child forked from this
 * process (before it has threads): its events/s, peak and resting RSS
 * (zeros when it failed). A fork child's RSS leaves out the pages the
 * dynamic loader touched before the fork, hence bench_bare. */
static void run_bare_forked(const char *bootstrap, const char *topic, long n, bool produce,
                            bare_rss *out) {
    *out = (bare_rss){0};
    int fds[2], status = 0;
    if (pipe(fds) != 0) return;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        FILE *report = fdopen(fds[1], "w");
        char smaps[600];
        const char *dir = getenv("BENCH_SMAPS_DIR");
        if (dir)
            snprintf(smaps, sizeof smaps, "%s/%s.smaps", dir,
                     produce ? "bare_fork_consumer_producer" : "bare_fork_consumer");
        _exit(report ? bare_loop_run(bootstrap, topic, n, produce, dir ? smaps : NULL, report) : 1);
    }
    close(fds[1]);
    char buf[256] = "";
    ssize_t got = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    if (pid > 0) waitpid(pid, &status, 0);
    if (got <= 0 || sscanf(buf, "%lf %ld %ld %ld %ld %ld", &out->eps, &out->peak, &out->after,
                           &out->pss, &out->anon, &out->file) != 6)
        *out = (bare_rss){0};
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: bench_drain BOOTSTRAP REDIS_URL FORMS_SO [N]\n");
        return 2;
    }
    const char *bootstrap = argv[1];
    long n = argc > 4 ? atol(argv[4]) : 20000;
    char err[1024], topic[80], group[80], id[40];
    mm_uuid_v4(id);
    snprintf(topic, sizeof topic, "bench-drain-%.8s", id);
    snprintf(group, sizeof group, "bench-drain-%.8s", id);

    /* The backlog first, from a child: no producer state in this process. */
    pid_t pid = fork();
    if (pid == 0) _exit(produce_backlog(bootstrap, topic, n));
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
        fprintf(stderr, "producing the backlog failed\n");
        return 1;
    }

    /* The bare floor, also from a child (before this process has threads). */
    bare_rss forked = {0}, bare, cp;
    const char *fork_too = getenv("BENCH_BARE_FORK");
    if (fork_too && strcmp(fork_too, "1") == 0)
        run_bare_forked(bootstrap, topic, n, false, &forked);
    run_bare_exec(bootstrap, topic, n, false, &bare);
    run_bare_exec(bootstrap, topic, n, true, &cp);

    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", bootstrap, 1);
    setenv("MM_REDIS_URL", argv[2], 1);
    mm_config *cfg;
    if (mm_config_defaults(&cfg, err, sizeof err)) return 1;
    mm_app app = {0};
    if (mm_app_load(&app, argv[3], err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    mm_service *svc = mm_app_find(&app, "forms");
    mm_consumer_spec *spec =
        svc ? (mm_consumer_spec *)mm_service_find_consumer(svc, "create_form") : NULL;
    if (!spec) {
        fprintf(stderr, "%s has no forms.create_form consumer\n", argv[3]);
        return 1;
    }
    /* The backlog's topic and a fresh group (the emits still go to "forms"). */
    free(spec->topics[0]);
    spec->topics[0] = strdup(topic);
    free(spec->group_id);
    spec->group_id = strdup(group);
    mm_gql_schema *schema =
        mm_services_build_schema(app.services, app.service_count, NULL, 0, NULL, err, sizeof err);
    mm_runtime rt;
    if (!schema || mm_runtime_open(&rt, cfg, MM_RUNTIME_WORKER, app.services, app.service_count,
                                   err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    long rss_before = bare_proc_kib("/proc/self/status", "VmRSS");
    timing t = {0};
    mm_runner_options ro = {
        .max_messages = (uint64_t)n, .on_progress = progress, .progress_ud = &t};
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    int rc = mm_consumer_runner_run(&rt, schema, spec, &ro, err, sizeof err);
    getrusage(RUSAGE_SELF, &r1);
    if (rc < 0) fprintf(stderr, "runner: %s\n", err);
    double cpu = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec + r1.ru_stime.tv_sec -
                          r0.ru_stime.tv_sec) +
                 (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec + r1.ru_stime.tv_usec -
                          r0.ru_stime.tv_usec) /
                     1e6;
    double eps = t.seen > 1 ? (double)(t.seen - 1) / (t.last - t.start) : 0;
    printf(
        "{\"events\":%ld,\"handled\":%llu,\"drain_eps\":%.0f,\"cpu_us_per_event\":%.1f,"
        "\"rss_before_kib\":%ld,\"rss_draining_max_kib\":%ld,\"rss_draining_max_at\":%llu,"
        "\"anon_kib_then\":%ld,\"file_kib_then\":%ld,"
        "\"rss_after_kib\":%ld,\"rss_peak_kib\":%ld,\"bare_json_eps\":%.0f,\"bare_rss_peak_"
        "kib\":%ld,\"bare_rss_after_kib\":%ld,\"bare_pss_after_kib\":%ld,"
        "\"bare_anon_after_kib\":%ld,\"bare_file_after_kib\":%ld,\"bare_cp_eps\":%.0f,"
        "\"bare_cp_rss_peak_kib\":%ld,\"bare_cp_rss_after_kib\":%ld,\"bare_cp_pss_after_kib\":%ld,"
        "\"bare_cp_anon_after_kib\":%ld,\"bare_cp_file_after_kib\":%ld,"
        "\"bare_fork_rss_after_kib\":%ld,\"fetch_nudges\":%llu,\"max_gap_ms\":%.1f}\n",
        n, (unsigned long long)t.seen, eps, t.seen ? cpu * 1e6 / (double)t.seen : 0, rss_before,
        t.rss_max_kib, (unsigned long long)t.rss_max_at, t.anon_at_max_kib, t.file_at_max_kib,
        bare_proc_kib("/proc/self/status", "VmRSS"), bare_proc_kib("/proc/self/status", "VmHWM"),
        bare.eps, bare.peak, bare.after, bare.pss, bare.anon, bare.file, cp.eps, cp.peak, cp.after,
        cp.pss, cp.anon, cp.file, forked.after, (unsigned long long)t.nudges, t.max_gap * 1e3);
    mm_runtime_close(&rt);
    mm_gql_schema_free(schema);
    mm_app_free(&app);
    mm_config_free(cfg);
    return rc < 0 ? 1 : 0;
}
