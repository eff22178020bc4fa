/* dev_broker.c -- the in-memory development Kafka broker (see dev_broker.h):
 * a librdkafka handle that owns a one-broker mock cluster, plus an optional
 * loopback forwarder for a fixed listen port. */
#include "bus/dev_broker.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/kafka_conf.h"
#include "bus/tcp_forward.h"
#include "metamorphosis.h"

struct mm_dev_broker {
    rd_kafka_t *rk; /* owns the mock cluster */
    rd_kafka_mock_cluster_t *mcluster;
    mm_tcp_forward *forward; /* NULL when clients bootstrap from the mock directly */
    char bootstrap[96];
    char advertised[64];
};

int mm_dev_broker_parse_listen(const char *listen, char *host, size_t hostlen, int *port, char *err,
                               size_t errlen) {
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    if (!colon || colon == listen || colon[1] == '\0') {
        snprintf(err, errlen, "listen address '%s' is not HOST:PORT (e.g. 127.0.0.1:9092)",
                 listen ? listen : "");
        return MM_EINVAL;
    }
    size_t n = (size_t)(colon - listen);
    if (n >= hostlen) {
        snprintf(err, errlen, "host in listen address '%s' is too long", listen);
        return MM_EINVAL;
    }
    char *end;
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (errno || *end != '\0' || p < 0 || p > 65535) {
        snprintf(err, errlen, "port in listen address '%s' is not a number from 0 to 65535",
                 listen);
        return MM_EINVAL;
    }
    memcpy(host, listen, n);
    host[n] = '\0';
    if (strcmp(host, "localhost") != 0 && strncmp(host, "127.", 4) != 0) {
        snprintf(
            err, errlen,
            "the development broker only listens on loopback (127.0.0.1 or localhost), not '%s'",
            host);
        return MM_EINVAL;
    }
    *port = (int)p;
    return 0;
}

/* Split "127.0.0.1:PORT" as the mock reports its bootstrap address. */
static int split_addr(const char *addr, char *host, size_t hostlen, int *port) {
    const char *colon = strrchr(addr, ':');
    if (!colon || (size_t)(colon - addr) >= hostlen) return -1;
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    *port = atoi(colon + 1);
    return *port > 0 ? 0 : -1;
}

int mm_dev_broker_start(const char *listen, mm_dev_broker **out, char *err, size_t errlen) {
    char lhost[64];
    int lport = 0, rc;
    *out = NULL;
    if (listen &&
        (rc = mm_dev_broker_parse_listen(listen, lhost, sizeof lhost, &lport, err, errlen)))
        return rc;

    mm_dev_broker *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "out of memory");
        return MM_ENOMEM;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    mm_kafka_conf_use_our_log(conf); /* the mock cluster's lines are ours too */
    char kerr[256];
    /* test.mock.num.brokers makes the handle create and own the mock cluster.
     * log_level 4 hides the notice that bootstrap.servers was replaced. */
    if (rd_kafka_conf_set(conf, "test.mock.num.brokers", "1", kerr, sizeof kerr) !=
            RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "log_level", "4", kerr, sizeof kerr) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        free(b);
        snprintf(err, errlen, "librdkafka: %s", kerr);
        return MM_EKAFKA;
    }
    b->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, kerr, sizeof kerr);
    if (!b->rk) {
        rd_kafka_conf_destroy(conf);
        free(b);
        snprintf(err, errlen, "cannot create the mock cluster: %s", kerr);
        return MM_EKAFKA;
    }
    b->mcluster = rd_kafka_handle_mock_cluster(b->rk);
    const char *mock_addr = b->mcluster ? rd_kafka_mock_cluster_bootstraps(b->mcluster) : NULL;
    if (!mock_addr || strlen(mock_addr) >= sizeof b->advertised) {
        rd_kafka_destroy(b->rk);
        free(b);
        snprintf(err, errlen, "librdkafka did not start a mock cluster");
        return MM_EKAFKA;
    }
    snprintf(b->advertised, sizeof b->advertised, "%s", mock_addr);

    if (!listen) {
        snprintf(b->bootstrap, sizeof b->bootstrap, "%s", b->advertised);
        *out = b;
        return 0;
    }
    char mhost[64];
    int mport;
    if (split_addr(b->advertised, mhost, sizeof mhost, &mport) != 0) {
        snprintf(err, errlen, "unexpected mock broker address '%s'", b->advertised);
        mm_dev_broker_stop(b);
        return MM_EKAFKA;
    }
    if ((rc = mm_tcp_forward_start(lhost, lport, mhost, mport, &b->forward, err, errlen))) {
        mm_dev_broker_stop(b);
        return rc;
    }
    snprintf(b->bootstrap, sizeof b->bootstrap, "%s:%d",
             strcmp(lhost, "localhost") == 0 ? "127.0.0.1" : lhost,
             mm_tcp_forward_port(b->forward));
    *out = b;
    return 0;
}

int mm_dev_broker_create_topic(mm_dev_broker *broker, const char *topic, int partitions, char *err,
                               size_t errlen) {
    if (!topic || !*topic || partitions < 1) {
        snprintf(err, errlen, "a topic needs a name and at least one partition");
        return MM_EINVAL;
    }
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(broker->mcluster, topic, partitions, 1);
    if (e) {
        snprintf(err, errlen, "cannot create topic '%s': %s", topic, rd_kafka_err2str(e));
        return MM_EKAFKA;
    }
    return 0;
}

const char *mm_dev_broker_bootstrap(const mm_dev_broker *broker) { return broker->bootstrap; }

const char *mm_dev_broker_advertised(const mm_dev_broker *broker) { return broker->advertised; }

void mm_dev_broker_stop(mm_dev_broker *broker) {
    if (!broker) return;
    mm_tcp_forward_stop(broker->forward);
    rd_kafka_destroy(broker->rk);
    free(broker);
}
