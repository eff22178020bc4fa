/* json_fast.h -- a fast path for parsing an event's JSON value into a
 * jansson tree, for the common shape of events (an object of strings,
 * integers, booleans, nulls, nested objects and arrays).
 *
 * jansson's json_loadb reads through a per-character stream with a
 * callback and costs ~19k instructions for a 150-byte event object
 * (callgrind), a fifth of a worker's per-event cost. This reader builds the
 * same tree directly. It never decides anything jansson would decide
 * differently: on whatever it does not handle itself (a real number, a
 * \u escape, an integer of 19 or more digits, deep nesting, a duplicate key)
 * and on every syntax error it gives up, and the caller parses with jansson,
 * which then accepts or rejects with its own message. */
#ifndef MM_BUS_JSON_FAST_H
#define MM_BUS_JSON_FAST_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Parses bytes (already checked to be valid UTF-8) as one JSON object with
 * nothing but white space around it, as json_loadb(bytes, len,
 * JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) would. NULL: not handled here
 * (parse with jansson), or out of memory (so will jansson be). */
json_t *mm_json_fast_object(const char *bytes, size_t len);

/* Whether mm_json_fast_object would take bytes, without building anything
 * (no allocation): true means jansson accepts them too, so the tree can be
 * built later, when someone asks for it. False: not decided here (keys
 * with escapes or more than 16 members per object are not checked). */
bool mm_json_fast_check_object(const char *bytes, size_t len);

#endif
