/* queue_wake.h -- a librdkafka queue that announces itself on a pipe.
 *
 * librdkafka writes one byte to the pipe each time the queue goes from empty
 * to non-empty (rd_kafka_queue_io_event_enable), so an event loop can watch
 * the read end instead of a thread blocking in a poll. Whoever is woken must
 * serve the queue until it is empty (or wake itself again with
 * mm_queue_wake_rearm): a queue left non-empty writes nothing more. */
#ifndef MM_BUS_QUEUE_WAKE_H
#define MM_BUS_QUEUE_WAKE_H

#include <librdkafka/rdkafka.h>

typedef struct mm_queue_wake {
    rd_kafka_queue_t *queue; /* owned: destroyed by mm_queue_wake_close */
    int fd[2];               /* the pipe: [0] to watch, [1] librdkafka's */
} mm_queue_wake;

/* Takes over q (a reference the caller had) and enables its io events on a
 * new non-blocking pipe. 0, or MM_EIO (q is then destroyed). */
int mm_queue_wake_open(mm_queue_wake *w, rd_kafka_queue_t *q);

/* The end to watch for readability. */
int mm_queue_wake_fd(const mm_queue_wake *w);

/* Empties the pipe (call before serving the queue, so that an event queued
 * during the serving wakes the watcher again). */
void mm_queue_wake_drain(mm_queue_wake *w);

/* Makes the watch end readable again: "serve me once more soon", for a
 * server that stopped before the queue was empty. */
void mm_queue_wake_rearm(mm_queue_wake *w);

/* Disables the io events, destroys the queue reference and closes the pipe.
 * Whoever watched the fd must have stopped first. Idempotent. */
void mm_queue_wake_close(mm_queue_wake *w);

#endif
