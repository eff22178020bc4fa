/* handler.h -- the mm_handler a consumer's callback receives: what it
 * emitted and whether it raised, collected until the callback returns. */
#ifndef MM_SERVICE_HANDLER_H
#define MM_SERVICE_HANDLER_H

#include <stddef.h>

#include "bus/envelope.h"
#include "metamorphosis.h"
#include "service/service_internal.h"

typedef struct mm_emitted {
    char *topic;
    mm_event event;
} mm_emitted;

/* What a handler said when it raised, asked for a retry or had an emit
 * refused. Allocated on the first such call only: ~1.7 KB that almost no
 * event needs, which inside every handler made each in-flight job a
 * 2 KB allocation (glibc's slow path and a fast-bin consolidation per
 * event, callgrind). */
typedef struct mm_handler_text {
    char class_name[128];
    char code[64];
    char message[1024];
    char emit_error[256]; /* why the first refused emit was refused */
    char retry_reason[256];
} mm_handler_text;

struct mm_handler {
    const mm_consumer_spec *spec;
    mm_state *state;
    const mm_event *source; /* the event being handled */
    mm_emitted *emitted;
    size_t emitted_count;
    int emit_failed; /* an mm_handler_emit call was refused */
    int raised;
    json_t *data; /* the exception's data, or NULL */
    int retry;    /* mm_handler_retry was called */
    unsigned retry_delay_ms;
    mm_handler_text *text; /* NULL until one of the texts is written */
    unsigned attempt;      /* 1 on the first call for the event */
    /* Whether type is declared in the loaded SDL (NULL: not checked). */
    int (*type_declared)(const void *ud, const char *type);
    const void *type_ud;
};

/* Longest delay a handler may ask for before it runs again. */
#define MM_HANDLER_RETRY_MAX_DELAY_MS 60000

void mm_handler_init(mm_handler *h, const mm_consumer_spec *spec, mm_state *state,
                     const mm_event *source);
void mm_handler_clear(mm_handler *h);

/* The texts ("" when never written; never NULL). */
const char *mm_handler_class_name(const mm_handler *h);
const char *mm_handler_code(const mm_handler *h);
const char *mm_handler_message(const mm_handler *h);
const char *mm_handler_emit_error(const mm_handler *h);
const char *mm_handler_retry_reason(const mm_handler *h);

#endif
