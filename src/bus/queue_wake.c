/* queue_wake.c -- a librdkafka queue announced on a pipe (queue_wake.h). */
#include "bus/queue_wake.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <unistd.h>

#include "metamorphosis.h"

int mm_queue_wake_open(mm_queue_wake *w, rd_kafka_queue_t *q) {
    w->queue = NULL;
    w->fd[0] = w->fd[1] = -1;
    if (q == NULL) return MM_EIO;
    if (pipe(w->fd) != 0) {
        w->fd[0] = w->fd[1] = -1;
        rd_kafka_queue_destroy(q);
        return MM_EIO;
    }
    /* Non-blocking on both ends: librdkafka's write must never block one of
     * its threads, and draining stops at "empty". */
    for (int i = 0; i < 2; i++) {
        int fl = fcntl(w->fd[i], F_GETFL);
        fcntl(w->fd[i], F_SETFL, fl | O_NONBLOCK);
        fcntl(w->fd[i], F_SETFD, FD_CLOEXEC);
    }
    w->queue = q;
    rd_kafka_queue_io_event_enable(q, w->fd[1], "k", 1);
    return 0;
}

int mm_queue_wake_fd(const mm_queue_wake *w) { return w->fd[0]; }

void mm_queue_wake_drain(mm_queue_wake *w) {
    char buf[64];
    if (w->fd[0] < 0) return;
    while (read(w->fd[0], buf, sizeof buf) > 0) {
    }
}

void mm_queue_wake_rearm(mm_queue_wake *w) {
    if (w->fd[1] < 0) return;
    /* A full pipe is readable already: EAGAIN is as good as success. */
    ssize_t n = write(w->fd[1], "r", 1);
    (void)n;
}

void mm_queue_wake_close(mm_queue_wake *w) {
    if (w->queue) {
        rd_kafka_queue_io_event_enable(w->queue, -1, NULL, 0);
        rd_kafka_queue_destroy(w->queue);
        w->queue = NULL;
    }
    for (int i = 0; i < 2; i++)
        if (w->fd[i] >= 0) {
            close(w->fd[i]);
            w->fd[i] = -1;
        }
}
