/* gateway.h -- where an HTTP request meets the GraphQL engine.
 *
 * The gateway is the HTTP server's GraphQL handler: it starts the request in
 * the engine and answers at once, or, when a synchronous mutation defers its
 * field, leaves the connection suspended. When the deferred settles (on the
 * producer's delivery thread, or the dependencies loop for results and
 * deadlines), the engine's wake callback only posts the request to its
 * connection's I/O thread, which runs the execution on and answers.
 * A request the HTTP server gave up on (deadline, shutdown) is cancelled in
 * the engine and freed by whichever side touches it last.
 *
 * Threads. mm_gateway_handle runs on an HTTP I/O thread and runs the first
 * step of the engine there; every later step runs there too, posted to that
 * loop (mm_http_responder_post). That is the one path by which a paused
 * request resumes: no other thread runs the engine, and the answer is
 * written from the loop that owns the connection (no further hand-off).
 * Resolvers that may block (service resolvers, a mutation's mutate_event:
 * both may read state from Redis synchronously) must not run on the I/O
 * thread: they call mm_gateway_offload, which, for a root field, defers the
 * field and runs the resolver on a blocking-pool thread instead. */
#ifndef MM_SERVICE_GATEWAY_H
#define MM_SERVICE_GATEWAY_H

#include <stdatomic.h>

#include "graphql/graphql.h"
#include "http/http_server.h"
#include "service/dispatch.h"

typedef struct mm_gateway {
    mm_gql_schema *schema;
    mm_graphql_options options;
    mm_dispatch *dispatch;            /* where offloaded resolvers run when blocking is NULL */
    mm_dispatch *blocking;            /* where offloaded resolvers run */
    void *context;                    /* handed to resolvers (the runtime) */
    atomic_uint_least64_t stop_at_ns; /* set by mm_gateway_stop_by; point options.stop_at_ns here */
} mm_gateway;

/* Shutdown: every execution still running deadline_ms from now stops there
 * (SHUTTING_DOWN) and answers, so the HTTP threads can be joined within the
 * drain deadline even with a runaway request. Needs options.stop_at_ns =
 * &gw->stop_at_ns. Any thread. */
void mm_gateway_stop_by(mm_gateway *gw, unsigned deadline_ms);

/* Runs a resolver that may block, settling the field through d exactly once
 * (resolve or reject). info is a copy, valid until d is settled. */
typedef void (*mm_offload_fn)(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info,
                              mm_gql_deferred *d);

/* From inside a resolver: if this thread runs a step of a gateway request
 * (on the connection's I/O thread) and the field
 * is a root field, defers the field, posts fn to the blocking pool and
 * returns true (the resolver then returns NULL). Otherwise returns false
 * and the resolver runs inline (a blocking-pool thread, a test driving the
 * engine directly, or a nested field, which runs where its parent completes:
 * on the I/O thread once the root field was handed off). When the queue
 * is full the field fails with SERVER_BUSY (still true). */
bool mm_gateway_offload(mm_gql_resolve_info *info, json_t *parent, json_t *args, mm_offload_fn fn,
                        void *ud);

/* For an mm_offload_fn: settles d from what the resolver did with info (a
 * copy): rejected with its mm_gql_resolve_error, or resolved with out
 * (taken). A resolver that asked to defer on the copy is an error (it was
 * given d instead). */
void mm_gateway_settle(mm_gql_deferred *d, mm_gql_resolve_info *info, json_t *out);

/* Whether this thread is running a step of a gateway request (an I/O
 * thread: not one where a resolver may block). */
bool mm_gateway_on_io_thread(void);

/* An mm_http_graphql_fn; ud is an mm_gateway. */
void mm_gateway_handle(void *ud, const mm_http_graphql_request *req, mm_http_responder *responder);

/* The HTTP outcome for an engine outcome. */
mm_http_outcome mm_gateway_http_outcome(mm_graphql_outcome outcome);

#endif
