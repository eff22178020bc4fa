/* kafka_conf.c -- librdkafka configuration from bootstrap + defaults + user
 * pass-through properties; see kafka_conf.h. */
#include "bus/kafka_conf.h"

#include <stdio.h>
#include <string.h>

static int apply(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                 size_t err_size) {
    char why[512];
    if (key == NULL || value == NULL) {
        snprintf(err, err_size, "Kafka property with a missing key or value");
        return -1;
    }
    if (strncmp(key, "kafka.", 6) == 0)
        key += 6;
    if (rd_kafka_conf_set(conf, key, value, why, sizeof why) != RD_KAFKA_CONF_OK) {
        /* Error messages get logged: the value of a property that may hold a
         * secret (sasl.password, ssl.key.password, ...; a misspelt name
         * too) is not repeated, neither by us nor through librdkafka's text. */
        int secret = strstr(key, "password") || strstr(key, "pasword") || strstr(key, "secret") ||
                     strstr(key, "token") || strstr(key, "sasl") || strstr(key, "ssl.key") ||
                     strstr(key, "jaas");
        if (secret)
            snprintf(err, err_size, "Kafka property %s=***: %s", key,
                     value[0] && strstr(why, value) ? "invalid value" : why);
        else
            snprintf(err, err_size, "Kafka property %s=%s: %s", key, value, why);
        return -1;
    }
    return 0;
}

rd_kafka_conf_t *mm_kafka_conf_new(const char *bootstrap, const mm_kv *defaults,
                                   size_t ndefaults, const mm_kv *props, size_t nprops,
                                   char *err, size_t err_size) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (conf == NULL) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    if (bootstrap != NULL && apply(conf, "bootstrap.servers", bootstrap, err, err_size) != 0)
        goto fail;
    for (size_t i = 0; i < ndefaults; i++)
        if (apply(conf, defaults[i].key, defaults[i].value, err, err_size) != 0)
            goto fail;
    for (size_t i = 0; i < nprops; i++)
        if (apply(conf, props[i].key, props[i].value, err, err_size) != 0)
            goto fail;
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}
