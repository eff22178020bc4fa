/* mktopic.c -- creates a Kafka topic with a given number of partitions (or
 * says that it exists), for bench/service/run.sh partitions.
 *
 *   bench_mktopic BOOTSTRAP TOPIC PARTITIONS
 *
 * Not a test. */
#include <stdio.h>
#include <stdlib.h>

#include "bus/admin.h"
#include "bus/producer.h"

int main(int argc, char **argv) {
    if (argc != 4 || atoi(argv[3]) < 1) {
        fprintf(stderr, "usage: bench_mktopic BOOTSTRAP TOPIC PARTITIONS\n");
        return 2;
    }
    char err[512];
    mm_producer *p = mm_producer_new(argv[1], NULL, 0, err, sizeof err);
    if (!p) {
        fprintf(stderr, "producer: %s\n", err);
        return 1;
    }
    const char *topics[] = {argv[2]};
    int rc = mm_kafka_create_topics(mm_producer_rdkafka(p), topics, 1, atoi(argv[3]), -1, 30000,
                                    err, sizeof err);
    if (rc) fprintf(stderr, "create topic %s: %s\n", argv[2], err);
    mm_producer_free(p);
    return rc ? 1 : 0;
}
