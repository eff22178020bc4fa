/* worker.c -- the child side of a node's worker process (worker.h). */
#include "node/worker.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "service/consumer_runner.h"
#include "service/runtime.h"

/* Exit statuses of the child. */
#define EXIT_RUN_FAILED 1
#define EXIT_START_FAILED 3

static volatile sig_atomic_t worker_stop;
static volatile sig_atomic_t worker_aged;
static int worker_report_fd = -1;

const char *mm_worker_reason_name(mm_worker_reason r) {
    switch (r) {
    case MM_WORKER_HARAKIRI: return "harakiri";
    case MM_WORKER_MAX_AGE: return "max_age";
    case MM_WORKER_STOPPED: return "stopped";
    case MM_WORKER_KILLED: return "killed";
    case MM_WORKER_CRASH: break;
    }
    return "crash";
}

static void on_stop(int sig) {
    (void)sig;
    worker_stop = 1;
}

static void on_alarm(int sig) {
    (void)sig;
    /* A worker already told to stop is retiring for that reason, not age. */
    if (!worker_stop) worker_aged = 1;
    worker_stop = 1;
}

static void report(uint32_t kind, uint64_t value, int insist) {
    mm_worker_report r = {.kind = kind, .value = value};
    for (int tries = 0; tries < (insist ? 200 : 1); tries++) {
        ssize_t n = write(worker_report_fd, &r, sizeof r);
        if (n == (ssize_t)sizeof r || (n < 0 && errno != EAGAIN && errno != EINTR)) return;
        if (insist) usleep(5000);
    }
}

static int on_progress(void *ud, const mm_consumer_stats *stats) {
    (void)ud;
    report(MM_WORKER_REPORT_PROGRESS, stats->handled, 0);
    return 0;
}

/* Closes every descriptor but stdio and keep: the supervisor's Kafka and
 * Redis sockets must not be touched (nor kept alive) by the child. */
static void close_inherited(int keep) {
    int fds[1024];
    size_t n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) && n < sizeof fds / sizeof *fds) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] != '.' && fd > 2 && fd != keep && fd != dirfd(d)) fds[n++] = fd;
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) close(fds[i]);
}

static void install(int sig, void (*fn)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* The child: never returns. */
static void __attribute__((noreturn)) child_main(const mm_worker_params *p, int fd, pid_t parent) {
    worker_report_fd = fd;
    install(SIGTERM, on_stop);
    install(SIGINT, on_stop);
    install(SIGALRM, on_alarm);
    install(SIGCHLD, SIG_DFL);
    install(SIGPIPE, SIG_IGN);
    install(SIGHUP, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* A worker whose supervisor dies (even SIGKILLed) drains and exits
     * rather than consume unsupervised; checked again in case the parent
     * died before the request was made. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) worker_stop = 1;
    close_inherited(fd);
    if (p->max_age_seconds > 0) alarm((unsigned)p->max_age_seconds);

    char err[1024];
    mm_runtime rt;
    const mm_consumer_spec *spec = p->spec;
    if (mm_runtime_open(&rt, p->config, MM_RUNTIME_WORKER, p->services, p->service_count, err,
                        sizeof err)) {
        mm_log_error("worker consumer=%s.%s pid=%d: %s", spec->service->name, spec->name,
                     (int)getpid(), err);
        fflush(NULL);
        _exit(EXIT_START_FAILED);
    }
    if (spec->service->post_fork && spec->service->post_fork(spec->service->post_fork_ud, spec->service)) {
        mm_log_error("worker consumer=%s.%s pid=%d: the service's post_fork initializer failed",
                     spec->service->name, spec->name, (int)getpid());
        /* Exit at once: nothing was produced yet, and closing clients that
         * are still connecting can take seconds. */
        fflush(NULL);
        _exit(EXIT_START_FAILED);
    }
    mm_runner_options ro = {.max_messages = p->max_messages, .stop_flag = &worker_stop,
                            .on_progress = on_progress};
    int rc = mm_consumer_runner_run(&rt, p->schema, spec, &ro, err, sizeof err);
    mm_runtime_close(&rt);
    int status = 0;
    if (rc < 0) {
        mm_log_error("worker consumer=%s.%s pid=%d: %s", spec->service->name, spec->name,
                     (int)getpid(), err);
        status = EXIT_RUN_FAILED;
    } else if (rc == MM_CONSUMER_BUDGET) {
        report(MM_WORKER_REPORT_RETIRED, MM_WORKER_HARAKIRI, 1);
    } else if (worker_aged) {
        report(MM_WORKER_REPORT_RETIRED, MM_WORKER_MAX_AGE, 1);
    } else {
        report(MM_WORKER_REPORT_RETIRED, MM_WORKER_STOPPED, 1);
    }
    fflush(NULL);
    /* _exit: the supervisor's atexit handlers (and a leak checker looking at
     * the supervisor's heap, inherited by this copy) must not run here. */
    _exit(status);
}

pid_t mm_worker_spawn(const mm_worker_params *p, int *report_fd, char *err, size_t err_size) {
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(err, err_size, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_size, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        fcntl(fds[1], F_SETFL, O_NONBLOCK);
        child_main(p, fds[1], parent);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    *report_fd = fds[0];
    return pid;
}
