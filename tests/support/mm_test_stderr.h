/* mm_test_stderr.h -- capture what a test's code writes to stderr (file
 * descriptor 2, so librdkafka's and the logger's output too) to read it
 * back. One capture at a time. */
#ifndef MM_TEST_STDERR_H
#define MM_TEST_STDERR_H

/* From now on stderr goes to a temporary file. */
void mm_test_stderr_capture_start(void);

/* Restores stderr and returns what was written since the start (free()). */
char *mm_test_stderr_capture_end(void);

#endif
