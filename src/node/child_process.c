/* child_process.c -- the steps around each fork of the node (child_process.h). */
#include "node/child_process.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

void mm_child_block_signals_for_fork(sigset_t *old, int extra) {
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGCHLD);
    if (extra) sigaddset(&block, extra);
    sigprocmask(SIG_BLOCK, &block, old);
}

void mm_child_close_inherited(int keep) { mm_child_close_inherited_but(&keep, 1); }

void mm_child_close_inherited_but(const int *keep, size_t keep_count) {
    /* Collected first: closing while reading /proc/self/fd changes it. */
    int fds[1024];
    size_t n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) && n < sizeof fds / sizeof *fds) {
        int fd = atoi(e->d_name);
        int kept = 0;
        for (size_t k = 0; k < keep_count && !kept; k++) kept = fd == keep[k];
        if (e->d_name[0] != '.' && fd > 2 && !kept && fd != dirfd(d)) fds[n++] = fd;
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) close(fds[i]);
}

int mm_child_helper_signals(void (*on_stop)(int), pid_t parent) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGINT, SIG_IGN);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    return getppid() != parent;
}
