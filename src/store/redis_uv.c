/* redis_uv.c -- hiredis's asynchronous API on a libuv loop (redis_uv.h). */
#include "store/redis_uv.h"

#include <assert.h>
#include <stdlib.h>

typedef struct glue {
    redisAsyncContext *ac; /* NULL once hiredis let go of it (cleanup) */
    uv_poll_t poll;
    int wanted;   /* UV_READABLE | UV_WRITABLE, as hiredis asked */
    int watching; /* what the poll handle watches now */
} glue;

static void on_poll(uv_poll_t *handle, int status, int events) {
    glue *g = handle->data;
    /* On a poll error, let hiredis find it out by reading or writing. */
    int ev = status < 0 ? g->wanted : events;
    if (g->ac != NULL && (ev & UV_READABLE)) redisAsyncHandleRead(g->ac);
    /* The read may have freed the context (cleanup sets g->ac to NULL). */
    if (g->ac != NULL && (ev & UV_WRITABLE)) redisAsyncHandleWrite(g->ac);
}

/* Tells libuv only what changed. */
static void sync_events(glue *g) {
    if (g->wanted == g->watching) return;
    if (g->wanted != 0)
        uv_poll_start(&g->poll, g->wanted, on_poll);
    else
        uv_poll_stop(&g->poll);
    g->watching = g->wanted;
}

static void add_read(void *privdata) {
    glue *g = privdata;
    g->wanted |= UV_READABLE;
    sync_events(g);
}

static void del_read(void *privdata) {
    glue *g = privdata;
    g->wanted &= ~UV_READABLE;
    sync_events(g);
}

static void add_write(void *privdata) {
    glue *g = privdata;
    g->wanted |= UV_WRITABLE;
    sync_events(g);
}

static void del_write(void *privdata) {
    glue *g = privdata;
    g->wanted &= ~UV_WRITABLE;
    sync_events(g);
}

static void on_closed(uv_handle_t *handle) { free(handle->data); }

/* hiredis frees the context: close the handle (freed once libuv is done). */
static void cleanup(void *privdata) {
    glue *g = privdata;
    g->ac = NULL;
    uv_close((uv_handle_t *)&g->poll, on_closed);
}

int mm_redis_uv_attach(redisAsyncContext *ac, uv_loop_t *loop) {
    assert(ac != NULL && loop != NULL);
    if (ac->ev.data != NULL) return REDIS_ERR;
    glue *g = calloc(1, sizeof *g);
    if (g == NULL) return REDIS_ERR;
    if (uv_poll_init(loop, &g->poll, ac->c.fd) != 0) {
        free(g);
        return REDIS_ERR;
    }
    g->ac = ac;
    g->poll.data = g;
    ac->ev.addRead = add_read;
    ac->ev.delRead = del_read;
    ac->ev.addWrite = add_write;
    ac->ev.delWrite = del_write;
    ac->ev.cleanup = cleanup;
    ac->ev.data = g;
    return REDIS_OK;
}
