/* fuzz_envelope_decode.c -- libFuzzer target for the CloudEvents envelope
 * decoder, the first code that touches bytes from the network.
 *
 * Input layout (so the fuzzer can build header sets, not only values):
 *   byte 0           number of headers (mod 17)
 *   per header       1 byte selector: < 0xC0 picks a name from names[] (mod
 *                    its size); otherwise a raw name follows: 1 length byte
 *                    + bytes. Then 1 length byte for the value (0xFF: the
 *                    header has no value) + bytes.
 *   the rest         the message value
 * The value is also a structured-mode event when a content-type header says
 * application/cloudevents+json (seeds structured_*).
 * Properties checked: decode never crashes or leaks; it either succeeds or
 * leaves the event empty with a non-empty reason; what decodes re-encodes
 * and decodes again to the same attributes and data. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/envelope.h"

static const char *const names[] = {
    "ce_specversion",
    "ce_id",
    "ce_source",
    "ce_type",
    "ce_time",
    "content-type",
    "ce_mmreplyto",
    "ce_mmcauseid",
    "ce_subject",
    "ce_datacontenttype",
    "ce_",
    "traceparent",
    "ce_partitionkey",
    "ce_traceparent", /* what the SDKs add (appended: seeds keep their picks) */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mm_wire_header h[17];
    char rawnames[17][257];
    size_t pos = 0, n = 0;
    if (size == 0) return 0;
    size_t want = data[pos++] % 17;
    while (n < want && pos < size) {
        uint8_t sel = data[pos++];
        if (sel < 0xC0) {
            h[n].name = names[sel % (sizeof names / sizeof *names)];
        } else {
            if (pos >= size) break;
            size_t len = data[pos++];
            if (len > size - pos) len = size - pos;
            memcpy(rawnames[n], data + pos, len);
            rawnames[n][len] = '\0';
            h[n].name = rawnames[n];
            pos += len;
        }
        if (pos >= size) break;
        uint8_t vlen = data[pos++];
        if (vlen == 0xFF) {
            h[n].value = NULL;
            h[n].value_len = 0;
        } else {
            size_t len = vlen > size - pos ? size - pos : vlen;
            h[n].value = data + pos;
            h[n].value_len = len;
            pos += len;
        }
        n++;
    }
    mm_event ev;
    char reason[MM_ENVELOPE_REASON_MAX] = "";
    int rc = mm_envelope_decode(h, n, "k", 1, data + pos, size - pos, &ev, reason);
    if (rc != 0) {
        if (reason[0] == '\0' || ev.id != NULL || ev.data != NULL) abort();
        return 0;
    }
    /* Round trip: what we accept, we must be able to write and read back. */
    rd_kafka_headers_t *out;
    char *payload;
    size_t plen;
    if (mm_envelope_encode(&ev, &out, &payload, &plen, reason) != 0) {
        fprintf(stderr, "decoded event does not re-encode: %s\n", reason);
        abort();
    }
    mm_wire_header h2[MM_ENVELOPE_MAX_HEADERS];
    size_t n2 = 0;
    const char *name;
    const void *val;
    size_t len;
    while (n2 < MM_ENVELOPE_MAX_HEADERS &&
           rd_kafka_header_get_all(out, n2, &name, &val, &len) == 0) {
        h2[n2].name = name;
        h2[n2].value = val;
        h2[n2].value_len = len;
        n2++;
    }
    mm_event back;
    if (mm_envelope_decode(h2, n2, NULL, 0, payload, plen, &back, reason) != 0) {
        fprintf(stderr, "re-encoded event does not decode: %s\n", reason);
        abort();
    }
    if (strcmp(ev.id, back.id) != 0 || strcmp(ev.type, back.type) != 0 ||
        strcmp(ev.source, back.source) != 0 || !json_equal(ev.data, back.data) ||
        ev.ext_count != back.ext_count)
        abort();
    mm_event_clear(&back);
    rd_kafka_headers_destroy(out);
    free(payload);
    mm_event_clear(&ev);
    return 0;
}
