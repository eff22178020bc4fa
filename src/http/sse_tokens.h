/* sse_tokens.h -- the reservations of graphql-sse's single connection mode:
 * a bounded registry of tokens (PUT makes one, the event stream fulfils it,
 * operations and DELETEs name it), shared by every I/O thread.
 *
 * Threads. The registry is the one piece of state the I/O threads share for
 * this mode: a reservation made on one thread is fulfilled by a stream that
 * may live on another, and operations naming the token arrive on any. Every
 * call takes one mutex for a hash lookup and a few stores (no I/O, no wait,
 * at most one malloc/free), so an I/O thread never blocks on it for long.
 * The registry only records *where* a token's stream lives (its loop index
 * and an opaque pointer); the stream itself is touched only on that loop:
 * a thread that finds it posts the work there, and the loop looks the token
 * up again before using the pointer (mm_sse_tokens_stream_on). A stream is
 * detached on its own loop before it is freed, so a pointer found on that
 * loop is valid until the posted function returns.
 *
 * Bounds: at most `max` tokens (reserved or streaming) at a time, at most
 * `max_per_ip` per client address (0: no per-client bound), and a
 * reservation that no stream fulfils within `ttl_ms` is dropped (swept
 * lazily, oldest first, by the next call: reservations are kept in the
 * order they were made). A token whose stream goes away is dropped at once:
 * a client reconnects with a new reservation, as the graphql-sse client does.
 * Each token costs one fixed-size entry (mm_sse_tokens_entry_bytes), so the
 * count bound is the byte bound. */
#ifndef MM_HTTP_SSE_TOKENS_H
#define MM_HTTP_SSE_TOKENS_H

#include <stddef.h>
#include <stdint.h>

/* A token is a random (version 4) UUID in canonical text form. */
#define MM_SSE_TOKEN_LEN 36

typedef struct mm_sse_tokens mm_sse_tokens;

/* A registry with these bounds (0 for max or ttl_ms: the defaults of
 * common/http_defaults.h). NULL when out of memory. */
mm_sse_tokens *mm_sse_tokens_new(unsigned max, unsigned max_per_ip, unsigned ttl_ms);
void mm_sse_tokens_free(mm_sse_tokens *t);

/* Makes a reservation for a client at ip (NUL-terminated, "" when unknown);
 * the token goes to out. 0, MM_ELIMIT (the registry is full), MM_EAUTH (this
 * address has max_per_ip already), MM_EIO (no randomness) or MM_ENOMEM. */
int mm_sse_tokens_reserve(mm_sse_tokens *t, const char *ip, uint64_t now_ns,
                          char out[MM_SSE_TOKEN_LEN + 1]);

/* A stream on loop `loop` fulfils token's reservation. 0, MM_ENOTFOUND (no
 * such token, or it expired) or MM_EEXIST (a stream already fulfils it). */
int mm_sse_tokens_attach(mm_sse_tokens *t, const char *token, size_t len, unsigned loop,
                         void *stream, uint64_t now_ns);

/* Where token's stream lives: 0 with *loop; MM_ENOTFOUND (no such token,
 * or it expired) or MM_EINVAL (reserved, but no stream fulfils it yet). */
int mm_sse_tokens_find(mm_sse_tokens *t, const char *token, size_t len, uint64_t now_ns,
                       unsigned *loop);

/* On loop `loop`: token's stream when it lives on this loop, else NULL. */
void *mm_sse_tokens_stream_on(mm_sse_tokens *t, const char *token, size_t len, unsigned loop);

/* The stream goes away (on its loop): drops token if this stream holds it. */
void mm_sse_tokens_detach(mm_sse_tokens *t, const char *token, const void *stream);

/* Tokens held now (reserved or streaming), after sweeping expired ones. */
size_t mm_sse_tokens_count(mm_sse_tokens *t, uint64_t now_ns);

/* The memory one token costs (its entry), for the docs and tests. */
size_t mm_sse_tokens_entry_bytes(void);

#endif
