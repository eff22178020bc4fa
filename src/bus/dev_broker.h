/* dev_broker.h -- the in-memory development Kafka broker behind
 * `gregor broker`: librdkafka's mock cluster, served on loopback.
 *
 * It keeps nothing: every topic, message and committed offset lives in this
 * process's memory and is gone when it stops. It is for demos and for trying
 * things out, never for performance figures (its fetches are answered only
 * when fetch.wait.max.ms expires, so clients should set that low, e.g. 10).
 *
 * librdkafka 2.0.2's mock cluster cannot listen on a chosen port: its broker
 * always binds 127.0.0.1 on an ephemeral port and advertises that address.
 * When a fixed listen address is asked for, a loopback forwarder listens
 * there and relays to the mock broker. Clients bootstrap through the
 * forwarder, then (as Kafka clients do) connect to the address the broker
 * advertises in its metadata: the mock's own loopback port. Both are on
 * 127.0.0.1, so this works for every client on the same machine. */
#ifndef MM_BUS_DEV_BROKER_H
#define MM_BUS_DEV_BROKER_H

#include <stddef.h>

typedef struct mm_dev_broker mm_dev_broker;

/* Partitions librdkafka 2.0.2's mock gives a topic it auto-creates (fixed by
 * the library). Topics made with mm_dev_broker_create_topic get the count
 * asked for. The CreateTopics admin API does not work against this mock: its
 * metadata names no controller, so admin clients time out waiting for one. */
#define MM_DEV_BROKER_AUTO_PARTITIONS 4

/* Parse "HOST:PORT" (HOST an IPv4 loopback address or localhost, PORT 0..65535,
 * 0 meaning any free port). Returns 0, or MM_EINVAL with a message in err. */
int mm_dev_broker_parse_listen(const char *listen, char *host, size_t hostlen, int *port, char *err,
                               size_t errlen);

/* Start a one-broker mock cluster. listen: "HOST:PORT" to serve the bootstrap
 * address there (through a forwarder), or NULL to use the mock broker's own
 * ephemeral port. Returns 0 and sets *out, or a negative mm_error with a
 * message in err. */
int mm_dev_broker_start(const char *listen, mm_dev_broker **out, char *err, size_t errlen);

/* Create a topic with the given number of partitions (1 replica). */
int mm_dev_broker_create_topic(mm_dev_broker *broker, const char *topic, int partitions, char *err,
                               size_t errlen);

/* The address clients put in bootstrap.servers ("127.0.0.1:PORT"). */
const char *mm_dev_broker_bootstrap(const mm_dev_broker *broker);

/* The address the mock broker advertises in metadata (where clients connect
 * after bootstrapping). Equal to the bootstrap address without a forwarder. */
const char *mm_dev_broker_advertised(const mm_dev_broker *broker);

/* Stop the broker and free it; every topic and message is lost. NULL is a no-op. */
void mm_dev_broker_stop(mm_dev_broker *broker);

#endif
