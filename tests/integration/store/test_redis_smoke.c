/* test_redis_smoke.c -- proves the integration tier's Redis works with our
 * client: hiredis against the real redis-server that scripts/test.sh starts.
 * SET/GET round trip, and PUBLISH reaching a SUBSCRIBEd connection (the
 * push path synchronous mutations will wait on). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "mm_test.h"

static redisContext *connect_redis(void) {
    char host[128];
    int port;
    mm_test_redis_addr(host, sizeof host, &port);
    struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
    redisContext *c = redisConnectWithTimeout(host, port, tv);
    assert_non_null(c);
    if (c->err) fail_msg("cannot connect to Redis at %s:%d: %s", host, port, c->errstr);
    /* No command may hang the test. */
    assert_int_equal(redisSetTimeout(c, tv), REDIS_OK);
    return c;
}

static void test_set_get(void **state) {
    (void)state;
    redisContext *c = connect_redis();
    char *key = mm_test_unique_name("smoke:key");
    redisReply *r = redisCommand(c, "SET %s %s EX 60", key, "hello, redis");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STATUS);
    assert_string_equal(r->str, "OK");
    freeReplyObject(r);

    r = redisCommand(c, "GET %s", key);
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_string_equal(r->str, "hello, redis");
    freeReplyObject(r);

    r = redisCommand(c, "DEL %s", key);
    assert_non_null(r);
    assert_int_equal(r->integer, 1);
    freeReplyObject(r);
    free(key);
    redisFree(c);
}

static void test_publish_reaches_subscriber(void **state) {
    (void)state;
    redisContext *sub = connect_redis();
    redisContext *pub = connect_redis();
    char *channel = mm_test_unique_name("smoke:channel");

    redisReply *r = redisCommand(sub, "SUBSCRIBE %s", channel);
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 3);
    assert_string_equal(r->element[0]->str, "subscribe");
    freeReplyObject(r);

    r = redisCommand(pub, "PUBLISH %s %s", channel, "event-42");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_INTEGER);
    assert_int_equal(r->integer, 1); /* exactly our subscriber heard it */
    freeReplyObject(r);

    void *reply = NULL;
    assert_int_equal(redisGetReply(sub, &reply), REDIS_OK);
    r = reply;
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 3);
    assert_string_equal(r->element[0]->str, "message");
    assert_string_equal(r->element[1]->str, channel);
    assert_string_equal(r->element[2]->str, "event-42");
    freeReplyObject(r);

    free(channel);
    redisFree(pub);
    redisFree(sub);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_get),
        cmocka_unit_test(test_publish_reaches_subscriber),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
