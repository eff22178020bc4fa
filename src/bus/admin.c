/* admin.c -- explicit topic creation with the Admin API; see admin.h. */
#include "bus/admin.h"

#include <stdio.h>
#include <stdlib.h>

#include "metamorphosis.h"

int mm_kafka_create_topics(rd_kafka_t *rk, const char *const *topics, size_t count, int partitions,
                           int replication, int timeout_ms, char *err, size_t err_size) {
    char why[512];
    int rc = 0;
    rd_kafka_NewTopic_t **nt = calloc(count ? count : 1, sizeof *nt);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_event_t *ev = NULL;
    if (nt == NULL || q == NULL || opt == NULL) {
        snprintf(err, err_size, "out of memory");
        rc = MM_ENOMEM;
        goto done;
    }
    rd_kafka_AdminOptions_set_operation_timeout(opt, timeout_ms, why, sizeof why);
    rd_kafka_AdminOptions_set_request_timeout(opt, timeout_ms, why, sizeof why);
    for (size_t i = 0; i < count; i++) {
        nt[i] = rd_kafka_NewTopic_new(topics[i], partitions, replication, why, sizeof why);
        if (nt[i] == NULL) {
            snprintf(err, err_size, "topic %s: %s", topics[i], why);
            rc = MM_EINVAL;
            goto done;
        }
    }
    rd_kafka_CreateTopics(rk, nt, count, opt, q);
    ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
    if (ev == NULL) {
        snprintf(err, err_size, "creating topics timed out");
        rc = MM_ETIMEDOUT;
        goto done;
    }
    if (rd_kafka_event_error(ev)) {
        snprintf(err, err_size, "creating topics: %s", rd_kafka_event_error_string(ev));
        rc = MM_EKAFKA;
        goto done;
    }
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
        if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            snprintf(err, err_size, "topic %s: %s", rd_kafka_topic_result_name(tr[i]),
                     rd_kafka_topic_result_error_string(tr[i]));
            rc = MM_EKAFKA;
        }
    }
done:
    if (ev) rd_kafka_event_destroy(ev);
    if (nt) {
        for (size_t i = 0; i < count; i++)
            if (nt[i]) rd_kafka_NewTopic_destroy(nt[i]);
        free(nt);
    }
    if (opt) rd_kafka_AdminOptions_destroy(opt);
    if (q) rd_kafka_queue_destroy(q);
    return rc;
}
