/* transaction.c -- the transactional producer of the exactly-once mode; see
 * transaction.h. */
#include "bus/transaction.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metamorphosis.h"

/* Attempts at one transactional call whose error is retriable. */
#define TXN_ATTEMPTS 3

struct mm_txn {
    mm_producer *p;
    rd_kafka_t *rk; /* p's handle */
    bool open;      /* a transaction is begun */
    bool fatal;
    unsigned long long committed, aborted;
};

mm_producer *mm_txn_producer(mm_txn *t) { return t->p; }

void mm_txn_counts(const mm_txn *t, unsigned long long *committed, unsigned long long *aborted) {
    *committed = t->committed;
    *aborted = t->aborted;
}

/* Consumes e: copies its text to err; true when it is fatal for t. */
static bool take_error(mm_txn *t, rd_kafka_error_t *e, const char *what, char *err,
                       size_t err_size) {
    bool fatal = rd_kafka_error_is_fatal(e);
    snprintf(err, err_size, "%s: %s%s", what, rd_kafka_error_string(e),
             fatal ? " (fatal: fenced or failed)" : "");
    rd_kafka_error_destroy(e);
    if (fatal) t->fatal = true;
    return fatal;
}

static int begin(mm_txn *t, char *err, size_t err_size) {
    assert(!t->open);
    rd_kafka_error_t *e = rd_kafka_begin_transaction(t->rk);
    if (e) {
        take_error(t, e, "begin transaction", err, err_size);
        return MM_EKAFKA;
    }
    t->open = true;
    return 0;
}

mm_txn *mm_txn_new(const char *bootstrap, const mm_kv *props, size_t nprops,
                   const char *transactional_id, int timeout_ms, char *err, size_t err_size) {
    if (transactional_id == NULL || transactional_id[0] == '\0') {
        snprintf(err, err_size, "exactly-once mode needs a transactional.id");
        return NULL;
    }
    mm_txn *t = calloc(1, sizeof *t);
    mm_kv *all = calloc(nprops + 4, sizeof *all);
    if (t == NULL || all == NULL) {
        free(t);
        free(all);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    char txn_timeout[16], msg_timeout[16];
    snprintf(txn_timeout, sizeof txn_timeout, "%d", MM_TXN_DEFAULT_TIMEOUT_MS);
    snprintf(msg_timeout, sizeof msg_timeout, "%d", MM_TXN_DEFAULT_TIMEOUT_MS * 3 / 4);
    size_t n = 0;
    /* Ours first, so that the operator's properties can override them. */
    all[n++] = (mm_kv){"transaction.timeout.ms", txn_timeout};
    all[n++] = (mm_kv){"message.timeout.ms", msg_timeout};
    for (size_t i = 0; i < nprops; i++) all[n++] = props[i];
    /* The id is the slot's, never the operator's: it is what fences. */
    all[n++] = (mm_kv){"transactional.id", transactional_id};
    t->p = mm_producer_new(bootstrap, all, n, err, err_size);
    free(all);
    if (t->p == NULL) {
        free(t);
        return NULL;
    }
    t->rk = mm_producer_rdkafka(t->p);
    rd_kafka_error_t *e = rd_kafka_init_transactions(t->rk, timeout_ms);
    if (e) {
        take_error(t, e, "init transactions", err, err_size);
        mm_producer_free(t->p);
        free(t);
        return NULL;
    }
    if (begin(t, err, err_size) != 0) {
        mm_producer_free(t->p);
        free(t);
        return NULL;
    }
    return t;
}

int mm_txn_abort(mm_txn *t, int timeout_ms, char *err, size_t err_size) {
    if (t->fatal) {
        snprintf(err, err_size, "the transactional producer failed fatally");
        return MM_EKAFKA;
    }
    if (t->open) {
        rd_kafka_error_t *e = NULL;
        for (int a = 0; a < TXN_ATTEMPTS; a++) {
            e = rd_kafka_abort_transaction(t->rk, timeout_ms);
            if (!e || !rd_kafka_error_is_retriable(e)) break;
            if (a + 1 < TXN_ATTEMPTS) rd_kafka_error_destroy(e);
        }
        if (e) {
            /* Abort not confirmed: the state is unknown, only a new
             * producer (the replacement worker) can clear it. */
            take_error(t, e, "abort transaction", err, err_size);
            t->fatal = true;
            return MM_EKAFKA;
        }
        t->open = false;
        t->aborted++;
    }
    return begin(t, err, err_size);
}

/* After an error of a commit step: abort (abortable or retries spent) or
 * give up (fatal). */
static int after_error(mm_txn *t, rd_kafka_error_t *e, const char *what, int timeout_ms, char *err,
                       size_t err_size) {
    if (take_error(t, e, what, err, err_size)) return MM_EKAFKA;
    char why[300];
    if (mm_txn_abort(t, timeout_ms, why, sizeof why) != 0) {
        size_t len = strlen(err);
        snprintf(err + len, err_size - len, "; then %s", why);
        return MM_EKAFKA;
    }
    return MM_TXN_ABORTED;
}

int mm_txn_commit(mm_txn *t, rd_kafka_t *consumer, const rd_kafka_topic_partition_list_t *offsets,
                  int timeout_ms, char *err, size_t err_size) {
    if (t->fatal || !t->open) {
        snprintf(err, err_size, "no open transaction (the producer failed)");
        return MM_EKAFKA;
    }
    rd_kafka_error_t *e = NULL;
    if (offsets != NULL && offsets->cnt > 0) {
        rd_kafka_consumer_group_metadata_t *md = rd_kafka_consumer_group_metadata(consumer);
        if (md == NULL) {
            snprintf(err, err_size, "the consumer has no group metadata");
            return MM_EKAFKA;
        }
        for (int a = 0; a < TXN_ATTEMPTS; a++) {
            e = rd_kafka_send_offsets_to_transaction(t->rk, offsets, md, timeout_ms);
            if (!e || !rd_kafka_error_is_retriable(e) || rd_kafka_error_txn_requires_abort(e))
                break;
            if (a + 1 < TXN_ATTEMPTS) rd_kafka_error_destroy(e);
        }
        rd_kafka_consumer_group_metadata_destroy(md);
        if (e) return after_error(t, e, "send offsets to transaction", timeout_ms, err, err_size);
    }
    for (int a = 0; a < TXN_ATTEMPTS; a++) {
        /* Retrying a commit whose outcome is unknown is what librdkafka
         * asks for: the coordinator answers the repeat idempotently. */
        e = rd_kafka_commit_transaction(t->rk, timeout_ms);
        if (!e || !rd_kafka_error_is_retriable(e) || rd_kafka_error_txn_requires_abort(e)) break;
        if (a + 1 < TXN_ATTEMPTS) rd_kafka_error_destroy(e);
    }
    if (e) return after_error(t, e, "commit transaction", timeout_ms, err, err_size);
    t->open = false;
    t->committed++;
    return begin(t, err, err_size);
}

void mm_txn_free(mm_txn *t) {
    if (t == NULL) return;
    if (t->open && !t->fatal) {
        rd_kafka_error_t *e = rd_kafka_abort_transaction(t->rk, 5000);
        if (e) rd_kafka_error_destroy(e);
    }
    mm_producer_free(t->p);
    free(t);
}
