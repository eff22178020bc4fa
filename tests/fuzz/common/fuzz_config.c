/* fuzz_config.c -- libFuzzer target: any bytes given to the configuration
 * loader yield a configuration or an error message, never a crash or leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512];
    mm_config *c = NULL;
    int rc = mm_config_load_string("fuzz.yaml", (const char *)data, size, &c, err, sizeof err);
    if (rc == 0) {
        /* A loaded configuration is complete: every string is set. */
        if (!c || !c->kafka_bootstrap_servers || !c->service_web_topic || !c->log_level) abort();
        mm_config_free(c);
    } else if (c != NULL || err[0] == '\0') {
        abort(); /* a failure must say why and hand back nothing */
    }
    return 0;
}
