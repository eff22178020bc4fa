/* worker.c -- the child side of a node's worker process (worker.h). */
#include "node/worker.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "node/child_process.h"
#include "node/leave_group.h"
#include "service/consumer_runner.h"
#include "service/consumer_txn.h"
#include "service/runtime.h"

/* Exit statuses of the child. */
#define EXIT_RUN_FAILED   1
#define EXIT_START_FAILED 3

/* How long a stopping worker may take, once its last handler returned, to
 * commit, leave its group and close its clients. librdkafka waits much
 * longer for a broker that vanished (session.timeout.ms in the consumer's
 * close, 10 s in the producer's flush): past this the worker exits anyway.
 * Nothing committed is lost; what was handled but not yet committed is
 * delivered again (at-least-once). */
#define STOP_BOUND_MS 3000
/* Bounds the metadata warm-up at start (the broker may be away). */
#define WARMUP_MS 2000
/* Bounds the LeaveGroup of a static member stopped for good. */
#define LEAVE_MS 1000
/* Overlapped hand-over (docs/node.md): a worker past its budget stops
 * this long after its budget was spent if nothing stopped it before (its
 * replacement never got an assignment: it died, or cannot join). */
#define OVERLAP_MS 2000
/* A replacement whose offsets follow starts at its committed offsets if
 * they have not come this long after its assignment (its predecessor
 * normally stops within ms of it, and at worst OVERLAP_MS after its
 * budget, which was before this assignment; the supervisor's end of file
 * comes at once when the predecessor dies). */
#define AWAIT_OFFSETS_MS 3000
/* ... and once it has handled this many budgets past its own: the
 * replacement's join (10-15 ms) is ~20-30 events at 2,000 events/s, which
 * one budget of 20 did not cover (it stopped 268-290 of ~380 overlaps in
 * test_node_overlap.c before the replacement was assigned). */
#define OVERSHOOT_BUDGETS 3

static volatile sig_atomic_t worker_stop;
static volatile sig_atomic_t worker_aged;
static volatile sig_atomic_t worker_leave; /* SIGUSR2: stop for good, leave the group */
static int worker_static;                  /* joined with our group.instance.id */
static int worker_report_fd = -1;

/* The watchdog's view (worker process only). */
static atomic_int worker_handling;       /* a handler is running */
static atomic_llong worker_last_end_ms;  /* when the last handler returned */
static atomic_int worker_budget_spent;   /* harakiri: the loop is ending */
static atomic_ullong worker_handled;     /* messages disposed of so far */
static atomic_int worker_reported;       /* the retirement record was sent */
static atomic_int worker_first_seen;     /* the first handler call was reported */
static atomic_int worker_overlap;        /* past its budget, handling until told to stop */
static atomic_llong worker_overlap_ms;   /* when its budget was spent (mono_ms) */
static atomic_llong worker_last_done_ms; /* when its last event was done (mono_ms) */
/* What ended the overlap (worker_overlap_end; set by a signal handler, the
 * watchdog or the loop, before worker_stop). */
enum {
    OVERLAP_END_OTHER = 0,      /* another stop, or a fencing */
    OVERLAP_END_ASSIGNMENT = 1, /* its replacement's assignment (SIGUSR1) */
    OVERLAP_END_DEADLINE = 2,   /* OVERLAP_MS after its budget (the watchdog) */
    OVERLAP_END_OVERSHOOT = 3   /* OVERSHOOT_BUDGETS past its budget */
};
static volatile sig_atomic_t worker_overlap_end;
static char worker_label[600]; /* "consumer=S.C pid=N" for the log */

static long long mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the shared page and the crash table (supervisor side) --------------- */

mm_worker_current *mm_worker_current_map(void) {
    size_t size = (sizeof(mm_worker_current) + 4095) & ~(size_t)4095;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p; /* anonymous mappings are zeroed */
}

void mm_worker_current_unmap(mm_worker_current *c) {
    if (c) munmap(c, (sizeof(mm_worker_current) + 4095) & ~(size_t)4095);
}

int mm_worker_current_read(const mm_worker_current *c, mm_worker_current *out) {
    if (!c) return 0;
    uint32_t seq = c->seq;
    /* Odd: the worker died in the middle of writing; the fields are torn. */
    if ((seq & 1) || !c->active) return 0;
    memcpy(out, c, sizeof *out);
    out->id[sizeof out->id - 1] = out->reply_to[sizeof out->reply_to - 1] = '\0';
    out->topic[sizeof out->topic - 1] = '\0';
    return out->id[0] != '\0';
}

int mm_worker_crashes_add(mm_worker_crashes *t, const char *id, long long now_ms) {
    size_t oldest = 0, empty = MM_WORKER_CRASH_SLOTS;
    for (size_t i = 0; i < MM_WORKER_CRASH_SLOTS; i++) {
        if (t->e[i].count > 0 && strcmp(t->e[i].id, id) == 0) {
            t->e[i].last_ms = now_ms;
            return ++t->e[i].count;
        }
        if (t->e[i].count == 0 && empty == MM_WORKER_CRASH_SLOTS) empty = i;
        if (t->e[i].last_ms < t->e[oldest].last_ms) oldest = i;
    }
    size_t at = empty < MM_WORKER_CRASH_SLOTS ? empty : oldest;
    snprintf(t->e[at].id, sizeof t->e[at].id, "%s", id);
    t->e[at].count = 1;
    t->e[at].last_ms = now_ms;
    return 1;
}

int mm_worker_crashes_get(const mm_worker_crashes *t, const char *id) {
    for (size_t i = 0; t && i < MM_WORKER_CRASH_SLOTS; i++)
        if (t->e[i].count > 0 && strcmp(t->e[i].id, id) == 0) return t->e[i].count;
    return 0;
}

/* ---- the runner's hooks (worker side) ------------------------------------- */

static void copy_cut(char *dst, size_t size, const char *src) {
    size_t n = src ? strlen(src) : 0;
    if (n >= size) n = size - 1;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
}

static void report(uint32_t kind, uint64_t value, int insist);

static void on_handle_begin(void *ud, const mm_event *ev, const mm_message_info *info) {
    const mm_worker_params *p = ud;
    atomic_store(&worker_handling, 1);
    /* The supervisor logs the hand-over gap from it (docs/node.md). */
    if (!atomic_exchange(&worker_first_seen, 1)) report(MM_WORKER_REPORT_FIRST_EVENT, 0, 0);
    mm_worker_current *c = p->current;
    if (!c) return;
    c->seq++;
    atomic_thread_fence(memory_order_release);
    copy_cut(c->id, sizeof c->id, ev->id);
    copy_cut(c->reply_to, sizeof c->reply_to, ev->reply_to);
    copy_cut(c->topic, sizeof c->topic, info ? info->topic : NULL);
    c->partition = info ? info->partition : -1;
    c->offset = info ? info->offset : -1;
    c->active = 1;
    atomic_thread_fence(memory_order_release);
    c->seq++;
}

static void on_handle_end(void *ud, const mm_event *ev) {
    const mm_worker_params *p = ud;
    (void)ev;
    if (p->current) {
        p->current->seq++;
        atomic_thread_fence(memory_order_release);
        p->current->active = 0;
        atomic_thread_fence(memory_order_release);
        p->current->seq++;
    }
    atomic_store(&worker_last_end_ms, mono_ms());
    atomic_store(&worker_handling, 0);
}

static int crash_count(void *ud, const mm_event *ev) {
    const mm_worker_params *p = ud;
    return mm_worker_crashes_get(p->crashes, ev->id);
}

const char *mm_worker_reason_name(mm_worker_reason r) {
    switch (r) {
    case MM_WORKER_HARAKIRI: return "harakiri";
    case MM_WORKER_MAX_AGE: return "max_age";
    case MM_WORKER_STOPPED: return "stopped";
    case MM_WORKER_KILLED: return "killed";
    case MM_WORKER_CRASH: break;
    }
    return "crash";
}

static void on_stop(int sig) {
    (void)sig;
    worker_stop = 1;
}

/* SIGUSR1: the replacement of a worker past its budget has its assignment:
 * stop taking and hand over (ignored otherwise). */
static pthread_t worker_main_thread; /* runs the consumer loop */

static void on_handover_now(int sig) {
    /* Delivered to another thread (a client library's that does not block
     * signals): sent on to the loop's, whose poll it must interrupt, or the
     * loop would notice only at its next wake-up (up to 100 ms). */
    if (!pthread_equal(pthread_self(), worker_main_thread)) {
        pthread_kill(worker_main_thread, sig);
        return;
    }
    if (!atomic_load(&worker_overlap)) return;
    if (!worker_stop) worker_overlap_end = OVERLAP_END_ASSIGNMENT;
    worker_stop = 1;
}

/* Stopped for good (no replacement will reuse this slot): a static member
 * must leave its group itself, or its partitions wait for its session. */
static void on_retire(int sig) {
    (void)sig;
    worker_leave = 1;
    worker_stop = 1;
}

static void on_alarm(int sig) {
    (void)sig;
    /* A worker already told to stop is retiring for that reason, not age. */
    if (!worker_stop) worker_aged = 1;
    worker_stop = 1;
}

static void report(uint32_t kind, uint64_t value, int insist) {
    mm_worker_report r = {.kind = kind, .value = value};
    /* The retirement record is sent once (by the main thread or the watchdog). */
    if (kind == MM_WORKER_REPORT_RETIRED && atomic_exchange(&worker_reported, 1)) return;
    for (int tries = 0; tries < (insist ? 200 : 1); tries++) {
        ssize_t n = write(worker_report_fd, &r, sizeof r);
        if (n == (ssize_t)sizeof r || (n < 0 && errno != EAGAIN && errno != EINTR)) return;
        if (insist) usleep(5000);
    }
}

static int on_progress(void *ud, const mm_consumer_stats *stats) {
    const mm_worker_params *p = ud;
    atomic_store(&worker_handled, stats->handled);
    atomic_store(&worker_last_done_ms, mono_ms());
    report(MM_WORKER_REPORT_PROGRESS, stats->handled, 0);
    /* Past its budget, at most OVERSHOOT_BUDGETS budgets more (a backlog
     * would otherwise run through the old worker for as long as the
     * replacement joins). */
    if (atomic_load(&worker_overlap) && p->max_messages &&
        stats->handled >= (1 + OVERSHOOT_BUDGETS) * p->max_messages && !worker_stop) {
        worker_overlap_end = OVERLAP_END_OVERSHOOT;
        worker_stop = 1;
    }
    /* The loop ends after this message: the watchdog bounds the close. */
    if (p->max_messages && stats->handled >= p->max_messages) atomic_store(&worker_budget_spent, 1);
    return 0;
}

static mm_worker_reason retiring_reason(void) {
    if (atomic_load(&worker_budget_spent)) return MM_WORKER_HARAKIRI;
    return worker_aged ? MM_WORKER_MAX_AGE : MM_WORKER_STOPPED;
}

/* Bounds a stopping worker's exit (STOP_BOUND_MS after its last handler
 * returned, or after the stop if none was running). */
static void *watchdog(void *arg) {
    (void)arg;
    /* Signals are the main thread's: SIGUSR1 and SIGTERM must interrupt the
     * loop's poll there, not land here. */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    long long since = 0;
    for (;;) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
        int overlap = atomic_load(&worker_overlap);
        if (overlap && !worker_stop && mono_ms() - atomic_load(&worker_overlap_ms) >= OVERLAP_MS) {
            worker_overlap_end = OVERLAP_END_DEADLINE;
            worker_stop = 1; /* seen by the loop within its poll interval */
        }
        int stopping = worker_stop || (atomic_load(&worker_budget_spent) && !overlap);
        if (!stopping || atomic_load(&worker_handling)) {
            since = 0;
            continue;
        }
        long long now = mono_ms();
        if (!since) since = now;
        long long last_end = atomic_load(&worker_last_end_ms);
        long long from = last_end > since ? last_end : since;
        if (now - from < STOP_BOUND_MS) continue;
        mm_log_warn(
            "worker %s: not closed %d ms after its last event (Kafka unreachable?); exiting "
            "without a clean group leave. Abandoned: the final offset commit (events handled "
            "since the last commit, of %llu handled in all, are delivered again) and any "
            "event still being published or stored; every committed event is complete",
            worker_label, STOP_BOUND_MS, (unsigned long long)atomic_load(&worker_handled));
        report(MM_WORKER_REPORT_RETIRED, retiring_reason(), 1);
        fflush(NULL);
        _exit(0);
    }
    return NULL;
}

/* Overwrites the process title (/proc/PID/cmdline, what ps shows) and the
 * thread name with what this process is. */
static void set_title(const mm_worker_params *p, int waiting) {
    char title[512];
    if (waiting)
        snprintf(title, sizeof title, "gregor worker %s.%s standby", p->spec->service->name,
                 p->spec->name);
    else
        snprintf(title, sizeof title, "gregor worker %s.%s #%d", p->spec->service->name,
                 p->spec->name, p->slot);
    if (p->title && p->title_size > 1) {
        memset(p->title, 0, p->title_size);
        memcpy(p->title, title,
               strlen(title) < p->title_size - 1 ? strlen(title) : p->title_size - 1);
    }
    char comm[16];
    snprintf(comm, sizeof comm, "w:%s", p->spec->name);
    prctl(PR_SET_NAME, comm, 0, 0, 0);
}

/* Asks for the metadata of every topic this worker may produce to (the
 * loaded services' topics and mutation topics), so that its first emit does
 * not wait for librdkafka's 1 s topic scan: a fresh producer that has never
 * heard of a topic holds the first message until then. The topics: every
 * loaded service's own topic, its mutation topics and its consumers' topics
 * (an emit to another topic still pays the scan once per worker). */
static void warm_up(mm_runtime *rt, const mm_worker_params *p) {
    rd_kafka_t *rk = mm_producer_rdkafka(rt->producer);
    if (!rk) return;
    long long deadline = mono_ms() + WARMUP_MS;
    for (size_t i = 0; i < p->service_count; i++) {
        const mm_service *s = p->services[i];
        const char *topics[64];
        size_t n = 0;
        topics[n++] = s->name;
        for (size_t j = 0; j < s->mutation_count && n < 64; j++)
            topics[n++] = s->mutations[j]->topic;
        for (size_t j = 0; j < s->consumer_count; j++)
            for (char **t = s->consumers[j]->topics; t && *t && n < 64; t++) topics[n++] = *t;
        for (size_t j = 0; j < n; j++) {
            const char *topic = topics[j];
            int dup = 0;
            for (size_t k = 0; k < j && !dup; k++) dup = strcmp(topics[k], topic) == 0;
            if (dup) continue;
            long long left = deadline - mono_ms();
            if (left <= 0) return;
            rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
            const struct rd_kafka_metadata *md = NULL;
            if (t && rd_kafka_metadata(rk, 0, t, &md, (int)left) == RD_KAFKA_RESP_ERR_NO_ERROR)
                rd_kafka_metadata_destroy(md);
            if (t) rd_kafka_topic_destroy(t);
        }
    }
}

/* Appends a librdkafka property to the runtime's list, which the consumer
 * reads (later entries override earlier ones). keep_operator: leave it be
 * if the operator's configuration sets it. */
static int add_prop(mm_runtime *rt, const char *key, const char *value, int keep_operator) {
    mm_kv *v = realloc(rt->kafka_props, (rt->kafka_prop_count + 2) * sizeof *v);
    if (!v) return MM_ENOMEM;
    rt->kafka_props = v;
    for (size_t i = 0; keep_operator && i < rt->kafka_prop_count; i++)
        if (strcmp(v[i].key, key) == 0 ||
            (strncmp(v[i].key, "kafka.", 6) == 0 && strcmp(v[i].key + 6, key) == 0))
            return 0;
    v[rt->kafka_prop_count++] = (mm_kv){key, value};
    v[rt->kafka_prop_count] = (mm_kv){NULL, NULL};
    return 0;
}

/* Whether the broker is librdkafka's mock cluster (`gregor broker`): its
 * cluster id is "mockCluster<hex>". */
static int is_dev_broker(mm_runtime *rt) {
    rd_kafka_t *rk = mm_producer_rdkafka(rt->producer);
    char *id = rk ? rd_kafka_clusterid(rk, 1000) : NULL;
    int mock = id && strncmp(id, "mockCluster", 11) == 0;
    if (id) rd_kafka_mem_free(rk, id);
    return mock;
}

/* Group membership settings (worker.h; docs/node.md, "Group membership").
 * On the development broker static membership cannot work: librdkafka
 * 2.0.2's mock ignores group.instance.id, so a member that does not leave
 * blocks its group until its session expires. Its groups wait
 * session.timeout.ms - 1 s for members to rejoin and a hard-coded 3 s
 * before the first member of an empty group is let in (so the session
 * must be longer than 3 s): dynamic members with a 3.5 s session there,
 * instead of librdkafka's 45 s. */
static int set_membership(mm_runtime *rt, const mm_worker_params *p, int dev_broker) {
    if (dev_broker)
        return add_prop(rt, "session.timeout.ms", "3500", 0) ||
               add_prop(rt, "heartbeat.interval.ms", "500", 0);
    if (!p->instance_id) return 0;
    size_t before = rt->kafka_prop_count;
    if (add_prop(rt, "group.instance.id", p->instance_id, 1) != 0) return MM_ENOMEM;
    worker_static = rt->kafka_prop_count > before;
    return 0;
}

/* After the consumer closed, a static member stopped for good removes
 * itself from its group (leave_group.h), on PLAINTEXT listeners. */
static void leave_if_retired(mm_runtime *rt, const mm_worker_params *p) {
    if (!worker_leave || !worker_static) return;
    for (size_t i = 0; i < rt->kafka_prop_count; i++) {
        const char *k = rt->kafka_props[i].key;
        if ((strcmp(k, "security.protocol") == 0 || strcmp(k, "kafka.security.protocol") == 0) &&
            strcasecmp(rt->kafka_props[i].value, "plaintext") != 0) {
            mm_log_info(
                "worker %s: not a PLAINTEXT listener; group %s lets static member %s go when "
                "its session expires",
                worker_label, p->spec->group_id, p->instance_id);
            return;
        }
    }
    char err[256];
    if (mm_leave_group_static(rt->config->kafka_bootstrap_servers, p->spec->group_id,
                              p->instance_id, LEAVE_MS, err, sizeof err) == 0)
        mm_log_info("worker %s: left group %s (static member %s): its partitions move now",
                    worker_label, p->spec->group_id, p->instance_id);
    else
        mm_log_warn(
            "worker %s: could not remove static member %s from group %s (%s); its partitions "
            "move when its session expires",
            worker_label, p->instance_id, p->spec->group_id, err);
}

/* A standby's state (worker process only). */
static struct {
    int go_fd;
    pid_t parent;
    long long ready_ms;
    int went;                    /* its go came */
    int rejoin;                  /* its go named another slot than its consumer was made for */
    mm_worker_handover handover; /* offsets its go handed over (count 0: none) */
} standby = {.go_fd = -1};

/* A replacement whose offsets follow (overlapped hand-over; worker process
 * only): they arrive on fd, the go pipe. */
static struct {
    int fd;                /* -1: none follow (any more) */
    long long assigned_ms; /* its first assignment came (0: not yet) */
} await = {.fd = -1};

static void __attribute__((noreturn)) exit_unused(void) {
    mm_log_debug("worker %s: standby leaves unused after %lld ms", worker_label,
                 mono_ms() - standby.ready_ms);
    /* Nothing was produced; closing clients could take seconds. */
    fflush(NULL);
    _exit(MM_WORKER_EXIT_UNUSED);
}

static int wait_for_go(int go_fd, pid_t parent, long max_ms, mm_worker_go *go);

/* Waits for the standby's go and takes its slot, budget and instance id
 * into p. Returns 0, or -1: leave unused. */
static int take_go(mm_worker_params *p, char *instance, size_t instance_size) {
    mm_worker_go go;
    if (wait_for_go(standby.go_fd, standby.parent, p->standby_max_ms > 0 ? p->standby_max_ms : 1000,
                    &go))
        return -1;
    /* Its predecessor still runs: the pipe brings its offsets later. */
    if (go.offsets_follow)
        await.fd = standby.go_fd;
    else
        close(standby.go_fd);
    standby.go_fd = -1;
    standby.went = 1;
    standby.rejoin = p->instance_prefix && go.slot != p->slot;
    standby.handover = go.handover;
    if (standby.handover.count > MM_WORKER_HANDOVER_MAX) standby.handover.count = 0;
    p->slot = go.slot;
    p->max_messages = go.max_messages;
    if (p->instance_prefix) {
        snprintf(instance, instance_size, "%s%d", p->instance_prefix, go.slot);
        p->instance_id = instance;
    }
    if (p->max_age_seconds > 0) alarm((unsigned)p->max_age_seconds);
    set_title(p, 0);
    mm_log_debug("worker %s: go after %lld ms standing by (slot %d)", worker_label,
                 mono_ms() - standby.ready_ms, go.slot);
    return 0;
}

static char standby_instance[640]; /* the group.instance.id a go completes */

/* The consumer's before_join (prejoin standby): nonzero leaves without
 * joining, to exit unused or to make the consumer again for another slot. */
/* The offsets the go handed over, as the consumer's start_at (NULL: none;
 * a topic index outside the spec's topics is dropped). */
static rd_kafka_topic_partition_list_t *handed_over(const mm_worker_params *p) {
    if (standby.handover.count == 0) return NULL;
    size_t topics = 0;
    while (p->spec->topics[topics]) topics++;
    rd_kafka_topic_partition_list_t *l =
        rd_kafka_topic_partition_list_new((int)standby.handover.count);
    for (uint32_t i = 0; i < standby.handover.count; i++) {
        if (standby.handover.at[i].topic >= topics) continue;
        rd_kafka_topic_partition_list_add(l, p->spec->topics[standby.handover.at[i].topic],
                                          standby.handover.at[i].partition)
            ->offset = standby.handover.at[i].offset;
    }
    return l;
}

static int before_join(void *ud, uint64_t *max_messages,
                       rd_kafka_topic_partition_list_t **start_at) {
    mm_worker_params *p = ud;
    if (take_go(p, standby_instance, sizeof standby_instance) != 0) return 1;
    *max_messages = p->max_messages;
    if (standby.rejoin) return 1; /* start_at is given to the second consumer */
    *start_at = handed_over(p);
    return 0;
}

/* The second consumer of a standby told another slot, or the consumer of
 * a worker started fresh after a hand-over: joins at once, with the offsets
 * handed over. */
static int rejoin_now(void *ud, uint64_t *max_messages,
                      rd_kafka_topic_partition_list_t **start_at) {
    (void)max_messages;
    *start_at = handed_over(ud);
    return 0;
}

/* The consumer's budget is spent and every event it took is done, before
 * its final commit (bus/consumer.h): a static member reports its
 * retirement now, with done as hand-over records in the same write, so the
 * supervisor's go carries them to the standby, which joins while this
 * member still commits. More partitions than a go holds (or a topic not in
 * the spec): no early report; on_final_commit reports after the commit. */
static void on_handover(void *ud, const rd_kafka_topic_partition_list_t *done) {
    const mm_worker_params *p = ud;
    if (!worker_static || worker_leave || done->cnt > MM_WORKER_HANDOVER_MAX) return;
    mm_worker_report r[MM_WORKER_HANDOVER_MAX + 2];
    size_t n = 0;
    for (int i = 0; i < done->cnt; i++) {
        uint32_t t = 0;
        while (p->spec->topics[t] && strcmp(p->spec->topics[t], done->elems[i].topic) != 0) t++;
        if (!p->spec->topics[t] || t > 255 || done->elems[i].partition < 0 ||
            done->elems[i].partition >= (1 << 24) || done->elems[i].offset < 0)
            return;
        r[n++] = (mm_worker_report){.kind = MM_WORKER_REPORT_HANDOVER,
                                    .arg = t << 24 | (uint32_t)done->elems[i].partition,
                                    .value = (uint64_t)done->elems[i].offset};
    }
    if (atomic_exchange(&worker_reported, 1)) return;
    r[n++] = (mm_worker_report){.kind = MM_WORKER_REPORT_LAST_DONE,
                                .value = (uint64_t)atomic_load(&worker_last_done_ms)};
    r[n++] = (mm_worker_report){.kind = MM_WORKER_REPORT_RETIRED, .value = retiring_reason()};
    /* One write (at most PIPE_BUF bytes): the records arrive together. */
    for (int tries = 0; tries < 200; tries++) {
        ssize_t w = write(worker_report_fd, r, n * sizeof *r);
        if (w == (ssize_t)(n * sizeof *r) || (w < 0 && errno != EAGAIN && errno != EINTR)) break;
        usleep(5000);
    }
    mm_log_debug("worker %s: handed over %d partition(s) before its final commit", worker_label,
                 done->cnt);
}

/* The consumer committed its last offsets: a static member's replacement
 * may join now (fencing this member, which sends nothing more), so the
 * retirement is reported before the slow part of closing. A member
 * stopped for good reports after its LeaveGroup; a dynamic one after
 * closing (its close leaves the group). */
static void on_final_commit(void *ud) {
    (void)ud;
    if (!worker_static || worker_leave) return;
    report(MM_WORKER_REPORT_RETIRED, retiring_reason(), 1);
}

/* ---- overlapped hand-over (docs/node.md) -------------------------------- */

/* The consumer's events taken reached the budget: a static member (not
 * stopped for good, at most MM_WORKER_HANDOVER_MAX partitions, not
 * exactly-once: the consumer does not ask then) goes on handling events
 * while its replacement joins, and says so to the supervisor. */
static int on_budget(void *ud, int partitions) {
    const mm_worker_params *p = ud;
    if (!p->overlap || !worker_static || worker_leave || worker_stop ||
        partitions > MM_WORKER_HANDOVER_MAX)
        return 0;
    atomic_store(&worker_overlap_ms, mono_ms());
    atomic_store(&worker_overlap, 1);
    report(MM_WORKER_REPORT_BUDGET, p->max_messages, 1);
    mm_log_debug("worker %s: budget of %llu spent; handling on while the replacement joins",
                 worker_label, (unsigned long long)p->max_messages);
    return 1;
}

static int handover_fd(void *ud) {
    (void)ud;
    return await.fd;
}

/* The replacement's first assignment: it fetches nothing until its
 * predecessor, told now, has stopped and handed its offsets over. */
static void on_assigned(void *ud) {
    (void)ud;
    await.assigned_ms = mono_ms();
    report(MM_WORKER_REPORT_ASSIGNED, 0, 1);
}

/* Non-blocking: 1 when the wait is over (*start_at: the offsets, or NULL
 * to start at the committed ones), 0 to be asked again. */
static int handover_read(void *ud, rd_kafka_topic_partition_list_t **start_at) {
    const mm_worker_params *p = ud;
    if (await.fd < 0) return 1;
    mm_worker_go rec;
    ssize_t n = read(await.fd, &rec, sizeof rec);
    const char *how;
    if (n == (ssize_t)sizeof rec && rec.magic == MM_WORKER_OFFSETS_MAGIC) {
        standby.handover = rec.handover;
        if (standby.handover.count > MM_WORKER_HANDOVER_MAX) standby.handover.count = 0;
        *start_at = handed_over(p);
        how = standby.handover.count ? "the handed-over offsets" : "no offsets handed over";
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (worker_stop)
            how = "stopped";
        else if (await.assigned_ms && mono_ms() - await.assigned_ms >= AWAIT_OFFSETS_MS)
            how = "no offsets in time";
        else
            return 0;
    } else {
        /* End of file: the predecessor ended without handing over. */
        how = "its predecessor ended without handing over";
    }
    close(await.fd);
    await.fd = -1;
    mm_log_debug("worker %s: assigning after %lld ms: %s", worker_label,
                 await.assigned_ms ? mono_ms() - await.assigned_ms : -1LL, how);
    return 1;
}

static const mm_consumer_overlap_hooks overlap_hooks = {
    .on_budget = on_budget,
    .handover_fd = handover_fd,
    .on_assigned = on_assigned,
    .handover_read = handover_read,
};

/* A standby's wait for its go (worker.h). Returns 0 with *go filled, or -1
 * when it is to exit unused: end of file on the pipe (the supervisor closed
 * it or died), told to stop, its parent gone, or max_ms passed. Polls in
 * 200 ms slices so a parent that died is noticed even without a signal. */
static int wait_for_go(int go_fd, pid_t parent, long max_ms, mm_worker_go *go) {
    long long deadline = mono_ms() + max_ms;
    for (;;) {
        if (worker_stop || getppid() != parent) return -1;
        long long left = deadline - mono_ms();
        struct pollfd pfd = {.fd = go_fd, .events = POLLIN};
        /* Expired: one last look without waiting (a go written just now). */
        int r = poll(&pfd, 1, left <= 0 ? 0 : left < 200 ? (int)left : 200);
        if (r > 0) {
            /* The record is written in one write(2) of less than PIPE_BUF
             * bytes: it arrives whole or not at all. */
            ssize_t n = read(go_fd, go, sizeof *go);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            return n == (ssize_t)sizeof *go && go->magic == MM_WORKER_GO_MAGIC ? 0 : -1;
        }
        if (r < 0 && errno != EINTR) return -1;
        if (r == 0 && left <= 0) return -1;
    }
}

static void install(int sig, void (*fn)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* The child: never returns. */
static void __attribute__((noreturn))
child_main(const mm_worker_params *params, int fd, int go_fd, pid_t parent) {
    /* A standby learns its slot, budget and instance id from its go. */
    mm_worker_params local = *params;
    const mm_worker_params *p = &local;
    long long t0 = mono_ms();
    mm_consumer_runner_process_setup(); /* before any thread of this process */
    worker_main_thread = pthread_self();
    worker_report_fd = fd;
    install(SIGTERM, on_stop);
    install(SIGINT, on_stop);
    install(SIGALRM, on_alarm);
    install(SIGCHLD, SIG_DFL);
    install(SIGPIPE, SIG_IGN);
    install(SIGHUP, SIG_DFL);
    install(SIGUSR2, on_retire);
    install(SIGUSR1, on_handover_now);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* A worker whose supervisor dies (even SIGKILLed) drains and exits
     * rather than consume unsupervised; checked again in case the parent
     * died before the request was made. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) worker_stop = 1;
    int keep[2] = {fd, go_fd};
    mm_child_close_inherited_but(keep, 2);
    /* Started fresh in an overlapped hand-over: the pipe brings only the
     * offsets (not a standby). */
    if (go_fd >= 0 && p->offsets_follow) {
        await.fd = go_fd;
        go_fd = -1;
    }
    if (go_fd < 0 && p->max_age_seconds > 0) alarm((unsigned)p->max_age_seconds);
    set_title(p, go_fd >= 0);

    char err[1024];
    mm_runtime rt;
    const mm_consumer_spec *spec = p->spec;
    snprintf(worker_label, sizeof worker_label, "consumer=%s.%s pid=%d", spec->service->name,
             spec->name, (int)getpid());
    pthread_t wd;
    if (pthread_create(&wd, NULL, watchdog, NULL) == 0) pthread_detach(wd);
    if (mm_runtime_open(&rt, p->config, MM_RUNTIME_WORKER, p->services, p->service_count, err,
                        sizeof err)) {
        mm_log_error("worker consumer=%s.%s pid=%d: %s", spec->service->name, spec->name,
                     (int)getpid(), err);
        fflush(NULL);
        _exit(EXIT_START_FAILED);
    }
    if (p->metrics) mm_trace_use_counters(&p->metrics->trace); /* trace: the node reads them */
    if (spec->service->post_fork &&
        spec->service->post_fork(spec->service->post_fork_ud, spec->service)) {
        mm_log_error("worker consumer=%s.%s pid=%d: the service's post_fork initializer failed",
                     spec->service->name, spec->name, (int)getpid());
        /* Exit at once: nothing was produced yet, and closing clients that
         * are still connecting can take seconds. */
        fflush(NULL);
        _exit(EXIT_START_FAILED);
    }
    warm_up(&rt, p);
    int dev_broker = is_dev_broker(&rt);
    /* A standby creates its consumer before its go (the client connects and
     * finds its coordinator meanwhile) and waits in before_join, unless
     * exactly-once: its transactional producer would fence the worker it
     * is to replace. */
    int prejoin = go_fd >= 0 && !mm_consumer_txn_enabled(p->config, spec);
    if (go_fd >= 0) {
        standby.go_fd = go_fd;
        standby.parent = parent;
        standby.ready_ms = mono_ms();
        mm_log_debug("worker %s: standby ready after %lld ms; waiting for its go", worker_label,
                     standby.ready_ms - t0);
        report(MM_WORKER_REPORT_STANDBY_READY, (uint64_t)(standby.ready_ms - t0), 0);
        if (p->instance_prefix) { /* the slot it is expected to take (p->slot) */
            snprintf(standby_instance, sizeof standby_instance, "%s%d", p->instance_prefix,
                     p->slot);
            local.instance_id = standby_instance;
        }
        if (!prejoin && take_go(&local, standby_instance, sizeof standby_instance) != 0)
            exit_unused();
    }
    if (set_membership(&rt, p, dev_broker) != 0) {
        mm_log_error("worker %s: out of memory", worker_label);
        fflush(NULL);
        _exit(EXIT_START_FAILED);
    }
    /* Started fresh after a hand-over: starts at its predecessor's offsets
     * too (that one's final commit may still be under way). */
    int fresh_handed = go_fd < 0 && p->handover && p->handover->count > 0 &&
                       p->handover->count <= MM_WORKER_HANDOVER_MAX;
    if (fresh_handed) standby.handover = *p->handover;
    mm_runner_options ro = {.max_messages = p->max_messages,
                            .stop_flag = &worker_stop,
                            .on_progress = on_progress,
                            .progress_ud = (void *)p,
                            .on_handle_begin = on_handle_begin,
                            .on_handle_end = on_handle_end,
                            .crash_count = crash_count,
                            .hook_ud = (void *)p,
                            .max_crashes = p->max_crashes,
                            .metrics = p->metrics,
                            /* Exactly-once: the slot's stable id fences its predecessor. */
                            .transactional_id = p->instance_id,
                            .before_join = prejoin        ? before_join
                                           : fresh_handed ? rejoin_now
                                                          : NULL,
                            .on_handover = on_handover,
                            .on_final_commit = on_final_commit,
                            .join_ud = &local,
                            .overlap = &overlap_hooks};
    int rc = mm_consumer_runner_run(&rt, p->schema, spec, &ro, err, sizeof err);
    if (prejoin && !standby.went) {
        if (rc >= 0) exit_unused();
        /* Its consumer failed before the go: a start-up failure (the
         * supervisor backs off), not an unused standby (started again at
         * once). */
        mm_log_error("worker %s: %s", worker_label, err);
        fflush(NULL);
        _exit(EXIT_START_FAILED);
    }
    if (prejoin && standby.rejoin) {
        /* Told to take another slot than expected: its consumer was made
         * with the other group.instance.id (the property points at
         * standby_instance, which now holds the right one). */
        ro.before_join = rejoin_now;
        ro.max_messages = p->max_messages;
        rc = mm_consumer_runner_run(&rt, p->schema, spec, &ro, err, sizeof err);
    }
    if (atomic_load(&worker_overlap)) {
        int end = worker_overlap_end;
        unsigned long long handled = atomic_load(&worker_handled);
        mm_log_debug("worker %s: overlap: %llu event(s) handled beyond its budget of %llu in "
                     "%lld ms; ended by %s",
                     worker_label, handled > p->max_messages ? handled - p->max_messages : 0ULL,
                     (unsigned long long)p->max_messages,
                     mono_ms() - atomic_load(&worker_overlap_ms),
                     end == OVERLAP_END_ASSIGNMENT  ? "its replacement's assignment"
                     : end == OVERLAP_END_DEADLINE  ? "its deadline"
                     : end == OVERLAP_END_OVERSHOOT ? "its overshoot limit"
                                                    : "a fencing or a stop");
    }
    leave_if_retired(&rt, p);
    int status = 0;
    /* The consumer has committed and left: report now, so the supervisor
     * starts the replacement while this process closes its clients. */
    if (rc < 0) {
        mm_log_error("worker %s: %s", worker_label, err);
        status = EXIT_RUN_FAILED;
    } else if (rc == MM_CONSUMER_BUDGET) {
        atomic_store(&worker_budget_spent, 1);
        report(MM_WORKER_REPORT_RETIRED, MM_WORKER_HARAKIRI, 1);
    } else if (worker_aged) {
        report(MM_WORKER_REPORT_RETIRED, MM_WORKER_MAX_AGE, 1);
    } else {
        report(MM_WORKER_REPORT_RETIRED, MM_WORKER_STOPPED, 1);
    }
    mm_runtime_close(&rt);
    fflush(NULL);
    /* _exit: the supervisor's atexit handlers (and a leak checker looking at
     * the supervisor's heap, inherited by this copy) must not run here. */
    _exit(status);
}

/* One record on a go pipe, with h's offsets (one atomic write). */
static int go_record_send(int go_fd, mm_worker_go *rec, const mm_worker_handover *h) {
    if (h) rec->handover = *h;
    return go_fd >= 0 && write(go_fd, rec, sizeof *rec) == (ssize_t)sizeof *rec ? 0 : -1;
}

int mm_worker_go_send(int go_fd, int slot, uint64_t max_messages, const mm_worker_handover *h,
                      int offsets_follow) {
    mm_worker_go go = {.magic = MM_WORKER_GO_MAGIC,
                       .slot = slot,
                       .max_messages = max_messages,
                       .offsets_follow = offsets_follow != 0};
    return go_record_send(go_fd, &go, h);
}

int mm_worker_offsets_send(int go_fd, const mm_worker_handover *h) {
    mm_worker_go rec = {.magic = MM_WORKER_OFFSETS_MAGIC};
    return go_record_send(go_fd, &rec, h);
}

pid_t mm_worker_spawn(const mm_worker_params *p, int *report_fd, int *go_fd, char *err,
                      size_t err_size) {
    int fds[2], go[2] = {-1, -1};
    if (pipe(fds) != 0) {
        snprintf(err, err_size, "pipe: %s", strerror(errno));
        return -1;
    }
    if (go_fd && pipe(go) != 0) {
        snprintf(err, err_size, "pipe: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_size, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        if (go_fd) close(go[0]), close(go[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        fcntl(fds[1], F_SETFL, O_NONBLOCK);
        if (go_fd) {
            close(go[1]);
            fcntl(go[0], F_SETFL, O_NONBLOCK);
        }
        child_main(p, fds[1], go[0], parent);
    }
    close(fds[1]);
    if (go_fd) {
        close(go[0]);
        fcntl(go[1], F_SETFL, O_NONBLOCK);
        fcntl(go[1], F_SETFD, FD_CLOEXEC);
        *go_fd = go[1];
    }
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    *report_fd = fds[0];
    return pid;
}
