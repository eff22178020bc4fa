/* redis_uv.h -- runs a hiredis asynchronous context on a libuv loop: the
 * glue hiredis's own adapters/libuv.h provides, without its cost per read.
 *
 * hiredis asks to "add read" after every read it handles, and to add and
 * then drop "write" around every command it sends. Its libuv adapter
 * answers each request with uv_poll_start, which in libuv 1.44 stops the
 * poll handle first (epoll_ctl DEL) and starts it again (epoll_ctl ADD on
 * the next loop iteration): two system calls per reply read, measured with
 * strace on gregor serve's result subscription. This adapter calls libuv
 * only when the set of events it watches changes. */
#ifndef MM_STORE_REDIS_UV_H
#define MM_STORE_REDIS_UV_H

#include <hiredis/async.h>
#include <uv.h>

/* Attaches ac to loop (loop thread only, like every use of ac afterwards).
 * REDIS_OK, or REDIS_ERR when ac already has an event library or memory
 * ran out (ac is then untouched; the caller frees it). The glue goes with
 * ac: hiredis calls its cleanup when ac is freed. */
int mm_redis_uv_attach(redisAsyncContext *ac, uv_loop_t *loop);

#endif
