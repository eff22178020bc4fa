/* http_defaults.h -- the HTTP server's defaults, written once. The library
 * (mm_http_config_init and mm_http_server_new's "0 means the default" rules,
 * src/http/server.c; the APQ store, src/http/persisted_queries.h) and the
 * configuration keys' defaults (src/common/config.c, which
 * docs/configuration.md's table is checked against by test_config_docs) all
 * use these, so the two can no longer drift apart. It lives in common, the
 * module that both http and config.c may include (scripts/check-layering.sh). */
#ifndef MM_COMMON_HTTP_DEFAULTS_H
#define MM_COMMON_HTTP_DEFAULTS_H

#define MM_HTTP_DEFAULT_HOST                        "127.0.0.1"
#define MM_HTTP_DEFAULT_LISTEN                      MM_HTTP_DEFAULT_HOST ":8000" /* gregor serve */
#define MM_HTTP_DEFAULT_GRAPHQL_PATH                "/graphql"
#define MM_HTTP_DEFAULT_MAX_BODY_BYTES              (1024 * 1024)
#define MM_HTTP_DEFAULT_MAX_HEADER_BYTES            (32 * 1024)
#define MM_HTTP_MIN_MAX_HEADER_BYTES                4096 /* smaller values are raised to it */
#define MM_HTTP_DEFAULT_MAX_URL_BYTES               (16 * 1024)
#define MM_HTTP_DEFAULT_MAX_CONNECTIONS             4096
#define MM_HTTP_DEFAULT_MAX_CONNECTIONS_PER_IP      0 /* off */
#define MM_HTTP_DEFAULT_HEADER_TIMEOUT_MS           10000
#define MM_HTTP_DEFAULT_IDLE_TIMEOUT_S              30 /* mm_http_config.connection_timeout_s */
#define MM_HTTP_DEFAULT_MAX_REQUESTS_PER_CONNECTION 100000
#define MM_HTTP_DEFAULT_REQUEST_TIMEOUT_MS          30000
#define MM_HTTP_DEFAULT_APQ_MAX_BYTES               (4 * 1024 * 1024)

/* The streams of subscriptions (SSE, WebSocket): mm_http_stream_hooks. */
#define MM_HTTP_DEFAULT_STREAM_QUEUE_BYTES        (1024 * 1024)
#define MM_HTTP_DEFAULT_STREAM_KEEPALIVE_MS       12000
#define MM_HTTP_DEFAULT_STREAM_INIT_TIMEOUT_MS    3000
#define MM_HTTP_DEFAULT_STREAM_OPS_PER_CONNECTION 100

/* graphql-sse single connection mode (http/sse_tokens.h): tokens held at
 * once, per client address (0: no bound), and how long a reservation waits
 * for its stream. */
#define MM_HTTP_DEFAULT_SSE_RESERVATIONS        10000
#define MM_HTTP_DEFAULT_SSE_RESERVATIONS_PER_IP 0
#define MM_HTTP_DEFAULT_SSE_RESERVATION_MS      30000

#endif
