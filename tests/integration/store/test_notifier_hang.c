/* test_notifier_hang.c -- the result notifier on a Redis that hangs: its own
 * Redis (scripts/redis-fixture.sh) is SIGSTOPped; the notifier notices within
 * a few seconds (no heartbeat comes back through the subscription) and says
 * it is not subscribed; after SIGCONT it subscribes again and its re-check
 * delivers a result stored meanwhile without a notification. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/uuid.h"
#include "metamorphosis.h"
#include "mm_test.h"
#include "store/notifier.h"
#include "store/results.h"

typedef struct box {
    pthread_mutex_t lock;
    int fired;
} box;

static void on_result(void *ud, const char *event_id, json_t *doc) {
    (void)event_id, (void)doc;
    box *b = ud;
    pthread_mutex_lock(&b->lock);
    b->fired++;
    pthread_mutex_unlock(&b->lock);
}

static int fired(box *b) {
    pthread_mutex_lock(&b->lock);
    int n = b->fired;
    pthread_mutex_unlock(&b->lock);
    return n;
}

/* "NAME=VALUE" from the fixture's output. */
static char *field(const char *out, const char *name) {
    const char *p = strstr(out, name);
    assert_non_null(p);
    p += strlen(name) + 1;
    size_t n = strcspn(p, "\n");
    char *v = malloc(n + 1);
    memcpy(v, p, n);
    v[n] = '\0';
    return v;
}

static int subscribed(mm_notifier *n) {
    mm_notifier_stats st;
    mm_notifier_get_stats(n, &st);
    return st.subscribed;
}

static void test_hang_and_resume(void **state) {
    (void)state;
    char script[1024];
    snprintf(script, sizeof script, "%s/scripts/redis-fixture.sh", getenv("MM_SOURCE_DIR"));
    char *argv[] = {"/bin/bash", script, "start", NULL};
    char *out = NULL, *err_text = NULL;
    assert_int_equal(mm_test_run(argv, &out, &err_text, 30000), 0);
    char *url = field(out, "MM_TEST_REDIS_URL");
    char *dir = field(out, "MM_REDIS_FIXTURE_DIR");
    char pidfile[600];
    snprintf(pidfile, sizeof pidfile, "%s/pid", dir);
    FILE *f = fopen(pidfile, "r");
    assert_non_null(f);
    int pid = 0;
    assert_int_equal(fscanf(f, "%d", &pid), 1);
    fclose(f);

    char err[256];
    mm_notifier_config cfg = {.redis_url = url, .reconnect_min_ms = 100, .reconnect_max_ms = 500};
    mm_notifier *n = mm_notifier_start(&cfg, err, sizeof err);
    assert_non_null(n);
    assert_int_equal(mm_notifier_wait_ready(n, 10000), 0);
    box b = {.fired = 0};
    pthread_mutex_init(&b.lock, NULL);
    char id[MM_UUID_STRLEN + 1];
    assert_int_equal(mm_uuid_v4(id), 0);
    assert_int_equal(mm_notifier_wait_register(n, id, on_result, &b), 0);

    assert_int_equal(kill(pid, SIGSTOP), 0);
    long long t0 = mm_test_now_ms();
    while (subscribed(n) && mm_test_now_ms() - t0 < 10000) usleep(50 * 1000);
    long long noticed = mm_test_now_ms() - t0;
    printf("hung Redis noticed after %lld ms\n", noticed);
    assert_int_equal(subscribed(n), 0);
    assert_true(noticed <= 6000);
    assert_int_equal(kill(pid, SIGCONT), 0);

    /* A result stored with no notification (as if pushed while nobody
     * listened): only the re-check after resubscribing can deliver it. */
    mm_result_store *s = mm_result_store_new(url, NULL, 60, err, sizeof err);
    assert_non_null(s);
    json_t *doc = mm_result_doc_error(id, "ns", "Cls", "failed", "CODE", NULL);
    assert_int_equal(mm_result_store_put(s, id, NULL, doc, NULL, err, sizeof err), 0);
    json_decref(doc);
    long long t1 = mm_test_now_ms();
    while (fired(&b) == 0 && mm_test_now_ms() - t1 < 15000) usleep(50 * 1000);
    printf("re-subscribed and delivered %lld ms after SIGCONT\n", mm_test_now_ms() - t1);
    assert_int_equal(fired(&b), 1);
    assert_int_equal(subscribed(n), 1);
    mm_notifier_stats st;
    mm_notifier_get_stats(n, &st);
    assert_int_equal(st.rechecked, 1);
    assert_true(st.subscribes >= 2);

    mm_result_store_free(s);
    mm_notifier_free(n);
    pthread_mutex_destroy(&b.lock);
    char *stop[] = {"/bin/bash", script, "stop", dir, NULL};
    char *o2 = NULL, *e2 = NULL;
    mm_test_run(stop, &o2, &e2, 30000);
    free(o2);
    free(e2);
    free(out);
    free(err_text);
    free(url);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hang_and_resume),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
