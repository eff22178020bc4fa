/* control_apply.c -- what each control event does to this node
 * (docs/node.md, "Control events").
 *
 * Consumer names match "NAME" (every loaded service's consumer of that
 * name) or "SERVICE.NAME". Stop* is graceful (SIGUSR2: the worker finishes
 * its message, commits, leaves the group); Kill* is immediate (SIGKILL: the
 * message in flight is re-delivered to another member). */
#include <signal.h>
#include <string.h>

#include "common/log.h"
#include "node/node_internal.h"

static int matches_consumer(const mm_node_slot *s, const char *name) {
    const char *dot = strchr(name, '.');
    if (!dot) return strcmp(s->spec->name, name) == 0;
    size_t n = (size_t)(dot - name);
    return strlen(s->spec->service->name) == n && strncmp(s->spec->service->name, name, n) == 0 &&
           strcmp(s->spec->name, dot + 1) == 0;
}

/* Sets a consumer's process count to 0 and stops (or kills) its workers. */
static void stop_slot(mm_node *n, mm_node_slot *s, int kill_now) {
    s->desired = 0;
    for (size_t j = 0; j < s->proc_count; j++) {
        if (kill_now)
            mm_node_stop_proc(n, &s->procs[j], 1);
        else
            mm_node_retire_proc(n, &s->procs[j]); /* for good: static members leave */
    }
    n->dirty = 1;
}

static int nothing_left(const mm_node *n) {
    for (size_t i = 0; i < n->slot_count; i++)
        if (n->slots[i].desired > 0) return 0;
    return 1;
}

static void adjust(mm_node *n, mm_node_slot *s, const mm_control *c) {
    long limit = s->harakiri_limit, jitter = s->harakiri_jitter;
    /* harakiriCount 0 is "no harakiri", as in the original. */
    if (c->harakiri_count_set == MM_CONTROL_SET && c->harakiri_count > 0)
        limit = c->harakiri_count;
    else if (c->harakiri_count_set != MM_CONTROL_ABSENT)
        limit = MM_CONFIG_UNSET;
    if (c->harakiri_jitter_set == MM_CONTROL_SET)
        jitter = c->harakiri_jitter;
    else if (c->harakiri_jitter_set == MM_CONTROL_NULL)
        jitter = MM_CONFIG_UNSET;
    if (limit <= 0) jitter = MM_CONFIG_UNSET; /* no harakiri: no jitter either */
    if (limit > 0 && jitter >= limit) {
        mm_log_warn("node: AdjustConsumer %s: harakiriJitter %ld must be less than harakiriCount "
                    "%ld; ignored",
                    c->name, jitter, limit);
        return;
    }
    int harakiri_changed = limit != s->harakiri_limit || jitter != s->harakiri_jitter;
    s->harakiri_limit = limit;
    s->harakiri_jitter = jitter;
    if (c->process_count_set == MM_CONTROL_SET) {
        s->desired = c->process_count;
        if (s->desired > MM_CONTROL_PROCS_MAX) {
            /* A count from anywhere on the topic: never fork without bound. */
            mm_log_warn("node: AdjustConsumer %s: processCount %ld capped at %d", c->name,
                        c->process_count, MM_CONTROL_PROCS_MAX);
            s->desired = MM_CONTROL_PROCS_MAX;
        }
    }
    /* Running workers drew their budget under the old settings: they retire
     * gracefully and their replacements draw under the new ones. */
    if (harakiri_changed)
        for (size_t j = 0; j < s->proc_count; j++) mm_node_stop_proc(n, &s->procs[j], 0);
    mm_log_info("node: AdjustConsumer %s.%s: processCount=%ld harakiriLimit=%ld harakiriJitter=%ld",
                s->spec->service->name, s->spec->name, s->desired, s->harakiri_limit,
                s->harakiri_jitter);
    n->dirty = 1;
}

void mm_node_apply_control(void *ud, const mm_control *c) {
    mm_node *n = ud;
    const char *me = n->o->node_name;
    const char *type = mm_control_type_name(c->kind);
    switch (c->kind) {
    case MM_CONTROL_STOP_CONSUMER:
    case MM_CONTROL_KILL_CONSUMER: {
        int found = 0;
        for (size_t i = 0; i < n->slot_count; i++)
            if (matches_consumer(&n->slots[i], c->name)) {
                stop_slot(n, &n->slots[i], c->kind == MM_CONTROL_KILL_CONSUMER);
                found = 1;
            }
        if (found) mm_log_info("node %s: %s %s", me, type, c->name);
        break;
    }
    case MM_CONTROL_STOP_MICROSERVICE:
    case MM_CONTROL_KILL_MICROSERVICE: {
        int found = 0;
        for (size_t i = 0; i < n->slot_count; i++)
            if (strcmp(n->slots[i].spec->service->name, c->name) == 0) {
                stop_slot(n, &n->slots[i], c->kind == MM_CONTROL_KILL_MICROSERVICE);
                found = 1;
            }
        if (!found) break;
        mm_log_info("node %s: %s %s", me, type, c->name);
        /* A node left with nothing to run ends, as the original's one-service node did. */
        if (nothing_left(n)) {
            if (c->kind == MM_CONTROL_KILL_MICROSERVICE)
                mm_node_kill_all(n);
            else
                mm_node_drain(n);
        }
        break;
    }
    case MM_CONTROL_STOP_NODE:
        if (strcmp(c->name, me) == 0) mm_node_drain(n);
        break;
    case MM_CONTROL_KILL_NODE:
        if (strcmp(c->name, me) == 0) mm_node_kill_all(n);
        break;
    case MM_CONTROL_STOP_CONSUMER_PROCESS:
        if (strcmp(c->node, me) != 0) break;
        for (size_t i = 0; i < n->slot_count; i++) {
            mm_node_slot *s = &n->slots[i];
            if (!matches_consumer(s, c->name)) continue;
            for (size_t j = 0; j < s->proc_count; j++)
                if (s->procs[j].pid == (pid_t)c->pid) {
                    mm_log_info("node %s: StopConsumerProcess %s pid=%ld", me, c->name, c->pid);
                    mm_node_stop_proc(n, &s->procs[j], 0);
                    return;
                }
        }
        mm_log_warn("node %s: StopConsumerProcess: no worker pid=%ld of %s here", me, c->pid,
                    c->name);
        break;
    case MM_CONTROL_ADJUST_CONSUMER:
        if (strcmp(c->node, me) != 0) break;
        for (size_t i = 0; i < n->slot_count; i++)
            if (matches_consumer(&n->slots[i], c->name)) adjust(n, &n->slots[i], c);
        break;
    case MM_CONTROL_CONSUMER_PROCESS_FINISHED:
    case MM_CONTROL_KIND_COUNT: break; /* reports from nodes (our own included): nothing to do */
    }
}
