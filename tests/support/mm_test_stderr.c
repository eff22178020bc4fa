/* mm_test_stderr.c -- stderr captured into a temporary file
 * (mm_test_stderr.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mm_test_stderr.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static FILE *tmp;
static int saved_fd = -1;

void mm_test_stderr_capture_start(void) {
    assert_null(tmp); /* one capture at a time */
    fflush(stderr);
    tmp = tmpfile();
    assert_non_null(tmp);
    saved_fd = dup(2);
    assert_true(dup2(fileno(tmp), 2) >= 0);
}

char *mm_test_stderr_capture_end(void) {
    assert_non_null(tmp);
    fflush(stderr);
    assert_true(dup2(saved_fd, 2) >= 0);
    close(saved_fd);
    saved_fd = -1;
    long n = ftell(tmp);
    char *text = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
    assert_non_null(text);
    rewind(tmp);
    size_t got = fread(text, 1, (size_t)(n > 0 ? n : 0), tmp);
    text[got] = '\0';
    fclose(tmp);
    tmp = NULL;
    return text;
}
