/* test_def_layout.c -- definitions stay readable across header versions:
 * a service compiled against the 0.1 layout (mod_old_layout.so, loaded
 * with dlopen as gregor loads services) is read member by member; a
 * definition from a newer header is accepted when its unknown members are
 * zero and refused when one is set; one smaller than any layout is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "mm_test.h"
#include "service/service_internal.h"

static void old_layout_service_loads(void **state) {
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/mod_old_layout.so", mm_test_binary_dir());
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) fail_msg("dlopen %s: %s", path, dlerror());
    mm_service *(*define)(void);
    *(void **)(&define) = dlsym(h, MM_SERVICE_SYMBOL);
    assert_non_null(define);
    mm_service *s = define();
    assert_non_null(s);

    assert_int_equal(s->mutation_count, 1);
    const mm_mutation_spec *m = s->mutations[0];
    assert_string_equal(m->name, "ping");
    assert_string_equal(m->arguments, "text: String");
    assert_string_equal(m->event_type, "Pinged");
    assert_string_equal(m->result_type, "Pinged");
    assert_int_equal(m->timings, MM_TIMING_SYNCHRONOUS | MM_TIMING_ASYNCHRONOUS);
    assert_int_equal(m->default_timing, MM_TIMING_SYNCHRONOUS);
    assert_true(m->timing_argument);
    assert_string_equal(m->topic, "old-layout-out");
    assert_int_equal(m->timeout_ms, 1234);
    assert_non_null(m->mutate_event);
    assert_non_null(m->ud);

    assert_int_equal(s->consumer_count, 1);
    const mm_consumer_spec *c = s->consumers[0];
    assert_string_equal(c->name, "pinged");
    assert_string_equal(c->group_id, "old-group");
    assert_string_equal(c->topics[0], "old-layout-in");
    assert_null(c->topics[1]);
    assert_string_equal(c->event_types[0], "Pinged");
    assert_int_equal(c->save_result, 1);
    assert_ptr_equal(c->ud, m->ud);

    /* The 0.1 scalar callbacks (no ud) are called as such. */
    assert_int_equal(s->scalar_count, 1);
    const mm_scalar_spec *sc = &s->scalars[0];
    assert_string_equal(sc->name, "Twice");
    assert_null(sc->serialize);
    assert_non_null(sc->v0_serialize);
    json_t *in = json_string("ab");
    const char *err = NULL;
    json_t *out = sc->v0_serialize(in, &err);
    assert_string_equal(json_string_value(out), "abab");
    json_decref(out);
    json_decref(in);

    mm_service_free(s);
    dlclose(h);
}

static json_t *mutate(void *ud, mm_mutation_call *call, json_t *args) {
    (void)ud, (void)call, (void)args;
    return json_object();
}

static json_t *echo(void *ud, json_t *value, const char **error) {
    (void)error;
    *(int *)ud += 1;
    return json_incref(value);
}

/* A header from the future: the same definition with a member appended. */
typedef struct future_mutation_def {
    mm_mutation_def def;
    long long added_later;
} future_mutation_def;

static void newer_and_smaller_layouts(void **state) {
    (void)state;
    mm_service *s = mm_service_new("layouts");
    assert_non_null(s);
    future_mutation_def f;
    memset(&f, 0, sizeof f);
    f.def.name = "zeroTail";
    f.def.event_type = "E";
    f.def.mutate_event = mutate;
    assert_int_equal(mm_service_add_mutation_sized(s, &f.def, sizeof f), 0);
    f.def.name = "setTail";
    f.added_later = 1;
    assert_int_equal(mm_service_add_mutation_sized(s, &f.def, sizeof f), MM_EINVAL);
    assert_int_equal(mm_service_add_mutation_sized(s, &f.def, offsetof(mm_mutation_def, ud)),
                     MM_EINVAL);
    assert_int_equal(s->mutation_count, 1);

    /* The macro passes this header's size; the scalar's ud reaches its callbacks. */
    int calls = 0;
    mm_scalar_def sd = {.name = "Echo", .serialize = echo, .parse_value = echo, .ud = &calls};
    assert_int_equal(mm_service_add_scalar(s, &sd), 0);
    const mm_scalar_spec *sc = &s->scalars[0];
    assert_null(sc->v0_serialize);
    json_t *v = json_true();
    const char *err = NULL;
    json_decref(sc->parse_value(sc->ud, v, &err));
    assert_int_equal(calls, 1);
    mm_service_free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(old_layout_service_loads),
        cmocka_unit_test(newer_and_smaller_layouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
