/* mod_faults.c -- the test service of the fault scenarios (tests/e2e/faults,
 * scripts/faults.sh). Its mutation `tick(n)` publishes a TickEvent; its
 * consumer `count` counts, per event id, how often it handled the event
 * (state key h:<id>, an INCR) and in total (key total), and emits TickDone
 * as the result. The counts are what the scenarios check: an event with no
 * result is lost, a count above 1 is a re-delivery (an idempotent overwrite
 * of the same result).
 *
 * MM_FAULTS_EXACTLY_ONCE=1 runs the consumer in exactly-once mode
 * (docs/exactly-once.md; tests/e2e/faults_eos_*.sh).
 *
 * MM_FAULTS_SERVICE names the service (default "mmfaults"), and so its
 * topic, its state keys and its consumer group ("<service>.count"): runs
 * sharing one broker and one Redis stay apart. */
#include <metamorphosis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char sdl[] = "type TickEvent { id: String n: Int }\n"
                          "type TickDone { id: String n: Int handled: Int }\n"
                          "type Query { ticksHandled: Int }\n";

static json_t *mutate_tick(void *ud, mm_mutation_call *call, json_t *args) {
    (void)ud, (void)call;
    json_t *n = json_object_get(args, "n");
    return json_pack("{s:O}", "n", n ? n : json_null());
}

static int count(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud;
    char key[160];
    long long mine = 0, total = 0;
    snprintf(key, sizeof key, "h:%s", mm_event_id(ev));
    int rc = mm_state_incr(mm_handler_state(h), key, 1, &mine);
    if (!rc) rc = mm_state_incr(mm_handler_state(h), "total", 1, &total);
    if (rc) {
        mm_handler_raise(h, "StateUnavailable", "state", NULL, "cannot count: %s", mm_strerror(rc));
        return 1;
    }
    json_t *n = json_object_get(mm_event_data(ev), "n");
    /* pid: which worker emitted it (the exactly-once zombie test). */
    return mm_handler_emit(h, NULL, "TickDone",
                           json_pack("{s:s,s:O,s:I,s:I}", "id", mm_event_id(ev), "n",
                                     n ? n : json_null(), "handled", (json_int_t)mine, "pid",
                                     (json_int_t)getpid()));
}

static json_t *ticks_handled(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    json_t *v = NULL;
    int rc = mm_state_get(mm_resolve_state(info), "total", &v);
    if (rc == MM_ENOTFOUND) return json_integer(0);
    if (rc) {
        mm_resolve_error(info, NULL, "ticksHandled unavailable: %s", mm_strerror(rc));
        return NULL;
    }
    return v;
}

mm_service *metamorphosis_service(void) {
    static const char *const tick_events[] = {"TickEvent", NULL};
    static char name[100], group[120];
    const char *env = getenv("MM_FAULTS_SERVICE");
    const char *eos_env = getenv("MM_FAULTS_EXACTLY_ONCE");
    int eos = eos_env && strcmp(eos_env, "1") == 0;
    snprintf(name, sizeof name, "%s", env && *env ? env : "mmfaults");
    snprintf(group, sizeof group, "%s.count", name);
    mm_service *s = mm_service_new(name);
    int rc = s ? mm_service_add_sdl(s, sdl) : MM_ENOMEM;
    if (!rc)
        rc = mm_service_add_mutation(
            s, &(mm_mutation_def){.name = "tick",
                                  .arguments = "n: Int!",
                                  .event_type = "TickEvent",
                                  .result_type = "TickDone",
                                  .timings = MM_TIMING_SYNCHRONOUS | MM_TIMING_ASYNCHRONOUS,
                                  .default_timing = MM_TIMING_ASYNCHRONOUS,
                                  .timing_argument = 1,
                                  .mutate_event = mutate_tick});
    if (!rc)
        rc = mm_service_add_consumer(s, &(mm_consumer_def){.name = "count",
                                                           .group_id = group,
                                                           .event_types = tick_events,
                                                           .save_result = 1,
                                                           .handle = count,
                                                           .exactly_once = eos});
    if (!rc) rc = mm_service_add_resolver(s, "Query", "ticksHandled", ticks_handled, NULL);
    if (rc && s) {
        mm_service_free(s);
        return NULL;
    }
    return s;
}
