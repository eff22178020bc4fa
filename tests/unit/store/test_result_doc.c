/* test_result_doc.c -- the documented result key, notification channel and
 * result document shapes (docs/redis-keys.md), without a Redis server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "metamorphosis.h"
#include "bus/envelope.h"
#include "store/results.h"

static void test_names(void **state) {
    (void)state;
    char buf[64];
    assert_int_equal(mm_result_key("mm", "abc", buf, sizeof buf), 0);
    assert_string_equal(buf, "mm:result:abc");
    assert_int_equal(mm_result_channel("mm", "srv-1", buf, sizeof buf), 0);
    assert_string_equal(buf, "mm:done:srv-1");
    assert_int_equal(mm_result_key("mm", "", buf, sizeof buf), MM_EINVAL);
    assert_int_equal(mm_result_key("mm", NULL, buf, sizeof buf), MM_EINVAL);
    char tiny[8];
    assert_int_equal(mm_result_key("mm", "abcdef", tiny, sizeof tiny), MM_EINVAL);
}

static void test_docs(void **state) {
    (void)state;
    json_t *ev = json_pack("{s:s, s:{s:i}}", "type", "Done", "data", "n", 1);
    json_t *ok = mm_result_doc_event("e1", ev);
    assert_string_equal(json_string_value(json_object_get(ok, "sourceEventId")), "e1");
    assert_string_equal(json_string_value(json_object_get(ok, "status")), "ok");
    assert_true(json_equal(json_object_get(ok, "event"), ev));
    assert_null(mm_result_doc_event(NULL, ev));
    json_decref(ok);
    json_decref(ev);

    json_t *err = mm_result_doc_error("e2", "forms", "KeyError", "no such form", NULL, NULL);
    assert_string_equal(json_string_value(json_object_get(err, "status")), "error");
    json_t *e = json_object_get(err, "error");
    assert_string_equal(json_string_value(json_object_get(e, "namespace")), "forms");
    assert_string_equal(json_string_value(json_object_get(e, "className")), "KeyError");
    assert_string_equal(json_string_value(json_object_get(e, "message")), "no such form");
    assert_true(json_is_null(json_object_get(e, "code")));
    assert_true(json_is_null(json_object_get(e, "data")));
    assert_string_equal(json_string_value(json_object_get(e, "sourceEventId")), "e2");
    json_decref(err);
}

/* mm_result_text_event builds, without a JSON tree, the same document as
 * mm_result_doc_event over mm_event_to_json (bus/envelope.c). */
static void test_text_event(void **state) {
    (void)state;
    mm_event_ext ext = {.name = "trace", .value = "t\"1"};
    mm_event ev = {.id = "e-1",
                   .source = "/metamorphosis/forms",
                   .type = "FormCreatedEvent",
                   .time = "2026-12-06T00:00:00.000Z",
                   .cause_id = "c\\2\n",
                   .ext = &ext,
                   .ext_count = 1};
    const char *data = "{\"id\":\"e-1\",\"form\":{\"name\":\"x\\u0001\"}}";
    size_t len = 0;
    char *text = mm_result_text_event("src-\"1", &ev, data, strlen(data), &len);
    assert_non_null(text);
    assert_int_equal(len, strlen(text));
    json_error_t jerr;
    json_t *got = json_loads(text, 0, &jerr);
    if (!got) fail_msg("not JSON: %s: %s", jerr.text, text);
    json_t *event =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "specversion", "1.0", "id", "e-1",
                  "source", "/metamorphosis/forms", "type", "FormCreatedEvent", "time",
                  "2026-12-06T00:00:00.000Z", "datacontenttype", "application/json", "mmcauseid",
                  "c\\2\n", "trace", "t\"1", "data", json_loads(data, 0, NULL));
    json_t *want = mm_result_doc_event("src-\"1", event);
    assert_true(json_equal(got, want));
    json_decref(event);
    json_decref(want);
    json_decref(got);
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_docs),
        cmocka_unit_test(test_text_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
