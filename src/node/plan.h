/* plan.h -- what a node runs: the node config checked against the loaded
 * services, and the default config `gregor config` prints.
 *
 * Every consumer of every loaded service gets an entry. A consumer the file
 * does not mention runs with procs 1 (the configuration's default, and what
 * a node without a file does); `procs: 0` keeps it stopped until an
 * AdjustConsumer raises it. A service or consumer the file names but no
 * loaded service defines is an error naming the file and line. */
#ifndef MM_NODE_PLAN_H
#define MM_NODE_PLAN_H

#include <stdio.h>

#include "common/config.h"
#include "service/service_internal.h"

typedef struct mm_plan_entry {
    const mm_consumer_spec *spec;
    long procs;
    long harakiri_limit;  /* MM_CONFIG_UNSET: none */
    long harakiri_jitter; /* MM_CONFIG_UNSET: none */
    long max_age_seconds; /* MM_CONFIG_UNSET: none */
} mm_plan_entry;

typedef struct mm_plan {
    mm_plan_entry *entries;
    size_t count;
} mm_plan;

/* Builds the plan. Returns 0, or MM_EINVAL with "FILE:LINE: reason" in err. */
int mm_plan_build(const mm_config *cfg, mm_service *const *services, size_t service_count,
                  mm_plan *out, char *err, size_t err_size);

void mm_plan_free(mm_plan *plan);

/* Prints the default node config for the services as YAML: the
 * service_web_topic, the connection settings of cfg, then per service, per
 * consumer procs 1, harakiri_limit and harakiri_jitter (null when < 0),
 * max_age_seconds null. node_name (may be NULL) is printed as a comment.
 * Secrets are not printed: a Redis password becomes REDACTED and Kafka
 * properties that may hold one (sasl.*, *password*, ...) become comments. */
int mm_plan_print_default(FILE *out, const mm_config *cfg, mm_service *const *services,
                          size_t service_count, long harakiri_limit, long harakiri_jitter,
                          const char *node_name);

#endif
