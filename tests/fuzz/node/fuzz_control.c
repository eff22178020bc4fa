/* fuzz_control.c -- libFuzzer target for control events: the input's first
 * line is the ce_type, the rest the JSON value. Whatever mm_control_parse
 * accepts must build again (mm_control_build) and parse back to the same
 * fields; nothing may crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/control.h"

static int same(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl) return 0;
    size_t tlen = (size_t)(nl - data);
    char type[64];
    if (tlen >= sizeof type) return 0;
    memcpy(type, data, tlen);
    type[tlen] = '\0';
    json_t *value = json_loadb((const char *)nl + 1, size - tlen - 1, JSON_DECODE_ANY, NULL);
    if (!value) return 0;
    mm_event ev;
    mm_event_init(&ev);
    ev.type = type;
    ev.data = value;
    mm_control c, again;
    char err[256];
    if (mm_control_parse(&ev, &c, err, sizeof err) == 0) {
        mm_event built;
        if (mm_control_build(&c, &built, err, sizeof err) == 0) {
            if (mm_control_parse(&built, &again, err, sizeof err) != 0) abort();
            if (again.kind != c.kind || !same(again.name, c.name) || !same(again.node, c.node) ||
                again.pid != c.pid || again.process_count_set != c.process_count_set ||
                again.harakiri_count_set != c.harakiri_count_set ||
                again.harakiri_jitter_set != c.harakiri_jitter_set)
                abort();
            mm_control_clear(&again);
            mm_event_clear(&built);
        }
        mm_control_clear(&c);
    }
    json_decref(value);
    return 0;
}
