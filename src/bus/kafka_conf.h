/* kafka_conf.h -- building a librdkafka configuration from the framework's
 * settings: bootstrap servers, our defaults, then user properties passed
 * through verbatim (a "kafka." prefix, as in config files, is stripped). */
#ifndef MM_BUS_KAFKA_CONF_H
#define MM_BUS_KAFKA_CONF_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

/* A property: key = value. */
typedef struct mm_kv {
    const char *key;
    const char *value;
} mm_kv;

/* A new rd_kafka_conf_t with bootstrap.servers, then each defaults[i], then
 * each props[i] applied in order (later wins). On failure returns NULL and
 * writes librdkafka's explanation (naming the property) into err. */
rd_kafka_conf_t *mm_kafka_conf_new(const char *bootstrap, const mm_kv *defaults,
                                   size_t ndefaults, const mm_kv *props, size_t nprops,
                                   char *err, size_t err_size);

#endif
