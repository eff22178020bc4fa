/* control.h -- the control events of the service web: what they carry and
 * how they are built and parsed.
 *
 * Control events travel on the service-web topic (default
 * metamorphosis.services) in the framework's CloudEvents envelope
 * (bus/envelope.h): ce_type is the event's name (the original's class
 * names), the value is a JSON object with camelCase fields. Every node reads
 * every control event and acts on those that concern it. The payloads are
 * documented in docs/wire-format.md ("Control events"). */
#ifndef MM_NODE_CONTROL_H
#define MM_NODE_CONTROL_H

#include <stddef.h>

#include "bus/envelope.h"

/* The most worker processes one consumer may have on a node: the node
 * config's limit for `procs` (common/config.c). AdjustConsumer events that
 * ask for more are refused when built (the manager answers BAD_USER_INPUT)
 * and capped at this when a node applies one that came from elsewhere. */
#define MM_CONTROL_PROCS_MAX 1024

/* ce_source service part of the events the framework publishes itself:
 * "/metamorphosis/service-web". */
#define MM_CONTROL_SOURCE "service-web"

typedef enum mm_control_kind {
    MM_CONTROL_STOP_CONSUMER = 0,     /* name: consumer; graceful, every node */
    MM_CONTROL_STOP_CONSUMER_PROCESS, /* node, name, pid: recycle one process */
    MM_CONTROL_STOP_NODE,             /* name: node; graceful, then the node exits */
    MM_CONTROL_STOP_MICROSERVICE,     /* name: service; graceful, every node */
    MM_CONTROL_KILL_CONSUMER,         /* as Stop*, but SIGKILL at once */
    MM_CONTROL_KILL_NODE,
    MM_CONTROL_KILL_MICROSERVICE,
    MM_CONTROL_ADJUST_CONSUMER, /* node, name, processCount, harakiriCount, harakiriJitter;
                                         harakiriCount 0 (as null) means no harakiri */
    MM_CONTROL_CONSUMER_PROCESS_FINISHED, /* published by nodes when a worker ends */
    MM_CONTROL_KIND_COUNT
} mm_control_kind;

/* A field of AdjustConsumer that may be absent (keep the current value),
 * null (clear it: no harakiri) or a number. */
typedef enum mm_control_opt {
    MM_CONTROL_ABSENT = 0,
    MM_CONTROL_NULL = 1,
    MM_CONTROL_SET = 2,
} mm_control_opt;

/* One control event. Strings are owned (mm_control_clear frees them). */
typedef struct mm_control {
    mm_control_kind kind;
    char *name; /* consumer ("NAME" or "SERVICE.NAME"), service or node name */
    char *node; /* target node (StopConsumerProcess, AdjustConsumer) or the
                        reporting node (ConsumerProcessFinished) */
    long pid;   /* StopConsumerProcess, ConsumerProcessFinished; 0 when absent */
    mm_control_opt process_count_set;
    long process_count;
    mm_control_opt harakiri_count_set;
    long harakiri_count;
    mm_control_opt harakiri_jitter_set;
    long harakiri_jitter;
    /* ConsumerProcessFinished only. */
    char *microservice; /* the consumer's service */
    int exit_code;      /* exit status, or 128 + signal */
    char *reason;       /* "harakiri", "max_age", "crash", "stopped", "killed" */
    long long messages_processed;
} mm_control;

/* "StopConsumer", ... ; NULL for an out-of-range kind. */
const char *mm_control_type_name(mm_control_kind kind);

/* The kind for a ce_type, or -1 when it is not a control event. */
int mm_control_kind_from_type(const char *type);

/* Builds the event for c into ev (initialized here; clear it with
 * mm_event_clear). Checks the fields the kind requires. Returns 0, or
 * MM_EINVAL / MM_ENOMEM with err set. */
int mm_control_build(const mm_control *c, mm_event *ev, char *err, size_t err_size);

/* Parses a decoded event into out (zeroed here). Returns 0, MM_ENOTFOUND
 * when ev is not a control event (its type is another one), or MM_EINVAL
 * with err saying which field is wrong. */
int mm_control_parse(const mm_event *ev, mm_control *out, char *err, size_t err_size);

/* Frees the strings of c and zeroes it. */
void mm_control_clear(mm_control *c);

#endif
