/* manager_live.c -- does what a manager mutation names exist in the live
 * service web? A control event naming a node, consumer, service or worker
 * that no live node reports would be published and ignored by every node, so
 * the caller would get an id for nothing. The live map is the nodes' status
 * documents in Redis (docs/redis-keys.md), read once per mutation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/suggest.h"
#include "manager/manager_internal.h"

/* "NAME" matches that consumer in any service, "SERVICE.NAME" one. */
static int consumer_matches(json_t *cons, const char *name) {
    const char *cname = json_string_value(json_object_get(cons, "name"));
    const char *svc = json_string_value(json_object_get(cons, "microservice"));
    if (!cname) return 0;
    const char *dot = strchr(name, '.');
    if (!dot) return strcmp(cname, name) == 0;
    size_t n = (size_t)(dot - name);
    return svc && strlen(svc) == n && strncmp(svc, name, n) == 0 && strcmp(cname, dot + 1) == 0;
}

static json_t *find_node(json_t *nodes, const char *name) {
    size_t i;
    json_t *node;
    json_array_foreach(nodes, i, node) {
        const char *n = json_string_value(json_object_get(node, "name"));
        if (n && strcmp(n, name) == 0) return node;
    }
    return NULL;
}

/* Offers every name of kind ("node", "consumer", "service") to sg. The
 * qualified consumer names are built in buf (a ring of slots). */
static void offer_names(mm_suggest *sg, json_t *nodes, const char *kind, char (*buf)[256],
                        size_t slots) {
    size_t i, j, used = 0;
    json_t *node, *cons;
    json_array_foreach(nodes, i, node) {
        if (strcmp(kind, "node") == 0) {
            mm_suggest_offer(sg, json_string_value(json_object_get(node, "name")));
            continue;
        }
        json_array_foreach(json_object_get(node, "consumers"), j, cons) {
            const char *svc = json_string_value(json_object_get(cons, "microservice"));
            const char *cname = json_string_value(json_object_get(cons, "name"));
            if (strcmp(kind, "service") == 0) {
                mm_suggest_offer(sg, svc);
                continue;
            }
            mm_suggest_offer(sg, cname);
            if (svc && cname && used < slots) {
                snprintf(buf[used], sizeof buf[used], "%s.%s", svc, cname);
                mm_suggest_offer(sg, buf[used++]);
            }
        }
    }
}

static void not_found(json_t *nodes, const char *kind, const char *name, const char *where,
                      char *err, size_t err_size) {
    enum {
        SLOTS = 64
    };
    char(*slots)[256] = calloc(SLOTS, 256); /* the qualified names offered */
    mm_suggest sg;
    mm_suggest_init(&sg, name);
    offer_names(&sg, nodes, kind, slots, slots ? SLOTS : 0);
    char hint[300];
    snprintf(err, err_size, "No live %s named '%s'%s in the service web%s; nothing was published.",
             kind, name, where, mm_suggest_hint(&sg, hint, sizeof hint));
    free(slots);
}

/* Is there a consumer matching name (on node, or anywhere when node is
 * NULL)? With pid > 0, does it run a worker of that pid? */
static int consumer_live(json_t *nodes, json_t *only_node, const char *name, long pid) {
    size_t i, j, k;
    json_t *node, *cons, *proc;
    json_array_foreach(nodes, i, node) {
        if (only_node && node != only_node) continue;
        json_array_foreach(json_object_get(node, "consumers"), j, cons) {
            if (!consumer_matches(cons, name)) continue;
            if (pid <= 0) return 1;
            json_array_foreach(json_object_get(cons, "processes"), k,
                               proc) if (json_integer_value(json_object_get(proc, "pid")) ==
                                         pid) return 1;
        }
    }
    return 0;
}

static int service_live(json_t *nodes, const char *name) {
    size_t i, j;
    json_t *node, *cons;
    json_array_foreach(nodes, i, node)
        json_array_foreach(json_object_get(node, "consumers"), j, cons) {
        const char *svc = json_string_value(json_object_get(cons, "microservice"));
        if (svc && strcmp(svc, name) == 0) return 1;
    }
    return 0;
}

int mm_manager_check_live(mm_manager *m, const mm_control *c, char *err, size_t err_size) {
    json_t *nodes = NULL;
    char why[400];
    pthread_mutex_lock(&m->status_lock);
    int rc = mm_status_store_read(m->status, &nodes, why, sizeof why);
    pthread_mutex_unlock(&m->status_lock);
    if (rc) {
        snprintf(err, err_size,
                 "The live service web cannot be read to check the names: %s; nothing "
                 "was published.",
                 why);
        return MM_EREDIS;
    }
    rc = MM_ENOTFOUND;
    json_t *node = NULL;
    char where[300] = "";
    switch (c->kind) {
    case MM_CONTROL_STOP_NODE:
    case MM_CONTROL_KILL_NODE:
        if (c->name && !find_node(nodes, c->name))
            not_found(nodes, "node", c->name, "", err, err_size);
        else
            rc = 0;
        break;
    case MM_CONTROL_STOP_MICROSERVICE:
    case MM_CONTROL_KILL_MICROSERVICE:
        if (c->name && !service_live(nodes, c->name))
            not_found(nodes, "service", c->name, "", err, err_size);
        else
            rc = 0;
        break;
    case MM_CONTROL_STOP_CONSUMER:
    case MM_CONTROL_KILL_CONSUMER:
    case MM_CONTROL_STOP_CONSUMER_PROCESS:
    case MM_CONTROL_ADJUST_CONSUMER:
        if (c->node) {
            node = find_node(nodes, c->node);
            if (!node) {
                not_found(nodes, "node", c->node, "", err, err_size);
                break;
            }
            snprintf(where, sizeof where, " on node %s", c->node);
        }
        if (c->name && !consumer_live(nodes, node, c->name, 0)) {
            not_found(nodes, "consumer", c->name, where, err, err_size);
            break;
        }
        if (c->kind == MM_CONTROL_STOP_CONSUMER_PROCESS && c->name && c->pid > 0 &&
            !consumer_live(nodes, node, c->name, c->pid)) {
            snprintf(err, err_size,
                     "No worker pid %ld of consumer %s%s in the service web; nothing "
                     "was published.",
                     c->pid, c->name, where);
            break;
        }
        rc = 0;
        break;
    default: rc = 0; break;
    }
    json_decref(nodes);
    return rc;
}
