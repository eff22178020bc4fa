/* mod_ponger.c -- a test service whose consumer handles PongRequest events
 * that another service (mod_pinger) emits onto this service's topic, and
 * records their messages in Redis for the `pongs` query. */
#include <metamorphosis.h>

#include <stddef.h>

static const char sdl[] = "type PongRequest { id: String message: String }\n"
                          "type Query { pongs: [String] }\n";

static int pong(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud;
    json_t *m = json_object_get(mm_event_data(ev), "message");
    return mm_state_list_append(mm_handler_state(h), "pongs", m ? m : json_null(), NULL);
}

static json_t *pongs(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    json_t *list = NULL;
    if (mm_state_list_range(mm_resolve_state(info), "pongs", 0, -1, &list) != 0) {
        mm_resolve_error(info, NULL, "pongs unavailable");
        return NULL;
    }
    return list;
}

mm_service *metamorphosis_service(void) {
    static const char *const pong_events[] = {"PongRequest", NULL};
    mm_service *s = mm_service_new("mmtest_ponger");
    int rc = s ? mm_service_add_sdl(s, sdl) : MM_ENOMEM;
    if (!rc)
        rc = mm_service_add_consumer(
            s, &(mm_consumer_def){.name = "pong", .event_types = pong_events, .handle = pong});
    if (!rc) rc = mm_service_add_resolver(s, "Query", "pongs", pongs, NULL);
    if (rc && s) {
        mm_service_free(s);
        return NULL;
    }
    return s;
}
