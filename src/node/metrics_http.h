/* metrics_http.h -- the node's minimal HTTP/1.1 listener for GET /metrics.
 *
 * It runs inside the supervisor's own poll loop (no thread: the supervisor
 * forks workers and must stay single-threaded, docs/node.md), so the
 * project's libuv server (src/http) is not used here. Deliberately small:
 * one request per connection (Connection: close), GET or HEAD of /metrics
 * only, at most MM_METRICS_HTTP_CONNS connections, a request head of at most
 * 4 KiB, and every connection closed MM_METRICS_HTTP_DEADLINE_MS after it
 * was accepted whatever it is doing. Sockets are non-blocking: a slow
 * client never stalls the supervisor. */
#ifndef MM_NODE_METRICS_HTTP_H
#define MM_NODE_METRICS_HTTP_H

#include <poll.h>
#include <stddef.h>

#define MM_METRICS_HTTP_CONNS       16
#define MM_METRICS_HTTP_DEADLINE_MS 5000
#define MM_METRICS_HTTP_HEAD_MAX    4096

typedef struct mm_metrics_http mm_metrics_http;

/* Renders the response body (malloc'd, *len set); NULL: out of memory. */
typedef char *(*mm_metrics_render_fn)(void *ud, size_t *len);

/* Listens on "HOST:PORT" (port 0: any free port); the address bound is
 * written to bound ("127.0.0.1:PORT"). NULL with err set on failure. */
mm_metrics_http *mm_metrics_http_new(const char *listen, mm_metrics_render_fn render, void *ud,
                                     char *bound, size_t bound_size, char *err, size_t err_size);

/* Adds the pollfds it waits on to fds (at most max); returns how many. */
size_t mm_metrics_http_fds(const mm_metrics_http *h, struct pollfd *fds, size_t max);

/* Milliseconds until its earliest connection deadline (-1: none). */
int mm_metrics_http_timeout(const mm_metrics_http *h);

/* Handles what poll reported for the fds mm_metrics_http_fds added
 * (fds[0..n-1], in the same order), and closes expired connections. */
void mm_metrics_http_handle(mm_metrics_http *h, const struct pollfd *fds, size_t n);

void mm_metrics_http_free(mm_metrics_http *h);

#endif
