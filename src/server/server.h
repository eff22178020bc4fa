/* server.h -- the library-level GraphQL server (mm_server_* in
 * metamorphosis.h), and the entry gregor uses with a configuration it has
 * already loaded and checked.
 *
 * A server is the composition root of serving: the runtime (producer,
 * result store, notifier, timer, dispatch threads, dependencies loop with
 * the async Redis client, health probes), the merged schema, the gateway,
 * the manager in manager mode, and the HTTP server. mm_server_open builds
 * and starts all of it (the HTTP server listens when it returns);
 * mm_server_run waits for mm_server_stop and then drains; mm_server_free
 * releases everything in dependency order. */
#ifndef MM_SERVER_SERVER_H
#define MM_SERVER_SERVER_H

#include "common/config.h"
#include "metamorphosis.h"

/* mm_server_open with a configuration the caller keeps alive (and owns)
 * until mm_server_free. */
mm_server *mm_server_open_config(mm_service *const *services, size_t count, const mm_config *cfg,
                                 const mm_server_options *opts, char *err, size_t err_size);

#endif
