/* node_internal.h -- the supervisor's state, shared by the files of the node
 * module: supervisor.c (the loop and the workers' lives), control_apply.c
 * (what control events do) and status_doc.c (the status document). */
#ifndef MM_NODE_INTERNAL_H
#define MM_NODE_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "node/control.h"
#include "node/metrics.h"
#include "node/status_store.h"
#include "node/supervisor.h"
#include "node/sysstats.h"
#include "node/worker.h"
#include "store/results.h"

/* One worker process. */
typedef struct mm_node_proc {
    pid_t pid;
    int report_fd;     /* -1 once closed */
    uint64_t messages; /* last count reported */
    uint64_t limit;    /* harakiri budget drawn for it; 0: none */
    long long started_mono_ms;
    long long started_wall_ms;
    int stopping;               /* SIGTERM sent: retiring, not counted as running */
    int killing;                /* SIGKILL sent */
    int reported_reason;        /* mm_worker_reason from the pipe, -1 if none */
    int released;               /* it reported its retirement: committed and out of
                                 its group; its slot may be taken again */
    int slot;                   /* its number in the consumer: group.instance.id, title */
    mm_worker_current *current; /* shared page: the event it handles (worker.h) */
    mm_worker_metrics *metrics; /* shared block: its event counters (metrics.h); may be NULL */
    char instance_id[640];      /* a standby's: the prefix its slot completes */
    mm_proc_stats stats;
    int go_fd;                   /* a standby's go pipe (worker.h); -1: none */
    long long ready_mono_ms;     /* a standby reported it is ready (0: not yet) */
    long long handoff_from_ms;   /* its predecessor's last event was done (0: none) */
    int from_standby;            /* started as a standby, then told to go */
    mm_worker_handover handover; /* offsets it handed over as it retired (count 0: none) */
    /* Overlapped hand-over (docs/node.md). */
    int overlap;       /* past its budget, handling on until its replacement is assigned */
    int handover_told; /* SIGUSR1 sent: stop and hand over */
    pid_t successor;   /* overlap: the replacement waiting for its offsets; 0: none */
    pid_t predecessor; /* a replacement whose offsets follow: from this worker */
    long long last_done_mono_ms; /* its last event was done (LAST_DONE record); 0: unknown */
} mm_node_proc;

/* Longest line accepted from the Kafka agent. */
#define MM_NODE_AGENT_LINE_MAX 65536

/* Why workers ended, counted per consumer. */
enum {
    MM_NODE_REASONS = MM_WORKER_KILLED + 1
};

/* One consumer on this node. */
typedef struct mm_node_slot {
    const mm_consumer_spec *spec;
    long desired;        /* process count */
    long harakiri_limit; /* MM_CONFIG_UNSET: none */
    long harakiri_jitter;
    long max_age_seconds;
    mm_node_proc *procs;
    size_t proc_count, proc_cap;
    unsigned long long started; /* workers started since the node started */
    unsigned long long ended[MM_NODE_REASONS];
    int failures;            /* consecutive early crashes */
    long long next_start_ms; /* monotonic: no start before this (backoff) */
    mm_node_proc standby;    /* the pre-started replacement; pid 0: none */
    int standby_failures;    /* standbys in a row that did not become ready */
    long long standby_next_ms;
    long long standby_defer_ms; /* no new standby before this: a hand-over is on */
    long long last_done_ms;     /* a retiring worker's last event was done (hand-over log) */
} mm_node_slot;

typedef struct mm_node {
    const mm_node_options *o;
    mm_node_slot *slots;
    size_t slot_count;
    pid_t agent_pid; /* the Kafka agent (agent.h); 0 when not running */
    int agent_fd;    /* our end of its socket; -1 when closed */
    char *agent_buf; /* bytes read from the agent, not yet a whole line */
    size_t agent_len;
    long long agent_next_start_ms;
    long agent_backoff_ms;
    int agent_ready; /* the current agent reads control events */
    mm_status_store *status;
    char hostname[256];
    long long started_wall_ms;
    long status_interval_ms;
    long status_ttl_ms;
    long long next_status_ms;
    int status_failing;
    int dirty;    /* status changed: write it now */
    int draining; /* no new workers; exit when none is left */
    int killed;   /* SIGKILL sent to every worker; exit 1 when reaped */
    int ready;
    int static_members; /* workers join as static group members (default) */
    /* MM_NODE_STANDBY: a pre-started replacement per harakiri consumer
     * never (0), always (1), or (auto, the default) only where its
     * retirements cannot overlap their replacement's join. */
    enum {
        MM_NODE_STANDBY_NEVER,
        MM_NODE_STANDBY_ALWAYS,
        MM_NODE_STANDBY_AUTO
    } standby_mode;
    int overlap_on;             /* overlapped hand-overs (MM_NODE_OVERLAP) */
    long standby_max_ms;        /* a standby's longest wait (MM_NODE_STANDBY_MAX_MS) */
    mm_worker_crashes *crashes; /* crashes per event id, shared with the workers
                                   (MAP_SHARED: a standby forked earlier sees new ones) */
    unsigned max_crashes;
    mm_result_store *results; /* answers the callers of crashed events (lazy) */
    long long redis_next_check_ms;
    int redis_ok; /* the results/state Redis answered */
    int redis_waiting_logged;
    mm_node_metrics *metrics; /* the Prometheus endpoint (metrics.h); NULL: off */
} mm_node;

long long mm_node_mono_ms(void);
long long mm_node_wall_ms(void);

/* Sends SIGTERM (graceful) or SIGKILL to one worker, once. */
void mm_node_stop_proc(mm_node *n, mm_node_proc *p, int kill_now);
/* Stops a worker gracefully for good (SIGUSR2): no replacement takes its
 * slot, so a static member also leaves its group (worker.h). */
void mm_node_retire_proc(mm_node *n, mm_node_proc *p);
/* Begins a graceful stop of the whole node (idempotent). */
void mm_node_drain(mm_node *n);
/* SIGKILLs every worker; the node exits once they are reaped. */
void mm_node_kill_all(mm_node *n);

/* Applies one control event (control_apply.c). */
void mm_node_apply_control(void *ud, const mm_control *c);

/* The node's status document (status_doc.c); new reference or NULL. */
json_t *mm_node_status_doc(mm_node *n);

#endif
