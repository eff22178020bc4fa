/* mod_nodetest.c -- a test service for the node tests (test_node.c).
 *
 * Consumer `count` records every event it handles in Redis state: hash
 * "seen" (event id -> the worker's pid) and counter "handled", so a test
 * can prove that no event was lost whatever happened to the workers.
 * Consumer `idle` handles nothing the tests send; it exists so that a
 * config can name a second consumer. The topic and group come from the
 * environment (MMTEST_NODE_TOPIC, MMTEST_NODE_GROUP) so that every test run
 * uses its own; MMTEST_NODE_SLEEP_MS makes each event take that long, and
 * MMTEST_NODE_FAIL_START=1 makes the post-fork initializer fail.
 * For the crash and hand-off tests (test_node_crash.c, test_node_handoff.c):
 * MMTEST_NODE_CRASH_N=K makes the handler segfault on the event with n == K
 * (every time it sees it); MMTEST_NODE_SAVE=1 makes `count` save results;
 * MMTEST_NODE_EMIT_TOPIC=T makes it emit a NodeIdleEvent to T (its result);
 * MMTEST_NODE_ORDER=1 appends each handled event's id to list "order". */
#include <metamorphosis.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char sdl[] = "type NodeTestEvent { id: String n: Int }\n"
                          "type NodeIdleEvent { id: String }\n"
                          "type Query { nodetestAlive: Boolean }\n";

static int count(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud;
    const char *sleep_ms = getenv("MMTEST_NODE_SLEEP_MS");
    if (sleep_ms && atoi(sleep_ms) > 0) {
        long ms = atol(sleep_ms);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        /* A stop signal must not cut the work short: sleep the whole time. */
        while (nanosleep(&ts, &ts) != 0) {
        }
    }
    const char *crash_n = getenv("MMTEST_NODE_CRASH_N");
    json_t *n = json_object_get(mm_event_data(ev), "n");
    if (crash_n && json_is_integer(n) && json_integer_value(n) == atoll(crash_n)) {
        /* A real segmentation fault, as a buggy handler would make. Not a
         * null pointer: UBSan would report that and exit 1 instead. */
        volatile int *volatile nowhere = (volatile int *)(uintptr_t)16;
        *nowhere = 1;
    }
    const char *emit_topic = getenv("MMTEST_NODE_EMIT_TOPIC");
    if (emit_topic && emit_topic[0]) {
        int erc = mm_handler_emit(h, emit_topic, "NodeIdleEvent",
                                  json_pack("{s:s}", "id", mm_event_id(ev)));
        if (erc) return erc;
    }
    mm_state *st = mm_handler_state(h);
    json_t *pid = json_integer(getpid());
    int rc = mm_state_hset(st, "seen", mm_event_id(ev), pid);
    json_decref(pid);
    if (rc == 0) rc = mm_state_incr(st, "handled", 1, NULL);
    /* MMTEST_NODE_ORDER=1: the order of every handling, for per-partition
     * order checks (test_node_overlap.c). */
    const char *order = getenv("MMTEST_NODE_ORDER");
    if (rc == 0 && order && strcmp(order, "1") == 0) {
        json_t *id = json_string(mm_event_id(ev));
        rc = mm_state_list_append(st, "order", id, NULL);
        json_decref(id);
    }
    return rc;
}

static int idle(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud, (void)h, (void)ev;
    return 0;
}

static int post_fork(void *ud, mm_service *s) {
    (void)ud, (void)s;
    const char *fail = getenv("MMTEST_NODE_FAIL_START");
    return fail && strcmp(fail, "1") == 0 ? -1 : 0;
}

static json_t *alive(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    return json_true();
}

mm_service *metamorphosis_service(void) {
    static const char *const count_events[] = {"NodeTestEvent", NULL};
    static const char *const idle_events[] = {"NodeIdleEvent", NULL};
    static char topic[256], group[256], idle_group[300];
    const char *t = getenv("MMTEST_NODE_TOPIC");
    const char *g = getenv("MMTEST_NODE_GROUP");
    snprintf(topic, sizeof topic, "%s", t && t[0] ? t : "mmtest_node");
    snprintf(group, sizeof group, "%s", g && g[0] ? g : "mmtest_node_count");
    snprintf(idle_group, sizeof idle_group, "%s.idle", group);
    const char *topics[] = {topic, NULL};
    mm_service *s = mm_service_new("mmtest_node");
    int rc = s ? mm_service_add_sdl(s, sdl) : MM_ENOMEM;
    if (!rc)
        rc = mm_service_add_consumer(
            s, &(mm_consumer_def){.name = "count",
                                  .group_id = group,
                                  .topics = topics,
                                  .event_types = count_events,
                                  .save_result = getenv("MMTEST_NODE_SAVE") &&
                                                 strcmp(getenv("MMTEST_NODE_SAVE"), "1") == 0,
                                  .handle = count});
    if (!rc)
        rc = mm_service_add_consumer(s, &(mm_consumer_def){.name = "idle",
                                                           .group_id = idle_group,
                                                           .topics = topics,
                                                           .event_types = idle_events,
                                                           .handle = idle});
    if (!rc) rc = mm_service_add_resolver(s, "Query", "nodetestAlive", alive, NULL);
    if (!rc) rc = mm_service_set_post_fork(s, post_fork, NULL);
    if (rc && s) {
        mm_service_free(s);
        return NULL;
    }
    return s;
}
