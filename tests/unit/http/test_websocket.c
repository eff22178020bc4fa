/* test_websocket.c -- RFC 6455 framing (src/http/websocket.c) on its own:
 * the accept key of the RFC's example, masked frames (the RFC's examples),
 * the frames a server must refuse, partial input and the lengths' three
 * encodings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "http/websocket.h"

static void test_accept_key(void **state) {
    (void)state;
    char out[29];
    const char *key = "dGhlIHNhbXBsZSBub25jZQ=="; /* RFC 6455 section 1.3 */
    assert_int_equal(mm_ws_accept_key(key, strlen(key), out), 0);
    assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_int_equal(mm_ws_accept_key("short", 5, out), -1);
    assert_int_equal(mm_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ!!", 24, out), -1);
}

static void test_masked_text(void **state) {
    (void)state;
    /* RFC 6455 5.7: a single-frame masked text message "Hello". */
    unsigned char f[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    mm_ws_frame fr;
    for (size_t cut = 0; cut < sizeof f; cut++) {
        unsigned char tmp[sizeof f];
        memcpy(tmp, f, sizeof f);
        assert_int_equal(mm_ws_parse_frame(tmp, cut, 1024, &fr), 0);
    }
    assert_int_equal(mm_ws_parse_frame(f, sizeof f, 1024, &fr), (long)sizeof f);
    assert_true(fr.fin);
    assert_int_equal(fr.opcode, MM_WS_OP_TEXT);
    assert_int_equal(fr.payload_len, 5);
    assert_memory_equal(fr.payload, "Hello", 5);
}

static void test_fragments_and_ping(void **state) {
    (void)state;
    /* "Hel" (not final) + continuation "lo", mask 0, then a masked ping. */
    unsigned char f[] = {0x01, 0x83, 0, 0,   0,   0,    'H',  'e', 'l', 0x80, 0x82, 0,
                         0,    0,    0, 'l', 'o', 0x89, 0x80, 1,   2,   3,    4};
    mm_ws_frame fr;
    long n = mm_ws_parse_frame(f, sizeof f, 1024, &fr);
    assert_int_equal(n, 9);
    assert_false(fr.fin);
    assert_int_equal(fr.opcode, MM_WS_OP_TEXT);
    long m = mm_ws_parse_frame(f + n, sizeof f - (size_t)n, 1024, &fr);
    assert_int_equal(m, 8);
    assert_true(fr.fin);
    assert_int_equal(fr.opcode, MM_WS_OP_CONT);
    assert_memory_equal(fr.payload, "lo", 2);
    assert_int_equal(mm_ws_parse_frame(f + n + m, sizeof f - (size_t)(n + m), 1024, &fr), 6);
    assert_int_equal(fr.opcode, MM_WS_OP_PING);
    assert_int_equal(fr.payload_len, 0);
}

static void test_refused(void **state) {
    (void)state;
    mm_ws_frame fr;
    unsigned char unmasked[] = {0x81, 0x01, 'x'};
    assert_int_equal(mm_ws_parse_frame(unmasked, sizeof unmasked, 1024, &fr),
                     -MM_WS_CLOSE_PROTOCOL);
    unsigned char rsv[] = {0xC1, 0x80, 0, 0, 0, 0};
    assert_int_equal(mm_ws_parse_frame(rsv, sizeof rsv, 1024, &fr), -MM_WS_CLOSE_PROTOCOL);
    unsigned char opcode[] = {0x83, 0x80, 0, 0, 0, 0};
    assert_int_equal(mm_ws_parse_frame(opcode, sizeof opcode, 1024, &fr), -MM_WS_CLOSE_PROTOCOL);
    unsigned char frag_ping[] = {0x09, 0x80, 0, 0, 0, 0};
    assert_int_equal(mm_ws_parse_frame(frag_ping, sizeof frag_ping, 1024, &fr),
                     -MM_WS_CLOSE_PROTOCOL);
    unsigned char long_close[] = {0x88, 0xFE, 0x00, 0x80};
    assert_int_equal(mm_ws_parse_frame(long_close, sizeof long_close, 1024, &fr),
                     -MM_WS_CLOSE_PROTOCOL);
    unsigned char non_minimal[] = {0x81, 0xFE, 0x00, 0x05, 0, 0, 0, 0, 'a', 'b', 'c', 'd', 'e'};
    assert_int_equal(mm_ws_parse_frame(non_minimal, sizeof non_minimal, 1024, &fr),
                     -MM_WS_CLOSE_PROTOCOL);
    unsigned char huge[] = {0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(mm_ws_parse_frame(huge, sizeof huge, 1024, &fr), -MM_WS_CLOSE_PROTOCOL);
    unsigned char big[] = {0x82, 0xFE, 0x04, 0x01};
    assert_int_equal(mm_ws_parse_frame(big, sizeof big, 1024, &fr), -MM_WS_CLOSE_TOO_BIG);
}

static void test_lengths(void **state) {
    (void)state;
    unsigned char hdr[10];
    assert_int_equal(mm_ws_frame_header(hdr, MM_WS_OP_TEXT, 125), 2);
    assert_int_equal(hdr[0], 0x81);
    assert_int_equal(hdr[1], 125);
    assert_int_equal(mm_ws_frame_header(hdr, MM_WS_OP_TEXT, 126), 4);
    assert_int_equal(hdr[1], 126);
    assert_int_equal(hdr[2] << 8 | hdr[3], 126);
    assert_int_equal(mm_ws_frame_header(hdr, MM_WS_OP_BINARY, 70000), 10);
    assert_int_equal(hdr[1], 127);
    assert_int_equal(hdr[7] << 16 | hdr[8] << 8 | hdr[9], 70000);
    /* A 126-byte masked client frame parses with the 16-bit length. */
    unsigned char f[4 + 4 + 126] = {0x81, 0xFE, 0x00, 126};
    memset(f + 8, 'a', 126);
    mm_ws_frame fr;
    assert_int_equal(mm_ws_parse_frame(f, sizeof f, 126, &fr), (long)sizeof f);
    assert_int_equal(fr.payload_len, 126);
    assert_int_equal(mm_ws_parse_frame(f, sizeof f, 125, &fr), -MM_WS_CLOSE_TOO_BIG);
}

static void test_close_codes(void **state) {
    (void)state;
    assert_true(mm_ws_close_code_valid(1000));
    assert_true(mm_ws_close_code_valid(4403));
    assert_false(mm_ws_close_code_valid(1005));
    assert_false(mm_ws_close_code_valid(1006));
    assert_false(mm_ws_close_code_valid(999));
    assert_false(mm_ws_close_code_valid(5000));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_key),
        cmocka_unit_test(test_masked_text),
        cmocka_unit_test(test_fragments_and_ping),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_close_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
