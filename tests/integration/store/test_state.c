/* test_state.c -- the application state store against a REAL Redis: JSON
 * values in strings, hashes and lists under <prefix>:state:<service>:, TTLs,
 * missing keys, values written by someone else that are not JSON, and one
 * handle shared by several threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metamorphosis.h"
#include "state_fixture.h"

static int setup(void **state) {
    (void)state;
    state_fixture_open();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    state_fixture_close();
    return 0;
}

static void test_strings(void **state) {
    (void)state;
    json_t *v = json_pack("{s:s, s:[i,i]}", "name", "Ünïcode", "xs", 1, 2);
    assert_int_equal(mm_state_set(st, "form:1", v, 0), 0);
    json_t *back = NULL;
    assert_int_equal(mm_state_get(st, "form:1", &back), 0);
    assert_true(json_equal(v, back));
    json_decref(back);

    /* The documented key layout. */
    redisReply *r = redisCommand(raw, "GET %s:state:forms:form:1", prefix);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    freeReplyObject(r);

    json_t *scalar = json_integer(7);
    assert_int_equal(mm_state_set(st, "ttl", scalar, 30), 0);
    r = redisCommand(raw, "TTL %s:state:forms:ttl", prefix);
    assert_true(r->integer > 0 && r->integer <= 30);
    freeReplyObject(r);

    assert_int_equal(mm_state_get(st, "nothing", &back), MM_ENOTFOUND);
    assert_null(back);
    assert_int_equal(mm_state_del(st, "form:1"), 0);
    assert_int_equal(mm_state_get(st, "form:1", &back), MM_ENOTFOUND);
    assert_int_equal(mm_state_del(st, "form:1"), 0);

    freeReplyObject(redisCommand(raw, "SET %s:state:forms:junk %s", prefix, "{not json"));
    assert_int_equal(mm_state_get(st, "junk", &back), MM_EINVAL);
    assert_non_null(strstr(mm_state_last_error(st), "not JSON"));
    assert_int_equal(mm_state_set(st, "", v, 0), MM_EINVAL);
    assert_int_equal(mm_state_set(st, "x", NULL, 0), MM_EINVAL);
    json_decref(v);
    json_decref(scalar);
}

static void test_hashes_and_lists(void **state) {
    (void)state;
    json_t *a = json_pack("{s:i}", "n", 1), *b = json_string("two");
    assert_int_equal(mm_state_hset(st, "forms", "a", a), 0);
    assert_int_equal(mm_state_hset(st, "forms", "b", b), 0);
    json_t *v = NULL, *all = NULL;
    assert_int_equal(mm_state_hget(st, "forms", "b", &v), 0);
    assert_true(json_equal(v, b));
    json_decref(v);
    assert_int_equal(mm_state_hget(st, "forms", "zzz", &v), MM_ENOTFOUND);
    assert_int_equal(mm_state_hgetall(st, "forms", &all), 0);
    assert_int_equal(json_object_size(all), 2);
    assert_true(json_equal(json_object_get(all, "a"), a));
    json_decref(all);
    assert_int_equal(mm_state_hdel(st, "forms", "a"), 0);
    assert_int_equal(mm_state_hgetall(st, "forms", &all), 0);
    assert_int_equal(json_object_size(all), 1);
    json_decref(all);
    assert_int_equal(mm_state_hgetall(st, "no-such-hash", &all), 0);
    assert_int_equal(json_object_size(all), 0);
    json_decref(all);

    long long len = 0;
    assert_int_equal(mm_state_list_append(st, "log", a, &len), 0);
    assert_int_equal(len, 1);
    assert_int_equal(mm_state_list_append(st, "log", b, &len), 0);
    assert_int_equal(len, 2);
    json_t *arr = NULL;
    assert_int_equal(mm_state_list_range(st, "log", 0, -1, &arr), 0);
    assert_int_equal(json_array_size(arr), 2);
    assert_true(json_equal(json_array_get(arr, 1), b));
    json_decref(arr);
    assert_int_equal(mm_state_list_range(st, "log", -1, -1, &arr), 0);
    assert_int_equal(json_array_size(arr), 1);
    json_decref(arr);

    /* A hash operation on a list key is a Redis error, reported as such. */
    assert_int_equal(mm_state_hset(st, "log", "f", a), MM_EREDIS);
    assert_non_null(strstr(mm_state_last_error(st), "WRONGTYPE"));
    json_decref(a);
    json_decref(b);
}

static void *incr_many(void *arg) {
    (void)arg;
    for (int i = 0; i < 250; i++)
        if (mm_state_incr(st, "counter", 1, NULL) != 0) return (void *)1;
    return NULL;
}

static void test_shared_between_threads(void **state) {
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, incr_many, NULL);
    for (int i = 0; i < 4; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_null(rc);
    }
    long long v = 0;
    assert_int_equal(mm_state_incr(st, "counter", 0, &v), 0);
    assert_int_equal(v, 1000);
}

static void test_reconnects(void **state) {
    (void)state;
    /* The handle names its connection "<prefix>-state-<service>". */
    char needle[256];
    snprintf(needle, sizeof needle, " name=%s-state-forms ", prefix);
    redisReply *r = redisCommand(raw, "CLIENT LIST TYPE normal");
    long long victim = -1;
    for (char *line = r->str; line && *line;) {
        char *end = strchr(line, '\n');
        if (end) *end = '\0';
        if (strstr(line, needle) != NULL) victim = atoll(line + 3);
        line = end ? end + 1 : NULL;
    }
    freeReplyObject(r);
    assert_true(victim > 0);
    r = redisCommand(raw, "CLIENT KILL ID %lld", victim);
    assert_int_equal(r->integer, 1);
    freeReplyObject(r);
    long long v = 0;
    assert_int_equal(mm_state_incr(st, "counter", 1, &v), 0);
    assert_int_equal(v, 1001);
}

int main(void) {
    mm_test_redis_url();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_hashes_and_lists),
        cmocka_unit_test(test_shared_between_threads),
        cmocka_unit_test(test_reconnects),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
