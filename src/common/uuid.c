/* uuid.c -- random (version 4) UUIDs from the kernel's CSPRNG through
 * random_bytes.h (one getrandom per 32 ids); see uuid.h. */
#include "common/uuid.h"

#include <stdint.h>

#include "common/random_bytes.h"
#include "metamorphosis.h"

int mm_uuid_v4(char out[MM_UUID_STRLEN + 1]) {
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    if (mm_random_bytes(b, sizeof b) != 0) return MM_EIO;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0f];
    }
    out[o] = '\0';
    return 0;
}

static bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool mm_uuid_is_valid(const char *s, size_t len) {
    if (s == NULL || len != MM_UUID_STRLEN) return false;
    for (size_t i = 0; i < len; i++) {
        bool dash = (i == 8 || i == 13 || i == 18 || i == 23);
        if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
    }
    return true;
}
