/* test_json_fast.c -- the fast JSON path of the event decoder (bus/json_fast.h)
 * against jansson itself: whatever the fast path accepts, jansson accepts
 * too and builds the same tree (same members in the same order); whatever
 * jansson rejects, the fast path leaves to it; what its check-only mode
 * (lazy decoding) accepts, the fast path takes. Fixed cases plus a few
 * thousand generated and mutated documents (a fixed seed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus/json_fast.h"

/* Same members in the same order, recursively (json_equal ignores order). */
static int same_tree(json_t *a, json_t *b) {
    if (!json_equal(a, b)) return 0;
    if (json_is_object(a)) {
        void *ia = json_object_iter(a), *ib = json_object_iter(b);
        for (; ia && ib; ia = json_object_iter_next(a, ia), ib = json_object_iter_next(b, ib))
            if (strcmp(json_object_iter_key(ia), json_object_iter_key(ib)) != 0 ||
                !same_tree(json_object_iter_value(ia), json_object_iter_value(ib)))
                return 0;
        return ia == NULL && ib == NULL;
    }
    if (json_is_array(a))
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same_tree(json_array_get(a, i), json_array_get(b, i))) return 0;
    return 1;
}

/* The invariant; returns whether the fast path took the input. */
static int check(const char *text, size_t len) {
    json_t *fast = mm_json_fast_object(text, len);
    json_t *ref = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    if (fast) {
        if (!ref || !json_is_object(ref) || !same_tree(fast, ref))
            fail_msg("fast path disagrees with jansson on: %.*s", (int)len, text);
    }
    int took = fast != NULL;
    /* The check-only mode (lazy decoding) never says yes where the fast
     * path would not take the bytes. */
    if (mm_json_fast_check_object(text, len) && !took)
        fail_msg("checked but not taken: %.*s", (int)len, text);
    json_decref(fast);
    json_decref(ref);
    return took;
}

static int check_s(const char *text) { return check(text, strlen(text)); }

static void test_handled(void **state) {
    (void)state;
    /* What the framework's events look like: all on the fast path. */
    const char *handled[] = {
        "{}",
        " { } ",
        "{\"name\":\"bench\",\"template\":\"t\",\"creator\":\"b\",\"id\":"
        "\"3f1c2a9e-0b7d-4c55-9a0e-1d2e3f4a5b6c\"}",
        "{\"n\":0,\"m\":-12,\"big\":999999999999999999,\"neg\":-999999999999999999}",
        "{\"t\":true,\"f\":false,\"z\":null,\"e\":\"\"}",
        "{\"o\":{\"a\":[1,2,{\"b\":[]}],\"c\":{}},\"s\":\"caf\xc3\xa9 \xe2\x82\xac\"}",
        "{\"esc\":\"a\\\"b\\\\c\\/d\\n\\r\\t\\b\\f\",\"\":1}",
        "\n\t{ \"a\" : [ 1 , \"x\" ] ,\r\n \"b\" : -0 }\n",
        "{\"k\\n\":\"key with an escape\"}",
    };
    for (size_t i = 0; i < sizeof handled / sizeof *handled; i++)
        if (!check_s(handled[i])) fail_msg("not on the fast path: %s", handled[i]);
    /* The check-only mode takes them too (no key with an escape among them). */
    assert_true(mm_json_fast_check_object(handled[2], strlen(handled[2])));
    assert_false(mm_json_fast_check_object(handled[8], strlen(handled[8])));
    /* A long string with escapes (unescaped on the heap). */
    char big[2000] = "{\"s\":\"";
    for (int i = 0; i < 300; i++) strcat(big, "ab\\n");
    strcat(big, "\"}");
    assert_true(check_s(big));
}

static void test_left_to_jansson(void **state) {
    (void)state;
    /* Valid JSON the fast path leaves to jansson, and invalid JSON. */
    const char *left[] = {
        "{\"r\":1.5}",
        "{\"r\":1e3}",
        "{\"u\":\"\\u00e9\"}",
        "{\"nul\":\"\\u0000\"}",
        "{\"big\":9223372036854775807}",
        "{\"big\":99999999999999999999}",
        "{\"a\":1,\"a\":2}",
        "[1,2]",
        "\"s\"",
        "",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{\"a\":01}",
        "{\"a\":-}",
        "{\"a\":tru}",
        "{\"a\":truex}",
        "{\"a\":\"x\"}x",
        "{\"a\":\"unterminated}",
        "{\"a\":\"bad \\x escape\"}",
        "{\"a\":\"ends in a backslash\\",
        "{\"a\":\"ctrl \x01\"}",
        "{'a':1}",
        "{\"a\":[1,]}",
        "{\"a\":[1 2]}",
    };
    for (size_t i = 0; i < sizeof left / sizeof *left; i++)
        if (check_s(left[i])) fail_msg("taken by the fast path: %s", left[i]);
    /* Deep nesting goes to jansson; shallow is fine. */
    char deep[400] = "";
    for (int i = 0; i < 40; i++) strcat(deep, "{\"a\":");
    strcat(deep, "1");
    for (int i = 0; i < 40; i++) strcat(deep, "}");
    assert_false(check_s(deep));
    /* Embedded NUL byte. */
    assert_false(check("{\"a\":\"x\0y\"}", 11));
}

/* A random document from a small grammar. */
static void gen(char *out, size_t *n, size_t cap, int depth, unsigned *seed) {
    static const char *atoms[] = {
        "0",    "-1",   "42",    "123456789012345678", "1.5",         "true", "false",
        "null", "\"\"", "\"x\"", "\"a\\nb\"",          "\"\\u0041\"", "-0",   "1e2"};
    int kind = depth > 3 ? 2 : rand_r(seed) % 3;
#define PUT(s)                                                 \
    do {                                                       \
        const char *s_ = (s);                                  \
        size_t l_ = strlen(s_);                                \
        if (*n + l_ < cap) memcpy(out + *n, s_, l_), *n += l_; \
    } while (0)
    if (kind == 0) {
        PUT("{");
        int members = rand_r(seed) % 4;
        for (int i = 0; i < members; i++) {
            char key[16];
            snprintf(key, sizeof key, "%s\"k%d\":", i ? "," : "", rand_r(seed) % 5);
            PUT(key);
            gen(out, n, cap, depth + 1, seed);
        }
        PUT("}");
    } else if (kind == 1) {
        PUT("[");
        int items = rand_r(seed) % 4;
        for (int i = 0; i < items; i++) {
            if (i) PUT(",");
            gen(out, n, cap, depth + 1, seed);
        }
        PUT("]");
    } else {
        PUT(atoms[rand_r(seed) % (sizeof atoms / sizeof *atoms)]);
    }
#undef PUT
}

static void test_generated(void **state) {
    (void)state;
    unsigned seed = 20261206;
    static const char mut[] = "{}[]:,\"\\ 0123456789-.eEtrufalsn\t\nx";
    int taken = 0;
    for (int round = 0; round < 5000; round++) {
        char doc[4096];
        size_t n = 0;
        doc[n++] = '{';
        doc[n++] = '"';
        doc[n++] = 'r';
        doc[n++] = '"';
        doc[n++] = ':';
        gen(doc, &n, sizeof doc - 2, 0, &seed);
        doc[n++] = '}';
        taken += check(doc, n);
        /* Up to three single-byte mutations of it. */
        for (int m = 0; m < 3 && n > 2; m++) {
            size_t at = (size_t)rand_r(&seed) % n;
            int op = rand_r(&seed) % 3;
            char c = mut[(size_t)rand_r(&seed) % (sizeof mut - 1)];
            if (op == 0) {
                doc[at] = c;
            } else if (op == 1 && n + 1 < sizeof doc) {
                memmove(doc + at + 1, doc + at, n - at);
                doc[at] = c;
                n++;
            } else {
                memmove(doc + at, doc + at + 1, n - at - 1);
                n--;
            }
            check(doc, n);
        }
    }
    /* The generator is not all reals and \u escapes: most documents are taken. */
    assert_true(taken > 1000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handled),
        cmocka_unit_test(test_left_to_jansson),
        cmocka_unit_test(test_generated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
