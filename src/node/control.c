/* control.c -- building and parsing control events (control.h). */
#include "node/control.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metamorphosis.h"

static const char *const type_names[MM_CONTROL_KIND_COUNT] = {
    [MM_CONTROL_STOP_CONSUMER] = "StopConsumer",
    [MM_CONTROL_STOP_CONSUMER_PROCESS] = "StopConsumerProcess",
    [MM_CONTROL_STOP_NODE] = "StopNode",
    [MM_CONTROL_STOP_MICROSERVICE] = "StopMicroservice",
    [MM_CONTROL_KILL_CONSUMER] = "KillConsumer",
    [MM_CONTROL_KILL_NODE] = "KillNode",
    [MM_CONTROL_KILL_MICROSERVICE] = "KillMicroservice",
    [MM_CONTROL_ADJUST_CONSUMER] = "AdjustConsumer",
    [MM_CONTROL_CONSUMER_PROCESS_FINISHED] = "ConsumerProcessFinished",
};

const char *mm_control_type_name(mm_control_kind kind) {
    return (unsigned)kind < MM_CONTROL_KIND_COUNT ? type_names[kind] : NULL;
}

int mm_control_kind_from_type(const char *type) {
    for (int i = 0; type && i < MM_CONTROL_KIND_COUNT; i++)
        if (strcmp(type_names[i], type) == 0) return i;
    return -1;
}

/* Which fields each kind must carry. */
static int needs_node(mm_control_kind k) {
    return k == MM_CONTROL_STOP_CONSUMER_PROCESS || k == MM_CONTROL_ADJUST_CONSUMER ||
           k == MM_CONTROL_CONSUMER_PROCESS_FINISHED;
}
static int needs_pid(mm_control_kind k) {
    return k == MM_CONTROL_STOP_CONSUMER_PROCESS || k == MM_CONTROL_CONSUMER_PROCESS_FINISHED;
}

static int set_opt(json_t *o, const char *key, mm_control_opt set, long v) {
    if (set == MM_CONTROL_ABSENT) return 0;
    return json_object_set_new(o, key, set == MM_CONTROL_NULL ? json_null() : json_integer(v));
}

int mm_control_build(const mm_control *c, mm_event *ev, char *err, size_t err_size) {
    mm_event_init(ev);
    const char *type = mm_control_type_name(c->kind);
    if (!type) {
        snprintf(err, err_size, "unknown control event kind %d", (int)c->kind);
        return MM_EINVAL;
    }
    if (!c->name || !c->name[0]) {
        snprintf(err, err_size, "%s needs a name", type);
        return MM_EINVAL;
    }
    if (needs_node(c->kind) && (!c->node || !c->node[0])) {
        snprintf(err, err_size, "%s needs a node", type);
        return MM_EINVAL;
    }
    if (needs_pid(c->kind) && c->pid <= 0) {
        snprintf(err, err_size, "%s needs a positive pid", type);
        return MM_EINVAL;
    }
    if (c->kind == MM_CONTROL_ADJUST_CONSUMER &&
        ((c->process_count_set == MM_CONTROL_SET &&
          (c->process_count < 0 || c->process_count > MM_CONTROL_PROCS_MAX)) ||
         (c->process_count_set == MM_CONTROL_NULL) ||
         (c->harakiri_count_set == MM_CONTROL_SET && c->harakiri_count < 0) ||
         (c->harakiri_jitter_set == MM_CONTROL_SET && c->harakiri_jitter < 0))) {
        snprintf(err, err_size,
                 "AdjustConsumer: processCount must be from 0 to %d, harakiriCount >= 0 "
                 "(0: no harakiri), harakiriJitter >= 0",
                 MM_CONTROL_PROCS_MAX);
        return MM_EINVAL;
    }
    json_t *o = json_object();
    int rc = o ? json_object_set_new(o, "name", json_string(c->name)) : -1;
    if (rc == 0 && needs_node(c->kind)) rc = json_object_set_new(o, "node", json_string(c->node));
    if (rc == 0 && needs_pid(c->kind)) rc = json_object_set_new(o, "pid", json_integer(c->pid));
    if (rc == 0 && c->kind == MM_CONTROL_ADJUST_CONSUMER) {
        rc = set_opt(o, "processCount", c->process_count_set, c->process_count);
        if (rc == 0) rc = set_opt(o, "harakiriCount", c->harakiri_count_set, c->harakiri_count);
        if (rc == 0) rc = set_opt(o, "harakiriJitter", c->harakiri_jitter_set, c->harakiri_jitter);
    }
    if (rc == 0 && c->kind == MM_CONTROL_CONSUMER_PROCESS_FINISHED) {
        rc = json_object_set_new(o, "microservice",
                                 c->microservice ? json_string(c->microservice) : json_null());
        if (rc == 0) rc = json_object_set_new(o, "exitCode", json_integer(c->exit_code));
        if (rc == 0)
            rc = json_object_set_new(o, "reason", json_string(c->reason ? c->reason : "crash"));
        if (rc == 0)
            rc = json_object_set_new(o, "messagesProcessed", json_integer(c->messages_processed));
    }
    if (rc != 0) {
        json_decref(o);
        snprintf(err, err_size, "out of memory (or a string that is not UTF-8)");
        return MM_ENOMEM;
    }
    rc = mm_event_create(ev, MM_CONTROL_SOURCE, type, o);
    if (rc) snprintf(err, err_size, "cannot create the event: %s", mm_strerror(rc));
    /* Events about one node go to one partition, in order. */
    else if (c->node && (rc = mm_event_set_key(ev, c->node, strlen(c->node))) != 0)
        snprintf(err, err_size, "out of memory");
    if (rc) mm_event_clear(ev);
    return rc;
}

static int get_string(json_t *data, const char *key, int required, char **out, char *err,
                      size_t err_size, const char *type) {
    json_t *v = json_object_get(data, key);
    if (!v || json_is_null(v)) {
        if (!required) return 0;
        snprintf(err, err_size, "%s: field '%s' is required", type, key);
        return MM_EINVAL;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) {
        snprintf(err, err_size, "%s: field '%s' must be a non-empty string", type, key);
        return MM_EINVAL;
    }
    *out = strdup(json_string_value(v));
    return *out ? 0 : MM_ENOMEM;
}

static int get_int(json_t *data, const char *key, long min, mm_control_opt *set, long *out,
                   char *err, size_t err_size, const char *type) {
    json_t *v = json_object_get(data, key);
    if (!v) {
        *set = MM_CONTROL_ABSENT;
        return 0;
    }
    if (json_is_null(v)) {
        *set = MM_CONTROL_NULL;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > 1L << 40) {
        snprintf(err, err_size, "%s: field '%s' must be an integer >= %ld", type, key, min);
        return MM_EINVAL;
    }
    *set = MM_CONTROL_SET;
    *out = (long)json_integer_value(v);
    return 0;
}

int mm_control_parse(const mm_event *ev, mm_control *out, char *err, size_t err_size) {
    memset(out, 0, sizeof *out);
    int kind = mm_control_kind_from_type(ev->type);
    if (kind < 0) {
        snprintf(err, err_size, "'%s' is not a control event", ev->type ? ev->type : "(null)");
        return MM_ENOTFOUND;
    }
    out->kind = (mm_control_kind)kind;
    const char *type = type_names[kind];
    json_t *d = ev->data;
    if (!json_is_object(d)) {
        snprintf(err, err_size, "%s: the data is not an object", type);
        return MM_EINVAL;
    }
    int rc = get_string(d, "name", 1, &out->name, err, err_size, type);
    /* Fields a kind does not use are ignored, not carried along. */
    if (rc == 0 && needs_node(out->kind))
        rc = get_string(d, "node", 1, &out->node, err, err_size, type);
    if (rc == 0 && needs_pid(out->kind)) {
        mm_control_opt set;
        rc = get_int(d, "pid", 1, &set, &out->pid, err, err_size, type);
        if (rc == 0 && set != MM_CONTROL_SET) {
            snprintf(err, err_size, "%s: field 'pid' is required", type);
            rc = MM_EINVAL;
        }
    }
    if (rc == 0 && out->kind == MM_CONTROL_ADJUST_CONSUMER) {
        rc = get_int(d, "processCount", 0, &out->process_count_set, &out->process_count, err,
                     err_size, type);
        if (rc == 0 && out->process_count_set == MM_CONTROL_NULL) {
            snprintf(err, err_size, "%s: field 'processCount' must be an integer >= 0", type);
            rc = MM_EINVAL;
        }
        if (rc == 0)
            rc = get_int(d, "harakiriCount", 0, &out->harakiri_count_set, &out->harakiri_count, err,
                         err_size, type);
        if (rc == 0)
            rc = get_int(d, "harakiriJitter", 0, &out->harakiri_jitter_set, &out->harakiri_jitter,
                         err, err_size, type);
    }
    if (rc == 0 && out->kind == MM_CONTROL_CONSUMER_PROCESS_FINISHED) {
        mm_control_opt set;
        long v = 0;
        rc = get_string(d, "microservice", 0, &out->microservice, err, err_size, type);
        if (rc == 0) rc = get_string(d, "reason", 0, &out->reason, err, err_size, type);
        if (rc == 0) rc = get_int(d, "exitCode", 0, &set, &v, err, err_size, type);
        out->exit_code = (int)v;
        v = 0;
        if (rc == 0) rc = get_int(d, "messagesProcessed", 0, &set, &v, err, err_size, type);
        out->messages_processed = v;
    }
    if (rc == MM_ENOMEM) snprintf(err, err_size, "out of memory");
    if (rc) mm_control_clear(out);
    return rc;
}

void mm_control_clear(mm_control *c) {
    free(c->name);
    free(c->node);
    free(c->microservice);
    free(c->reason);
    memset(c, 0, sizeof *c);
}
