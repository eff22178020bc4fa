/* manager.c -- creating and freeing the manager, and joining its fields to
 * the one schema (manager.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manager/manager_internal.h"

static int bind_all(void *ud, mm_gql_schema *schema, char *err, size_t err_size) {
    mm_manager *m = ud;
    int rc = mm_manager_bind_queries(m, schema, err, err_size);
    if (rc == 0) rc = mm_manager_bind_mutations(m, schema, err, err_size);
    return rc;
}

mm_schema_extra mm_manager_schema_extra(mm_manager *m) {
    return (mm_schema_extra){.name = "manager", .sdl = mm_manager_sdl, .bind = bind_all, .ud = m};
}

mm_manager *mm_manager_new(const mm_manager_options *o, char *err, size_t err_size) {
    if (!o->auth_code || !o->auth_code[0]) {
        snprintf(err, err_size,
                 "manager mode needs an auth code (manager.auth_code, MM_MANAGER_AUTH_CODE or "
                 "--auth-code-file); there is no default");
        return NULL;
    }
    if (!o->service_web_topic || !o->service_web_topic[0] || !o->status_redis_url || !o->producer) {
        snprintf(
            err, err_size,
            "manager: the service-web topic, the status Redis URL and a producer are required");
        return NULL;
    }
    mm_manager *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&m->status_lock, NULL);
    pthread_mutex_init(&m->recent_lock, NULL);
    atomic_init(&m->quit, 0);
    m->auth_code = strdup(o->auth_code);
    m->auth_code_len = strlen(o->auth_code);
    m->auth_for_queries = o->auth_for_queries;
    m->topic = strdup(o->service_web_topic);
    m->producer = o->producer;
    m->recent = json_array();
    m->recent_max = o->recent_max ? o->recent_max : 50;
    if (!m->auth_code || !m->topic || !m->recent) {
        snprintf(err, err_size, "out of memory");
        mm_manager_free(m);
        return NULL;
    }
    m->status = mm_status_store_new(o->status_redis_url, o->service_web_topic, err, err_size);
    if (!m->status || mm_manager_events_start(m, o, err, err_size) != 0) {
        mm_manager_free(m);
        return NULL;
    }
    return m;
}

void mm_manager_free(mm_manager *m) {
    if (!m) return;
    mm_manager_events_stop(m);
    mm_status_store_free(m->status);
    if (m->auth_code) {
        /* The code is a secret: do not leave it in freed memory. */
        volatile char *p = m->auth_code;
        for (size_t i = 0; i < m->auth_code_len; i++) p[i] = 0;
        free(m->auth_code);
    }
    free(m->topic);
    json_decref(m->recent);
    pthread_mutex_destroy(&m->status_lock);
    pthread_mutex_destroy(&m->recent_lock);
    free(m);
}
