/* js_number.c -- a double as JavaScript's String(number) writes it, for
 * JSON and GraphQL text that must be byte-identical to graphql-js's. */
#include "common/js_number.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *mm_js_number_string(double v, char buf[32]) {
    if (isnan(v)) {
        strcpy(buf, "NaN");
        return buf;
    }
    if (isinf(v)) {
        strcpy(buf, v > 0 ? "Infinity" : "-Infinity");
        return buf;
    }
    if (v == 0) {
        strcpy(buf, "0");
        return buf;
    }
    /* Shortest digits that read back as the same double. */
    char tmp[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v) break;
    }
    /* tmp is "-d.ddde[+-]xx": split into sign, digits and exponent. */
    const char *p = tmp;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    char digits[24];
    size_t nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    digits[nd] = '\0';
    int exp10 = atoi(p + 1); /* v = d.ddd * 10^exp10 */
    int n = exp10 + 1;       /* position of the decimal point, ECMA-262 "n" */
    char *o = buf;
    if (neg) *o++ = '-';
    int k = (int)nd;
    if (k <= n && n <= 21) {
        memcpy(o, digits, nd);
        o += nd;
        for (int i = 0; i < n - k; i++) *o++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(o, digits, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, digits + n, (size_t)(k - n));
        o += k - n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -n; i++) *o++ = '0';
        memcpy(o, digits, nd);
        o += nd;
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, nd - 1);
            o += nd - 1;
        }
        o += sprintf(o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
    *o = '\0';
    return buf;
}
