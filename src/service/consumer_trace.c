/* consumer_trace.c -- the consumer's process and result-store spans
 * (consumer_trace.h). */
#include "service/consumer_trace.h"

#include <string.h>

#include "bus/event_trace.h"

mm_span *mm_consumer_trace_begin(const mm_event *ev, const mm_message_info *info,
                                 const char *consumer, const char *group) {
    mm_trace_ctx parent;
    bool has = mm_event_trace_get(ev, &parent);
    mm_span *sp =
        mm_span_start_named("process ", info->topic, MM_SPAN_CONSUMER, has ? &parent : NULL);
    if (sp == NULL) return NULL;
    mm_span_attr_const(sp, "messaging.system", "kafka");
    mm_span_attr_const(sp, "messaging.operation.type", "process");
    mm_span_attr_const(sp, "messaging.operation.name", "process");
    mm_span_attr_str(sp, "messaging.destination.name", info->topic);
    mm_span_attr_str(sp, "messaging.consumer.group.name", group);
    /* The id twice (two conventions' names): measured once. */
    size_t idn = ev->id ? strnlen(ev->id, MM_SPAN_ATTR_VALUE_MAX + 1) : 0;
    mm_span_attr_strn(sp, "messaging.message.id", ev->id, idn);
    mm_span_attr_dec(sp, "messaging.destination.partition.id", info->partition);
    mm_span_attr_int(sp, "messaging.kafka.offset", info->offset);
    mm_span_attr_strn(sp, "cloudevents.event_id", ev->id, idn);
    mm_span_attr_str(sp, "cloudevents.event_type", ev->type);
    mm_span_attr_str(sp, "metamorphosis.consumer", consumer);
    return sp;
}

void mm_consumer_trace_store(const mm_span *process, uint64_t start_ns, int status,
                             const char *err) {
    mm_span *sp = mm_span_start_at("redis store result", MM_SPAN_CLIENT, &process->ctx, start_ns);
    if (sp == NULL) return;
    mm_span_attr_const(sp, "db.system", "redis");
    mm_span_attr_const(sp, "db.system.name", "redis");
    mm_span_attr_const(sp, "db.operation.name", "MULTI");
    if (status != 0) mm_span_set_error(sp, err && *err ? err : "result not stored");
    mm_span_end(sp);
}

void mm_consumer_trace_end(mm_span *process, bool dead) {
    if (dead) mm_span_set_error(process, "dead-lettered");
    mm_span_end(process);
}
