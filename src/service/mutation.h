/* mutation.h -- event mutations: validate, publish, and answer at once or
 * when the consumer's result arrives.
 *
 * The resolver of an event mutation calls the service's mutate_event, gives
 * the event its id, and defers the GraphQL field (execute.h). Asynchronous:
 * the field resolves to {data: event} once Kafka acknowledged the event.
 * Synchronous: a waiter is registered with the notifier BEFORE the event is
 * produced (so a fast consumer cannot be missed), a deadline with the timer,
 * and the field resolves when the first of result, deadline or publish
 * failure arrives. Each of the three paths holds a reference on the pending
 * mutation, so whichever comes last frees it and none touches freed memory. */
#ifndef MM_SERVICE_MUTATION_H
#define MM_SERVICE_MUTATION_H

#include <stddef.h>

#include "graphql/type/schema.h"
#include "service/service_internal.h"

typedef struct mm_runtime mm_runtime;

/* Binds the resolver of mutation m (its field on Mutation) for runtime rt
 * (NULL: the field answers with an error saying no server runs it). */
int mm_mutation_bind(mm_gql_schema *schema, mm_mutation_spec *m, mm_runtime *rt, char *err,
                     size_t err_size);

/* Binds Query.eventResult for rt (NULL: answers with an error). */
int mm_event_result_bind(mm_gql_schema *schema, mm_runtime *rt, char *err, size_t err_size);

/* Answers every mutation still waiting with a "server is shutting down"
 * error and releases its waiter and deadline. Called by mm_runtime_close. */
void mm_mutations_abandon(mm_runtime *rt);

/* The GraphQL answer for a stored result document (results.h): the
 * result event's fields on success, or *error_message and *extensions (new
 * reference) describing the consumer's exception. Exposed for tests. */
/* An EventResult value (id, status, eventType, data, error) for a stored
 * result document: what Query.eventResult and the eventResult subscription
 * answer. New reference; NULL when out of memory. */
json_t *mm_event_result_value(const char *id, json_t *doc);

json_t *mm_result_doc_to_data(json_t *doc, const char **error_message, json_t **extensions);

#endif
