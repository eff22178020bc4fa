/* producer.c -- the idempotent event producer, synchronous and asynchronous
 * sends, and dead-lettering; see producer.h.
 *
 * Every produced message carries a heap "ticket" as its opaque. The delivery
 * report callback (on the delivery thread, the caller's poll or an event
 * loop: see producer.h) completes the ticket: it calls the
 * async callback, or wakes the synchronous sender. A synchronous sender that
 * gives up (timeout) leaves the ticket behind; whoever comes last frees it. */
#include "bus/producer.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/event_trace.h"
#include "bus/queue_wake.h"
#include "metamorphosis.h"

struct mm_producer {
    rd_kafka_t *rk;
    pthread_t poller;
    bool polling;       /* the delivery thread runs */
    bool on_loop;       /* an event loop serves the reports (mm_producer_serve_on_loop) */
    mm_queue_wake wake; /* the main queue's pipe while on_loop */
    atomic_bool stop;
    pthread_mutex_t lock; /* guards the sync tickets' state */
    pthread_cond_t done;  /* broadcast when any ticket completes */
    size_t pending;       /* async tickets whose callback has not returned */
    char fatal[512];      /* non-empty after a fatal (idempotence) error */
    atomic_bool has_fatal;
};

typedef struct ticket {
    mm_delivery_cb cb; /* async: the caller's callback */
    void *ud;
    bool sync; /* sync: the waiter below is in use */
    bool completed;
    bool abandoned; /* the sync waiter timed out and left */
    int status;
    int32_t partition;
    int64_t offset;
    char error[256];
    mm_span *span; /* trace: the publish span of a traced event, or NULL */
} ticket;

static void copy_err(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void copy_err(char *err, size_t err_size, const char *fmt, ...) {
    if (err == NULL || err_size == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    mm_producer *p = opaque;
    ticket *t = m->_private;
    (void)rk;
    if (t == NULL) return;
    mm_delivery d = {
        .status = 0,
        .error = NULL,
        .topic = m->rkt ? rd_kafka_topic_name(m->rkt) : NULL,
        .partition = m->partition,
        .offset = m->offset,
        .kafka_err = (int)m->err,
    };
    if (m->err) {
        d.status = m->err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT ? MM_ETIMEDOUT : MM_EKAFKA;
        d.error = rd_kafka_err2str(m->err);
    }
    if (t->span) { /* trace: the publish span ends with the broker's answer */
        mm_event_trace_delivered(t->span, &d);
        t->span = NULL;
    }
    if (!t->sync) {
        if (t->cb) t->cb(t->ud, &d);
        free(t);
        /* Counted down only after the callback returned, so that flush
         * can promise every callback has run. */
        pthread_mutex_lock(&p->lock);
        p->pending--;
        pthread_cond_broadcast(&p->done);
        pthread_mutex_unlock(&p->lock);
        return;
    }
    pthread_mutex_lock(&p->lock);
    t->completed = true;
    t->status = d.status;
    t->partition = d.partition;
    t->offset = d.offset;
    if (d.error) snprintf(t->error, sizeof t->error, "%s", d.error);
    bool abandoned = t->abandoned;
    pthread_cond_broadcast(&p->done);
    pthread_mutex_unlock(&p->lock);
    if (abandoned) free(t);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    mm_producer *p = opaque;
    if (err != RD_KAFKA_RESP_ERR__FATAL) return; /* transient: librdkafka retries by itself */
    char why[400];
    rd_kafka_fatal_error(rk, why, sizeof why);
    pthread_mutex_lock(&p->lock);
    snprintf(p->fatal, sizeof p->fatal, "fatal producer error: %s (%s)", why, reason);
    pthread_mutex_unlock(&p->lock);
    atomic_store(&p->has_fatal, true);
}

int mm_delivery_is_transient(int kafka_err) {
    switch ((rd_kafka_resp_err_t)kafka_err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__FATAL: return 0;
    default: return 1;
    }
}

static void *poll_loop(void *arg) {
    mm_producer *p = arg;
    /* rd_kafka_poll returns as soon as a report is ready; the timeout only
     * bounds how long stopping takes. */
    while (!atomic_load(&p->stop)) rd_kafka_poll(p->rk, 100);
    return NULL;
}

mm_producer *mm_producer_new(const char *bootstrap, const mm_kv *props, size_t nprops, char *err,
                             size_t err_size) {
    static const mm_kv defaults[] = {
        {"enable.idempotence", "true"},
        {"acks", "all"},
        /* Latency over batching: a synchronous mutation waits for this ack. */
        {"linger.ms", "0"},
        /* One produce request on the wire per connection, the next one
         * waiting in librdkafka's output queue: its broker thread then
         * sleeps until the answer instead of spinning on 0 ms polls while it
         * may not send (librdkafka 2.0.2 lets an idempotent producer build a
         * new request only while fewer than 5 *messages* are in flight on
         * the partition, and wakes at once to try again): 130 broker-thread
         * wake-ups per synchronous mutation at 64 clients instead of 435,
         * and 40 % less CPU in gregor serve + the worker; no change at one
         * client, where one request is in flight anyway
         * (bench/service/kafka_requests.sh, docs/configuration.md). */
        {"max.in.flight.requests.per.connection", "1"},
        {"message.timeout.ms", "30000"},
    };
    char why[512];
    mm_producer *p = calloc(1, sizeof *p);
    if (p == NULL) {
        copy_err(err, err_size, "%s", "out of memory");
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->done, NULL);
    rd_kafka_conf_t *conf = mm_kafka_conf_new(
        bootstrap, defaults, sizeof defaults / sizeof *defaults, props, nprops, why, sizeof why);
    if (conf == NULL) {
        copy_err(err, err_size, "%s", why);
        goto fail;
    }
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (p->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        copy_err(err, err_size, "cannot create Kafka producer: %s", why);
        goto fail;
    }
    p->polling = true;
    if (pthread_create(&p->poller, NULL, poll_loop, p) != 0) {
        copy_err(err, err_size, "%s", "cannot start the producer's delivery thread");
        rd_kafka_destroy(p->rk);
        goto fail;
    }
    return p;
fail:
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    free(p);
    return NULL;
}

rd_kafka_t *mm_producer_rdkafka(mm_producer *p) { return p->rk; }

static int check_fatal(mm_producer *p, char *err, size_t err_size) {
    if (!atomic_load(&p->has_fatal)) return 0;
    pthread_mutex_lock(&p->lock);
    copy_err(err, err_size, "%s", p->fatal);
    pthread_mutex_unlock(&p->lock);
    return MM_EKAFKA;
}

/* Hands one message to librdkafka. Takes over headers and payload (malloc'd)
 * in every case. */
static int produce_raw(mm_producer *p, const char *topic, const void *key, size_t key_len,
                       char *payload, size_t payload_len, rd_kafka_headers_t *headers, ticket *t,
                       bool copy_payload, char *err, size_t err_size) {
    /* Blocking on a full queue needs someone else serving delivery reports:
     * not so when the caller polls (mm_producer_poll_on_caller), and not on
     * an event loop either (the send may come from the loop that serves the
     * reports; a loop must not block anyway): a full queue is refused. */
    int flags = (p->polling ? RD_KAFKA_MSG_F_BLOCK : 0) |
                (copy_payload ? RD_KAFKA_MSG_F_COPY : RD_KAFKA_MSG_F_FREE);
    rd_kafka_resp_err_t e = rd_kafka_producev(
        p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(flags),
        RD_KAFKA_V_KEY((void *)key, key_len), RD_KAFKA_V_VALUE(payload, payload_len),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(t), RD_KAFKA_V_END);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (headers) rd_kafka_headers_destroy(headers);
        if (!copy_payload) free(payload);
        copy_err(err, err_size, "cannot produce: %s", rd_kafka_err2str(e));
        /* Too large is the message's fault and will not change on retry. */
        return e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ? MM_ELIMIT : MM_EKAFKA;
    }
    return 0;
}

static int produce_event(mm_producer *p, const char *topic, const mm_event *ev, ticket *t,
                         size_t max_value, char **keep, size_t *keep_len, char *err,
                         size_t err_size) {
    rd_kafka_headers_t *headers;
    char *payload;
    size_t len;
    char reason[MM_ENVELOPE_REASON_MAX];
    if (topic == NULL || topic[0] == '\0') {
        copy_err(err, err_size, "%s", "no topic given");
        return MM_EINVAL;
    }
    int rc = check_fatal(p, err, err_size);
    if (rc != 0) return rc;
    /* trace: the publish span starts before encoding, which writes its
     * traceparent as the event's ce_traceparent. */
    char tp[MM_TRACEPARENT_LEN + 1];
    t->span = mm_trace_enabled() ? mm_event_trace_publish_start(ev, topic, tp) : NULL;
    rc = mm_envelope_encode_ext(ev, t->span ? MM_EXT_TRACEPARENT : NULL, tp, &headers, &payload,
                                &len, reason);
    if (rc != 0) {
        mm_span_free(t->span); /* trace: never sent */
        t->span = NULL;
        copy_err(err, err_size, "%s", reason);
        return rc;
    }
    if (len > max_value) {
        mm_span_free(t->span); /* trace: never sent */
        t->span = NULL;
        rd_kafka_headers_destroy(headers);
        free(payload);
        copy_err(err, err_size, "event %s of %zu bytes exceeds the limit of %zu bytes", ev->type,
                 len, max_value);
        return MM_ELIMIT;
    }
    const void *key = ev->key ? (const void *)ev->key : (const void *)ev->id;
    size_t key_len = ev->key ? ev->key_len : strlen(ev->id);
    /* librdkafka copies it when the caller keeps ours. */
    rc = produce_raw(p, topic, key, key_len, payload, len, headers, t, keep != NULL, err, err_size);
    if (rc != 0) {
        mm_span_free(t->span); /* trace: never sent */
        t->span = NULL;
        if (keep != NULL) free(payload);
        return rc;
    }
    if (keep == NULL) return 0;
    *keep = payload;
    *keep_len = len;
    return 0;
}

static int send_async(mm_producer *p, const char *topic, const mm_event *ev, size_t max_value,
                      mm_delivery_cb cb, void *ud, char **keep, size_t *keep_len, char *err,
                      size_t err_size) {
    ticket *t = calloc(1, sizeof *t);
    if (t == NULL) {
        copy_err(err, err_size, "%s", "out of memory");
        return MM_ENOMEM;
    }
    t->cb = cb;
    t->ud = ud;
    pthread_mutex_lock(&p->lock);
    p->pending++;
    pthread_mutex_unlock(&p->lock);
    int rc = produce_event(p, topic, ev, t, max_value, keep, keep_len, err, err_size);
    if (rc != 0) {
        free(t);
        pthread_mutex_lock(&p->lock);
        p->pending--;
        pthread_cond_broadcast(&p->done);
        pthread_mutex_unlock(&p->lock);
    }
    return rc;
}

int mm_producer_send(mm_producer *p, const char *topic, const mm_event *ev, mm_delivery_cb cb,
                     void *ud, char *err, size_t err_size) {
    return send_async(p, topic, ev, MM_LIMIT_MESSAGE_BYTES, cb, ud, NULL, NULL, err, err_size);
}

int mm_producer_send_keep_value(mm_producer *p, const char *topic, const mm_event *ev,
                                mm_delivery_cb cb, void *ud, char **value, size_t *value_len,
                                char *err, size_t err_size) {
    *value = NULL;
    *value_len = 0;
    return send_async(p, topic, ev, MM_LIMIT_MESSAGE_BYTES, cb, ud, value, value_len, err,
                      err_size);
}

int mm_producer_send_entry(mm_producer *p, const char *topic, const mm_event *ev, mm_delivery_cb cb,
                           void *ud, char *err, size_t err_size) {
    return send_async(p, topic, ev, MM_LIMIT_EVENT_BYTES, cb, ud, NULL, NULL, err, err_size);
}

/* An absolute CLOCK_REALTIME deadline timeout_ms from now. */
static struct timespec deadline_in(int timeout_ms) {
    struct timespec d;
    clock_gettime(CLOCK_REALTIME, &d);
    d.tv_sec += timeout_ms / 1000;
    d.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (d.tv_nsec >= 1000000000L) {
        d.tv_sec++;
        d.tv_nsec -= 1000000000L;
    }
    return d;
}

/* Waits for a sync ticket that has been handed to librdkafka. */
static int wait_ticket(mm_producer *p, ticket *t, int timeout_ms, int32_t *partition,
                       int64_t *offset, char *err, size_t err_size) {
    struct timespec deadline = deadline_in(timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&p->lock);
    while (!p->polling && !p->on_loop && !t->completed) {
        /* Nobody else serves the reports: serve them here, a slice at a time. */
        pthread_mutex_unlock(&p->lock);
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        long left = (long)(deadline.tv_sec - now.tv_sec) * 1000 +
                    (deadline.tv_nsec - now.tv_nsec) / 1000000;
        if (timeout_ms > 0 && left <= 0) {
            pthread_mutex_lock(&p->lock);
            if (t->completed) break;
            t->abandoned = true;
            pthread_mutex_unlock(&p->lock);
            copy_err(err, err_size, "%s", "no delivery report within the timeout");
            return MM_ETIMEDOUT;
        }
        rd_kafka_poll(p->rk, timeout_ms > 0 && left < 100 ? (int)left : 100);
        pthread_mutex_lock(&p->lock);
    }
    while (!t->completed) {
        if (timeout_ms <= 0) {
            pthread_cond_wait(&p->done, &p->lock);
        } else if (pthread_cond_timedwait(&p->done, &p->lock, &deadline) == ETIMEDOUT &&
                   !t->completed) {
            t->abandoned = true; /* on_delivery frees it later */
            pthread_mutex_unlock(&p->lock);
            copy_err(err, err_size, "%s", "no delivery report within the timeout");
            return MM_ETIMEDOUT;
        }
    }
    pthread_mutex_unlock(&p->lock);
    int rc = t->status;
    if (rc != 0) copy_err(err, err_size, "delivery failed: %s", t->error);
    if (partition) *partition = t->partition;
    if (offset) *offset = t->offset;
    free(t);
    return rc;
}

int mm_producer_send_sync(mm_producer *p, const char *topic, const mm_event *ev, int timeout_ms,
                          int32_t *partition, int64_t *offset, char *err, size_t err_size) {
    ticket *t = calloc(1, sizeof *t);
    if (t == NULL) {
        copy_err(err, err_size, "%s", "out of memory");
        return MM_ENOMEM;
    }
    t->sync = true;
    int rc = produce_event(p, topic, ev, t, MM_LIMIT_MESSAGE_BYTES, NULL, NULL, err, err_size);
    if (rc != 0) {
        free(t);
        return rc;
    }
    return wait_ticket(p, t, timeout_ms, partition, offset, err, err_size);
}

int mm_producer_send_dead_letter(mm_producer *p, const mm_dead_letter *dl, int timeout_ms,
                                 char *err, size_t err_size) {
    static const char *const ours[] = {
        MM_DLQ_HDR_REASON, MM_DLQ_HDR_TOPIC, MM_DLQ_HDR_PARTITION,  MM_DLQ_HDR_OFFSET,
        MM_DLQ_HDR_GROUP,  MM_DLQ_HDR_TIME,  MM_DLQ_HDR_VALUE_BYTES};
    char dlq_topic[512], num[32], now[25];
    if (dl->topic == NULL || dl->reason == NULL) {
        copy_err(err, err_size, "%s", "dead letter without source topic or reason");
        return MM_EINVAL;
    }
    int n = snprintf(dlq_topic, sizeof dlq_topic, "%s" MM_DLQ_SUFFIX, dl->topic);
    if (n < 0 || (size_t)n >= sizeof dlq_topic) {
        copy_err(err, err_size, "%s", "source topic name too long");
        return MM_EINVAL;
    }
    int rc = check_fatal(p, err, err_size);
    if (rc != 0) return rc;
    rd_kafka_headers_t *h =
        dl->headers ? rd_kafka_headers_copy(dl->headers) : rd_kafka_headers_new(6);
    if (h == NULL) {
        copy_err(err, err_size, "%s", "out of memory");
        return MM_ENOMEM;
    }
    /* A message dead-lettered twice (replayed from a DLQ) keeps one set.
     * MM_DLQ_HDR_REPLAYS is deliberately not in the list: the replay count
     * crosses to the new copy, which is what bounds replay loops. */
    for (size_t i = 0; i < sizeof ours / sizeof *ours; i++) rd_kafka_header_remove(h, ours[i]);
    mm_event_time_now(now);
    int bad = 0;
    bad |= rd_kafka_header_add(h, MM_DLQ_HDR_REASON, -1, dl->reason, -1);
    bad |= rd_kafka_header_add(h, MM_DLQ_HDR_TOPIC, -1, dl->topic, -1);
    snprintf(num, sizeof num, "%d", (int)dl->partition);
    bad |= rd_kafka_header_add(h, MM_DLQ_HDR_PARTITION, -1, num, -1);
    snprintf(num, sizeof num, "%lld", (long long)dl->offset);
    bad |= rd_kafka_header_add(h, MM_DLQ_HDR_OFFSET, -1, num, -1);
    if (dl->group) bad |= rd_kafka_header_add(h, MM_DLQ_HDR_GROUP, -1, dl->group, -1);
    bad |= rd_kafka_header_add(h, MM_DLQ_HDR_TIME, -1, now, -1);
    /* A value too large to produce again (the 5 MB event) is left out, so
     * that dead-lettering it cannot fail the same way. */
    const void *value = dl->value;
    size_t value_len = dl->value_len;
    if (value_len > MM_LIMIT_EVENT_BYTES) {
        snprintf(num, sizeof num, "%zu", value_len);
        bad |= rd_kafka_header_add(h, MM_DLQ_HDR_VALUE_BYTES, -1, num, -1);
        value = NULL;
        value_len = 0;
    }
    if (bad) {
        rd_kafka_headers_destroy(h);
        copy_err(err, err_size, "%s", "out of memory");
        return MM_ENOMEM;
    }
    ticket *t = calloc(1, sizeof *t);
    if (t == NULL) {
        rd_kafka_headers_destroy(h);
        copy_err(err, err_size, "%s", "out of memory");
        return MM_ENOMEM;
    }
    t->sync = true;
    rc = produce_raw(p, dlq_topic, dl->key, dl->key_len, (char *)value, value_len, h, t, true, err,
                     err_size);
    if (rc != 0) {
        free(t);
        return rc;
    }
    return wait_ticket(p, t, timeout_ms, NULL, NULL, err, err_size);
}

/* Stops the poller thread without waiting out its rd_kafka_poll(100): the
 * poll on the main queue is cancelled (rd_kafka_queue_yield). A worker takes
 * the polling over on its own loop at start, and the join used to cost it
 * up to 100 ms: the whole of each harakiri replacement's ~100 ms stall
 * between subscribing and its loop (bench/service/run.sh harakiri). */
static void stop_poller(mm_producer *p) {
    atomic_store(&p->stop, true);
    rd_kafka_queue_t *mq = rd_kafka_queue_get_main(p->rk);
    if (mq) {
        rd_kafka_queue_yield(mq);
        rd_kafka_queue_destroy(mq);
    }
    pthread_join(p->poller, NULL);
    p->polling = false;
}

rd_kafka_queue_t *mm_producer_poll_on_caller(mm_producer *p) {
    if (!p->polling || p->on_loop) return NULL;
    stop_poller(p);
    return rd_kafka_queue_get_main(p->rk);
}

int mm_producer_poll(mm_producer *p, int timeout_ms) { return rd_kafka_poll(p->rk, timeout_ms); }

/* Ends the loop mode: the watcher must have stopped watching the fd. */
static void leave_loop(mm_producer *p) {
    if (!p->on_loop) return;
    mm_queue_wake_close(&p->wake);
    p->on_loop = false;
}

int mm_producer_serve_on_loop(mm_producer *p) {
    if (p->on_loop) return mm_queue_wake_fd(&p->wake);
    if (!p->polling) return MM_EINVAL; /* the caller polls: one mode at a time */
    /* Io events first, then the thread goes: a report queued in between
     * is announced on the pipe, one the thread left behind is found by the
     * first mm_producer_serve (the owner calls it once after watching). */
    if (mm_queue_wake_open(&p->wake, rd_kafka_queue_get_main(p->rk)) != 0) return MM_EIO;
    p->on_loop = true;
    stop_poller(p);
    return mm_queue_wake_fd(&p->wake);
}

int mm_producer_serve(mm_producer *p) {
    /* Bounded per call so that a burst of reports cannot hold the loop: a
     * round serves what is queued at its start. */
    enum {
        ROUNDS = 8
    };
    if (!p->on_loop) return 0;
    mm_queue_wake_drain(&p->wake);
    int served = 0;
    for (int i = 0; i < ROUNDS; i++) {
        int n = rd_kafka_poll(p->rk, 0);
        if (n <= 0) return served;
        served += n;
    }
    /* Possibly more: the queue did not become empty, so librdkafka will not
     * write again; wake ourselves for another turn after the loop's other
     * work. */
    mm_queue_wake_rearm(&p->wake);
    return served;
}

int mm_producer_poll_in_background(mm_producer *p) {
    leave_loop(p);
    if (p->polling) return 0;
    atomic_store(&p->stop, false);
    if (pthread_create(&p->poller, NULL, poll_loop, p) != 0) return MM_ENOMEM;
    p->polling = true;
    return 0;
}

/* On a loop, flushing waits for the loop to serve the reports instead of
 * serving them here (rd_kafka_flush would): until nothing is queued, in
 * flight or waiting in the main queue, and every callback has returned. */
static int flush_on_loop(mm_producer *p, int timeout_ms) {
    struct timespec deadline = deadline_in(timeout_ms);
    pthread_mutex_lock(&p->lock);
    for (;;) {
        if (p->pending == 0 && rd_kafka_outq_len(p->rk) == 0) break;
        /* A report's message is counted until just after its callback, so
         * re-check in short slices as well as on each completion. */
        struct timespec slice = deadline_in(10);
        bool last = slice.tv_sec > deadline.tv_sec ||
                    (slice.tv_sec == deadline.tv_sec && slice.tv_nsec >= deadline.tv_nsec);
        if (pthread_cond_timedwait(&p->done, &p->lock, last ? &deadline : &slice) == ETIMEDOUT &&
            last) {
            bool idle = p->pending == 0 && rd_kafka_outq_len(p->rk) == 0;
            pthread_mutex_unlock(&p->lock);
            return idle ? 0 : MM_ETIMEDOUT;
        }
    }
    pthread_mutex_unlock(&p->lock);
    return 0;
}

int mm_producer_flush(mm_producer *p, int timeout_ms) {
    if (p->on_loop) return flush_on_loop(p, timeout_ms);
    struct timespec deadline = deadline_in(timeout_ms);
    if (rd_kafka_flush(p->rk, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) return MM_ETIMEDOUT;
    /* librdkafka counts a report as done when it is dequeued; wait until the
     * delivery thread has also finished running its callback. */
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    while (p->pending > 0 && rc == 0) rc = pthread_cond_timedwait(&p->done, &p->lock, &deadline);
    bool idle = p->pending == 0;
    pthread_mutex_unlock(&p->lock);
    return idle ? 0 : MM_ETIMEDOUT;
}

void mm_producer_free(mm_producer *p) {
    if (p == NULL) return;
    /* The loop has stopped watching (see producer.h): what is left is served
     * here. */
    leave_loop(p);
    rd_kafka_flush(p->rk, 10000);
    /* Whatever could not be delivered fails now, so every callback fires. */
    rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(p->rk, 1000);
    if (p->polling) stop_poller(p);
    rd_kafka_poll(p->rk, 0);
    rd_kafka_destroy(p->rk);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
