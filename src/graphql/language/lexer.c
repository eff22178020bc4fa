/* lexer.c -- the GraphQL lexer of lexer.h, following graphql-js 16's
 * language/lexer.ts rule by rule so that tokens, locations and error
 * messages match. The source is bytes (UTF-8); non-ASCII bytes are decoded
 * only where they may legally appear (strings, comments, the BOM), so the
 * common ASCII path is one byte compare per character with no allocation.
 * String values are decoded in two passes (validate and find the end, then
 * write) so their arena copy is exactly as long as needed. */
#include "graphql/language/lexer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {
    [MM_GQL_TOK_SOF] = "<SOF>",
    [MM_GQL_TOK_EOF] = "<EOF>",
    [MM_GQL_TOK_BANG] = "!",
    [MM_GQL_TOK_DOLLAR] = "$",
    [MM_GQL_TOK_AMP] = "&",
    [MM_GQL_TOK_PAREN_L] = "(",
    [MM_GQL_TOK_PAREN_R] = ")",
    [MM_GQL_TOK_SPREAD] = "...",
    [MM_GQL_TOK_COLON] = ":",
    [MM_GQL_TOK_EQUALS] = "=",
    [MM_GQL_TOK_AT] = "@",
    [MM_GQL_TOK_BRACKET_L] = "[",
    [MM_GQL_TOK_BRACKET_R] = "]",
    [MM_GQL_TOK_BRACE_L] = "{",
    [MM_GQL_TOK_PIPE] = "|",
    [MM_GQL_TOK_BRACE_R] = "}",
    [MM_GQL_TOK_NAME] = "Name",
    [MM_GQL_TOK_INT] = "Int",
    [MM_GQL_TOK_FLOAT] = "Float",
    [MM_GQL_TOK_STRING] = "String",
    [MM_GQL_TOK_BLOCK_STRING] = "BlockString",
    [MM_GQL_TOK_COMMENT] = "Comment",
};

const char *mm_gql_token_kind_name(mm_gql_token_kind kind) {
    if ((size_t)kind >= sizeof(kind_names) / sizeof(kind_names[0])) return "?";
    return kind_names[kind];
}

bool mm_gql_token_kind_is_punctuator(mm_gql_token_kind kind) {
    return kind >= MM_GQL_TOK_BANG && kind <= MM_GQL_TOK_BRACE_R;
}

size_t mm_gql_utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp) {
    if (avail == 0) return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2) return 0; /* continuation byte or overlong 2-byte lead */
    if (c < 0xE0) {
        if (avail < 2 || (s[1] & 0xC0) != 0x80) return 0;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        uint32_t v = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF)) return 0; /* overlong, surrogate */
        *cp = v;
        return 3;
    }
    if (c < 0xF5) {
        if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        uint32_t v = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                     ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        if (v < 0x10000 || v > 0x10FFFF) return 0;
        *cp = v;
        return 4;
    }
    return 0;
}

/* UTF-16 code units in s[from..to): what graphql-js counts columns in. The
 * bytes were validated already, so counting lead bytes suffices. */
static uint32_t utf16_units(const unsigned char *s, size_t from, size_t to) {
    uint32_t units = 0;
    for (size_t i = from; i < to; i++) {
        unsigned c = s[i];
        if ((c & 0xC0) != 0x80) units += (c >= 0xF0) ? 2 : 1;
    }
    return units;
}

mm_gql_loc mm_gql_loc_at(const char *src, size_t len, size_t offset) {
    const unsigned char *s = (const unsigned char *)src;
    if (offset > len) offset = len;
    uint32_t line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset; i++) {
        if (s[i] == '\n') {
            line++;
            line_start = i + 1;
        } else if (s[i] == '\r') {
            if (i + 1 < len && s[i + 1] == '\n') i++;
            line++;
            line_start = i + 1;
        }
    }
    if (line_start > offset) line_start = offset;
    mm_gql_loc loc = {line, 1 + utf16_units(s, line_start, offset), (uint32_t)offset};
    return loc;
}

void mm_gql_lexer_init(mm_gql_lexer *lx, mm_arena *arena, const char *src, size_t len) {
    memset(lx, 0, sizeof(*lx));
    lx->arena = arena;
    lx->src = src ? src : "";
    lx->len = src ? len : 0;
    lx->line = 1;
    lx->token.kind = MM_GQL_TOK_SOF;
    lx->token.loc.line = 1;
    lx->token.loc.column = 1;
}

/* ---- errors ------------------------------------------------------------ */

__attribute__((format(printf, 3, 4))) static int fail(mm_gql_lexer *lx, size_t pos, const char *fmt,
                                                      ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    lx->error = mm_arena_strdup(lx->arena, buf);
    if (!lx->error) lx->error = "Out of memory.";
    lx->error_loc = mm_gql_loc_at(lx->src, lx->len, pos);
    return -1;
}

/* Fails with prefix followed by graphql-js's printCodePointAt(pos) and ".";
 * a byte that is not valid UTF-8 gets the UTF-8 error instead. */
static int fail_cp(mm_gql_lexer *lx, size_t pos, const char *prefix) {
    const unsigned char *s = (const unsigned char *)lx->src;
    if (pos >= lx->len) return fail(lx, pos, "%s<EOF>.", prefix);
    unsigned c = s[pos];
    if (c >= 0x20 && c <= 0x7E) {
        if (c == '"') return fail(lx, pos, "%s'\"'.", prefix);
        return fail(lx, pos, "%s\"%c\".", prefix, (char)c);
    }
    uint32_t cp;
    if (!mm_gql_utf8_decode(s + pos, lx->len - pos, &cp))
        return fail(lx, pos, "Invalid UTF-8 sequence.");
    return fail(lx, pos, "%sU+%04X.", prefix, (unsigned)cp);
}

/* The bytes starting at pos that make up `units` UTF-16 code units (whole
 * characters), clipped at the end: graphql-js's body.slice(pos, pos+units). */
static size_t slice_bytes(const mm_gql_lexer *lx, size_t pos, size_t units) {
    const unsigned char *s = (const unsigned char *)lx->src;
    size_t q = pos, u = 0;
    while (q < lx->len && u < units) {
        uint32_t cp;
        size_t n = mm_gql_utf8_decode(s + q, lx->len - q, &cp);
        if (!n) break; /* stop before bytes that cannot be printed */
        q += n;
        u += cp >= 0x10000 ? 2 : 1;
    }
    return q - pos;
}

/* ---- tokens ------------------------------------------------------------ */

static void newline(mm_gql_lexer *lx, size_t pos) {
    lx->line++;
    lx->line_start = pos;
    lx->col_offset = pos;
    lx->col_units = 0;
}

static void make_token(mm_gql_lexer *lx, mm_gql_token *tok, mm_gql_token_kind kind, size_t start,
                       size_t end) {
    if (lx->col_offset < lx->line_start || lx->col_offset > start) {
        lx->col_offset = lx->line_start;
        lx->col_units = 0;
    }
    lx->col_units += utf16_units((const unsigned char *)lx->src, lx->col_offset, start);
    lx->col_offset = start;
    tok->kind = kind;
    tok->start = start;
    tok->end = end;
    tok->loc.line = lx->line;
    tok->loc.column = 1 + lx->col_units;
    tok->loc.offset = (uint32_t)start;
    tok->value = NULL;
    tok->value_len = 0;
}

static bool is_name_start(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_name_continue(int c) { return is_name_start(c) || is_digit(c); }

/* The byte at pos, or -1 past the end (graphql-js's charCodeAt NaN). */
static int at(const mm_gql_lexer *lx, size_t pos) {
    return pos < lx->len ? (unsigned char)lx->src[pos] : -1;
}

static int read_comment(mm_gql_lexer *lx, mm_gql_token *tok, size_t start) {
    const unsigned char *s = (const unsigned char *)lx->src;
    size_t q = start + 1;
    while (q < lx->len) {
        unsigned c = s[q];
        if (c == '\n' || c == '\r') break;
        if (c < 0x80) {
            q++;
        } else {
            uint32_t cp;
            size_t n = mm_gql_utf8_decode(s + q, lx->len - q, &cp);
            if (!n) return fail(lx, q, "Invalid UTF-8 sequence.");
            q += n;
        }
    }
    make_token(lx, tok, MM_GQL_TOK_COMMENT, start, q);
    tok->value = lx->src + start + 1;
    tok->value_len = q - start - 1;
    lx->pos = q;
    return 0;
}

/* Reads one or more digits at pos; returns the position after them or
 * (size_t)-1 after failing. */
static size_t read_digits(mm_gql_lexer *lx, size_t pos) {
    if (!is_digit(at(lx, pos))) {
        fail_cp(lx, pos, "Invalid number, expected digit but got: ");
        return (size_t)-1;
    }
    pos++;
    while (is_digit(at(lx, pos))) pos++;
    return pos;
}

static int read_number(mm_gql_lexer *lx, mm_gql_token *tok, size_t start) {
    size_t q = start;
    bool is_float = false;
    if (at(lx, q) == '-') q++;
    if (at(lx, q) == '0') {
        q++;
        if (is_digit(at(lx, q)))
            return fail_cp(lx, q, "Invalid number, unexpected digit after 0: ");
    } else {
        q = read_digits(lx, q);
        if (q == (size_t)-1) return -1;
    }
    if (at(lx, q) == '.') {
        is_float = true;
        q = read_digits(lx, q + 1);
        if (q == (size_t)-1) return -1;
    }
    if (at(lx, q) == 'e' || at(lx, q) == 'E') {
        is_float = true;
        q++;
        if (at(lx, q) == '+' || at(lx, q) == '-') q++;
        q = read_digits(lx, q);
        if (q == (size_t)-1) return -1;
    }
    if (at(lx, q) == '.' || is_name_start(at(lx, q)))
        return fail_cp(lx, q, "Invalid number, expected digit but got: ");
    make_token(lx, tok, is_float ? MM_GQL_TOK_FLOAT : MM_GQL_TOK_INT, start, q);
    tok->value = lx->src + start;
    tok->value_len = q - start;
    lx->pos = q;
    return 0;
}

static int hex_value(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* graphql-js read16BitHexCode: negative when any digit is not hex. */
static int32_t hex4(const mm_gql_lexer *lx, size_t pos) {
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value(at(lx, pos + (size_t)i));
        if (h < 0) return -1;
        v = (v << 4) | h;
    }
    return v;
}

static bool is_scalar_value(int64_t c) {
    return (c >= 0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0x10FFFF);
}

/* Reads the escape sequence starting with the backslash at pos. Stores the
 * code point and the sequence's byte length, or fails like graphql-js. */
static int read_escape(mm_gql_lexer *lx, size_t pos, uint32_t *cp, size_t *size) {
    int next = at(lx, pos + 1);
    if (next == 'u' && at(lx, pos + 2) == '{') {
        /* \u{...}: at most 12 characters (\u{00000000}); the arithmetic is
         * graphql-js's 32-bit one so the same inputs overflow. */
        int32_t point = 0;
        size_t n = 3;
        while (n < 12) {
            int c = at(lx, pos + n++);
            if (c == '}') {
                if (n < 5 || !is_scalar_value(point)) break;
                *cp = (uint32_t)point;
                *size = n;
                return 0;
            }
            int h = hex_value(c);
            point = h < 0 ? -1 : (int32_t)(((uint32_t)point << 4) | (uint32_t)h);
            if (point < 0) break;
        }
        size_t b = slice_bytes(lx, pos, n);
        return fail(lx, pos, "Invalid Unicode escape sequence: \"%.*s\".", (int)b, lx->src + pos);
    }
    if (next == 'u') {
        int32_t code = hex4(lx, pos + 2);
        if (is_scalar_value(code)) {
            *cp = (uint32_t)code;
            *size = 6;
            return 0;
        }
        if (code >= 0xD800 && code <= 0xDBFF && at(lx, pos + 6) == '\\' && at(lx, pos + 7) == 'u') {
            int32_t trail = hex4(lx, pos + 8);
            if (trail >= 0xDC00 && trail <= 0xDFFF) {
                *cp = 0x10000 + (((uint32_t)code - 0xD800) << 10) + ((uint32_t)trail - 0xDC00);
                *size = 12;
                return 0;
            }
        }
        size_t b = slice_bytes(lx, pos, 6);
        return fail(lx, pos, "Invalid Unicode escape sequence: \"%.*s\".", (int)b, lx->src + pos);
    }
    switch (next) {
    case '"': *cp = '"'; break;
    case '\\': *cp = '\\'; break;
    case '/': *cp = '/'; break;
    case 'b': *cp = '\b'; break;
    case 'f': *cp = '\f'; break;
    case 'n': *cp = '\n'; break;
    case 'r': *cp = '\r'; break;
    case 't': *cp = '\t'; break;
    default: {
        size_t b = slice_bytes(lx, pos, 2);
        return fail(lx, pos, "Invalid character escape sequence: \"%.*s\".", (int)b, lx->src + pos);
    }
    }
    *size = 2;
    return 0;
}

static size_t utf8_encode(uint32_t cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int oom(mm_gql_lexer *lx, size_t pos) {
    lx->error = "Out of memory.";
    lx->error_loc = mm_gql_loc_at(lx->src, lx->len, pos);
    return -1;
}

static int read_string(mm_gql_lexer *lx, mm_gql_token *tok, size_t start) {
    const unsigned char *s = (const unsigned char *)lx->src;
    size_t q = start + 1;
    bool escapes = false;
    for (;;) {
        if (q >= lx->len) return fail(lx, q, "Unterminated string.");
        unsigned c = s[q];
        if (c == '"') break;
        if (c == '\\') {
            uint32_t cp;
            size_t n;
            if (read_escape(lx, q, &cp, &n) < 0) return -1;
            escapes = true;
            q += n;
            continue;
        }
        if (c == '\n' || c == '\r') return fail(lx, q, "Unterminated string.");
        if (c < 0x80) {
            q++;
        } else {
            uint32_t cp;
            size_t n = mm_gql_utf8_decode(s + q, lx->len - q, &cp);
            if (!n) return fail(lx, q, "Invalid UTF-8 sequence.");
            q += n;
        }
    }
    /* Escapes never decode longer than they are written, so the raw length
     * bounds the value. */
    size_t raw_len = q - start - 1;
    char *value = mm_arena_alloc(lx->arena, raw_len + 1);
    if (!value) return oom(lx, start);
    size_t w = 0;
    if (!escapes) {
        memcpy(value, lx->src + start + 1, raw_len);
        w = raw_len;
    } else {
        size_t r = start + 1;
        while (r < q) {
            if (s[r] == '\\') {
                uint32_t cp;
                size_t n;
                read_escape(lx, r, &cp, &n); /* validated above */
                w += utf8_encode(cp, value + w);
                r += n;
            } else {
                value[w++] = (char)s[r++];
            }
        }
    }
    value[w] = '\0';
    make_token(lx, tok, MM_GQL_TOK_STRING, start, q + 1);
    tok->value = value;
    tok->value_len = w;
    lx->pos = q + 1;
    return 0;
}

/* Steps over one line of raw block-string text starting at *pos: sets
 * [*ls, *le) to the line's bytes and advances *pos past its terminator.
 * Returns whether that line ended with a terminator (so another follows). */
static bool block_line(const char *raw, size_t len, size_t *pos, size_t *ls, size_t *le) {
    size_t q = *pos;
    *ls = q;
    while (q < len && raw[q] != '\n' && raw[q] != '\r') q++;
    *le = q;
    if (q >= len) {
        *pos = q;
        return false;
    }
    if (raw[q] == '\r' && q + 1 < len && raw[q + 1] == '\n') q++;
    *pos = q + 1;
    return true;
}

char *mm_gql_block_string_value(mm_arena *arena, const char *raw, size_t raw_len, size_t *out_len) {
    /* First pass: common indentation (ignoring the first line) and the
     * first and last lines that are not only whitespace. */
    size_t common = SIZE_MAX, first = SIZE_MAX, last = 0;
    size_t pos = 0, ls, le, i = 0;
    bool more = true;
    while (more) {
        more = block_line(raw, raw_len, &pos, &ls, &le);
        size_t indent = 0;
        while (ls + indent < le && (raw[ls + indent] == ' ' || raw[ls + indent] == '\t')) indent++;
        if (ls + indent < le) {
            if (first == SIZE_MAX) first = i;
            last = i;
            if (i != 0 && indent < common) common = indent;
        }
        i++;
    }
    char *out = mm_arena_alloc(arena, raw_len + 1);
    if (!out) return NULL;
    size_t w = 0;
    if (first != SIZE_MAX) {
        pos = 0;
        i = 0;
        more = true;
        while (more && i <= last) {
            more = block_line(raw, raw_len, &pos, &ls, &le);
            if (i >= first) {
                if (i > first) out[w++] = '\n';
                size_t from = ls;
                if (i != 0) from = (le - ls) < common ? le : ls + common;
                for (size_t r = from; r < le;) {
                    if (raw[r] == '\\' && r + 4 <= le && raw[r + 1] == '"' && raw[r + 2] == '"' &&
                        raw[r + 3] == '"') {
                        out[w++] = '"';
                        out[w++] = '"';
                        out[w++] = '"';
                        r += 4;
                    } else {
                        out[w++] = raw[r++];
                    }
                }
            }
            i++;
        }
    }
    out[w] = '\0';
    if (out_len) *out_len = w;
    return out;
}

static int read_block_string(mm_gql_lexer *lx, mm_gql_token *tok, size_t start) {
    const unsigned char *s = (const unsigned char *)lx->src;
    size_t q = start + 3;
    uint32_t line = lx->line;
    size_t line_start = lx->line_start;
    for (;;) {
        if (q >= lx->len) return fail(lx, q, "Unterminated string.");
        unsigned c = s[q];
        if (c == '"' && at(lx, q + 1) == '"' && at(lx, q + 2) == '"') break;
        if (c == '\\' && at(lx, q + 1) == '"' && at(lx, q + 2) == '"' && at(lx, q + 3) == '"') {
            q += 4;
            continue;
        }
        if (c == '\n' || c == '\r') {
            q += (c == '\r' && at(lx, q + 1) == '\n') ? 2 : 1;
            line++;
            line_start = q;
            continue;
        }
        if (c < 0x80) {
            q++;
        } else {
            uint32_t cp;
            size_t n = mm_gql_utf8_decode(s + q, lx->len - q, &cp);
            if (!n) return fail(lx, q, "Invalid UTF-8 sequence.");
            q += n;
        }
    }
    size_t vlen;
    char *value = mm_gql_block_string_value(lx->arena, lx->src + start + 3, q - start - 3, &vlen);
    if (!value) return oom(lx, start);
    make_token(lx, tok, MM_GQL_TOK_BLOCK_STRING, start, q + 3);
    tok->value = value;
    tok->value_len = vlen;
    if (line != lx->line) {
        lx->line = line;
        lx->line_start = line_start;
        lx->col_offset = line_start;
        lx->col_units = 0;
    }
    lx->pos = q + 3;
    return 0;
}

int mm_gql_lexer_read(mm_gql_lexer *lx, mm_gql_token *tok) {
    const unsigned char *s = (const unsigned char *)lx->src;
    size_t n = lx->len;
    size_t p = lx->pos;
    mm_gql_token_kind punct;
    while (p < n) {
        unsigned c = s[p];
        switch (c) {
        case ' ':
        case '\t':
        case ',': p++; continue;
        case '\n':
            p++;
            newline(lx, p);
            continue;
        case '\r':
            p += (p + 1 < n && s[p + 1] == '\n') ? 2 : 1;
            newline(lx, p);
            continue;
        case 0xEF: /* U+FEFF, the byte order mark, is ignored anywhere */
            if (p + 2 < n && s[p + 1] == 0xBB && s[p + 2] == 0xBF) {
                p += 3;
                continue;
            }
            break;
        case '#': lx->pos = p; return read_comment(lx, tok, p);
        case '!': punct = MM_GQL_TOK_BANG; goto one;
        case '$': punct = MM_GQL_TOK_DOLLAR; goto one;
        case '&': punct = MM_GQL_TOK_AMP; goto one;
        case '(': punct = MM_GQL_TOK_PAREN_L; goto one;
        case ')': punct = MM_GQL_TOK_PAREN_R; goto one;
        case ':': punct = MM_GQL_TOK_COLON; goto one;
        case '=': punct = MM_GQL_TOK_EQUALS; goto one;
        case '@': punct = MM_GQL_TOK_AT; goto one;
        case '[': punct = MM_GQL_TOK_BRACKET_L; goto one;
        case ']': punct = MM_GQL_TOK_BRACKET_R; goto one;
        case '{': punct = MM_GQL_TOK_BRACE_L; goto one;
        case '|': punct = MM_GQL_TOK_PIPE; goto one;
        case '}': punct = MM_GQL_TOK_BRACE_R; goto one;
        case '.':
            if (p + 2 < n && s[p + 1] == '.' && s[p + 2] == '.') {
                make_token(lx, tok, MM_GQL_TOK_SPREAD, p, p + 3);
                lx->pos = p + 3;
                return 0;
            }
            break;
        case '"':
            lx->pos = p;
            if (p + 2 < n && s[p + 1] == '"' && s[p + 2] == '"')
                return read_block_string(lx, tok, p);
            return read_string(lx, tok, p);
        default: break;
        }
        /* IntValue | FloatValue | Name | an error */
        lx->pos = p;
        if (is_digit((int)c) || c == '-') return read_number(lx, tok, p);
        if (is_name_start((int)c)) {
            size_t q = p + 1;
            while (q < n && is_name_continue(s[q])) q++;
            make_token(lx, tok, MM_GQL_TOK_NAME, p, q);
            tok->value = lx->src + p;
            tok->value_len = q - p;
            lx->pos = q;
            return 0;
        }
        if (c == '\'')
            return fail(
                lx, p,
                "Unexpected single quote character ('), did you mean to use a double quote (\")?");
        return fail_cp(lx, p, "Unexpected character: ");
    }
    lx->pos = n;
    make_token(lx, tok, MM_GQL_TOK_EOF, n, n);
    return 0;
one:
    make_token(lx, tok, punct, p, p + 1);
    lx->pos = p + 1;
    return 0;
}

int mm_gql_lexer_advance(mm_gql_lexer *lx) {
    if (lx->token.kind == MM_GQL_TOK_EOF) return 0;
    do {
        if (mm_gql_lexer_read(lx, &lx->token) < 0) return -1;
    } while (lx->token.kind == MM_GQL_TOK_COMMENT);
    return 0;
}
