/* gateway.h -- where an HTTP request meets the GraphQL engine.
 *
 * The gateway is the HTTP server's GraphQL handler: it starts the request in
 * the engine and answers at once, or, when a synchronous mutation defers its
 * field, leaves the connection suspended. When the deferred settles (on a
 * producer, notifier or timer thread), the engine's wake callback only posts
 * the request to the dispatch threads, which run the execution on and answer.
 * A request the HTTP server gave up on (deadline, shutdown) is cancelled in
 * the engine and freed by whichever side touches it last. */
#ifndef MM_SERVICE_GATEWAY_H
#define MM_SERVICE_GATEWAY_H

#include <stdatomic.h>

#include "graphql/graphql.h"
#include "http/http_server.h"
#include "service/dispatch.h"

typedef struct mm_gateway {
    mm_gql_schema *schema;
    mm_graphql_options options;
    mm_dispatch *dispatch;  /* where woken requests continue */
    void *context;          /* handed to resolvers (the runtime) */
    atomic_uint_least64_t stop_at_ns; /* set by mm_gateway_stop_by; point options.stop_at_ns here */
} mm_gateway;

/* Shutdown: every execution still running deadline_ms from now stops there
 * (SHUTTING_DOWN) and answers, so the HTTP threads can be joined within the
 * drain deadline even with a runaway request. Needs options.stop_at_ns =
 * &gw->stop_at_ns. Any thread. */
void mm_gateway_stop_by(mm_gateway *gw, unsigned deadline_ms);

/* An mm_http_graphql_fn; ud is an mm_gateway. */
void mm_gateway_handle(void *ud, const mm_http_graphql_request *req, mm_http_responder *responder);

/* The HTTP outcome for an engine outcome. */
mm_http_outcome mm_gateway_http_outcome(mm_graphql_outcome outcome);

#endif
