/* mm_test.h -- support for the test suite: where the real servers are,
 * unique names so tests can share one broker and one Redis, Kafka topic
 * creation, and child processes (e.g. gregor) that are always reaped.
 *
 * The integration tier never skips: when a server's address is missing the
 * accessor prints a loud message and exits 1, failing the test. */
#ifndef MM_TEST_H
#define MM_TEST_H

#include <stddef.h>
#include <sys/types.h>

/* MM_TEST_REDIS_URL ("redis://127.0.0.1:PORT"), or exit(1) loudly. */
const char *mm_test_redis_url(void);

/* Host and port parsed from mm_test_redis_url(); exit(1) when malformed. */
void mm_test_redis_addr(char *host, size_t hostlen, int *port);

/* MM_TEST_KAFKA_BOOTSTRAP ("127.0.0.1:PORT"), or exit(1) loudly. */
const char *mm_test_kafka_bootstrap(void);

/* The build directory (MM_BINARY_DIR, set by ctest: examples/ and the test
 * service modules tests/mod_*.so are under it), or exit(1) loudly. */
const char *mm_test_binary_dir(void);

/* The gregor binary (MM_GREGOR, set by ctest), or exit(1) loudly. */
const char *mm_test_gregor(void);

/* A name no other test (or run) uses: "<prefix>-<pid>-<counter>-<time>".
 * For topics, consumer groups and Redis key prefixes. Free with free(). */
char *mm_test_unique_name(const char *prefix);

/* Create a topic with `partitions` partitions (replication factor 1) through
 * rd_kafka_CreateTopics and wait until the broker's metadata shows every
 * partition with a leader. Returns 0, or -1 after printing why. */
int mm_test_kafka_create_topic(const char *bootstrap, const char *topic, int partitions);

/* Produce n messages (key "key-<i>", value "msg-<i>", i = 0..n-1) with an
 * idempotent producer (acks=all) and wait for every delivery report.
 * extra_conf: NULL, or a NULL-terminated list of librdkafka "name", "value"
 * pairs. Returns the number delivered (n on success), or -1 after printing why. */
int mm_test_kafka_produce_n(const char *bootstrap, const char *topic, int n,
                            const char *const *extra_conf);

/* Consume from topic in consumer group `group` (from the earliest offset,
 * auto-commit off) until n messages produced by mm_test_kafka_produce_n have
 * arrived or timeout_ms passed, then commit the offsets synchronously and
 * leave the group. Counts each index once into seen[0..n) (which the caller
 * zeroes). Returns the number of distinct messages received, or -1 on a
 * client or commit error (printed). *duplicates (if not NULL) gets how many
 * arrived twice. */
int mm_test_kafka_consume_n(const char *bootstrap, const char *topic, const char *group, int n,
                            int timeout_ms, const char *const *extra_conf, unsigned char *seen,
                            int *duplicates);

/* Sum, over partitions 0..partitions-1 of topic, of the offsets group has
 * committed, and (into *high_total if not NULL) the sum of the partitions'
 * high watermarks. Returns -1 on error (printed). */
long long mm_test_kafka_committed_total(const char *bootstrap, const char *topic, const char *group,
                                        int partitions, long long *high_total);

/* Milliseconds on a monotonic clock. */
long long mm_test_now_ms(void);

/* A TCP socket listening on 127.0.0.1 at a free port (backlog 16); the port
 * in *port. Exits 1 loudly when the kernel refuses, failing the test. */
int mm_test_listen_loopback(int *port);

/* A child process whose stdout the test reads. Its stderr is inherited so its
 * messages land in the test log. It runs in its own process group and gets
 * SIGKILL if the test process dies; children still alive at exit() are killed. */
typedef struct mm_test_child {
    pid_t pid;
    int out_fd;     /* read end of the child's stdout */
    char buf[4096]; /* bytes read but not yet returned as lines */
    size_t buf_len;
} mm_test_child;

/* Start argv[0] (a path) with argv. Returns 0, or -1 after printing why. */
int mm_test_child_spawn(mm_test_child *child, char *const argv[]);

/* Read the child's stdout until a line starting with `prefix` arrives; copy
 * the rest of that line (after the prefix, without the newline) into out.
 * Returns 0, or -1 on timeout, EOF or error (after printing why). */
int mm_test_child_wait_line(mm_test_child *child, const char *prefix, char *out, size_t outlen,
                            int timeout_ms);

/* Send sig to the child and wait up to timeout_ms for it to exit; SIGKILL it
 * after that. Returns its exit status (0..255), 128+signal if a signal ended
 * it, or -1 if it had to be killed. Always reaps it and closes the pipe. */
int mm_test_child_stop(mm_test_child *child, int sig, int timeout_ms);

/* Run argv to completion (at most timeout_ms, then SIGKILL) capturing stdout
 * and stderr into NUL-terminated malloc'd strings (free them). Returns the
 * exit status as mm_test_child_stop does. */
int mm_test_run(char *const argv[], char **out, char **err, int timeout_ms);

/* POSTs {"query": query} (query put in as it is: no quotes or backslashes)
 * to url with curl (20 s); returns the body (free it) and *status the HTTP
 * status. A curl that fails or prints no status aborts the test, saying so. */
char *mm_test_post_graphql(const char *url, const char *query, int *status);

#endif
