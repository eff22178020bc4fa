/* test_subscription_def.c -- declaring subscriptions: what
 * mm_service_add_subscription accepts and refuses, and the check
 * mm_subscriptions_new makes against the merged schema (a binding to an
 * undeclared Subscription field or to a type that is not an object stops
 * the server with the reason). No Kafka is contacted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "common/config.h"
#include "service/schema_merge.h"
#include "service/service_internal.h"
#include "service/subscriptions.h"

static const char sdl[] = "type Thing { id: ID name: String }\n"
                          "type ThingMade { id: ID thing: Thing }\n"
                          "type Query { things: [Thing] }\n"
                          "type Subscription { thingMade(name: String): Thing }\n";

static const char *const made[] = {"ThingMade", NULL};

static void test_add_validates(void **state) {
    (void)state;
    mm_service *s = mm_service_new("things");
    assert_non_null(s);
    static const char *const bad_topics[] = {"no spaces allowed", NULL};
    static const char *const bad_types[] = {"not-a-name", NULL};
    assert_int_equal(
        mm_service_add_subscription(s, &(mm_subscription_def){.field = "1x", .event_types = made}),
        MM_EINVAL);
    assert_int_equal(mm_service_add_subscription(s, &(mm_subscription_def){.field = "thingMade"}),
                     MM_EINVAL);
    assert_int_equal(mm_service_add_subscription(
                         s, &(mm_subscription_def){.field = "thingMade", .event_types = bad_types}),
                     MM_EINVAL);
    assert_int_equal(mm_service_add_subscription(s, &(mm_subscription_def){.field = "thingMade",
                                                                           .event_types = made,
                                                                           .topics = bad_topics}),
                     MM_EINVAL);
    assert_int_equal(mm_service_add_subscription(
                         s, &(mm_subscription_def){.field = "thingMade", .event_types = made}),
                     0);
    assert_int_equal(mm_service_add_subscription(
                         s, &(mm_subscription_def){.field = "thingMade", .event_types = made}),
                     MM_EEXIST);
    assert_int_equal(s->subscription_count, 1);
    assert_string_equal(s->subscriptions[0]->topics[0], "things"); /* the service topic */
    assert_null(s->subscriptions[0]->topics[1]);
    assert_string_equal(s->subscriptions[0]->event_types[0], "ThingMade");
    mm_service_free(s);
}

/* Whether mm_subscriptions_new accepts a schema of one service bound as def says. */
static int open_with(const mm_subscription_def *def, char *err, size_t err_size) {
    mm_service *s = mm_service_new("things");
    assert_int_equal(mm_service_add_sdl(s, sdl), 0);
    assert_int_equal(mm_service_add_subscription(s, def), 0);
    mm_service *svcs[] = {s};
    mm_gql_schema *schema = mm_services_build_schema(svcs, 1, NULL, 0, NULL, err, err_size);
    if (!schema) fail_msg("schema: %s", err);
    mm_config cfg = {.kafka_bootstrap_servers = "127.0.0.1:9"};
    mm_runtime rt = {.config = &cfg, .services = svcs, .service_count = 1};
    mm_graphql_options gopts;
    mm_graphql_options_init(&gopts);
    mm_subscriptions_options o = {.schema = schema, .graphql = &gopts, .rt = &rt};
    mm_subscriptions *subs = mm_subscriptions_new(&o, err, err_size);
    int ok = subs != NULL;
    mm_subscriptions_free(subs); /* the check is what is tested; nothing ran */
    mm_gql_schema_free(schema);
    mm_service_free(s);
    return ok;
}

static void test_checked_against_schema(void **state) {
    (void)state;
    char err[512] = "";
    assert_true(open_with(&(mm_subscription_def){.field = "thingMade", .event_types = made}, err,
                          sizeof err));
    static const char *const scalar[] = {"String", NULL};
    static const char *const unknown[] = {"NoSuchEvent", NULL};
    assert_false(open_with(&(mm_subscription_def){.field = "thingGone", .event_types = made}, err,
                           sizeof err));
    assert_non_null(strstr(err, "thingGone is not a field of `type Subscription`"));
    assert_false(open_with(&(mm_subscription_def){.field = "eventResult", .event_types = made}, err,
                           sizeof err));
    assert_non_null(strstr(err, "eventResult"));
    assert_false(open_with(&(mm_subscription_def){.field = "thingMade", .event_types = scalar}, err,
                           sizeof err));
    assert_non_null(strstr(err, "event type String is not an object type"));
    assert_false(open_with(&(mm_subscription_def){.field = "thingMade", .event_types = unknown},
                           err, sizeof err));
    assert_non_null(strstr(err, "NoSuchEvent"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_validates),
        cmocka_unit_test(test_checked_against_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
