/* tail_idle.c -- pausing the subscription tail while nobody listens
 * (tail_idle.h). */
#include "service/tail_idle.h"

#include <stdlib.h>
#include <time.h>

#include "common/log.h"

/* How long the fallback filter (resume where paused, drop older events)
 * stays on: long enough to read past an idle backlog, short enough that a
 * producer whose clock lags behind ours loses nothing after it. */
#define FALLBACK_FILTER_MS 30000

/* A bound on how long ago a subscriber whose start time was not recorded
 * started: one tail turn (its 200 ms poll) with room to spare. */
#define UNKNOWN_START_MS 1000

static uint64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mm_tail_idle_note_subscriber(mm_tail_idle *t) {
    /* seq_cst against the tail's "raise paused, then look for subscribers":
     * either the tail sees this subscriber's count or this sees the flag. */
    if (!atomic_load(&t->paused)) return;
    int64_t none = 0;
    atomic_compare_exchange_strong(&t->first_subscribe_ms, &none, wall_ms());
}

/* The current assignment, or NULL when there is none (an error is logged). */
static rd_kafka_topic_partition_list_t *assignment(rd_kafka_t *rk) {
    rd_kafka_topic_partition_list_t *parts = NULL;
    rd_kafka_resp_err_t err = rd_kafka_assignment(rk, &parts);
    if (err || !parts || parts->cnt == 0) {
        if (err)
            mm_log_warn("msg=\"subscriptions: no assignment\" error=\"%s\"", rd_kafka_err2str(err));
        if (parts) rd_kafka_topic_partition_list_destroy(parts);
        return NULL;
    }
    return parts;
}

static void pause_all(rd_kafka_t *rk) {
    rd_kafka_topic_partition_list_t *parts = assignment(rk);
    if (!parts) return;
    rd_kafka_resp_err_t err = rd_kafka_pause_partitions(rk, parts);
    if (err)
        mm_log_warn("msg=\"subscriptions: cannot pause the tail\" error=\"%s\"",
                    rd_kafka_err2str(err));
    rd_kafka_topic_partition_list_destroy(parts);
}

/* Seek every assigned partition to the first offset stamped at or after
 * since_ms. Returns 0, or -1 when a lookup or the seek failed (the caller
 * falls back to filtering).
 *
 * When no message is stamped that late yet, the seek goes to the high
 * watermark read BEFORE the lookup, not to the logical end: an event
 * appended between the lookup and the fetch would be past a logical end
 * resolved later, and skipped. */
static int seek_to_time(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts, int64_t since_ms,
                        int query_ms) {
    int64_t *high = calloc((size_t)parts->cnt, sizeof *high);
    if (!high) return -1;
    for (int i = 0; i < parts->cnt; i++) {
        int64_t low;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
            rk, parts->elems[i].topic, parts->elems[i].partition, &low, &high[i], query_ms);
        if (err) {
            mm_log_warn("msg=\"subscriptions: cannot read a watermark\" topic=%s partition=%d "
                        "error=\"%s\"",
                        parts->elems[i].topic, (int)parts->elems[i].partition,
                        rd_kafka_err2str(err));
            free(high);
            return -1;
        }
        parts->elems[i].offset = since_ms;
    }
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk, parts, query_ms);
    if (err) {
        mm_log_warn("msg=\"subscriptions: cannot look up offsets by time\" error=\"%s\"",
                    rd_kafka_err2str(err));
        free(high);
        return -1;
    }
    for (int i = 0; i < parts->cnt; i++) {
        if (parts->elems[i].err) {
            free(high);
            return -1;
        }
        if (parts->elems[i].offset < 0) parts->elems[i].offset = high[i];
    }
    free(high);
    rd_kafka_error_t *e = rd_kafka_seek_partitions(rk, parts, query_ms);
    if (e) {
        mm_log_warn("msg=\"subscriptions: cannot seek the tail\" error=\"%s\"",
                    rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        return -1;
    }
    for (int i = 0; i < parts->cnt; i++)
        if (parts->elems[i].err) return -1;
    return 0;
}

static void resume_all(mm_tail_idle *t, rd_kafka_t *rk, int query_ms) {
    int64_t since = atomic_load(&t->first_subscribe_ms);
    /* Its time not recorded (counted while the pause was being raised, or
     * its record cleared as a subscriber came and went between two turns):
     * it started at most a turn ago. Earlier is safe (a few older events
     * delivered), later is not (events skipped). */
    if (since == 0) since = wall_ms() - UNKNOWN_START_MS;
    if (since < t->paused_at_ms) since = t->paused_at_ms;
    rd_kafka_topic_partition_list_t *parts = assignment(rk);
    if (parts) {
        /* Resume, then seek with a timeout: the seek drops whatever was
         * fetched from the paused position in between, and no message from
         * before it reaches the poll afterwards (rd_kafka_seek_partitions). */
        rd_kafka_resp_err_t err = rd_kafka_resume_partitions(rk, parts);
        if (err)
            mm_log_warn("msg=\"subscriptions: cannot resume the tail\" error=\"%s\"",
                        rd_kafka_err2str(err));
        if (seek_to_time(rk, parts, since, query_ms) != 0) {
            t->drop_before_ms = since;
            t->drop_until = mono_ms() + FALLBACK_FILTER_MS;
        }
        rd_kafka_topic_partition_list_destroy(parts);
    }
    atomic_store(&t->paused, false);
    atomic_store(&t->first_subscribe_ms, 0);
    t->resumes++;
    mm_log_info("msg=\"subscriptions: tail resumed for a subscriber\" since_ms=%lld filter=%s "
                "resumes=%llu",
                (long long)since, t->drop_until ? "on" : "off", (unsigned long long)t->resumes);
}

void mm_tail_idle_turn(mm_tail_idle *t, rd_kafka_t *rk, bool (*listening)(void *), void *ud,
                       unsigned idle_ms, int query_ms) {
    bool now = listening(ud);
    if (atomic_load(&t->paused)) {
        if (now)
            resume_all(t, rk, query_ms);
        else /* a subscriber that came and went: its time is not the next one's */
            atomic_store(&t->first_subscribe_ms, 0);
        return;
    }
    if (now) {
        t->idle_since = 0;
        return;
    }
    uint64_t mono = mono_ms();
    if (t->idle_since == 0) t->idle_since = mono;
    if (mono - t->idle_since < idle_ms) return;
    /* Raise the flag first, then look again: a subscriber counted before
     * the flag was visible is seen here (no pause); one counted after sees
     * the flag and records its start time. */
    t->paused_at_ms = wall_ms();
    /* A late record from a subscriber of the previous pause (one that saw
     * the flag just before the last resume) must not stand for the next. */
    atomic_store(&t->first_subscribe_ms, 0);
    atomic_store(&t->paused, true);
    if (listening(ud)) {
        atomic_store(&t->paused, false);
        atomic_store(&t->first_subscribe_ms, 0);
        t->idle_since = 0;
        return;
    }
    pause_all(rk);
    t->pauses++;
    t->idle_since = 0;
    t->drop_until = 0;
    mm_log_info("msg=\"subscriptions: tail paused, no topic subscriber\" idle_ms=%u pauses=%llu",
                idle_ms, (unsigned long long)t->pauses);
}

void mm_tail_idle_assigned(mm_tail_idle *t, rd_kafka_t *rk) {
    if (atomic_load(&t->paused)) pause_all(rk);
}

bool mm_tail_idle_drop(mm_tail_idle *t, const rd_kafka_message_t *m) {
    if (t->drop_until == 0) return false;
    if (mono_ms() >= t->drop_until) {
        t->drop_until = 0;
        return false;
    }
    rd_kafka_timestamp_type_t type;
    int64_t ts = rd_kafka_message_timestamp(m, &type);
    return ts >= 0 && ts < t->drop_before_ms;
}
