/* envelope.h -- events on the wire: the CloudEvents 1.0 Kafka protocol
 * binding, written in binary content mode, read in both binary and
 * structured mode as the CloudEvents SDKs write them (docs/wire-format.md).
 *
 * Every Kafka message the framework writes carries the event's attributes as
 * headers (ce_specversion, ce_id, ce_source, ce_type, ce_time, content-type,
 * plus the framework's extensions ce_mmreplyto and ce_mmcauseid) and the
 * event's fields as a JSON object in the value. Decoding is strict: any
 * deviation yields a precise, human-readable reason, which the consumer puts
 * on the dead-letter copy of the message (mm_dlq_reason).
 *
 * Decoding works on plain byte ranges (mm_wire_header) so that the fuzzer and
 * the unit tests need no Kafka client; mm_envelope_decode_message adapts a
 * consumed rd_kafka_message_t. */
#ifndef MM_BUS_ENVELOPE_H
#define MM_BUS_ENVELOPE_H

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/trace_context.h"
#include "metamorphosis.h"

/* CloudEvents spec version this binding speaks. */
#define MM_CE_SPECVERSION "1.0"
/* Prefix of the source attribute: /metamorphosis/<service>. */
#define MM_CE_SOURCE_PREFIX "/metamorphosis/"

/* Header names (CloudEvents Kafka binding: "ce_" + attribute name). */
#define MM_HDR_SPECVERSION  "ce_specversion"
#define MM_HDR_ID           "ce_id"
#define MM_HDR_SOURCE       "ce_source"
#define MM_HDR_TYPE         "ce_type"
#define MM_HDR_TIME         "ce_time"
#define MM_HDR_CONTENT_TYPE "content-type"
/* Accepted on decode (some SDKs add it in binary mode); never written. */
#define MM_HDR_DATACONTENTTYPE "ce_datacontenttype"
/* Framework extensions. */
#define MM_HDR_REPLYTO "ce_mmreplyto" /* id of the server awaiting the result */
#define MM_HDR_CAUSEID "ce_mmcauseid" /* id of the event whose handler emitted this one */

/* Longest event type prefix (mm_envelope_set_type_prefix). */
#define MM_ENVELOPE_TYPE_PREFIX_MAX 200

/* Size of a buffer that holds any decode failure reason. */
#define MM_ENVELOPE_REASON_MAX 256
/* Longest attribute value accepted on decode (ids, types, sources, ...). */
#define MM_ENVELOPE_ATTR_MAX 1024
/* Most headers a message may carry before it is rejected. */
#define MM_ENVELOPE_MAX_HEADERS 64

/* An extension attribute that the framework does not interpret (for example
 * ce_subject or a tracing extension); kept so it can be passed through.
 * name is the attribute name without the "ce_" prefix. */
typedef struct mm_event_ext {
    char *name;
    char *value;
    /* value lies in name's allocation (mm_event_set_ext copies both with one
     * malloc: a traced event's traceparent is set on every event a request
     * or handler makes): freed with it, never alone. */
    bool joined;
} mm_event_ext;

/* The trace context this process set on an event it makes
 * (mm_event_trace_set, bus/event_trace.h): the encoder writes it as the
 * ce_traceparent and ce_tracestate extension headers, but it is kept as
 * bytes, not as extension text in ext, so that a traced event costs no
 * copy of the text, no parse of it back at the publish hook, and no
 * member in the result document (docs/tracing.md, "Cost"). Events decoded
 * from the wire carry theirs in ext, as text. */
typedef struct mm_event_trace {
    uint8_t trace_id[16];
    uint8_t span_id[8];
    uint8_t flags;
    bool set;
    char *state; /* the tracestate, malloc'd; NULL when none */
    /* The same as traceparent text, formatted when set (~90 instructions):
     * what mm_event_attribute returns and the encoder writes, so that the
     * attribute lives as long as the event. */
    char text[MM_TRACEPARENT_LEN + 1];
} mm_event_trace;

/* One event. All strings are heap-owned by the event (mm_event_clear frees
 * them); data is a JSON object owned by the event (one reference). */
typedef struct mm_event {
    char *id;          /* ce_id: unique; a UUIDv4 when the framework makes it */
    char *source;      /* ce_source: "/metamorphosis/<service>" */
    char *type;        /* ce_type: the event's GraphQL type name */
    char *time;        /* ce_time: RFC 3339; NULL only on decode when absent */
    char *reply_to;    /* ce_mmreplyto: server id waiting for the result, or NULL */
    char *cause_id;    /* ce_mmcauseid: id of the causing event, or NULL */
    json_t *data;      /* the value: the event's fields, a JSON object */
    char *key;         /* Kafka message key; NULL means "use the id" */
    size_t key_len;    /* length of key (keys may hold any bytes) */
    mm_event_ext *ext; /* other ce_* attributes, in header order */
    size_t ext_count;
    /* Set by this process (above): written as ce_traceparent/ce_tracestate
     * in place of any such member of ext. */
    mm_event_trace trace;
    /* Decoded lazily (mm_envelope_decode_message_lazy): the value's bytes,
     * already checked to be a JSON object jansson accepts, not yet parsed;
     * data stays NULL until mm_event_data asks. The bytes belong to the
     * Kafka message, which outlives the event. */
    const char *lazy_data;
    size_t lazy_len;
    /* A binary-mode decode's attribute copies (id, source, type, time,
     * reply_to, cause_id, key, the extensions and their array), in one
     * allocation rather than one each; a field set later gets its own and
     * the block keeps the old copy. */
    char *strings;
    size_t strings_len;
} mm_event;

/* A header as raw bytes, as found on a Kafka message. value may be NULL
 * (a header without value). */
typedef struct mm_wire_header {
    const char *name;
    const void *value;
    size_t value_len;
} mm_wire_header;

/* The public accessors (metamorphosis.h) are implemented over this struct:
 * mm_event_id, mm_event_type, mm_event_data. */

/* Zeroes ev. */
void mm_event_init(mm_event *ev);

/* Frees everything ev owns and zeroes it. */
void mm_event_clear(mm_event *ev);

/* Makes a new event of type for service: a fresh UUIDv4 id, source
 * "/metamorphosis/<service>", time now; takes over the reference to data
 * (a JSON object; NULL means {}) even on failure. Returns 0 or MM_E*. */
int mm_event_create(mm_event *ev, const char *service, const char *type, json_t *data);

/* Sets (replacing) a string field; value NULL clears it. Returns 0 or MM_ENOMEM. */
int mm_event_set_reply_to(mm_event *ev, const char *server_id);
int mm_event_set_cause_id(mm_event *ev, const char *event_id);
int mm_event_set_key(mm_event *ev, const void *key, size_t len);

/* Adds or replaces a pass-through extension attribute (name without "ce_",
 * lowercase letters and digits only, as CloudEvents requires). */
int mm_event_set_ext(mm_event *ev, const char *name, const char *value);

/* Deep copy of src into dst (dst is overwritten, not freed). */
int mm_event_copy(mm_event *dst, const mm_event *src);

/* The current time as RFC 3339 UTC with milliseconds
 * ("2026-11-28T00:08:03.123Z"); out needs 25 bytes. */
void mm_event_time_now(char out[25]);

/* True if s is an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm)). */
bool mm_event_time_is_valid(const char *s, size_t len);

/* The event in CloudEvents structured JSON form
 * {specversion,id,source,type,time,datacontenttype,data[,mmreplyto,...]};
 * new reference, NULL when out of memory. Used for stored results. */
json_t *mm_event_to_json(const mm_event *ev);

/* The process's event type prefix, e.g. "com.example.forms" (config key
 * event_type_prefix, MM_EVENT_TYPE_PREFIX): when set, ce_type is written as
 * "<prefix>.<Type>" and accepted on decode with or without "<prefix>."; the
 * event's type field always holds the bare GraphQL name. NULL or "" clears
 * it. A prefix is letters, digits, '.', '-' and '_' (no leading or trailing
 * '.'), at most MM_ENVELOPE_TYPE_PREFIX_MAX bytes; anything else is
 * MM_EINVAL. Set it once at start-up, before any thread encodes or decodes
 * (it is a plain process-wide setting, not synchronized). */
int mm_envelope_set_type_prefix(const char *prefix);
const char *mm_envelope_type_prefix(void);

/* Encodes ev for producing: *headers (caller owns; rd_kafka_producev takes
 * it over on success) and *payload (malloc'd JSON text, *payload_len bytes).
 * Validates ev first: on failure returns MM_EINVAL with reason set. */
int mm_envelope_encode(const mm_event *ev, rd_kafka_headers_t **headers, char **payload,
                       size_t *payload_len, char reason[MM_ENVELOPE_REASON_MAX]);

/* mm_envelope_encode, but the extension named ext_name (when ev has it) is
 * written with the value ext_value instead of ev's: the producer writes its
 * publish span's traceparent this way (bus/event_trace.h) instead of
 * encoding the event's and replacing the header after. ext_name NULL is
 * mm_envelope_encode; ext_value must be a valid extension value. */
int mm_envelope_encode_ext(const mm_event *ev, const char *ext_name, const char *ext_value,
                           rd_kafka_headers_t **headers, char **payload, size_t *payload_len,
                           char reason[MM_ENVELOPE_REASON_MAX]);

/* Decodes and validates a message given as raw parts, in either content
 * mode of the Kafka binding: structured (content-type
 * application/cloudevents+json: the whole event is the JSON value, data in
 * "data" or "data_base64") or binary (attributes in ce_ headers, data in
 * the value). The exact rules are in docs/wire-format.md. On success returns 0
 * and fills out (which must be initialized/empty); on failure returns
 * MM_EINVAL, leaves out empty and writes the reason. key may be NULL. */
int mm_envelope_decode(const mm_wire_header *headers, size_t header_count, const void *key,
                       size_t key_len, const void *value, size_t value_len, mm_event *out,
                       char reason[MM_ENVELOPE_REASON_MAX]);

/* Same for a consumed Kafka message. */
int mm_envelope_decode_message(const rd_kafka_message_t *msg, mm_event *out,
                               char reason[MM_ENVELOPE_REASON_MAX]);

/* Same, but a binary-mode value is only checked, and parsed into data the
 * first time mm_event_data (or anything that encodes or copies the event)
 * needs it: a handler that never reads its event's data costs no JSON
 * tree (~2k instructions an event). The event must be cleared before msg
 * is destroyed. Same outcome and reasons as mm_envelope_decode_message. */
int mm_envelope_decode_message_lazy(const rd_kafka_message_t *msg, mm_event *out,
                                    char reason[MM_ENVELOPE_REASON_MAX]);

/* ev's data, parsed now when it was decoded lazily (NULL: out of memory). */
json_t *mm_event_data_now(const mm_event *ev);

#endif
