/* loop_thread.h -- one thread running a libuv loop, and a way to run work on it.
 *
 * A GraphQL server's own dependency traffic (the async Redis client of
 * redis_async.h, its timers) lives on a loop like this one until the HTTP
 * server's I/O loops can host it: everything that touches the loop's handles
 * runs on its thread, handed over with mm_loop_thread_post(). */
#ifndef MM_STORE_LOOP_THREAD_H
#define MM_STORE_LOOP_THREAD_H

#include <stddef.h>

struct uv_loop_s;
typedef struct mm_loop_thread mm_loop_thread;
typedef void (*mm_loop_fn)(void *ud);

/* Starts the thread (name: for the debugger, <= 15 bytes). NULL when out of
 * resources. */
mm_loop_thread *mm_loop_thread_start(const char *name);

/* The loop: touch it only from its thread (inside a posted function). */
struct uv_loop_s *mm_loop_thread_loop(mm_loop_thread *t);

/* Runs fn(ud) on the loop thread soon, in posting order. Any thread.
 * Returns 0, MM_ENOMEM, or MM_ELIMIT when max_queued (4096) jobs are already
 * waiting (fn is then not run). */
int mm_loop_thread_post(mm_loop_thread *t, mm_loop_fn fn, void *ud);

/* Runs fn(ud) on the loop thread and waits for it to return. Not from the
 * loop thread itself. Returns 0 or the error of mm_loop_thread_post. */
int mm_loop_thread_call(mm_loop_thread *t, mm_loop_fn fn, void *ud);

/* Whether the calling thread is t's loop thread. */
int mm_loop_thread_is_current(const mm_loop_thread *t);

/* Watching a file descriptor for readability on the loop, e.g. a pipe that
 * librdkafka writes to when a queue becomes non-empty
 * (rd_kafka_queue_io_event_enable): the wake-up of a Kafka queue without a
 * thread blocked in a poll. Both functions run on the loop thread only
 * (inside a posted function or a callback of the loop). */
typedef struct mm_loop_watch mm_loop_watch;

/* Calls on_readable(ud) on the loop thread each time fd is readable (level
 * triggered: the callback must consume what it was woken for). The fd stays
 * the caller's. NULL when out of resources or fd cannot be watched. */
mm_loop_watch *mm_loop_watch_fd(mm_loop_thread *t, int fd, mm_loop_fn on_readable, void *ud);

/* Stops watching: on_readable is not called again, and w is freed once the
 * loop has let go of it. The caller may close the fd afterwards. NULL is a
 * no-op. */
void mm_loop_watch_close(mm_loop_watch *w);

/* Runs the jobs already posted, closes every handle still open on the loop
 * (their owners must have released them first: see redis_async.h), joins
 * the thread and frees t. NULL is a no-op. Not from the loop thread. */
void mm_loop_thread_stop(mm_loop_thread *t);

#endif
