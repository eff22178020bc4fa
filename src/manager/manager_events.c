/* manager_events.c -- the last ConsumerProcessFinished events, for the
 * dashboard's "recently finished" list.
 *
 * A reader thread follows the service-web topic with the nodes' own
 * listener (node/listener.h: every partition from its end, no group
 * membership, no commits), so the server sees every event published after
 * it started, whichever other servers run. It keeps the newest recent_max
 * in memory, newest first. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/uuid.h"
#include "manager/manager_internal.h"
#include "node/control.h"

static void now_rfc3339(char *out, size_t size) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, size, "%s.%03ldZ", base, ts.tv_nsec / 1000000L);
}

void mm_manager_note_finished(mm_manager *m, const char *node, const char *microservice,
                              const char *name, long pid, int exit_code, const char *reason,
                              long long messages_processed) {
    char when[64], code[16];
    now_rfc3339(when, sizeof when);
    snprintf(code, sizeof code, "%d", exit_code);
    json_t *e = json_pack("{s:s?,s:s?,s:s?,s:I,s:s,s:s?,s:I,s:s}", "node", node, "microservice",
                          microservice, "name", name, "pid", (json_int_t)pid, "exitCode", code,
                          "reason", reason, "messagesProcessed", (json_int_t)messages_processed,
                          "receivedDate", when);
    if (!e) return;
    pthread_mutex_lock(&m->recent_lock);
    json_array_insert_new(m->recent, 0, e);
    while (json_array_size(m->recent) > m->recent_max)
        json_array_remove(m->recent, json_array_size(m->recent) - 1);
    pthread_mutex_unlock(&m->recent_lock);
}

json_t *mm_manager_recent(mm_manager *m) {
    pthread_mutex_lock(&m->recent_lock);
    json_t *copy = json_deep_copy(m->recent);
    pthread_mutex_unlock(&m->recent_lock);
    return copy ? copy : json_array();
}

static void on_control(void *ud, const mm_control *c) {
    mm_manager *m = ud;
    if (c->kind != MM_CONTROL_CONSUMER_PROCESS_FINISHED) return;
    mm_manager_note_finished(m, c->node, c->microservice, c->name, c->pid, c->exit_code, c->reason,
                             c->messages_processed);
}

static void *reader_main(void *arg) {
    mm_manager *m = arg;
    while (!atomic_load(&m->quit)) {
        if (!mm_listener_ensure_assigned(m->listener)) {
            usleep(100 * 1000); /* the listener keeps its own backoff */
            continue;
        }
        /* Wait for messages, waking at least every 200 ms to notice quit;
         * without a descriptor, poll the listener on that period. */
        struct pollfd pfd = {.fd = mm_listener_fd(m->listener), .events = POLLIN};
        if (pfd.fd >= 0)
            poll(&pfd, 1, 200);
        else
            usleep(200 * 1000);
        mm_listener_poll(m->listener, on_control, m);
    }
    return NULL;
}

int mm_manager_events_start(mm_manager *m, const mm_manager_options *o, char *err,
                            size_t err_size) {
    if (!o->kafka_bootstrap) return 0;
    char id[MM_UUID_STRLEN + 1], name[64];
    if (mm_uuid_v4(id) != 0) snprintf(id, sizeof id, "%ld", (long)getpid());
    snprintf(name, sizeof name, "manager-%s", id);
    m->listener = mm_listener_new(o->kafka_bootstrap, o->kafka_props, o->kafka_prop_count, m->topic,
                                  name, err, err_size);
    if (!m->listener) return MM_EINVAL;
    if (pthread_create(&m->reader, NULL, reader_main, m) != 0) {
        snprintf(err, err_size, "cannot start the service-web reader thread");
        mm_listener_free(m->listener);
        m->listener = NULL;
        return MM_ENOMEM;
    }
    m->reader_started = 1;
    return 0;
}

void mm_manager_events_stop(mm_manager *m) {
    atomic_store(&m->quit, 1);
    if (m->reader_started) pthread_join(m->reader, NULL);
    m->reader_started = 0;
    mm_listener_free(m->listener);
    m->listener = NULL;
}
