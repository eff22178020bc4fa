/* state_fixture.h -- the fixture the state store's integration tests share
 * (test_state.c, test_state_deferred.c): a state handle of the service
 * "forms" on the run's Redis under a unique prefix, and a raw hiredis
 * connection to look at what it wrote; closing deletes every key under the
 * prefix. Header-only: each test program includes it once, after cmocka.h. */
#ifndef MM_TEST_STATE_FIXTURE_H
#define MM_TEST_STATE_FIXTURE_H

#include <stdlib.h>

#include "mm_test.h"
#include "store/redis_conn.h"
#include "store/state.h"

static char *prefix;
static mm_state *st;
static redisContext *raw;

static void state_fixture_open(void) {
    char err[256];
    prefix = mm_test_unique_name("mmt");
    st = mm_state_new(mm_test_redis_url(), prefix, "forms", err, sizeof err);
    if (st == NULL) fail_msg("mm_state_new: %s", err);
    raw = mm_redis_connect_url(mm_test_redis_url(), 5000, NULL, err, sizeof err);
    assert_non_null(raw);
}

static void state_fixture_close(void) {
    redisReply *r = redisCommand(raw, "KEYS %s:*", prefix);
    for (size_t i = 0; r && i < r->elements; i++)
        freeReplyObject(redisCommand(raw, "DEL %s", r->element[i]->str));
    if (r) freeReplyObject(r);
    redisFree(raw);
    mm_state_free(st);
    free(prefix);
}

#endif
