/* consumer_txn.c -- the exactly-once mode of a consumer runner; see
 * consumer_txn.h. */
#include "service/consumer_txn.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus/transaction.h"
#include "common/log.h"
#include "metamorphosis.h"

struct mm_consumer_txn {
    mm_txn *txn;
    mm_consumer_txn_hooks hooks;
    const mm_consumer_spec *spec;
    char id[640];
    int64_t opened_ms; /* first event of the open transaction; 0: none yet */
};

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool mm_consumer_txn_enabled(const mm_config *cfg, const mm_consumer_spec *spec) {
    if (spec->exactly_once) return true;
    const mm_consumer_settings *s =
        cfg ? mm_config_find_consumer(cfg, spec->service->name, spec->name) : NULL;
    return s != NULL && s->exactly_once;
}

int mm_consumer_txn_default_id(const mm_consumer_spec *spec, int slot, char *buf, size_t size) {
    char host[256];
    if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    int n = snprintf(buf, size, "%s.%s.%s.%d", host, spec->service->name, spec->name, slot);
    return n < 0 || (size_t)n >= size ? MM_EINVAL : 0;
}

static int due(void *ud, size_t events, size_t bytes) {
    mm_consumer_txn *t = ud;
    int64_t now = now_ms();
    if (t->opened_ms == 0) t->opened_ms = now;
    if (events >= MM_TXN_MAX_EVENTS || bytes >= MM_TXN_MAX_BYTES) return 0;
    int64_t left = t->opened_ms + MM_TXN_MAX_MS - now;
    return left > 0 ? (int)left : 0;
}

static int commit(void *ud, rd_kafka_t *consumer, const rd_kafka_topic_partition_list_t *offsets) {
    mm_consumer_txn *t = ud;
    char err[512];
    t->opened_ms = 0;
    int rc = mm_txn_commit(t->txn, consumer, offsets, MM_TXN_CALL_MS, err, sizeof err);
    if (rc == MM_TXN_ABORTED)
        mm_log_warn("consumer=%s msg=\"transaction aborted, its events are handled again\" "
                    "transactional_id=%s error=\"%s\"",
                    t->spec->name, t->id, err);
    else if (rc != 0)
        mm_log_error("consumer=%s msg=\"transaction failed: the worker exits\" "
                     "transactional_id=%s error=\"%s\"",
                     t->spec->name, t->id, err);
    return rc;
}

static void abort_open(void *ud) {
    mm_consumer_txn *t = ud;
    char err[512];
    t->opened_ms = 0;
    if (mm_txn_abort(t->txn, MM_TXN_CALL_MS, err, sizeof err) != 0)
        mm_log_warn("consumer=%s msg=\"transaction not aborted\" transactional_id=%s error=\"%s\"",
                    t->spec->name, t->id, err);
}

mm_consumer_txn *mm_consumer_txn_new(mm_runtime *rt, const mm_consumer_spec *spec,
                                     const char *transactional_id, char *err, size_t err_size) {
    mm_consumer_txn *t = calloc(1, sizeof *t);
    if (t == NULL) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    t->spec = spec;
    if (transactional_id != NULL) {
        if (strlen(transactional_id) >= sizeof t->id) {
            snprintf(err, err_size, "transactional.id too long");
            free(t);
            return NULL;
        }
        snprintf(t->id, sizeof t->id, "%s", transactional_id);
    } else if (mm_consumer_txn_default_id(spec, 0, t->id, sizeof t->id) != 0) {
        snprintf(err, err_size, "transactional.id too long");
        free(t);
        return NULL;
    }
    char why[512];
    t->txn = mm_txn_new(rt->config->kafka_bootstrap_servers, rt->kafka_props, rt->kafka_prop_count,
                        t->id, MM_TXN_CALL_MS, why, sizeof why);
    if (t->txn == NULL) {
        snprintf(err, err_size, "exactly-once consumer %s (transactional.id %s): %s", spec->name,
                 t->id, why);
        free(t);
        return NULL;
    }
    t->hooks = (mm_consumer_txn_hooks){.due = due, .commit = commit, .abort = abort_open, .ud = t};
    mm_log_info("consumer=%s msg=\"exactly-once mode\" transactional_id=%s", spec->name, t->id);
    return t;
}

mm_producer *mm_consumer_txn_producer(mm_consumer_txn *t) { return mm_txn_producer(t->txn); }

const mm_consumer_txn_hooks *mm_consumer_txn_hooks_get(mm_consumer_txn *t) { return &t->hooks; }

void mm_consumer_txn_free(mm_consumer_txn *t) {
    if (t == NULL) return;
    unsigned long long committed, aborted;
    mm_txn_counts(t->txn, &committed, &aborted);
    mm_log_info("consumer=%s msg=\"transactions\" committed=%llu aborted=%llu", t->spec->name,
                committed, aborted);
    mm_txn_free(t->txn);
    free(t);
}
