/* mod_mistakes.c -- a test service with one definition mistake, chosen by
 * MM_TEST_MISTAKE, for test_load_errors.c: each must be refused when gregor
 * loads the service, with a message naming what is wrong. Unset: correct. */
#include <metamorphosis.h>

#include <stdlib.h>
#include <string.h>

static json_t *ping_event(void *ud, mm_mutation_call *call, json_t *args) {
    (void)ud, (void)call, (void)args;
    return json_object();
}

static int handle(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud, (void)h, (void)ev;
    return 0;
}

static const char sdl[] = "type PingEvent { id: String }\n"
                          "type PongEvent { id: String reply: String }\n"
                          "input PingInput { id: String }\n";

mm_service *metamorphosis_service(void) {
    const char *mistake = getenv("MM_TEST_MISTAKE");
    if (!mistake) mistake = "";
    static const char *const good_types[] = {"PingEvent", NULL};
    static const char *const typo_types[] = {"PingEvent", "PingEevnt", NULL};
    mm_mutation_def ping = {
        .name = "ping",
        .event_type = "PingEvent",
        .result_type = "PongEvent",
        .timings = MM_TIMING_SYNCHRONOUS | MM_TIMING_ASYNCHRONOUS,
        .mutate_event = ping_event,
    };
    mm_consumer_def pong = {.name = "pong", .event_types = good_types, .handle = handle};
    if (strcmp(mistake, "event_type") == 0) ping.event_type = "PingEvnt";
    if (strcmp(mistake, "result_type") == 0) ping.result_type = "PongEvnt";
    if (strcmp(mistake, "input_event") == 0) ping.event_type = "PingInput";
    if (strcmp(mistake, "consumer_type") == 0) pong.event_types = typo_types;
    if (strcmp(mistake, "default_timing") == 0) {
        ping.timings = MM_TIMING_SYNCHRONOUS;
        ping.default_timing = MM_TIMING_ASYNCHRONOUS;
    }
    mm_service *s = mm_service_new(strcmp(mistake, "service_name") == 0 ? "bad name" : "mistakes");
    if (!s) return NULL;
    int rc = mm_service_add_sdl(s, sdl);
    if (!rc) rc = mm_service_add_mutation(s, &ping);
    if (!rc) rc = mm_service_add_consumer(s, &pong);
    if (!rc && strcmp(mistake, "own_null") == 0) rc = 1; /* the service's own check failed */
    if (rc) {
        mm_service_free(s);
        return NULL;
    }
    return s;
}
