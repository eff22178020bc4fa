/* manager_queries.c -- the manager's queries: nodes, consumers,
 * consumerProcesses and serviceWeb, answered from the status documents
 * every `gregor node` keeps in Redis (docs/redis-keys.md, "Service-web
 * status"), reshaped into the original's types (Node, Consumer,
 * ConsumerProcess). Figures a node could not read (-1) become null. */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "manager/manager_internal.h"
#include "service/gateway.h"

typedef enum query_kind {
    Q_NODES,
    Q_CONSUMERS,
    Q_PROCESSES,
    Q_SERVICE_WEB
} query_kind;

typedef struct query_binding {
    mm_manager *m;
    query_kind kind;
} query_binding;

/* A number as reported, or null when absent or negative ("not read"). */
static json_t *figure(json_t *doc, const char *key) {
    json_t *v = json_object_get(doc, key);
    if (!json_is_number(v) || json_number_value(v) < 0) return json_null();
    return json_incref(v);
}

/* Any JSON value under key, or null. */
static json_t *value(json_t *doc, const char *key) {
    json_t *v = json_object_get(doc, key);
    return v ? json_incref(v) : json_null();
}

static json_t *shape_process(json_t *p, const char *node, json_t *consumer) {
    json_t *o = json_object();
    json_object_set_new(o, "pid", value(p, "pid"));
    json_object_set_new(o, "messagesProcessed", value(p, "messagesProcessed"));
    json_object_set_new(o, "node", json_string(node));
    json_object_set_new(o, "consumer", value(consumer, "name"));
    json_object_set_new(o, "microservice", value(consumer, "microservice"));
    json_object_set_new(o, "user", figure(p, "user"));
    json_object_set_new(o, "system", figure(p, "system"));
    json_object_set_new(o, "iowait", json_null());
    json_object_set_new(o, "rss", figure(p, "rss"));
    json_object_set_new(o, "shared", json_null());
    json_object_set_new(o, "vms", json_null());
    json_object_set_new(o, "harakiriLimit", value(p, "harakiriLimit"));
    json_object_set_new(o, "stopping", value(p, "stopping"));
    json_object_set_new(o, "startedDate", value(p, "startedAt"));
    json_object_set_new(o, "updatedDate", value(p, "updatedAt"));
    return o;
}

static json_t *shape_consumer(json_t *c, json_t *node) {
    const char *node_name = json_string_value(json_object_get(node, "name"));
    if (!node_name) node_name = "";
    json_t *o = json_object();
    json_object_set_new(o, "node", json_string(node_name));
    json_object_set_new(o, "microservice", value(c, "microservice"));
    json_object_set_new(o, "name", value(c, "name"));
    json_object_set_new(o, "groupId", value(c, "groupId"));
    json_object_set_new(o, "processCount", value(c, "processCount"));
    json_object_set_new(o, "harakiriLimit", value(c, "harakiriLimit"));
    json_object_set_new(o, "harakiriJitter", value(c, "harakiriJitter"));
    json_object_set_new(o, "maxAgeSeconds", value(c, "maxAgeSeconds"));
    json_object_set_new(o, "processesStarted", value(c, "processesStarted"));
    json_t *ended = json_object_get(c, "processesEnded");
    if (json_is_object(ended)) {
        json_object_set_new(o, "processesEnded",
                            json_pack("{s:o,s:o,s:o,s:o,s:o}", "crash", value(ended, "crash"),
                                      "harakiri", value(ended, "harakiri"), "maxAge",
                                      value(ended, "max_age"), "stopped", value(ended, "stopped"),
                                      "killed", value(ended, "killed")));
    } else {
        json_object_set_new(o, "processesEnded", json_null());
    }
    json_t *procs = json_array();
    json_t *p;
    size_t i;
    json_array_foreach(json_object_get(c, "processes"), i, p) {
        if (json_is_object(p)) json_array_append_new(procs, shape_process(p, node_name, c));
    }
    json_object_set_new(o, "runningProcessCount", json_integer((json_int_t)json_array_size(procs)));
    json_object_set_new(o, "processes", procs);
    json_object_set_new(o, "updatedDate", value(node, "updatedAt"));
    return o;
}

static json_t *shape_node(json_t *n) {
    json_t *o = json_object();
    json_object_set_new(o, "name", value(n, "name"));
    json_object_set_new(o, "hostname", value(n, "hostname"));
    json_object_set_new(o, "pid", value(n, "pid"));
    json_object_set_new(o, "state", value(n, "state"));
    json_object_set_new(o, "processCount", value(n, "processCount"));
    json_object_set_new(o, "loadAvg1", figure(n, "loadAvg1"));
    json_object_set_new(o, "loadAvg5", figure(n, "loadAvg5"));
    json_object_set_new(o, "loadAvg10", figure(n, "loadAvg5"));
    json_object_set_new(o, "loadAvg15", figure(n, "loadAvg15"));
    json_object_set_new(o, "diskUsagePct", figure(n, "diskUsagePct"));
    json_object_set_new(o, "diskReadTime", json_null());
    json_object_set_new(o, "diskWriteTime", json_null());
    json_object_set_new(o, "diskBusyTime", json_null());
    static const char *const figures[] = {"memPct",    "memFree",   "memUsed",     "memTotal",
                                          "bytesSent", "bytesRecv", "packetsSent", "packetsRecv",
                                          "errin",     "errout",    "dropin",      "dropout"};
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
        json_object_set_new(o, figures[i], figure(n, figures[i]));
    json_object_set_new(o, "startedDate", value(n, "startedAt"));
    json_object_set_new(o, "updatedDate", value(n, "updatedAt"));
    json_t *consumers = json_array();
    char services[1024] = "";
    size_t used = 0;
    json_t *c;
    size_t i;
    json_array_foreach(json_object_get(n, "consumers"), i, c) {
        if (!json_is_object(c)) continue;
        json_array_append_new(consumers, shape_consumer(c, n));
        const char *svc = json_string_value(json_object_get(c, "microservice"));
        if (!svc || !*svc) continue;
        /* Distinct service names, in the order the node lists them. */
        int seen = 0;
        for (const char *s = services; *s && !seen;) {
            size_t len = strcspn(s, ",");
            if (len == strlen(svc) && strncmp(s, svc, len) == 0) seen = 1;
            s += len + (s[len] == ',');
        }
        if (!seen && used + strlen(svc) + 2 < sizeof services)
            used += (size_t)snprintf(services + used, sizeof services - used, "%s%s",
                                     used ? "," : "", svc);
    }
    json_object_set_new(o, "microserviceName", used ? json_string(services) : json_null());
    json_object_set_new(o, "consumers", consumers);
    return o;
}

/* Every live node in GraphQL shape, sorted by name; NULL after raising an error. */
/* The nodes, shaped and sorted; NULL with err set when the status cannot be read. */
static json_t *read_nodes_or(mm_manager *m, char *err, size_t err_size) {
    json_t *docs = NULL;
    pthread_mutex_lock(&m->status_lock);
    int rc = mm_status_store_read(m->status, &docs, err, err_size);
    pthread_mutex_unlock(&m->status_lock);
    if (rc) return NULL;
    json_t *out = json_array();
    json_t *d;
    size_t i;
    json_array_foreach(docs, i, d) {
        json_t *shaped = shape_node(d);
        /* Insertion sort by name: a few nodes, and a stable order for clients. */
        const char *name = json_string_value(json_object_get(shaped, "name"));
        size_t at = json_array_size(out);
        while (at > 0) {
            const char *prev =
                json_string_value(json_object_get(json_array_get(out, at - 1), "name"));
            if (!name || !prev || strcmp(prev, name) <= 0) break;
            at--;
        }
        json_array_insert_new(out, at, shaped);
    }
    json_decref(docs);
    return out;
}

static json_t *read_nodes(mm_manager *m, mm_gql_resolve_info *info) {
    char err[256];
    json_t *out = read_nodes_or(m, err, sizeof err);
    if (!out)
        mm_gql_resolve_error(info, json_pack("{s:s}", "code", "STATUS_UNAVAILABLE"),
                             "The service-web status is unavailable: %s", err);
    return out;
}

json_t *mm_manager_service_web(void *ud, json_t *args, const char **code, char *msg,
                               size_t msg_size) {
    mm_manager *m = ud;
    json_t *given = json_object_get(args, "authCode");
    int ok = json_is_string(given)
                 ? mm_manager_code_equal(json_string_value(given), json_string_length(given),
                                         m->auth_code, m->auth_code_len)
                 : !m->auth_for_queries;
    if (!ok) {
        mm_log_warn("msg=\"manager: unauthorized\" field=Subscription.serviceWeb auth_code=%s",
                    json_is_string(given) ? "wrong" : "missing");
        *code = "UNAUTHORIZED";
        snprintf(msg, msg_size, "Unauthorized: a valid authCode is required for serviceWeb.");
        return NULL;
    }
    char err[256];
    json_t *nodes = read_nodes_or(m, err, sizeof err);
    if (!nodes) {
        *code = "STATUS_UNAVAILABLE";
        snprintf(msg, msg_size, "The service-web status is unavailable: %s", err);
        return NULL;
    }
    return json_pack("{s:s,s:o,s:o}", "name", m->topic, "nodes", nodes, "finishedProcesses",
                     mm_manager_recent(m));
}

/* A consumer matches NAME or SERVICE.NAME. */
static int consumer_matches(json_t *consumer, const char *want) {
    const char *name = json_string_value(json_object_get(consumer, "name"));
    const char *svc = json_string_value(json_object_get(consumer, "microservice"));
    if (!name) return 0;
    if (strcmp(name, want) == 0) return 1;
    size_t sl = svc ? strlen(svc) : 0;
    return svc && strncmp(want, svc, sl) == 0 && want[sl] == '.' &&
           strcmp(want + sl + 1, name) == 0;
}

static int string_equals(json_t *o, const char *key, const char *want) {
    const char *v = json_string_value(json_object_get(o, key));
    return v && strcmp(v, want) == 0;
}

static json_t *resolve_now(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)parent;
    query_binding *b = ud;
    mm_manager *m = b->m;
    if (!mm_manager_authorize(m, args, info, m->auth_for_queries)) return NULL;
    json_t *nodes = read_nodes(m, info);
    if (!nodes) return NULL;
    const char *name = json_string_value(json_object_get(args, "name"));
    const char *consumer_name = json_string_value(json_object_get(args, "consumerName"));
    const char *service_name = json_string_value(json_object_get(args, "microserviceName"));
    const char *node_name = json_string_value(json_object_get(args, "nodeName"));
    json_t *out = NULL, *n, *c, *p;
    size_t i, j, k;
    switch (b->kind) {
    case Q_NODES:
        if (!name) return nodes;
        out = json_array();
        json_array_foreach(nodes, i, n) if (string_equals(n, "name", name))
            json_array_append(out, n);
        break;
    case Q_CONSUMERS:
    case Q_PROCESSES:
        out = json_array();
        json_array_foreach(nodes, i, n) {
            if (node_name && !string_equals(n, "name", node_name)) continue;
            json_array_foreach(json_object_get(n, "consumers"), j, c) {
                if (consumer_name && !consumer_matches(c, consumer_name)) continue;
                if (service_name && !string_equals(c, "microservice", service_name)) continue;
                if (b->kind == Q_CONSUMERS) {
                    json_array_append(out, c);
                    continue;
                }
                json_array_foreach(json_object_get(c, "processes"), k, p) json_array_append(out, p);
            }
        }
        break;
    case Q_SERVICE_WEB:
        out = json_pack("{s:s,s:O,s:o}", "name", m->topic, "nodes", nodes, "finishedProcesses",
                        mm_manager_recent(m));
        break;
    }
    json_decref(nodes);
    return out;
}

/* On a blocking-pool thread: the query reads Redis synchronously. */
static void offloaded(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info,
                      mm_gql_deferred *d) {
    mm_gateway_settle(d, info, resolve_now(ud, parent, args, info));
}

/* Every query reads the status store (synchronous Redis, within its
 * timeout): never on an HTTP I/O thread, where a hung Redis would stall
 * every client of the thread. On one, the field is handed to the blocking
 * pool (mm_gateway_offload); elsewhere it runs here. */
static json_t *resolve(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    if (mm_gateway_offload(info, parent, args, offloaded, ud)) return NULL;
    return resolve_now(ud, parent, args, info);
}

/* DateTime: RFC 3339 strings as the nodes wrote them. */
static json_t *datetime_serialize(void *ud, json_t *v, mm_arena *arena, const char **error) {
    (void)ud, (void)arena;
    if (!json_is_string(v)) {
        *error = "DateTime cannot represent a non-string value.";
        return NULL;
    }
    return json_incref(v);
}

static json_t *datetime_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                      mm_arena *arena, const char **error) {
    (void)ud, (void)variables, (void)arena;
    if (literal->kind != MM_GQL_VALUE_STRING) {
        *error = "DateTime cannot represent a non-string value.";
        return NULL;
    }
    return json_stringn(literal->u.string.chars, literal->u.string.length);
}

int mm_manager_bind_queries(mm_manager *m, mm_gql_schema *schema, char *err, size_t err_size) {
    static const struct {
        const char *field;
        query_kind kind;
    } defs[] = {
        {"nodes", Q_NODES},
        {"consumers", Q_CONSUMERS},
        {"consumerProcesses", Q_PROCESSES},
        {"serviceWeb", Q_SERVICE_WEB},
    };
    int rc = mm_gql_schema_set_scalar(schema, "DateTime", datetime_serialize, datetime_serialize,
                                      datetime_parse_literal, NULL);
    if (rc) {
        snprintf(err, err_size, "manager: cannot bind scalar DateTime");
        return rc;
    }
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        query_binding *b = mm_arena_alloc(&schema->arena, sizeof *b);
        if (!b) {
            snprintf(err, err_size, "out of memory");
            return MM_ENOMEM;
        }
        b->m = m;
        b->kind = defs[i].kind;
        rc = mm_gql_schema_set_resolver(schema, "Query", defs[i].field, resolve, b);
        if (rc) {
            snprintf(err, err_size, "manager: cannot bind Query.%s", defs[i].field);
            return rc;
        }
    }
    return 0;
}
