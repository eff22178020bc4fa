/* test_responder_cancel.c -- regression test: a handler that answers late
 * (after the server already answered at the deadline) must find the cancel
 * callback finished when mm_http_respond returns, so it can free what it
 * gave the callback. Found by the gateway test under ASan: the callback ran
 * on the deadline thread after the handler's respond had freed its state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "http/http_server.h"
#include "mm_test.h"
#include "metamorphosis.h"

typedef struct waiter_state {
    atomic_int callback_started;
    atomic_int callback_finished;
} waiter_state;

static mm_http_responder *parked;
static waiter_state *parked_state;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The cancel callback is slow, so a respond from another thread overlaps it. */
static void slow_cancel(void *arg, mm_http_responder *r, mm_http_cancel_reason reason) {
    (void)r;
    (void)reason;
    waiter_state *st = arg;
    atomic_store(&st->callback_started, 1);
    usleep(300 * 1000);
    atomic_store(&st->callback_finished, 1);
}

static void park(void *ud, const mm_http_graphql_request *req, mm_http_responder *responder) {
    (void)ud;
    (void)req;
    waiter_state *st = calloc(1, sizeof(*st));
    pthread_mutex_lock(&lock);
    parked = responder;
    parked_state = st;
    pthread_mutex_unlock(&lock);
    mm_http_responder_on_cancel(responder, slow_cancel, st);
}

static void test_late_respond_waits_for_running_cancel_callback(void **state) {
    (void)state;
    mm_http_config hc;
    mm_http_config_init(&hc);
    hc.port = 0;
    hc.request_timeout_ms = 100;
    hc.disable_access_log = 1;
    mm_http_server *server = mm_http_server_new(&hc, park, NULL);
    assert_non_null(server);
    assert_int_equal(mm_http_server_start(server), 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/graphql", (unsigned)mm_http_server_port(server));
    char *argv[] = {"/usr/bin/curl",
                    "-s",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    "-X",
                    "POST",
                    "-H",
                    "content-type: application/json",
                    "--data-binary",
                    "{\"query\":\"{a}\"}",
                    url,
                    NULL};
    char *out = NULL, *err = NULL;
    assert_int_equal(mm_test_run(argv, &out, &err, 20000), 0);
    assert_string_equal(out, "504");
    free(out);
    free(err);

    pthread_mutex_lock(&lock);
    mm_http_responder *r = parked;
    waiter_state *st = parked_state;
    pthread_mutex_unlock(&lock);
    assert_non_null(r);
    /* The server answered; its callback may still be sleeping. Wait until it
     * has at least started, then answer late from this thread. */
    while (!atomic_load(&st->callback_started)) usleep(1000);
    assert_int_equal(mm_http_respond(r, MM_HTTP_OUTCOME_EXECUTED, json_object()), MM_ETIMEDOUT);
    /* Once respond returned, the callback is done: freeing its state is safe. */
    assert_int_equal(atomic_load(&st->callback_finished), 1);
    free(st);

    mm_http_server_stop(server, 1000);
    mm_http_server_free(server);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_late_respond_waits_for_running_cancel_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
