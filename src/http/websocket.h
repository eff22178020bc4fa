/* websocket.h -- RFC 6455 framing for the server side: parsing client frames
 * (which must be masked) and writing server frames (never masked), and the
 * Sec-WebSocket-Accept key. Pure functions: no I/O, fuzzed on their own. */
#ifndef MM_HTTP_WEBSOCKET_H
#define MM_HTTP_WEBSOCKET_H

#include <stddef.h>
#include <stdint.h>

enum {
    MM_WS_OP_CONT = 0x0,
    MM_WS_OP_TEXT = 0x1,
    MM_WS_OP_BINARY = 0x2,
    MM_WS_OP_CLOSE = 0x8,
    MM_WS_OP_PING = 0x9,
    MM_WS_OP_PONG = 0xA,
};

/* Close codes the parser reports (RFC 6455 section 7.4.1). */
#define MM_WS_CLOSE_PROTOCOL 1002 /* malformed or unmasked frame, bad opcode */
#define MM_WS_CLOSE_TOO_BIG  1009 /* payload over the limit */

typedef struct mm_ws_frame {
    int fin;
    int opcode;
    unsigned char *payload; /* into the caller's buffer, already unmasked */
    size_t payload_len;
} mm_ws_frame;

/* Parses one frame at buf[0..len): returns the frame's total size (> 0) with
 * *out filled and its payload unmasked in place, 0 when more bytes are
 * needed, or minus a close code (MM_WS_CLOSE_*) when the frame is invalid:
 * RSV bits set, an unknown opcode, an unmasked frame, a fragmented or long
 * (> 125) control frame, a non-minimal or 64-bit-overflowing length, or a
 * payload over max_payload. Never reads past len. */
long mm_ws_parse_frame(unsigned char *buf, size_t len, size_t max_payload, mm_ws_frame *out);

/* Writes the header of an unmasked final frame into hdr (>= 10 bytes);
 * returns its length. */
size_t mm_ws_frame_header(unsigned char *hdr, int opcode, size_t payload_len);

/* Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)),
 * NUL-terminated into out (29 bytes). 0, or -1 when the key is not 16 bytes
 * of base64 (24 characters). */
int mm_ws_accept_key(const char *key, size_t key_len, char out[29]);

/* Whether a close code received from a client is allowed (RFC 6455 7.4). */
int mm_ws_close_code_valid(unsigned code);

#endif
