/* mod_managertest.c -- the test service of the manager tests
 * (test_manager.c, manager_dashboard.sh).
 *
 * Consumer `crunch` counts the events it handles in Redis state (counter
 * "handled"); consumer `idle` handles nothing the tests send and exists so
 * that a node runs two consumers. The topic and the groups come from the
 * environment (MMTEST_MANAGER_TOPIC, MMTEST_MANAGER_GROUP), so every run
 * uses its own and no other test's topic is touched. */
#include <metamorphosis.h>

#include <stdio.h>
#include <stdlib.h>

static const char sdl[] = "type ManagerTestEvent { id: String n: Int }\n"
                          "type ManagerIdleEvent { id: String }\n"
                          "type Query { managertestAlive: Boolean }\n";

static int crunch(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud, (void)ev;
    return mm_state_incr(mm_handler_state(h), "handled", 1, NULL);
}

static int idle(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud, (void)h, (void)ev;
    return 0;
}

static json_t *alive(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    return json_true();
}

mm_service *metamorphosis_service(void) {
    static const char *const crunch_events[] = {"ManagerTestEvent", NULL};
    static const char *const idle_events[] = {"ManagerIdleEvent", NULL};
    static char topic[256], group[256], idle_group[300];
    const char *t = getenv("MMTEST_MANAGER_TOPIC");
    const char *g = getenv("MMTEST_MANAGER_GROUP");
    snprintf(topic, sizeof topic, "%s", t && t[0] ? t : "mmtest_manager");
    snprintf(group, sizeof group, "%s", g && g[0] ? g : "mmtest_manager_crunch");
    snprintf(idle_group, sizeof idle_group, "%s.idle", group);
    const char *topics[] = {topic, NULL};
    mm_service *s = mm_service_new("mmtest_manager");
    int rc = s ? mm_service_add_sdl(s, sdl) : MM_ENOMEM;
    if (!rc)
        rc = mm_service_add_consumer(s, &(mm_consumer_def){.name = "crunch",
                                                           .group_id = group,
                                                           .topics = topics,
                                                           .event_types = crunch_events,
                                                           .handle = crunch});
    if (!rc)
        rc = mm_service_add_consumer(s, &(mm_consumer_def){.name = "idle",
                                                           .group_id = idle_group,
                                                           .topics = topics,
                                                           .event_types = idle_events,
                                                           .handle = idle});
    if (!rc) rc = mm_service_add_resolver(s, "Query", "managertestAlive", alive, NULL);
    if (rc && s) {
        mm_service_free(s);
        return NULL;
    }
    return s;
}
