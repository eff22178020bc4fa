/* manager_auth.c -- the auth code check of manager fields.
 *
 * The comparison must not tell an attacker how much of a guess was right:
 * it walks the whole guess whatever happens, folds every byte difference
 * into one accumulator, and compares the lengths the same way, so its time
 * depends only on the guess's length. The code itself never reaches a log
 * or an error message. */
#include <stdint.h>
#include <string.h>

#include "common/log.h"
#include "manager/manager_internal.h"

int mm_manager_code_equal(const char *given, size_t given_len, const char *expected,
                          size_t expected_len) {
    if (!given || !expected || expected_len == 0) return 0;
    /* Compare every byte of the guess against the code, wrapping around the
     * code so that a longer guess costs the same per byte and never reads
     * out of bounds; a length mismatch is folded in at the end. */
    volatile uint8_t diff = 0;
    size_t j = 0;
    for (size_t i = 0; i < given_len; i++) {
        diff |= (uint8_t)((uint8_t)given[i] ^ (uint8_t)expected[j]);
        j++;
        j &= (size_t)0 - (size_t)(j < expected_len); /* j = j < len ? j : 0, without a branch */
    }
    size_t len_diff = given_len ^ expected_len;
    uint8_t len_bits = 0;
    for (size_t k = 0; k < sizeof len_diff; k++) len_bits |= (uint8_t)(len_diff >> (8 * k));
    diff |= len_bits;
    return diff == 0;
}

int mm_manager_authorize(mm_manager *m, json_t *args, mm_gql_resolve_info *info, int required) {
    json_t *code = json_object_get(args, "authCode");
    if (!json_is_string(code)) {
        if (!required) return 1;
    } else if (mm_manager_code_equal(json_string_value(code), json_string_length(code),
                                     m->auth_code, m->auth_code_len)) {
        return 1;
    }
    mm_log_warn("msg=\"manager: unauthorized\" field=%s auth_code=%s", info->field_name,
                json_is_string(code) ? "wrong" : "missing");
    mm_gql_resolve_error(info, json_pack("{s:s}", "code", "UNAUTHORIZED"),
                         "Unauthorized: a valid authCode is required for %s.", info->field_name);
    return 0;
}
