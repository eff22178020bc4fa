/* status_doc.c -- the node's status document, the JSON that `gregor status`
 * and the manager API read from Redis (docs/redis-keys.md). camelCase keys,
 * like the control events and the GraphQL fields built from them. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "node/node_internal.h"

/* RFC 3339 UTC with milliseconds. */
static json_t *time_json(long long wall_ms) {
    char buf[40];
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof buf - n, ".%03dZ", (int)(wall_ms % 1000));
    return json_string(buf);
}

static json_t *optional(long v) { return v < 0 ? json_null() : json_integer(v); }

static json_t *proc_doc(const mm_node_proc *p, long long now_wall) {
    return json_pack("{s:i, s:I, s:o, s:f, s:f, s:I, s:o, s:o, s:b}", "pid", (int)p->pid,
                     "messagesProcessed", (json_int_t)p->messages, "harakiriLimit",
                     p->limit ? json_integer((json_int_t)p->limit) : json_null(), "user",
                     p->stats.user_seconds, "system", p->stats.system_seconds, "rss",
                     (json_int_t)p->stats.rss_bytes, "startedAt", time_json(p->started_wall_ms),
                     "updatedAt", time_json(now_wall), "stopping", p->stopping);
}

static json_t *slot_doc(const mm_node_slot *s, long long now_wall) {
    json_t *procs = json_array();
    for (size_t i = 0; procs && i < s->proc_count; i++)
        json_array_append_new(procs, proc_doc(&s->procs[i], now_wall));
    json_t *ended = json_object();
    for (int r = 0; ended && r < MM_NODE_REASONS; r++)
        json_object_set_new(ended, mm_worker_reason_name((mm_worker_reason)r),
                            json_integer((json_int_t)s->ended[r]));
    return json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:I, s:o, s:o}", "microservice",
                     s->spec->service->name, "name", s->spec->name, "groupId", s->spec->group_id,
                     "processCount", (json_int_t)s->desired, "harakiriLimit",
                     optional(s->harakiri_limit), "harakiriJitter", optional(s->harakiri_jitter),
                     "maxAgeSeconds", optional(s->max_age_seconds), "processesStarted",
                     (json_int_t)s->started, "processesEnded", ended ? ended : json_null(),
                     "processes", procs ? procs : json_null());
}

json_t *mm_node_status_doc(mm_node *n) {
    long long now = mm_node_wall_ms();
    json_t *doc = mm_sysstats_node();
    json_t *consumers = json_array();
    if (!doc || !consumers) {
        json_decref(doc);
        json_decref(consumers);
        return NULL;
    }
    size_t total = 0;
    for (size_t i = 0; i < n->slot_count; i++) {
        json_array_append_new(consumers, slot_doc(&n->slots[i], now));
        total += n->slots[i].proc_count;
    }
    json_object_set_new(doc, "name", json_string(n->o->node_name));
    json_object_set_new(doc, "hostname", json_string(n->hostname));
    json_object_set_new(doc, "pid", json_integer(getpid()));
    json_object_set_new(doc, "serviceWebTopic", json_string(n->o->config->service_web_topic));
    json_object_set_new(doc, "state",
                        json_string(n->killed     ? "killing"
                                    : n->draining ? "draining"
                                                  : "running"));
    json_object_set_new(doc, "processCount", json_integer((json_int_t)total));
    json_object_set_new(doc, "startedAt", time_json(n->started_wall_ms));
    json_object_set_new(doc, "updatedAt", time_json(now));
    json_object_set_new(doc, "refreshMs", json_integer(n->status_interval_ms));
    /* The Kafka agent (agent.h): whether control events reach this node now. */
    json_object_set_new(doc, "agentPid", json_integer(n->agent_pid));
    json_object_set_new(doc, "controlEvents",
                        json_string(n->agent_ready ? "reading" : "unavailable"));
    json_object_set_new(doc, "consumers", consumers);
    return doc;
}
