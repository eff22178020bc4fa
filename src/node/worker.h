/* worker.h -- one worker process of a node: forked by the supervisor, it
 * runs one consumer (service/consumer_runner.h) until its harakiri budget or
 * maximum age is spent, or it is told to stop.
 *
 * The child never uses the supervisor's Kafka or Redis handles: it closes
 * every inherited descriptor but stdio and its report pipe, opens its own
 * WORKER runtime, runs the service's post_fork initializer, then consumes.
 * SIGTERM/SIGINT make it finish the current message, commit, leave the group
 * and exit 0.
 *
 * It reports to the supervisor through a pipe of fixed-size records
 * (mm_worker_report): its message count after every message (dropped when
 * the pipe is full: the count is cumulative) and, last, why it retired. The
 * retirement record is sent as soon as the consumer has committed and left
 * (before the worker's own clean-up), so the supervisor can start the
 * replacement while the old process is still closing its connections.
 *
 * Crash attribution: the worker writes the event it is handling into a page
 * shared with the supervisor (mm_worker_current, mapped MAP_SHARED before
 * fork). When a worker dies of a signal, the supervisor reads that page to
 * name the event, answers its caller with WORKER_CRASHED and counts the
 * crash (mm_worker_crashes); workers forked later inherit the counts, and
 * the runner dead-letters an event that crashed max_crashes workers.
 *
 * Standby (docs/node.md, "Standby workers"): a worker spawned with a go
 * pipe opens its runtime, runs post_fork and warms its producer up, reports
 * MM_WORKER_REPORT_STANDBY_READY, then waits for one mm_worker_go record
 * (its slot and harakiri budget) before it creates and subscribes its
 * consumer. The wait is bounded: it exits with MM_WORKER_EXIT_UNUSED when
 * the pipe reaches end of file (the supervisor closed it, or died), when
 * it is told to stop, when its parent is gone, or after standby_max_ms.
 *
 * Group membership: a node's worker joins its group as the static member
 * "<node>.<service>.<consumer>.<slot>" (group.instance.id), and its
 * replacement reuses the slot, so a harakiri, max-age or crash restart is
 * a static member coming back: the broker hands it the same partitions with
 * no group-wide rebalance (and no group.initial.rebalance.delay.ms). A
 * worker stopped for good (SIGUSR2 instead of SIGTERM: procs lowered,
 * consumer or node stopped) removes its static member from the group after
 * closing (leave_group.h), so its partitions move at once.
 *
 * Overlapped hand-over (docs/node.md, "Overlapped hand-over"): a static
 * member whose budget is spent reports MM_WORKER_REPORT_BUDGET and goes on
 * handling events; its replacement joins meanwhile, reports
 * MM_WORKER_REPORT_ASSIGNED without fetching, and the supervisor then
 * stops the old worker with SIGUSR1 (or it stops when fenced, or 2 s
 * after its budget was spent): it hands its offsets over, and the
 * supervisor relays them to the replacement, which starts there. */
#ifndef MM_NODE_WORKER_H
#define MM_NODE_WORKER_H

#include <stdint.h>
#include <sys/types.h>

#include "common/config.h"
#include "graphql/type/schema.h"
#include "service/service_internal.h"
#include "service/worker_metrics.h"

/* Why a worker ended, as reported in ConsumerProcessFinished. */
typedef enum mm_worker_reason {
    MM_WORKER_CRASH = 0,    /* nonzero exit or a signal the node did not send */
    MM_WORKER_HARAKIRI = 1, /* its message budget was spent */
    MM_WORKER_MAX_AGE = 2,  /* max_age_seconds passed */
    MM_WORKER_STOPPED = 3,  /* told to stop (SIGTERM), exited cleanly */
    MM_WORKER_KILLED = 4,   /* SIGKILLed by the node */
} mm_worker_reason;

const char *mm_worker_reason_name(mm_worker_reason r);

/* One record on the report pipe. */
typedef struct mm_worker_report {
    uint32_t kind;  /* MM_WORKER_REPORT_* */
    uint32_t arg;   /* HANDOVER: topic index << 24 | partition; else 0 */
    uint64_t value; /* messages handled, an mm_worker_reason, or (HANDOVER) an offset */
} mm_worker_report;

enum {
    MM_WORKER_REPORT_PROGRESS = 1,
    MM_WORKER_REPORT_RETIRED = 2,
    MM_WORKER_REPORT_STANDBY_READY = 3, /* a standby is ready for its go */
    MM_WORKER_REPORT_FIRST_EVENT = 4,   /* its first handler call began */
    /* One partition's hand-over offset (the offset after its last done
     * event); a retiring static member sends them, then RETIRED, in one
     * write before its final commit (docs/node.md, "Standby workers"). */
    MM_WORKER_REPORT_HANDOVER = 5,
    /* Overlapped hand-over (docs/node.md): the worker's budget is spent and
     * it goes on handling events until its replacement has its assignment
     * (value: the budget). */
    MM_WORKER_REPORT_BUDGET = 6,
    /* A replacement whose offsets follow got its first assignment and
     * waits for them: its predecessor may stop now. */
    MM_WORKER_REPORT_ASSIGNED = 7,
    /* Sent with the HANDOVER records: CLOCK_MONOTONIC ms at which the
     * worker's last event was done (the hand-over gap's start). */
    MM_WORKER_REPORT_LAST_DONE = 8
};

/* Offsets a retiring worker hands to its replacement: topic is the index
 * in the consumer spec's topics (both workers run the same spec). */
#define MM_WORKER_HANDOVER_MAX 64
typedef struct mm_worker_handover {
    uint32_t count;
    uint32_t unused;
    struct {
        uint32_t topic;
        int32_t partition;
        int64_t offset;
    } at[MM_WORKER_HANDOVER_MAX];
} mm_worker_handover;

/* What the supervisor writes on a standby's go pipe (one atomic write).
 * With offsets_follow, a second record (magic MM_WORKER_OFFSETS_MAGIC,
 * only handover used) follows on the same pipe once the predecessor,
 * still running, has stopped and handed its offsets over; end of file
 * instead means none come. A replacement started fresh in an overlapped
 * hand-over gets only that second record. */
#define MM_WORKER_GO_MAGIC      0x676f2121u
#define MM_WORKER_OFFSETS_MAGIC 0x6f666673u
typedef struct mm_worker_go {
    uint32_t magic;
    int32_t slot;                /* the worker's number in its consumer */
    uint64_t max_messages;       /* harakiri budget; 0: none */
    mm_worker_handover handover; /* from the worker it replaces; count 0: none */
    uint32_t offsets_follow;     /* 1: its predecessor still runs (overlapped hand-over) */
    uint32_t unused;
} mm_worker_go;
_Static_assert(sizeof(mm_worker_go) <= 4096, "one atomic pipe write (PIPE_BUF)");

/* Exit status of a standby that never ran a consumer (expired, told to
 * stop, or its parent went away before its go): not a crash. */
#define MM_WORKER_EXIT_UNUSED 4

/* The event a worker is handling, in a page shared with the supervisor.
 * seq is odd while the worker writes it; active is 1 between the runner's
 * on_handle_begin and on_handle_end. Strings are NUL-terminated, cut to
 * fit (ids are at most 1024 bytes: MM_ENVELOPE_ATTR_MAX). */
#define MM_WORKER_ID_MAX 1032
typedef struct mm_worker_current {
    volatile uint32_t seq;
    volatile uint32_t active;
    int32_t partition;
    int64_t offset;
    char id[MM_WORKER_ID_MAX];
    char reply_to[MM_WORKER_ID_MAX];
    char topic[256];
} mm_worker_current;

/* Maps a zeroed mm_worker_current shared with the children forked later;
 * NULL when mmap fails. mm_worker_current_unmap(NULL) is a no-op. */
mm_worker_current *mm_worker_current_map(void);
void mm_worker_current_unmap(mm_worker_current *c);

/* Copies what c says into the out buffers if a handler was running when the
 * worker died (returns 1), else returns 0. Call after the worker is reaped. */
int mm_worker_current_read(const mm_worker_current *c, mm_worker_current *out);

/* How many workers each recent event crashed, kept by the supervisor and
 * inherited by the workers it forks afterwards. A fixed table: when full,
 * the oldest entry goes (an event that crashed a worker an hour ago and
 * never came back is not worth remembering). */
#define MM_WORKER_CRASH_SLOTS 64
typedef struct mm_worker_crashes {
    struct {
        char id[MM_WORKER_ID_MAX];
        int count;
        long long last_ms;
    } e[MM_WORKER_CRASH_SLOTS];
} mm_worker_crashes;

/* Adds one crash of event id (at now_ms); returns the new count. */
int mm_worker_crashes_add(mm_worker_crashes *t, const char *id, long long now_ms);
/* The crashes recorded for id (0 when none). */
int mm_worker_crashes_get(const mm_worker_crashes *t, const char *id);

/* What the child needs; all of it is the supervisor's, read-only. */
typedef struct mm_worker_params {
    const mm_config *config;
    mm_service *const *services;
    size_t service_count;
    const mm_gql_schema *schema;
    const mm_consumer_spec *spec;
    uint64_t max_messages;            /* harakiri budget; 0: none */
    long max_age_seconds;             /* <= 0: none */
    mm_worker_current *current;       /* shared page (may be NULL: no attribution) */
    const mm_worker_crashes *crashes; /* may be NULL */
    unsigned max_crashes;             /* 0: the runner's default (3) */
    const char *instance_id;          /* group.instance.id; NULL: a dynamic member */
    const char *instance_prefix;      /* standby: group.instance.id is this + the slot
                                         its go names; NULL: a dynamic member */
    long standby_max_ms;              /* standby: exit unused after this long (> 0) */
    char *title;                      /* process title area to overwrite (may be NULL) */
    size_t title_size;
    int slot;                   /* the worker's number in its consumer (#N) */
    mm_worker_metrics *metrics; /* shared event counters (node/metrics.h); may be NULL */
    /* A worker started fresh for a slot whose predecessor handed offsets
     * over (not a standby: its go carries them); NULL: none. */
    const mm_worker_handover *handover;
    /* Overlapped hand-over (docs/node.md): nonzero lets the worker go on
     * past its budget until told to stop (SIGUSR1), if it is a static
     * member. */
    int overlap;
    /* A worker started fresh while its predecessor still runs: its go
     * pipe (mm_worker_spawn's go_fd) carries only the offsets record. */
    int offsets_follow;
} mm_worker_params;

/* Forks a worker. Returns its pid and the read end of its report pipe
 * (non-blocking, close-on-exec) in *report_fd, or -1 with err set. Call with
 * SIGTERM, SIGINT and SIGCHLD blocked: the child installs its own handlers
 * before unblocking them, so no signal meant for it runs the supervisor's.
 * go_fd non-NULL: the worker is a standby; *go_fd is the write end of its
 * go pipe (close-on-exec); p->slot, p->max_messages and p->instance_id are
 * then taken from the go record (p->instance_prefix). */
pid_t mm_worker_spawn(const mm_worker_params *p, int *report_fd, int *go_fd, char *err,
                      size_t err_size);

/* Sends a standby its go (non-blocking). Returns 0, or -1 when the standby
 * is gone (the pipe is closed) or its pipe is full. */
int mm_worker_go_send(int go_fd, int slot, uint64_t max_messages, const mm_worker_handover *h,
                      int offsets_follow);

/* Sends a replacement whose offsets follow the offsets its predecessor
 * handed over (h NULL or count 0: none; the replacement starts at the
 * committed offsets). Returns 0 or -1 (the replacement is gone). */
int mm_worker_offsets_send(int go_fd, const mm_worker_handover *h);

#endif
