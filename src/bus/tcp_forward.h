/* tcp_forward.h -- a small loopback TCP forwarder: accepts connections on one
 * 127.0.0.1 port and relays each, byte for byte, to another 127.0.0.1 port.
 *
 * The development broker needs it because librdkafka 2.0.2's mock cluster
 * always binds its brokers to an ephemeral port (there is no way to choose
 * one), while `gregor broker --listen 127.0.0.1:9092` promises a fixed one. */
#ifndef MM_BUS_TCP_FORWARD_H
#define MM_BUS_TCP_FORWARD_H

#include <stddef.h>

typedef struct mm_tcp_forward mm_tcp_forward;

/* Listen on listen_host:listen_port (port 0 picks a free one) and relay every
 * accepted connection to target_host:target_port, on a background thread.
 * Both hosts must be IPv4 loopback addresses. Returns 0 and sets *out, or a
 * negative mm_error with a message in err. */
int mm_tcp_forward_start(const char *listen_host, int listen_port, const char *target_host,
                         int target_port, mm_tcp_forward **out, char *err, size_t errlen);

/* The port actually listened on (useful after asking for port 0). */
int mm_tcp_forward_port(const mm_tcp_forward *fwd);

/* Stop the thread, close every connection and the listener, free fwd. NULL is a no-op. */
void mm_tcp_forward_stop(mm_tcp_forward *fwd);

#endif
