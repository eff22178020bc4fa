/* mod_pinger.c -- a test service: `ping` publishes a PingEvent whose
 * consumer relays it to another service's topic (mmtest_ponger), and
 * `neverAnswered` is a synchronous mutation that no consumer answers, to
 * prove the timeout path. Loaded by tests/e2e/service/test_service_web.c. */
#include <metamorphosis.h>

#include <stddef.h>

static const char sdl[] = "type PingEvent { id: String message: String }\n"
                          "type NeverEvent { id: String message: String }\n"
                          "type Query { pingerAlive: Boolean }\n";

static json_t *message_event(void *ud, mm_mutation_call *call, json_t *args) {
    (void)ud;
    (void)call;
    json_t *m = json_object_get(args, "message");
    return json_pack("{s:O}", "message", m ? m : json_null());
}

static int relay(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud;
    json_t *m = json_object_get(mm_event_data(ev), "message");
    return mm_handler_emit(h, "mmtest_ponger", "PongRequest",
                           json_pack("{s:O}", "message", m ? m : json_null()));
}

static json_t *alive(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    return json_true();
}

mm_service *metamorphosis_service(void) {
    static const char *const ping_events[] = {"PingEvent", NULL};
    mm_service *s = mm_service_new("mmtest_pinger");
    int rc = s ? mm_service_add_sdl(s, sdl) : MM_ENOMEM;
    if (!rc)
        rc = mm_service_add_mutation(s, &(mm_mutation_def){.name = "ping",
                                                           .arguments = "message: String",
                                                           .event_type = "PingEvent",
                                                           .timings = MM_TIMING_ASYNCHRONOUS,
                                                           .mutate_event = message_event});
    if (!rc)
        rc = mm_service_add_mutation(s, &(mm_mutation_def){.name = "neverAnswered",
                                                           .arguments = "message: String",
                                                           .event_type = "NeverEvent",
                                                           .timings = MM_TIMING_SYNCHRONOUS,
                                                           .default_timing = MM_TIMING_SYNCHRONOUS,
                                                           .timeout_ms = 1500,
                                                           .mutate_event = message_event});
    if (!rc)
        rc = mm_service_add_consumer(
            s, &(mm_consumer_def){.name = "relay", .event_types = ping_events, .handle = relay});
    if (!rc) rc = mm_service_add_resolver(s, "Query", "pingerAlive", alive, NULL);
    if (rc && s) {
        mm_service_free(s);
        return NULL;
    }
    return s;
}
