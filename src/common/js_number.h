/* js_number.h -- a double as JavaScript's String(number) writes it. */
#ifndef MM_COMMON_JS_NUMBER_H
#define MM_COMMON_JS_NUMBER_H

/* Shortest round-trip digits, "1e+21", "1e-7", "0.1", "-0" as "0", "NaN",
 * "Infinity". buf must hold 32 bytes; returns buf. */
char *mm_js_number_string(double value, char buf[32]);

#endif
