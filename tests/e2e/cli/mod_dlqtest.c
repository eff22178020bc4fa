/* mod_dlqtest.c -- a test service for `gregor dlq` (tests/e2e/cli/test_dlq.c):
 * its consumer records every event it handles in the Redis list state key
 * "handled" as "<type>:<n>".
 *
 * Its name (= its topic) and its consumer group come from MM_DLQTEST_SERVICE
 * and MM_DLQTEST_GROUP, so each test run has its own. Without
 * MM_DLQTEST_FIXED the service knows only GoodEvent, so a LateEvent is an
 * unknown type that its consumer dead-letters; with MM_DLQTEST_FIXED=1 (the
 * "fixed" deployment) it knows and handles LateEvent too. With
 * MM_DLQTEST_CRASH_N=n the handler segfaults on an event whose n is n (under
 * `gregor node` such an event is dead-lettered after 3 crashes). */
#include <metamorphosis.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char base_sdl[] = "type GoodEvent { n: Int }\n"
                               "type Query { dlqtestHandled: [String] }\n";
static const char fixed_sdl[] = "type LateEvent { n: Int }\n";

static int handle(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud;
    char text[128];
    json_t *n = json_object_get(mm_event_data(ev), "n");
    const char *crash_n = getenv("MM_DLQTEST_CRASH_N");
    if (crash_n && json_is_integer(n) && json_integer_value(n) == atoll(crash_n)) {
        /* A real segmentation fault, as a buggy handler would make (not a
         * null pointer: UBSan would report that and exit 1 instead). */
        volatile int *volatile nowhere = (volatile int *)(uintptr_t)16;
        *nowhere = 1;
    }
    snprintf(text, sizeof text, "%s:%lld", mm_event_type(ev),
             json_is_integer(n) ? (long long)json_integer_value(n) : -1LL);
    json_t *v = json_string(text);
    if (!v) return MM_ENOMEM;
    int rc = mm_state_list_append(mm_handler_state(h), "handled", v, NULL);
    json_decref(v);
    return rc;
}

static json_t *handled(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    json_t *list = NULL;
    if (mm_state_list_range(mm_resolve_state(info), "handled", 0, -1, &list) != 0) {
        mm_resolve_error(info, NULL, "handled unavailable");
        return NULL;
    }
    return list;
}

mm_service *metamorphosis_service(void) {
    const char *name = getenv("MM_DLQTEST_SERVICE");
    const char *group = getenv("MM_DLQTEST_GROUP");
    const char *fixed = getenv("MM_DLQTEST_FIXED");
    mm_service *s = mm_service_new(name && *name ? name : "mmtest_dlq");
    int rc = s ? mm_service_add_sdl(s, base_sdl) : MM_ENOMEM;
    if (!rc && fixed && strcmp(fixed, "1") == 0) rc = mm_service_add_sdl(s, fixed_sdl);
    if (!rc)
        rc = mm_service_add_consumer(
            s, &(mm_consumer_def){
                   .name = "handle", .group_id = group && *group ? group : NULL, .handle = handle});
    if (!rc) rc = mm_service_add_resolver(s, "Query", "dlqtestHandled", handled, NULL);
    if (rc && s) {
        mm_service_free(s);
        return NULL;
    }
    return s;
}
