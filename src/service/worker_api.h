/* worker_api.h -- the library-level worker (mm_worker_* in metamorphosis.h),
 * and what `gregor worker` uses around it: a configuration it has already
 * loaded and checked, the consumer lookup (for its error hint and its
 * metrics endpoint, which it starts before anything connects), and the
 * metrics block the runner counts into.
 *
 * A worker is the composition root of consuming: the runtime (producer,
 * result store, state stores), the merged schema (the known event types),
 * and one consumer runner (service/consumer_runner.h) on the thread that
 * calls mm_worker_run. */
#ifndef MM_SERVICE_WORKER_API_H
#define MM_SERVICE_WORKER_API_H

#include <stddef.h>

#include "common/config.h"
#include "metamorphosis.h"
#include "service/service_internal.h"
#include "service/worker_metrics.h"

/* "SERVICE.NAME", or NAME when it is unique across services. NULL with a
 * message in err ("no consumer named ..." or the clash). */
const mm_consumer_spec *mm_worker_find_consumer(mm_service *const *services, size_t count,
                                                const char *name, char *err, size_t err_size);

/* mm_worker_open with a configuration the caller keeps alive (and owns)
 * until mm_worker_free; metrics (NULL: none) is counted into by the runner
 * and must outlive mm_worker_free. */
mm_worker *mm_worker_open_config(mm_service *const *services, size_t count, const mm_config *cfg,
                                 const mm_worker_options *opts, mm_worker_metrics *metrics,
                                 char *err, size_t err_size);

#endif
