/* websocket.c -- RFC 6455 frame parsing and writing (websocket.h). */
#include "http/websocket.h"

#include <openssl/sha.h>
#include <string.h>

long mm_ws_parse_frame(unsigned char *buf, size_t len, size_t max_payload, mm_ws_frame *out) {
    if (len < 2) return 0;
    unsigned b0 = buf[0], b1 = buf[1];
    if (b0 & 0x70) return -MM_WS_CLOSE_PROTOCOL; /* no extension negotiated: RSV must be 0 */
    int opcode = (int)(b0 & 0x0F);
    int fin = (b0 & 0x80) != 0;
    switch (opcode) {
    case MM_WS_OP_CONT:
    case MM_WS_OP_TEXT:
    case MM_WS_OP_BINARY: break;
    case MM_WS_OP_CLOSE:
    case MM_WS_OP_PING:
    case MM_WS_OP_PONG:
        if (!fin || (b1 & 0x7F) > 125) return -MM_WS_CLOSE_PROTOCOL;
        break;
    default: return -MM_WS_CLOSE_PROTOCOL;
    }
    if (!(b1 & 0x80)) return -MM_WS_CLOSE_PROTOCOL; /* clients must mask */
    size_t pos = 2;
    uint64_t plen = b1 & 0x7F;
    if (plen == 126) {
        if (len < 4) return 0;
        plen = ((uint64_t)buf[2] << 8) | buf[3];
        if (plen < 126) return -MM_WS_CLOSE_PROTOCOL;
        pos = 4;
    } else if (plen == 127) {
        if (len < 10) return 0;
        if (buf[2] & 0x80) return -MM_WS_CLOSE_PROTOCOL;
        plen = 0;
        for (int i = 0; i < 8; i++) plen = (plen << 8) | buf[2 + i];
        if (plen <= 0xFFFF) return -MM_WS_CLOSE_PROTOCOL;
        pos = 10;
    }
    if (plen > max_payload) return -MM_WS_CLOSE_TOO_BIG;
    if (len - pos < 4) return 0;
    const unsigned char *mask = buf + pos;
    pos += 4;
    if ((uint64_t)(len - pos) < plen) return 0;
    unsigned char *p = buf + pos;
    for (size_t i = 0; i < (size_t)plen; i++) p[i] ^= mask[i & 3];
    out->fin = fin;
    out->opcode = opcode;
    out->payload = p;
    out->payload_len = (size_t)plen;
    return (long)(pos + (size_t)plen);
}

size_t mm_ws_frame_header(unsigned char *hdr, int opcode, size_t n) {
    hdr[0] = (unsigned char)(0x80 | (opcode & 0x0F));
    if (n < 126) {
        hdr[1] = (unsigned char)n;
        return 2;
    }
    if (n <= 0xFFFF) {
        hdr[1] = 126;
        hdr[2] = (unsigned char)(n >> 8);
        hdr[3] = (unsigned char)n;
        return 4;
    }
    hdr[1] = 127;
    uint64_t v = n;
    for (int i = 7; i >= 0; i--) {
        hdr[2 + i] = (unsigned char)v;
        v >>= 8;
    }
    return 10;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int mm_ws_accept_key(const char *key, size_t key_len, char out[29]) {
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    if (key_len != 24 || key[22] != '=' || key[23] != '=') return -1;
    for (size_t i = 0; i < 22; i++)
        if (!strchr(b64, key[i]) || key[i] == '\0') return -1;
    unsigned char in[24 + sizeof guid - 1];
    memcpy(in, key, 24);
    memcpy(in + 24, guid, sizeof guid - 1);
    unsigned char d[SHA_DIGEST_LENGTH];
    SHA1(in, sizeof in, d);
    size_t o = 0;
    for (size_t i = 0; i < 20; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (i + 1 < 20 ? (unsigned)d[i + 1] << 8 : 0) |
                     (i + 2 < 20 ? d[i + 2] : 0);
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < 20 ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < 20 ? b64[v & 63] : '=';
    }
    out[o] = '\0';
    return 0;
}

int mm_ws_close_code_valid(unsigned code) {
    if (code >= 3000 && code <= 4999) return 1;
    return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}
