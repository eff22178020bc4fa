/* test_status_secrets.c -- the service-web status store (src/node/
 * status_store.c) must not put the Redis password into its error messages:
 * they are logged by every node (and shown by `gregor status`). Redis is
 * unreachable here (port 1), which is exactly when the messages appear. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "metamorphosis.h"
#include "node/status_store.h"

#define SECRET "hunter22secret"

static void test_unreachable_redis_hides_the_password(void **state) {
    (void)state;
    char err[512] = "";
    mm_status_store *s =
        mm_status_store_new("redis://user:" SECRET "@127.0.0.1:1/2", "web", err, sizeof err);
    assert_non_null(s);
    /* First call: the connect fails. Second: backing off. Both report why. */
    for (int i = 0; i < 2; i++) {
        err[0] = '\0';
        json_t *nodes = NULL;
        assert_true(mm_status_store_read(s, &nodes, err, sizeof err) < 0);
        json_decref(nodes);
        assert_true(err[0] != '\0');
        if (strstr(err, SECRET)) fail_msg("status store error repeats the Redis password: %s", err);
    }
    mm_status_store_free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unreachable_redis_hides_the_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
