/* supervisor.c -- the node's main loop: start, watch, replace and stop
 * worker processes; read control events; refresh the status (supervisor.h). */
#include "node/supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bus/kafka_conf.h"
#include "common/log.h"
#include "node/child_process.h"
#include "metamorphosis.h"
#include "node/agent.h"
#include "node/metrics_http.h"
#include "node/node_internal.h"
#include "service/consumer_txn.h"
#include "store/redis_conn.h"

/* A worker that lived this long was healthy: its crash does not grow the backoff. */
#define HEALTHY_MS     10000
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000
/* Consecutive early crashes reported as a crash loop. */
#define CRASH_LOOP 3
/* The next standby is forked once the worker that took over has begun its
 * first event, or after this long: its start-up (~10-40 ms of CPU) would
 * otherwise compete with the hand-over on a busy machine. */
#define STANDBY_DEFER_MS 200
/* A standby's longest wait for its go (MM_NODE_STANDBY_MAX_MS overrides). */
#define STANDBY_MAX_MS 300000
/* How often a node whose Redis does not answer at start tries again. */
#define REDIS_CHECK_MS 1000

static volatile sig_atomic_t term_count;
static int self_pipe[2] = {-1, -1};

static void on_term(int sig) {
    (void)sig;
    term_count++;
    int saved = errno;
    if (write(self_pipe[1], "t", 1) < 0) {
    }
    errno = saved;
}

static void on_child(int sig) {
    (void)sig;
    int saved = errno;
    if (write(self_pipe[1], "c", 1) < 0) {
    }
    errno = saved;
}

long long mm_node_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long mm_node_wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- workers ------------------------------------------------------------ */

/* A budget drawn uniformly from [limit - jitter, limit + jitter], at least 1. */
static uint64_t draw_limit(const mm_node_slot *s) {
    if (s->harakiri_limit <= 0) return 0;
    long jitter = s->harakiri_jitter > 0 ? s->harakiri_jitter : 0;
    long lo = s->harakiri_limit - jitter;
    long v = lo + (long)(random() % (2 * jitter + 1));
    return v < 1 ? 1 : (uint64_t)v;
}

/* The lowest slot number no live worker of s holds (a worker that reported
 * its retirement has given its slot up). With static membership a slot is
 * a group.instance.id, so only 0 .. desired-1 are used: a new slot number
 * would be a new member (a rebalance) and the old one's partitions would
 * wait for its session to expire. -1 when none is free. */
static int free_slot(const mm_node *n, const mm_node_slot *s) {
    for (int k = 0; k < 1 << 20; k++) {
        int held = 0;
        for (size_t j = 0; j < s->proc_count && !held; j++)
            held = s->procs[j].slot == k && !s->procs[j].released;
        if (!held) return n->static_members && k >= s->desired ? -1 : k;
    }
    return -1;
}

/* The worker of s's slot that is past its budget and has not handed its
 * offsets over yet, with no replacement waiting for them (docs/node.md,
 * "Overlapped hand-over"); NULL: none. */
static mm_node_proc *overlapping(mm_node_slot *s, int slot) {
    for (size_t j = 0; j < s->proc_count; j++) {
        mm_node_proc *q = &s->procs[j];
        if (q->slot == slot && q->overlap && q->reported_reason < 0 && !q->successor &&
            !q->stopping)
            return q;
    }
    return NULL;
}

static mm_node_proc *find_proc(mm_node_slot *s, pid_t pid) {
    for (size_t j = 0; pid > 0 && j < s->proc_count; j++)
        if (s->procs[j].pid == pid) return &s->procs[j];
    return NULL;
}

/* Whether consumer s's retirements overlap their replacement's join
 * (docs/node.md, "Overlapped hand-over"), as far as the supervisor knows: a
 * worker also falls back to stopping first on gregor broker (dynamic
 * members) and with more than 64 partitions. */
static int hand_over_overlaps(const mm_node *n, const mm_node_slot *s) {
    return n->overlap_on && n->static_members && !mm_consumer_txn_enabled(n->o->config, s->spec);
}

/* Forks a worker of s into *np (its slot; max_messages drawn now) or, with
 * standby, a standby (slot: the one expected; its slot and budget come
 * with its go). follow: its predecessor still runs; its offsets come on a
 * pipe later (overlapped hand-over). */
static int spawn_into(mm_node *n, mm_node_slot *s, mm_node_proc *np, int slot, int standby,
                      int follow) {
    mm_worker_params wp = {
        .config = n->o->config,
        .services = n->o->services,
        .service_count = n->o->service_count,
        .schema = n->o->schema,
        .spec = s->spec,
        .max_messages = standby ? 0 : draw_limit(s),
        .max_age_seconds = s->max_age_seconds,
        .crashes = n->crashes,
        .max_crashes = n->max_crashes,
        .title = n->o->title,
        .title_size = n->o->title_size,
        .slot = slot,
        .standby_max_ms = n->standby_max_ms,
        .overlap = hand_over_overlaps(n, s),
        .offsets_follow = follow && !standby,
    };
    /* A fresh replacement gets the offsets its slot's predecessor handed
     * over too (a standby gets them with its go: promote_standby). */
    mm_worker_handover *handed = NULL;
    for (size_t j = 0; j < s->proc_count && !standby && !handed; j++)
        if (s->procs[j].slot == slot && s->procs[j].released && s->procs[j].handover.count)
            handed = &s->procs[j].handover;
    wp.handover = handed;
    memset(np, 0, sizeof *np);
    np->go_fd = np->report_fd = -1;
    np->current = mm_worker_current_map();
    wp.current = np->current;
    np->metrics = mm_node_metrics_block_map(n);
    wp.metrics = np->metrics;
    if (n->static_members) {
        /* A standby gets the prefix; its slot completes it at its go. */
        int k = snprintf(np->instance_id, sizeof np->instance_id, "%s.%s.%s.", n->o->node_name,
                         s->spec->service->name, s->spec->name);
        if (standby)
            wp.instance_prefix = np->instance_id;
        else {
            snprintf(np->instance_id + k, sizeof np->instance_id - (size_t)k, "%d", slot);
            wp.instance_id = np->instance_id;
        }
    }
    char err[256];
    int fd = -1, go = -1;
    /* Signals stay blocked across fork so the child never runs our handlers. */
    sigset_t old;
    /* SIGUSR2 too: the child's own handler is installed before it unblocks. */
    mm_child_block_signals_for_fork(&old, SIGUSR2);
    pid_t pid = mm_worker_spawn(&wp, &fd, standby || follow ? &go : NULL, err, sizeof err);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid > 0 && handed) handed->count = 0; /* handed once */
    if (pid < 0) {
        mm_log_error("node: cannot start a %s of %s.%s: %s", standby ? "standby" : "worker",
                     s->spec->service->name, s->spec->name, err);
        mm_worker_current_unmap(np->current);
        np->current = NULL;
        mm_node_metrics_block_unmap(np->metrics);
        np->metrics = NULL;
        return MM_EIO;
    }
    np->pid = pid;
    np->report_fd = fd;
    np->go_fd = go;
    np->limit = wp.max_messages;
    np->started_mono_ms = mm_node_mono_ms();
    np->started_wall_ms = mm_node_wall_ms();
    np->reported_reason = -1;
    np->slot = slot;
    return 0;
}

/* Whether consumer s keeps a standby now: harakiri on, workers wanted, the
 * node running, and (auto) its hand-overs not overlapped: an overlapped
 * one hides a fresh fork, and a standby measured no better there (its
 * start-up competes with the hand-over; docs/node.md, "Standby workers"). */
static int standby_wanted(const mm_node *n, const mm_node_slot *s) {
    if (n->standby_mode == MM_NODE_STANDBY_NEVER || n->draining || !n->redis_ok ||
        s->desired <= 0 || s->harakiri_limit <= 0)
        return 0;
    return n->standby_mode == MM_NODE_STANDBY_ALWAYS || !hand_over_overlaps(n, s);
}

/* Tells a standby to leave unused: end of file on its go pipe. */
static void standby_dismiss(mm_node_proc *p) {
    if (p->go_fd >= 0) close(p->go_fd);
    p->go_fd = -1;
}

/* Starts a standby for s if it wants one and has none (never two: a
 * dismissed one counts until it is reaped). */
static void ensure_standby(mm_node *n, mm_node_slot *s, long long now) {
    if (!standby_wanted(n, s)) {
        standby_dismiss(&s->standby);
        return;
    }
    if (s->standby.pid > 0 || now < s->standby_next_ms || now < s->standby_defer_ms) return;
    /* The slot it will most likely take (its consumer is made for that
     * group.instance.id; another slot costs it a second consumer): the
     * running worker's with the least budget left. */
    int guess = 0;
    uint64_t least = UINT64_MAX;
    for (size_t j = 0; j < s->proc_count; j++) {
        const mm_node_proc *q = &s->procs[j];
        uint64_t left = q->limit > q->messages ? q->limit - q->messages : 0;
        if (!q->stopping && !q->released && left < least) least = left, guess = q->slot;
    }
    if (spawn_into(n, s, &s->standby, guess, 1, 0) != 0) {
        s->standby.pid = 0;
        s->standby_next_ms = now + BACKOFF_MAX_MS / 10;
        return;
    }
    mm_log_debug("node: started standby pid=%d consumer=%s.%s", (int)s->standby.pid,
                 s->spec->service->name, s->spec->name);
}

/* Turns s's standby into the worker of slot: sends its go (follow: its
 * offsets come later; the pipe stays open for them). Returns 0, or -1
 * when it is gone (then it is dismissed and reaped as a standby). */
static int promote_standby(mm_node *n, mm_node_slot *s, mm_node_proc *np, int slot, int follow) {
    mm_node_proc *sb = &s->standby;
    if (sb->pid <= 0 || sb->go_fd < 0) return -1;
    uint64_t limit = draw_limit(s);
    /* The offsets the slot's retiring worker handed over (see read_reports). */
    mm_worker_handover *h = NULL;
    for (size_t j = 0; j < s->proc_count && !h; j++)
        if (s->procs[j].slot == slot && s->procs[j].released && s->procs[j].handover.count)
            h = &s->procs[j].handover;
    int sent = mm_worker_go_send(sb->go_fd, slot, limit, h, follow);
    if (h) h->count = 0; /* handed once */
    if (sent != 0) {
        standby_dismiss(sb);
        return -1;
    }
    long long now = mm_node_mono_ms();
    *np = *sb;
    if (!follow) standby_dismiss(np); /* it read its go first: the end of file comes after */
    memset(sb, 0, sizeof *sb);
    sb->go_fd = sb->report_fd = -1;
    s->standby_failures = 0;
    s->standby_defer_ms = now + STANDBY_DEFER_MS;
    np->from_standby = 1;
    np->slot = slot;
    np->limit = limit;
    size_t k = strlen(np->instance_id);
    if (n->static_members) snprintf(np->instance_id + k, sizeof np->instance_id - k, "%d", slot);
    mm_log_info("node: started worker pid=%d consumer=%s.%s #%d harakiri=%llu (standby, ready "
                "%lld ms before its go)",
                (int)np->pid, s->spec->service->name, s->spec->name, slot,
                (unsigned long long)limit, np->ready_mono_ms ? now - np->ready_mono_ms : -1LL);
    np->started_mono_ms = now;
    np->started_wall_ms = mm_node_wall_ms();
    return 0;
}

static int start_worker(mm_node *n, mm_node_slot *s) {
    int slot = free_slot(n, s);
    if (slot < 0) return MM_ELIMIT; /* a retiring worker still holds it: soon */
    if (s->proc_count == s->proc_cap) {
        size_t cap = s->proc_cap ? s->proc_cap * 2 : 4;
        mm_node_proc *p = realloc(s->procs, cap * sizeof *p);
        if (!p) return MM_ENOMEM;
        s->procs = p;
        s->proc_cap = cap;
    }
    mm_node_proc *np = &s->procs[s->proc_count];
    /* Its predecessor past its budget still runs: the offsets follow. */
    mm_node_proc *pred = overlapping(s, slot);
    int follow = pred != NULL;
    if (promote_standby(n, s, np, slot, follow) != 0) {
        if (spawn_into(n, s, np, slot, 0, follow) != 0) {
            s->next_start_ms = mm_node_mono_ms() + BACKOFF_MAX_MS / 10;
            return MM_EIO;
        }
        mm_log_info("node: started worker pid=%d consumer=%s.%s #%d harakiri=%llu", (int)np->pid,
                    s->spec->service->name, s->spec->name, slot, (unsigned long long)np->limit);
    }
    /* The hand-over this start ends (logged at the new worker's first
     * event); overlapped: from its predecessor's last event, told later. */
    np->handoff_from_ms = follow ? 0 : s->last_done_ms;
    s->last_done_ms = 0;
    if (follow) {
        pred->successor = np->pid;
        np->predecessor = pred->pid;
        mm_log_debug("node: consumer=%s.%s #%d: pid=%d joins while pid=%d goes on past its "
                     "budget; its offsets follow",
                     s->spec->service->name, s->spec->name, slot, (int)np->pid, (int)pred->pid);
    }
    s->proc_count++;
    s->started++;
    n->dirty = 1;
    return 0;
}

void mm_node_stop_proc(mm_node *n, mm_node_proc *p, int kill_now) {
    if (kill_now && !p->killing) {
        p->killing = 1;
        p->stopping = 1;
        kill(p->pid, SIGKILL);
    } else if (!p->stopping) {
        p->stopping = 1;
        kill(p->pid, SIGTERM);
    }
    n->dirty = 1;
}

void mm_node_retire_proc(mm_node *n, mm_node_proc *p) {
    if (!p->stopping) {
        p->stopping = 1;
        kill(p->pid, SIGUSR2);
    }
    /* A replacement stopped for good while its predecessor goes on past
     * its budget: that one is stopped for good too (nobody takes its
     * offsets). */
    for (size_t i = 0; p->predecessor > 0 && i < n->slot_count; i++) {
        mm_node_proc *w = find_proc(&n->slots[i], p->predecessor);
        if (w && !w->stopping) {
            w->stopping = 1;
            kill(w->pid, SIGUSR2);
        }
    }
    n->dirty = 1;
}

void mm_node_drain(mm_node *n) {
    if (n->draining) return;
    n->draining = 1;
    mm_log_info("node %s: draining: every worker finishes its message and exits", n->o->node_name);
    for (size_t i = 0; i < n->slot_count; i++) {
        for (size_t j = 0; j < n->slots[i].proc_count; j++)
            mm_node_retire_proc(n, &n->slots[i].procs[j]);
        if (n->slots[i].standby.pid > 0) {
            standby_dismiss(&n->slots[i].standby);
            mm_node_stop_proc(n, &n->slots[i].standby, 0);
        }
    }
}

void mm_node_kill_all(mm_node *n) {
    n->draining = 1;
    n->killed = 1;
    mm_log_warn("node %s: killing every worker now", n->o->node_name);
    for (size_t i = 0; i < n->slot_count; i++) {
        for (size_t j = 0; j < n->slots[i].proc_count; j++)
            mm_node_stop_proc(n, &n->slots[i].procs[j], 1);
        if (n->slots[i].standby.pid > 0) mm_node_stop_proc(n, &n->slots[i].standby, 1);
    }
}

/* The first event of a worker that replaced a retired one: the hand-over
 * gap, from the supervisor's view (both records' arrival). */
static void log_handoff(const mm_node_slot *s, mm_node_proc *p, long long now) {
    if (!p->handoff_from_ms) return;
    mm_log_info("node: hand-over consumer=%s.%s #%d: pid=%d's first event %lld ms after its "
                "predecessor's last (%s)",
                s->spec->service->name, s->spec->name, p->slot, (int)p->pid,
                now - p->handoff_from_ms, p->from_standby ? "standby" : "started fresh");
    p->handoff_from_ms = 0;
}

/* An overlapped hand-over's end: worker p, past its budget, has stopped
 * and reported the offsets after its last done event (or none): they go
 * to the replacement waiting for them, then end of file. A replacement
 * gone meanwhile leaves them with p for the next start (spawn_into). */
static void relay_offsets(mm_node_slot *s, mm_node_proc *p) {
    mm_node_proc *r = find_proc(s, p->successor);
    if (!r || r->go_fd < 0) return;
    if (mm_worker_offsets_send(r->go_fd, &p->handover) != 0)
        mm_log_warn("node: consumer=%s.%s: cannot hand pid=%d's offsets to pid=%d; it starts at "
                    "the committed offsets",
                    s->spec->service->name, s->spec->name, (int)p->pid, (int)r->pid);
    close(r->go_fd);
    r->go_fd = -1;
    p->handover.count = 0; /* handed once */
    p->successor = 0;
    r->handoff_from_ms = p->last_done_mono_ms ? p->last_done_mono_ms : mm_node_mono_ms();
}

/* Reads every record waiting on a worker's pipe. */
static void read_reports(mm_node *n, mm_node_slot *s, mm_node_proc *p) {
    mm_worker_report r;
    ssize_t got = -1;
    while (p->report_fd >= 0 && (got = read(p->report_fd, &r, sizeof r)) == (ssize_t)sizeof r) {
        if (r.kind == MM_WORKER_REPORT_PROGRESS) {
            p->messages = r.value;
            if (p->limit && r.value >= p->limit && !p->overlap) s->last_done_ms = mm_node_mono_ms();
        } else if (r.kind == MM_WORKER_REPORT_BUDGET) {
            /* Past its budget, it handles on: its replacement starts now
             * (reconcile), joins, and tells us when it is assigned. */
            if (!p->stopping && !n->draining) {
                p->overlap = 1;
                p->released = 1;
                n->dirty = 1;
            }
        } else if (r.kind == MM_WORKER_REPORT_ASSIGNED) {
            mm_node_proc *w = find_proc(s, p->predecessor);
            if (w && w->successor == p->pid && !w->handover_told) {
                w->handover_told = 1;
                kill(w->pid, SIGUSR1); /* stop taking, hand over */
            }
        } else if (r.kind == MM_WORKER_REPORT_LAST_DONE) {
            p->last_done_mono_ms = (long long)r.value;
        } else if (r.kind == MM_WORKER_REPORT_STANDBY_READY)
            p->ready_mono_ms = mm_node_mono_ms();
        else if (r.kind == MM_WORKER_REPORT_HANDOVER) {
            /* Followed by RETIRED in the same write (worker.c, on_handover). */
            if (p->handover.count < MM_WORKER_HANDOVER_MAX) {
                p->handover.at[p->handover.count].topic = r.arg >> 24;
                p->handover.at[p->handover.count].partition = (int32_t)(r.arg & 0xffffff);
                p->handover.at[p->handover.count].offset = (int64_t)r.value;
                p->handover.count++;
            }
        } else if (r.kind == MM_WORKER_REPORT_FIRST_EVENT) {
            log_handoff(s, p, mm_node_mono_ms());
            s->standby_defer_ms = 0; /* handed over: the next standby may start */
        } else if (r.kind == MM_WORKER_REPORT_RETIRED && r.value < MM_NODE_REASONS) {
            p->reported_reason = (int)r.value;
            /* Committed and out of the group: its replacement may start now. */
            p->released = 1;
            n->dirty = 1;
            relay_offsets(s, p);
        }
    }
    /* End of file: the worker is exiting. Closing now keeps poll() from
     * reporting the hang-up again and again until the worker is reaped. */
    if (p->report_fd >= 0 && got == 0) {
        close(p->report_fd);
        p->report_fd = -1;
    }
}

static void publish_finished(mm_node *n, const mm_node_slot *s, const mm_node_proc *p, int code,
                             mm_worker_reason reason) {
    char name[512];
    snprintf(name, sizeof name, "%s", s->spec->name);
    mm_control c = {
        .kind = MM_CONTROL_CONSUMER_PROCESS_FINISHED,
        .name = name,
        .node = (char *)n->o->node_name,
        .pid = p->pid,
        .microservice = s->spec->service->name,
        .exit_code = code,
        .reason = (char *)mm_worker_reason_name(reason),
        .messages_processed = (long long)p->messages,
    };
    mm_event ev;
    char err[256];
    if (mm_control_build(&c, &ev, err, sizeof err) != 0) {
        mm_log_error("node: ConsumerProcessFinished: %s", err);
        return;
    }
    json_t *line = json_pack("{s:s, s:O}", "type", ev.type, "data", ev.data);
    char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    size_t len = text ? strlen(text) : 0;
    /* Non-blocking: a stuck agent must never stall the supervisor. */
    if (text && n->agent_fd >= 0) {
        text[len] = '\n';
        ssize_t w = write(n->agent_fd, text, len + 1);
        if (w != (ssize_t)(len + 1))
            mm_log_warn("node: ConsumerProcessFinished for pid %d not sent to the agent%s",
                        (int)p->pid, w > 0 ? " in full" : "");
    } else {
        mm_log_warn("node: no Kafka agent; ConsumerProcessFinished for pid %d dropped",
                    (int)p->pid);
    }
    free(text);
    json_decref(line);
    mm_event_clear(&ev);
}

/* Answers the caller of an event whose handler crashed a worker: an error
 * result with code WORKER_CRASHED, stored and announced to the waiting
 * server (its reply_to), as a handler's own error would be. */
static void answer_crashed(mm_node *n, const mm_node_slot *s, const mm_worker_current *cur, int sig,
                           int crashes) {
    if (!s->spec->save_result) return; /* another consumer answers this event */
    unsigned max = n->max_crashes ? n->max_crashes : 3;
    /* Exactly-once: the result store keeps the first result written, so an
     * interim error would stay the answer although the replacement handles
     * the event; it answers, unless the event is now dead-lettered. */
    if ((unsigned)crashes < max && mm_consumer_txn_enabled(n->o->config, s->spec)) return;
    char err[512];
    if (!n->results) {
        n->results = mm_result_store_new(n->o->config->redis_results_url, NULL,
                                         (int)n->o->config->result_ttl_seconds, err, sizeof err);
        if (!n->results) {
            mm_log_error("node: cannot answer the caller of crashed event %s: %s", cur->id, err);
            return;
        }
    }
    char msg[512];
    snprintf(msg, sizeof msg, "the %s.%s worker handling this event died of signal %d (%s)%s",
             s->spec->service->name, s->spec->name, sig, strsignal(sig),
             (unsigned)crashes >= max ? "; the event is dead-lettered"
                                      : "; the event will be retried");
    json_t *data =
        json_pack("{s:i, s:i, s:i}", "signal", sig, "crashes", crashes, "maxCrashes", (int)max);
    json_t *doc = mm_result_doc_error(cur->id, s->spec->service->name, "WorkerCrashed", msg,
                                      "WORKER_CRASHED", data);
    json_decref(data);
    int rc = doc ? mm_result_store_put(n->results, cur->id, cur->reply_to[0] ? cur->reply_to : NULL,
                                       doc, NULL, err, sizeof err)
                 : MM_ENOMEM;
    json_decref(doc);
    if (rc)
        mm_log_error("node: cannot answer the caller of crashed event %s: %s", cur->id,
                     rc == MM_ENOMEM ? "out of memory" : err);
}

/* Accounts for a worker that ended with wait status ws. */
static void worker_ended(mm_node *n, mm_node_slot *s, size_t index, int ws) {
    mm_node_proc *p = &s->procs[index];
    read_reports(n, s, p);
    /* Overlapped hand-over (docs/node.md): a predecessor that ended before
     * handing over leaves its replacement to start at the committed
     * offsets (end of file on its pipe); a replacement that ended first
     * leaves its predecessor's offsets to the next start. */
    mm_node_proc *r = find_proc(s, p->successor);
    if (r && r->go_fd >= 0) {
        if (!r->handoff_from_ms && p->last_done_mono_ms) r->handoff_from_ms = p->last_done_mono_ms;
        mm_log_info("node: consumer=%s.%s: pid=%d ended without handing over; pid=%d starts at "
                    "the committed offsets",
                    s->spec->service->name, s->spec->name, (int)p->pid, (int)r->pid);
        standby_dismiss(r);
    }
    mm_node_proc *w = find_proc(s, p->predecessor);
    if (w && w->successor == p->pid) w->successor = 0;
    standby_dismiss(p);
    int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : 1;
    if (p->from_standby && WIFEXITED(ws) && code == MM_WORKER_EXIT_UNUSED && !p->killing) {
        /* Its wait ended (expired) just as its go was written: it never
         * joined; the slot is started again at once, no backoff. */
        mm_log_info("node: standby pid=%d consumer=%s.%s left before its go; starting another",
                    (int)p->pid, s->spec->service->name, s->spec->name);
        if (p->report_fd >= 0) close(p->report_fd);
        mm_worker_current_unmap(p->current);
        mm_node_metrics_block_unmap(p->metrics);
        s->started--;
        s->procs[index] = s->procs[--s->proc_count];
        n->dirty = 1;
        return;
    }
    mm_worker_reason reason;
    if (p->killing)
        reason = MM_WORKER_KILLED;
    else if (WIFEXITED(ws) && code == 0)
        reason = p->reported_reason >= 0 ? (mm_worker_reason)p->reported_reason : MM_WORKER_STOPPED;
    else
        reason = MM_WORKER_CRASH;
    long long now = mm_node_mono_ms();
    long long lived = now - p->started_mono_ms;
    s->ended[reason]++;
    mm_worker_current cur;
    if (reason == MM_WORKER_CRASH && mm_worker_current_read(p->current, &cur)) {
        /* It died in the service's handler: name the event, count the crash
         * (workers forked from now on see the count) and answer its caller. */
        int crashes = mm_worker_crashes_add(n->crashes, cur.id, mm_node_wall_ms());
        int sig = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
        unsigned max = n->max_crashes ? n->max_crashes : 3;
        mm_log_error(
            "node: worker pid=%d consumer=%s.%s %s %d%s%s while handling event %s (%s[%d]@%lld); "
            "crash %d of %u allowed for this event%s",
            (int)p->pid, s->spec->service->name, s->spec->name,
            sig ? "died of signal" : "exited with status", sig ? sig : code, sig ? " " : "",
            sig ? strsignal(sig) : "", cur.id, cur.topic, (int)cur.partition, (long long)cur.offset,
            crashes, max, (unsigned)crashes >= max ? ": it will be dead-lettered" : "");
        answer_crashed(n, s, &cur, sig, crashes);
    } else if (reason == MM_WORKER_CRASH && WIFSIGNALED(ws)) {
        mm_log_error("node: worker pid=%d consumer=%s.%s died of signal %d (%s), not in a handler",
                     (int)p->pid, s->spec->service->name, s->spec->name, WTERMSIG(ws),
                     strsignal(WTERMSIG(ws)));
    }
    if (reason == MM_WORKER_CRASH) {
        s->failures = lived < HEALTHY_MS ? s->failures + 1 : 1;
        long delay = BACKOFF_MIN_MS;
        for (int i = 1; i < s->failures && delay < BACKOFF_MAX_MS; i++) delay *= 2;
        if (delay > BACKOFF_MAX_MS) delay = BACKOFF_MAX_MS;
        s->next_start_ms = now + delay;
        if (s->failures >= CRASH_LOOP)
            mm_log_error(
                "node: crash loop: consumer %s.%s: %d workers in a row died within %d s of "
                "starting (last pid=%d status=%d); next start in %ld ms",
                s->spec->service->name, s->spec->name, s->failures, HEALTHY_MS / 1000, (int)p->pid,
                code, delay);
        else
            mm_log_warn("node: worker pid=%d consumer=%s.%s crashed (status %d) after %lld ms; "
                        "restarting in %ld ms",
                        (int)p->pid, s->spec->service->name, s->spec->name, code, lived, delay);
    } else {
        if (reason != MM_WORKER_KILLED) s->failures = 0;
        mm_log_info("node: worker pid=%d consumer=%s.%s ended: %s after %llu messages", (int)p->pid,
                    s->spec->service->name, s->spec->name, mm_worker_reason_name(reason),
                    (unsigned long long)p->messages);
    }
    publish_finished(n, s, p, code, reason);
    mm_node_metrics_worker_ended(n, s, p, (int)reason, ws);
    if (p->report_fd >= 0) close(p->report_fd);
    mm_worker_current_unmap(p->current);
    s->procs[index] = s->procs[--s->proc_count];
    n->dirty = 1;
}

/* A standby of s ended (never told to go): free its slot for the next one. */
static void standby_ended(mm_node *n, mm_node_slot *s, int ws) {
    mm_node_proc *p = &s->standby;
    read_reports(n, s, p);
    int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : 1;
    long long now = mm_node_mono_ms();
    if (p->ready_mono_ms && (code == MM_WORKER_EXIT_UNUSED || p->stopping)) {
        mm_log_debug("node: standby pid=%d consumer=%s.%s left unused after %lld ms", (int)p->pid,
                     s->spec->service->name, s->spec->name, now - p->started_mono_ms);
        s->standby_failures = 0;
        s->standby_next_ms = now;
    } else {
        /* It never became ready (its start-up failed): back off, 0.5 s
         * doubling to 30 s; workers still start without one. */
        long delay = BACKOFF_MIN_MS;
        for (int i = 0; i < s->standby_failures && delay < BACKOFF_MAX_MS; i++) delay *= 2;
        if (delay > BACKOFF_MAX_MS) delay = BACKOFF_MAX_MS;
        s->standby_failures++;
        s->standby_next_ms = now + delay;
        if (!p->stopping)
            mm_log_warn("node: standby pid=%d consumer=%s.%s ended (status %d) before it was "
                        "ready; next standby in %ld ms",
                        (int)p->pid, s->spec->service->name, s->spec->name, code, delay);
    }
    standby_dismiss(p);
    if (p->report_fd >= 0) close(p->report_fd);
    mm_worker_current_unmap(p->current);
    mm_node_metrics_block_unmap(p->metrics);
    memset(p, 0, sizeof *p);
    p->go_fd = -1;
    p->report_fd = -1;
    n->dirty = 1;
}

/* ---- the Kafka agent ---------------------------------------------------- */

#define AGENT_BACKOFF_MIN_MS 1000
#define AGENT_BACKOFF_MAX_MS 30000

static void agent_close(mm_node *n) {
    if (n->agent_fd >= 0) close(n->agent_fd);
    n->agent_fd = -1;
    n->agent_len = 0;
}

static void agent_ended(mm_node *n, int ws) {
    n->agent_pid = 0;
    n->agent_ready = 0;
    n->dirty = 1;
    agent_close(n);
    if (n->draining) return;
    mm_log_warn("node: the Kafka agent ended (status %d); restarting it in %ld ms",
                WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws), n->agent_backoff_ms);
    n->agent_next_start_ms = mm_node_mono_ms() + n->agent_backoff_ms;
    n->agent_backoff_ms = n->agent_backoff_ms * 2 > AGENT_BACKOFF_MAX_MS ? AGENT_BACKOFF_MAX_MS
                                                                         : n->agent_backoff_ms * 2;
}

static void agent_start(mm_node *n) {
    if (n->agent_pid > 0 || n->draining || mm_node_mono_ms() < n->agent_next_start_ms) return;
    char err[256];
    sigset_t old;
    mm_child_block_signals_for_fork(&old, 0);
    pid_t pid = mm_agent_spawn(n->o->config, n->o->node_name, &n->agent_fd, err, sizeof err);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        mm_log_error("node: cannot start the Kafka agent: %s", err);
        n->agent_next_start_ms = mm_node_mono_ms() + AGENT_BACKOFF_MAX_MS / 10;
        return;
    }
    n->agent_pid = pid;
}

/* "node ready" means: control events are read and the workers can run
 * (their Redis answers). */
static void announce_ready(mm_node *n) {
    if (n->ready || !n->agent_ready || !n->redis_ok) return;
    n->ready = 1;
    n->dirty = 1;
    printf("node ready: %s\n", n->o->node_name);
    fflush(stdout);
}

/* Redis as a URL fit for the log: no user name or password. */
static void redis_where(const char *url, char *out, size_t size) {
    mm_redis_url u;
    char err[256];
    if (mm_redis_url_parse(url, &u, err, sizeof err) != 0)
        snprintf(out, size, "(bad URL: %s)", err);
    else if (u.is_unix)
        snprintf(out, size, "unix:%s db %d", u.path, u.db);
    else
        snprintf(out, size, "%s:%d db %d", u.host, u.port, u.db);
}

/* Workers need Redis (results, state) from their first event: a node whose
 * Redis does not answer at start waits for it, saying so, rather than
 * start workers that would fail and crash-loop. Checked once per second
 * until it answers; later outages are the clients' to ride out. */
static void check_redis(mm_node *n) {
    long long now = mm_node_mono_ms();
    if (n->redis_ok || now < n->redis_next_check_ms) return;
    n->redis_next_check_ms = now + REDIS_CHECK_MS;
    const mm_config *cfg = n->o->config;
    const char *urls[2] = {cfg->redis_results_url, cfg->redis_state_url};
    for (int i = 0; i < 2; i++) {
        if (i == 1 && strcmp(urls[0], urls[1]) == 0) break;
        char err[512], where[400];
        redisContext *c = mm_redis_connect_url(urls[i], 1000, NULL, err, sizeof err);
        redisReply *r = c ? redisCommand(c, "PING") : NULL;
        int ok = c && mm_redis_reply_check(c, r, err, sizeof err) == 0;
        if (r) freeReplyObject(r);
        if (c) redisFree(c);
        if (!ok) {
            redis_where(urls[i], where, sizeof where);
            if (!n->redis_waiting_logged)
                mm_log_warn(
                    "node %s: waiting for Redis at %s (%s): no worker starts until it answers "
                    "(checked every %d ms)",
                    n->o->node_name, where, err, REDIS_CHECK_MS);
            n->redis_waiting_logged = 1;
            return;
        }
    }
    if (n->redis_waiting_logged)
        mm_log_info("node %s: Redis answers; starting the workers", n->o->node_name);
    n->redis_ok = 1;
    announce_ready(n);
}

/* Handles the lines the agent sent. */
static void agent_read(mm_node *n) {
    if (n->agent_fd < 0) return;
    for (;;) {
        ssize_t got = read(n->agent_fd, n->agent_buf + n->agent_len,
                           MM_NODE_AGENT_LINE_MAX - 1 - n->agent_len);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            if (got == 0) agent_close(n); /* the agent is ending; reap() restarts it */
            break;
        }
        n->agent_len += (size_t)got;
        char *nl;
        while ((nl = memchr(n->agent_buf, '\n', n->agent_len)) != NULL) {
            *nl = '\0';
            json_t *doc = json_loads(n->agent_buf, 0, NULL);
            if (json_is_true(json_object_get(doc, "ready"))) {
                n->agent_backoff_ms = AGENT_BACKOFF_MIN_MS;
                n->agent_ready = 1;
                n->dirty = 1;
                announce_ready(n);
            } else if (doc && !n->killed) {
                mm_event ev;
                mm_event_init(&ev);
                ev.type = (char *)json_string_value(json_object_get(doc, "type"));
                ev.data = json_object_get(doc, "data");
                mm_control c;
                char err[256];
                if (ev.type && mm_control_parse(&ev, &c, err, sizeof err) == 0) {
                    mm_node_apply_control(n, &c);
                    mm_control_clear(&c);
                }
            }
            json_decref(doc);
            n->agent_len -= (size_t)(nl + 1 - n->agent_buf);
            memmove(n->agent_buf, nl + 1, n->agent_len);
        }
        if (n->agent_len == MM_NODE_AGENT_LINE_MAX - 1) n->agent_len = 0; /* too long: dropped */
    }
}

static void reap(mm_node *n) {
    int ws;
    pid_t pid;
    while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
        if (pid == n->agent_pid) {
            agent_ended(n, ws);
            continue;
        }
        if (mm_node_metrics_reaped(n, pid, ws)) continue;
        for (size_t i = 0; i < n->slot_count; i++) {
            if (n->slots[i].standby.pid == pid) {
                standby_ended(n, &n->slots[i], ws);
                goto next;
            }
            for (size_t j = 0; j < n->slots[i].proc_count; j++)
                if (n->slots[i].procs[j].pid == pid) {
                    worker_ended(n, &n->slots[i], j, ws);
                    goto next;
                }
        }
    next:;
    }
}

/* Workers that count towards the process count: not told to stop, not
 * retired (a retired one is closing; its replacement starts at once). */
static size_t running(const mm_node_slot *s) {
    size_t r = 0;
    for (size_t i = 0; i < s->proc_count; i++) r += !s->procs[i].stopping && !s->procs[i].released;
    return r;
}

static size_t total_procs(const mm_node *n) {
    size_t t = 0;
    for (size_t i = 0; i < n->slot_count; i++)
        t += n->slots[i].proc_count + (n->slots[i].standby.pid > 0);
    return t;
}

/* Starts what is missing and retires what is too much. */
static void reconcile(mm_node *n) {
    if (n->draining || !n->redis_ok) return;
    long long now = mm_node_mono_ms();
    for (size_t i = 0; i < n->slot_count; i++) {
        mm_node_slot *s = &n->slots[i];
        size_t r = running(s);
        while (r < (size_t)s->desired && now >= s->next_start_ms && start_worker(n, s) == 0) r++;
        /* Too many: the highest slots retire first (so the slots in use stay
         * 0 .. desired-1, and the oldest workers keep their warm state). */
        while (r > (size_t)s->desired) {
            mm_node_proc *top = NULL;
            for (size_t j = 0; j < s->proc_count; j++) {
                mm_node_proc *q = &s->procs[j];
                if (!q->stopping && !q->released && (!top || q->slot > top->slot)) top = q;
            }
            if (!top) break;
            mm_node_retire_proc(n, top);
            r--;
        }
        ensure_standby(n, s, now);
    }
}

/* ---- status ------------------------------------------------------------- */

static void refresh_status(mm_node *n) {
    for (size_t i = 0; i < n->slot_count; i++)
        for (size_t j = 0; j < n->slots[i].proc_count; j++) {
            mm_node_proc *p = &n->slots[i].procs[j];
            mm_sysstats_proc(p->pid, &p->stats);
        }
    json_t *doc = mm_node_status_doc(n);
    char err[512];
    int rc = doc ? mm_status_store_put(n->status, n->o->node_name, doc, (int)n->status_ttl_ms, err,
                                       sizeof err)
                 : MM_ENOMEM;
    json_decref(doc);
    if (rc && !n->status_failing)
        mm_log_warn("node: cannot write the status: %s (retrying)", doc ? err : "out of memory");
    if (!rc && n->status_failing) mm_log_info("node: status written again");
    n->status_failing = rc != 0;
    n->dirty = 0;
    n->next_status_ms = mm_node_mono_ms() + n->status_interval_ms;
}

/* ---- the loop ----------------------------------------------------------- */

static void install(int sig, void (*fn)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(sig, &sa, NULL);
}

static int setup(mm_node *n, const mm_node_options *o, char *err, size_t err_size) {
    memset(n, 0, sizeof *n);
    n->o = o;
    n->agent_fd = -1;
    n->status_interval_ms = o->status_interval_ms > 0 ? o->status_interval_ms : 2000;
    n->status_ttl_ms = o->status_ttl_ms > 0 ? o->status_ttl_ms : 3 * n->status_interval_ms;
    n->started_wall_ms = mm_node_wall_ms();
    if (gethostname(n->hostname, sizeof n->hostname - 1) != 0)
        snprintf(n->hostname, sizeof n->hostname, "unknown");
    srandom((unsigned)(mm_node_wall_ms() ^ ((long long)getpid() << 16)));
    n->slots = calloc(o->plan->count ? o->plan->count : 1, sizeof *n->slots);
    if (!n->slots) {
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    n->slot_count = o->plan->count;
    for (size_t i = 0; i < n->slot_count; i++) {
        const mm_plan_entry *e = &o->plan->entries[i];
        n->slots[i] = (mm_node_slot){.spec = e->spec,
                                     .desired = e->procs,
                                     .harakiri_limit = e->harakiri_limit,
                                     .harakiri_jitter = e->harakiri_jitter,
                                     .max_age_seconds = e->max_age_seconds,
                                     .standby = {.go_fd = -1, .report_fd = -1}};
    }
    const mm_config *cfg = o->config;
    /* Bad Kafka properties are refused now, not by an agent restarting
     * forever (building a configuration starts no thread). */
    mm_kv *props = calloc(cfg->kafka_property_count + 1, sizeof *props);
    if (!props) {
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    for (size_t i = 0; i < cfg->kafka_property_count; i++)
        props[i] = (mm_kv){cfg->kafka_properties[i].key, cfg->kafka_properties[i].value};
    rd_kafka_conf_t *conf = mm_kafka_conf_new(cfg->kafka_bootstrap_servers, NULL, 0, props,
                                              cfg->kafka_property_count, err, err_size);
    free(props);
    if (!conf) return MM_EKAFKA;
    rd_kafka_conf_destroy(conf);
    n->agent_fd = -1;
    n->agent_backoff_ms = AGENT_BACKOFF_MIN_MS;
    n->agent_buf = malloc(MM_NODE_AGENT_LINE_MAX);
    if (!n->agent_buf) {
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    n->static_members = !o->dynamic_members;
    n->max_crashes = o->max_crashes;
    /* Shared: a standby forked before a crash must see its count. */
    void *crashes =
        mmap(NULL, sizeof *n->crashes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (crashes == MAP_FAILED) {
        snprintf(err, err_size, "mmap: %s", strerror(errno));
        return MM_ENOMEM;
    }
    n->crashes = crashes; /* zeroed */
    const char *sb = getenv("MM_NODE_STANDBY");
    n->standby_mode = MM_NODE_STANDBY_AUTO;
    if (sb && strcmp(sb, "0") == 0)
        n->standby_mode = MM_NODE_STANDBY_NEVER;
    else if (sb && strcmp(sb, "1") == 0)
        n->standby_mode = MM_NODE_STANDBY_ALWAYS;
    else if (sb && *sb && strcmp(sb, "auto") != 0)
        mm_log_warn("node: MM_NODE_STANDBY=%s is not 0, 1 or auto: auto", sb);
    const char *ov = getenv("MM_NODE_OVERLAP");
    n->overlap_on = !(ov && strcmp(ov, "0") == 0);
    const char *sbm = getenv("MM_NODE_STANDBY_MAX_MS");
    long max_ms = sbm ? atol(sbm) : 0;
    n->standby_max_ms = max_ms < 1000 ? STANDBY_MAX_MS : max_ms > 3600000 ? 3600000 : max_ms;
    n->status = mm_status_store_new(cfg->redis_status_url, cfg->service_web_topic, err, err_size);
    if (!n->status) return MM_EREDIS;
    if (mm_node_metrics_open(n, err, err_size) != 0) return MM_EIO;
    if (pipe(self_pipe) != 0) {
        snprintf(err, err_size, "pipe: %s", strerror(errno));
        return MM_EIO;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(self_pipe[i], F_SETFL, O_NONBLOCK);
        fcntl(self_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    term_count = 0;
    install(SIGTERM, on_term);
    install(SIGINT, on_term);
    install(SIGCHLD, on_child);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static void teardown(mm_node *n) {
    signal(SIGCHLD, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    if (n->status) {
        char err[256];
        if (mm_status_store_remove(n->status, n->o->node_name, err, sizeof err) != 0)
            mm_log_warn("node: cannot delete the status: %s", err);
    }
    /* Closing our end tells the agent to flush what it was given and exit. */
    agent_close(n);
    long long deadline = mm_node_mono_ms() + 7000;
    while (n->agent_pid > 0) {
        int ws;
        pid_t r = waitpid(n->agent_pid, &ws, WNOHANG);
        if (r == n->agent_pid || (r < 0 && errno != EINTR)) break;
        if (mm_node_mono_ms() >= deadline) {
            mm_log_warn("node: the Kafka agent did not exit; killing it");
            kill(n->agent_pid, SIGKILL);
            waitpid(n->agent_pid, &ws, 0);
            break;
        }
        usleep(10 * 1000);
    }
    n->agent_pid = 0;
    mm_node_metrics_close(n);
    free(n->agent_buf);
    mm_status_store_free(n->status);
    for (size_t i = 0; i < n->slot_count; i++) {
        for (size_t j = 0; j < n->slots[i].proc_count; j++) {
            if (n->slots[i].procs[j].report_fd >= 0) close(n->slots[i].procs[j].report_fd);
            standby_dismiss(&n->slots[i].procs[j]);
            mm_worker_current_unmap(n->slots[i].procs[j].current);
            mm_node_metrics_block_unmap(n->slots[i].procs[j].metrics);
        }
        mm_node_proc *sb = &n->slots[i].standby;
        if (sb->report_fd >= 0) close(sb->report_fd);
        standby_dismiss(sb);
        mm_worker_current_unmap(sb->current);
        mm_node_metrics_block_unmap(sb->metrics);
        free(n->slots[i].procs);
    }
    if (n->crashes) munmap(n->crashes, sizeof *n->crashes);
    mm_result_store_free(n->results);
    free(n->slots);
    for (int i = 0; i < 2; i++) {
        if (self_pipe[i] >= 0) close(self_pipe[i]);
        self_pipe[i] = -1;
    }
}

int mm_node_run(const mm_node_options *o, char *err, size_t err_size) {
    mm_node n;
    if (setup(&n, o, err, err_size) != 0) {
        teardown(&n);
        return 1;
    }
    mm_log_info("node %s: starting on %s, service web %s", o->node_name, n.hostname,
                o->config->service_web_topic);
    int handled_terms = 0;
    for (;;) {
        if (term_count > handled_terms) {
            handled_terms = term_count;
            if (handled_terms == 1)
                mm_node_drain(&n);
            else if (!n.killed)
                mm_node_kill_all(&n);
        }
        reap(&n);
        if (n.draining && total_procs(&n) == 0) break;
        check_redis(&n);
        reconcile(&n);
        agent_start(&n);
        mm_node_metrics_tick(&n);
        long long now = mm_node_mono_ms();
        if (n.dirty || now >= n.next_status_ms) refresh_status(&n);

        /* Wait for a signal, a worker report, a control event or a deadline. */
        struct pollfd fds[2 + 256 + 1 + MM_METRICS_HTTP_CONNS];
        nfds_t nfds = 0;
        fds[nfds++] = (struct pollfd){.fd = self_pipe[0], .events = POLLIN};
        if (n.agent_fd >= 0) fds[nfds++] = (struct pollfd){.fd = n.agent_fd, .events = POLLIN};
        for (size_t i = 0; i < n.slot_count; i++) {
            for (size_t j = 0; j < n.slots[i].proc_count && nfds < sizeof fds / sizeof *fds; j++)
                if (n.slots[i].procs[j].report_fd >= 0)
                    fds[nfds++] =
                        (struct pollfd){.fd = n.slots[i].procs[j].report_fd, .events = POLLIN};
            if (n.slots[i].standby.pid > 0 && n.slots[i].standby.report_fd >= 0 &&
                nfds < sizeof fds / sizeof *fds)
                fds[nfds++] = (struct pollfd){.fd = n.slots[i].standby.report_fd, .events = POLLIN};
        }
        nfds_t metrics_at = nfds; /* the metrics listener's fds follow */
        nfds += mm_node_metrics_fds(&n, fds + nfds, sizeof fds / sizeof *fds - nfds);
        long long wake = n.next_status_ms;
        for (size_t i = 0; i < n.slot_count; i++)
            if (!n.draining && n.redis_ok && running(&n.slots[i]) < (size_t)n.slots[i].desired &&
                free_slot(&n, &n.slots[i]) >= 0 && n.slots[i].next_start_ms < wake)
                wake = n.slots[i].next_start_ms;
        for (size_t i = 0; i < n.slot_count; i++)
            if (standby_wanted(&n, &n.slots[i]) && n.slots[i].standby.pid <= 0) {
                long long at = n.slots[i].standby_next_ms > n.slots[i].standby_defer_ms
                                   ? n.slots[i].standby_next_ms
                                   : n.slots[i].standby_defer_ms;
                if (at < wake) wake = at;
            }
        if (n.agent_pid <= 0 && !n.draining && n.agent_next_start_ms < wake)
            wake = n.agent_next_start_ms;
        if (!n.redis_ok && !n.draining && n.redis_next_check_ms < wake)
            wake = n.redis_next_check_ms;
        int timeout = wake <= now ? 0 : (int)(wake - now);
        int mt = mm_node_metrics_timeout(&n);
        if (mt >= 0 && mt < timeout) timeout = mt;
        int rc = poll(fds, nfds, timeout);
        if (rc > 0 && (fds[0].revents & POLLIN)) {
            char drain[64];
            while (read(self_pipe[0], drain, sizeof drain) > 0) {
            }
        }
        for (size_t i = 0; i < n.slot_count; i++) {
            for (size_t j = 0; j < n.slots[i].proc_count; j++)
                read_reports(&n, &n.slots[i], &n.slots[i].procs[j]);
            if (n.slots[i].standby.pid > 0) read_reports(&n, &n.slots[i], &n.slots[i].standby);
        }
        agent_read(&n);
        if (rc > 0)
            mm_node_metrics_handle(&n, fds + metrics_at, nfds - metrics_at);
        else
            mm_node_metrics_handle(&n, fds, 0); /* deadlines only */
    }
    int status = n.killed ? 1 : 0;
    mm_log_info("node %s: every worker has ended; exiting with status %d", o->node_name, status);
    teardown(&n);
    return status;
}
