/* negotiate.c -- Accept and Content-Type handling for GraphQL over HTTP.
 *
 * The response media type follows the GraphQL-over-HTTP draft: the client's
 * Accept header picks between application/graphql-response+json and the legacy
 * application/json; a missing Accept (or a bare wildcard) gets
 * application/json, because legacy clients send no Accept and only understand
 * that type. text/html is reserved for browsers asking for GraphiQL. */
#include "http/http_server.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    CAND_GQL = 0,
    CAND_JSON = 1,
    CAND_HTML = 2,
    CAND_COUNT = 3
};

static const char *const cand_type[CAND_COUNT] = {"application", "application", "text"};
static const char *const cand_sub[CAND_COUNT] = {"graphql-response+json", "json", "html"};

typedef struct match {
    int specificity; /* -1 no match, 0 "*\/\*", 1 "type/\*", 2 exact */
    double q;
} match;

/* memchr over [p, end), NULL when p >= end. */
static const char *find_char(const char *p, const char *end, char c) {
    for (; p < end; p++)
        if (*p == c) return p;
    return NULL;
}

static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    return p;
}

static size_t trimmed_len(const char *p, const char *end) {
    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) end--;
    return (size_t)(end - p);
}

static int token_eq(const char *p, size_t len, const char *word) {
    return strlen(word) == len && strncasecmp(p, word, len) == 0;
}

/* Parses a qvalue (RFC 9110: 0, 0.x{0,3}, 1, 1.0{0,3}); -1 when malformed. */
static double parse_q(const char *p, size_t len) {
    if (len == 0 || len > 5) return -1;
    if (p[0] != '0' && p[0] != '1') return -1;
    if (len > 1 && p[1] != '.') return -1;
    double v = p[0] - '0', scale = 0.1;
    for (size_t i = 2; i < len; i++) {
        if (!isdigit((unsigned char)p[i])) return -1;
        if (p[0] == '1' && p[i] != '0') return -1;
        v += (p[i] - '0') * scale;
        scale /= 10;
    }
    return v;
}

/* 1 when a charset parameter value names UTF-8 (quotes allowed). */
static int charset_is_utf8(const char *p, size_t len) {
    if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
        p++;
        len -= 2;
    }
    return token_eq(p, len, "utf-8") || token_eq(p, len, "utf8");
}

/* Looks at one media range [p, end) and updates the candidates it matches. */
static void consider_range(const char *p, const char *end, match m[CAND_COUNT]) {
    p = skip_ws(p, end);
    const char *semi = find_char(p, end, ';');
    const char *range_end = semi ? semi : end;
    size_t rlen = trimmed_len(p, range_end);
    const char *slash = find_char(p, p + rlen, '/');
    if (!slash || slash == p || (size_t)(slash - p) + 1 >= rlen) return; /* not type/subtype */
    size_t tlen = (size_t)(slash - p);
    const char *sub = slash + 1;
    size_t slen = rlen - tlen - 1;

    double q = 1.0;
    int charset_ok = 1;
    const char *param = semi;
    while (param && param < end) {
        const char *next = find_char(param + 1, end, ';');
        const char *pend = next ? next : end;
        const char *name = skip_ws(param + 1, pend);
        const char *eq = find_char(name, pend, '=');
        if (eq) {
            size_t nlen = trimmed_len(name, eq);
            const char *val = skip_ws(eq + 1, pend);
            size_t vlen = trimmed_len(val, pend);
            if (token_eq(name, nlen, "q")) {
                q = parse_q(val, vlen);
                if (q < 0) return; /* malformed weight: ignore the range */
            } else if (token_eq(name, nlen, "charset")) {
                charset_ok = charset_is_utf8(val, vlen);
            }
        }
        param = next;
    }
    if (!charset_ok) return; /* we only speak UTF-8 */

    int type_star = token_eq(p, tlen, "*");
    int sub_star = token_eq(sub, slen, "*");
    if (type_star && !sub_star) return; /* "*\/json" is not a valid range */
    for (int c = 0; c < CAND_COUNT; c++) {
        int spec;
        if (type_star) {
            spec = 0;
        } else if (!token_eq(p, tlen, cand_type[c])) {
            continue;
        } else if (sub_star) {
            spec = 1;
        } else if (token_eq(sub, slen, cand_sub[c])) {
            spec = 2;
        } else {
            continue;
        }
        /* The most specific matching range decides the weight (RFC 9110 12.5.1). */
        if (spec > m[c].specificity) {
            m[c].specificity = spec;
            m[c].q = q;
        } else if (spec == m[c].specificity && q > m[c].q) {
            m[c].q = q;
        }
    }
}

mm_http_media mm_http_negotiate(const char *accept, int allow_html) {
    if (!accept) return MM_HTTP_MEDIA_JSON;
    const char *p = accept, *end = accept + strlen(accept);
    if (skip_ws(p, end) == end) return MM_HTTP_MEDIA_JSON; /* empty: as if absent */
    match m[CAND_COUNT];
    for (int c = 0; c < CAND_COUNT; c++) {
        m[c].specificity = -1;
        m[c].q = 0;
    }
    while (p < end) {
        const char *comma = find_char(p, end, ',');
        const char *item_end = comma ? comma : end;
        consider_range(p, item_end, m);
        p = comma ? comma + 1 : end;
    }
    double qg = m[CAND_GQL].specificity >= 0 ? m[CAND_GQL].q : 0;
    double qj = m[CAND_JSON].specificity >= 0 ? m[CAND_JSON].q : 0;
    double qh = m[CAND_HTML].specificity >= 0 ? m[CAND_HTML].q : 0;

    mm_http_media json_choice = MM_HTTP_MEDIA_NONE;
    double qbest = 0;
    if (qg > 0 || qj > 0) {
        if (qg > qj) {
            json_choice = MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON;
        } else if (qj > qg) {
            json_choice = MM_HTTP_MEDIA_JSON;
        } else if (m[CAND_GQL].specificity == 2) {
            /* Same weight and graphql-response+json named: the modern type. */
            json_choice = MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON;
        } else {
            /* Only wildcards (or application/json): legacy clients want JSON. */
            json_choice = MM_HTTP_MEDIA_JSON;
        }
        qbest = qg > qj ? qg : qj;
    }
    if (allow_html && m[CAND_HTML].specificity >= 1 && qh > 0 && qh >= qbest)
        return MM_HTTP_MEDIA_HTML;
    return json_choice;
}

int mm_http_content_type_ok(const char *content_type) {
    if (!content_type) return 0;
    const char *p = content_type, *end = p + strlen(p);
    p = skip_ws(p, end);
    const char *semi = find_char(p, end, ';');
    const char *type_end = semi ? semi : end;
    if (!token_eq(p, trimmed_len(p, type_end), "application/json")) return 0;
    const char *param = semi;
    while (param && param < end) {
        const char *next = find_char(param + 1, end, ';');
        const char *pend = next ? next : end;
        const char *name = skip_ws(param + 1, pend);
        const char *eq = find_char(name, pend, '=');
        if (eq && token_eq(name, trimmed_len(name, eq), "charset")) {
            const char *val = skip_ws(eq + 1, pend);
            if (!charset_is_utf8(val, trimmed_len(val, pend))) return 0;
        }
        param = next;
    }
    return 1;
}

unsigned mm_http_outcome_status(mm_http_outcome outcome, mm_http_media media) {
    int modern = media == MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON;
    switch (outcome) {
    case MM_HTTP_OUTCOME_EXECUTED: return 200;
    case MM_HTTP_OUTCOME_BAD_REQUEST: return 400;
    case MM_HTTP_OUTCOME_PARSE_ERROR:
    case MM_HTTP_OUTCOME_VALIDATION_ERROR:
    case MM_HTTP_OUTCOME_VARIABLES_ERROR:
    case MM_HTTP_OUTCOME_OPERATION_ERROR: return modern ? 400 : 200;
    case MM_HTTP_OUTCOME_MUTATION_OVER_GET: return 405;
    case MM_HTTP_OUTCOME_UNAVAILABLE: return 503;
    case MM_HTTP_OUTCOME_STOPPED_TOO_LARGE: return modern ? 413 : 200;
    case MM_HTTP_OUTCOME_STOPPED_TIMEOUT: return modern ? 504 : 200;
    case MM_HTTP_OUTCOME_STOPPED_SHUTDOWN: return modern ? 503 : 200;
    case MM_HTTP_OUTCOME_INTERNAL_ERROR:
    default: return 500;
    }
}

const char *mm_http_outcome_name(mm_http_outcome outcome) {
    switch (outcome) {
    case MM_HTTP_OUTCOME_EXECUTED: return "executed";
    case MM_HTTP_OUTCOME_BAD_REQUEST: return "bad_request";
    case MM_HTTP_OUTCOME_PARSE_ERROR: return "parse";
    case MM_HTTP_OUTCOME_VALIDATION_ERROR: return "validation";
    case MM_HTTP_OUTCOME_VARIABLES_ERROR: return "variables";
    case MM_HTTP_OUTCOME_OPERATION_ERROR: return "operation";
    case MM_HTTP_OUTCOME_MUTATION_OVER_GET: return "mutation_over_get";
    case MM_HTTP_OUTCOME_INTERNAL_ERROR: return "internal";
    case MM_HTTP_OUTCOME_UNAVAILABLE: return "unavailable";
    case MM_HTTP_OUTCOME_STOPPED_TOO_LARGE: return "stopped_too_large";
    case MM_HTTP_OUTCOME_STOPPED_TIMEOUT: return "stopped_timeout";
    case MM_HTTP_OUTCOME_STOPPED_SHUTDOWN: return "stopped_shutdown";
    default: return "unknown";
    }
}
