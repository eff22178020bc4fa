/* loop.c -- the I/O threads: one libuv loop each, with its own listening
 * socket on the shared port (SO_REUSEPORT: the kernel spreads connections),
 * and a queue of functions posted from other threads (uv_async wake-up).
 * Nothing here blocks: a loop thread only runs callbacks. */
#include "http/http_internal.h"

#include <assert.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "metamorphosis.h"

#define POST_QUEUE_MAX 65536

/* The loop whose posts this thread is running now (run_posts), if any. A
 * post to that loop from here needs no wake-up: run_posts takes the queue
 * again before it returns. That is the common case of a request that
 * resumes and answers in the same post (the answer is posted to the same
 * loop), which saved an eventfd write, an epoll_wait and a read. */
static _Thread_local mm_http_io *tl_running_posts;

/* Rounds of newly posted work one run_posts takes before it leaves the rest
 * to the next wake-up (so that work re-posting itself cannot starve I/O). */
#define POST_ROUNDS 8

int mm_http_io_post(mm_http_io *io, mm_http_post *node, void (*fn)(void *), void *ud) {
    int heap = node == NULL;
    pthread_mutex_lock(&io->post_lock);
    int rc = 0;
    if (io->post_closed)
        rc = MM_EINVAL;
    else if (heap && io->post_count >= POST_QUEUE_MAX)
        rc = MM_ELIMIT;
    else if (heap && !(node = malloc(sizeof *node)))
        rc = MM_ENOMEM;
    if (rc == 0) {
        node->next = NULL;
        node->fn = fn;
        node->ud = ud;
        node->heap = heap;
        if (io->post_tail)
            io->post_tail->next = node;
        else
            io->post_head = node;
        io->post_tail = node;
        io->post_count++;
        /* under the lock: the handle outlives post_closed */
        if (tl_running_posts != io) uv_async_send(&io->wake);
    }
    pthread_mutex_unlock(&io->post_lock);
    return rc;
}

/* Runs everything posted so far, and what those post to this loop in
 * turn (loop thread). */
static void run_posts(mm_http_io *io) {
    mm_http_io *outer = tl_running_posts;
    tl_running_posts = io;
    for (int round = 0;; round++) {
        pthread_mutex_lock(&io->post_lock);
        mm_http_post *n = io->post_head;
        if (n && round == POST_ROUNDS) {
            /* More keeps coming: the next wake-up runs it, after I/O. */
            uv_async_send(&io->wake);
            n = NULL;
        } else {
            io->post_head = io->post_tail = NULL;
            io->post_count = 0;
        }
        pthread_mutex_unlock(&io->post_lock);
        if (!n) break;
        while (n) {
            mm_http_post *next = n->next;
            int heap = n->heap;
            n->fn(n->ud); /* may free an embedded node */
            if (heap) free(n);
            n = next;
        }
    }
    tl_running_posts = outer;
}

static void on_wake(uv_async_t *a) { run_posts(a->data); }

static void on_connection(uv_stream_t *listener, int status) {
    mm_http_io *io = listener->data;
    if (status < 0) {
        mm_log_warn("msg=\"http: accept failed\" error=\"%s\"", uv_strerror(status));
        return;
    }
    mm_http_conn_accept(io);
}

const char *mm_http_io_date(mm_http_io *io) {
    time_t now = time(NULL);
    if ((long)now != io->date_sec) {
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(io->date, sizeof io->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        io->date_sec = (long)now;
    }
    return io->date;
}

static void *io_main(void *arg) {
    mm_http_io *io = arg;
    mm_http_server *s = io->server;
    if (s->cfg.loop_start) s->cfg.loop_start(s->cfg.loop_ud, io->index, &io->loop);
    uv_run(&io->loop, UV_RUN_DEFAULT);
    return NULL;
}

/* Opens one listening socket on addr with SO_REUSEPORT. */
static int listen_socket(const struct sockaddr *addr, socklen_t alen) {
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        bind(fd, addr, alen) != 0 || listen(fd, 1024) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static void close_cb_noop(uv_handle_t *h) { (void)h; }

/* Tears down a loop that never ran (start failed half-way). */
static void io_destroy_unstarted(mm_http_io *io) {
    if (io->listening)
        uv_close((uv_handle_t *)&io->listener, close_cb_noop);
    else if (io->listen_fd >= 0)
        close(io->listen_fd);
    uv_close((uv_handle_t *)&io->wake, close_cb_noop);
    uv_run(&io->loop, UV_RUN_DEFAULT);
    uv_loop_close(&io->loop);
    pthread_mutex_destroy(&io->post_lock);
}

int mm_http_io_start(mm_http_server *s) {
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%u", s->cfg.port);
    if (getaddrinfo(s->cfg.host, portstr, &hints, &res) != 0 || !res) {
        mm_log_error("msg=\"http server: cannot resolve listen address\" host=\"%s\"", s->cfg.host);
        return MM_EINVAL;
    }
    struct sockaddr_storage ss;
    socklen_t sslen = res->ai_addrlen;
    memcpy(&ss, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);

    unsigned n = s->cfg.threads;
    s->io = calloc(n, sizeof *s->io);
    if (!s->io) return MM_ENOMEM;
    unsigned made = 0;
    int rc = 0;
    for (; made < n; made++) {
        mm_http_io *io = &s->io[made];
        io->server = s;
        io->index = made;
        io->listen_fd = -1;
        if (uv_loop_init(&io->loop) != 0) {
            rc = MM_ENOMEM;
            break;
        }
        pthread_mutex_init(&io->post_lock, NULL);
        uv_async_init(&io->loop, &io->wake, on_wake);
        io->wake.data = io;
        /* The first socket picks the port (port 0); the others join it. */
        io->listen_fd = listen_socket((struct sockaddr *)&ss, sslen);
        if (io->listen_fd < 0) {
            mm_log_error("msg=\"http server: cannot listen\" host=\"%s\" port=%u error=\"%s\"",
                         s->cfg.host, s->cfg.port, strerror(errno));
            made++;
            rc = MM_EIO;
            break;
        }
        if (made == 0) {
            struct sockaddr_storage bound;
            socklen_t blen = sizeof bound;
            getsockname(io->listen_fd, (struct sockaddr *)&bound, &blen);
            s->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                        : ((struct sockaddr_in *)&bound)->sin_port);
            if (ss.ss_family == AF_INET6)
                ((struct sockaddr_in6 *)&ss)->sin6_port = htons(s->port);
            else
                ((struct sockaddr_in *)&ss)->sin_port = htons(s->port);
        }
        uv_tcp_init(&io->loop, &io->listener);
        io->listener.data = io;
        if (uv_tcp_open(&io->listener, io->listen_fd) != 0 ||
            uv_listen((uv_stream_t *)&io->listener, 1024, on_connection) != 0) {
            made++;
            io->listening = 1; /* the handle owns the fd now */
            rc = MM_EIO;
            break;
        }
        io->listening = 1;
    }
    if (rc != 0) {
        for (unsigned i = 0; i < made; i++) io_destroy_unstarted(&s->io[i]);
        free(s->io);
        s->io = NULL;
        return rc;
    }
    s->io_count = n;
    for (unsigned i = 0; i < n; i++) {
        if (pthread_create(&s->io[i].thread, NULL, io_main, &s->io[i]) != 0) {
            mm_log_error("msg=\"http server: cannot start an I/O thread\"");
            s->io_count = i;
            for (unsigned k = i; k < n; k++) io_destroy_unstarted(&s->io[k]);
            mm_http_io_join(s);
            return MM_ENOMEM;
        }
        s->io[i].thread_started = 1;
    }
    return 0;
}

static void close_any(uv_handle_t *h, void *arg) {
    (void)arg;
    if (!uv_is_closing(h)) uv_close(h, NULL);
}

/* The last post of a loop: the loop_stop hook, every connection closed, then
 * whatever else is still open; uv_run returns once the closes are done. */
static void io_finish(void *ud) {
    mm_http_io *io = ud;
    mm_http_server *s = io->server;
    if (io->listening) {
        uv_close((uv_handle_t *)&io->listener, NULL);
        io->listening = 0;
    }
    mm_http_conn_close_all(io);
    /* Posts queued until now run before the hook; later ones are refused. */
    pthread_mutex_lock(&io->post_lock);
    io->post_closed = 1;
    pthread_mutex_unlock(&io->post_lock);
    run_posts(io);
    if (s->cfg.loop_stop) s->cfg.loop_stop(s->cfg.loop_ud, io->index, &io->loop);
    uv_walk(&io->loop, close_any, NULL);
}

void mm_http_io_join(mm_http_server *s) {
    for (unsigned i = 0; i < s->io_count; i++) {
        mm_http_io *io = &s->io[i];
        if (!io->thread_started) continue;
        int rc = mm_http_io_post(io, &io->finish_node, io_finish, io);
        assert(rc == 0); /* an embedded node is never refused while the loop runs */
        (void)rc;
    }
    for (unsigned i = 0; i < s->io_count; i++) {
        mm_http_io *io = &s->io[i];
        if (!io->thread_started) continue;
        pthread_join(io->thread, NULL);
        io->thread_started = 0;
        run_posts(io); /* nothing can be queued any more; just in case */
        uv_loop_close(&io->loop);
        pthread_mutex_destroy(&io->post_lock);
    }
    free(s->io);
    s->io = NULL;
    s->io_count = 0;
}
