/* test_random_bytes.c -- the per-thread getrandom buffer: bytes are not
 * handed out twice (in one thread, across threads, across a refill, and
 * above all across fork: a child must not repeat what its parent takes next
 * from the buffer both inherited), and large requests are served whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/random_bytes.h"

#define DRAWS 2000 /* 62 refills of the 512-byte buffer at 16 bytes a draw */

static int cmp16(const void *a, const void *b) { return memcmp(a, b, 16); }

static void no_repeats_across_refills(void **state) {
    (void)state;
    unsigned char(*v)[16] = calloc(DRAWS, 16);
    assert_non_null(v);
    for (int i = 0; i < DRAWS; i++) assert_int_equal(mm_random_bytes(v[i], 16), 0);
    qsort(v, DRAWS, 16, cmp16);
    for (int i = 1; i < DRAWS; i++) assert_true(memcmp(v[i - 1], v[i], 16) != 0);
    free(v);
}

static void *draw_in_thread(void *arg) {
    assert_int_equal(mm_random_bytes(arg, 16), 0);
    return NULL;
}

static void threads_have_their_own_bytes(void **state) {
    (void)state;
    unsigned char mine[16], theirs[16];
    assert_int_equal(mm_random_bytes(mine, 16), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, draw_in_thread, theirs), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(memcmp(mine, theirs, 16) != 0);
}

/* The parent's buffer is warm when it forks; the child's next draw and the
 * parent's next draw would be the same bytes without the fork generation. */
static void fork_does_not_repeat(void **state) {
    (void)state;
    unsigned char warm[16], parent_next[16], child_next[16];
    assert_int_equal(mm_random_bytes(warm, 16), 0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        unsigned char b[16];
        int rc = mm_random_bytes(b, 16);
        _exit(rc == 0 && write(fds[1], b, 16) == 16 ? 0 : 1);
    }
    close(fds[1]);
    assert_int_equal(mm_random_bytes(parent_next, 16), 0);
    assert_int_equal(read(fds[0], child_next, 16), 16);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(memcmp(parent_next, child_next, 16) != 0);
}

static void large_requests_whole(void **state) {
    (void)state;
    unsigned char big[4096];
    memset(big, 0, sizeof big);
    assert_int_equal(mm_random_bytes(big, sizeof big), 0);
    size_t zeros = 0;
    for (size_t i = 0; i < sizeof big; i++) zeros += big[i] == 0;
    assert_true(zeros < 64); /* ~16 expected; all-zero tail would mean a short fill */
    assert_int_equal(mm_random_bytes(big, 0), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_repeats_across_refills),
        cmocka_unit_test(threads_have_their_own_bytes),
        cmocka_unit_test(fork_does_not_repeat),
        cmocka_unit_test(large_requests_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
