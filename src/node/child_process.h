/* child_process.h -- what every process the node forks does around the fork:
 * the supervisor blocks its signals across fork() (the child must never run
 * the supervisor's handlers), and the child closes the descriptors it
 * inherited and, for the node's helper children (agent, lag probe), takes
 * the same signal dispositions. */
#ifndef MM_NODE_CHILD_PROCESS_H
#define MM_NODE_CHILD_PROCESS_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* Blocks SIGTERM, SIGINT, SIGCHLD and extra (0: none) and stores the previous
 * mask in old; the caller forks, then restores old with sigprocmask. */
void mm_child_block_signals_for_fork(sigset_t *old, int extra);

/* In the child: closes every descriptor but stdio and keep (-1: none), so
 * the supervisor's Kafka and Redis sockets are neither touched nor kept
 * alive by the child. */
void mm_child_close_inherited(int keep);
/* The same, keeping every descriptor of keep[0 .. keep_count-1] (-1: none). */
void mm_child_close_inherited_but(const int *keep, size_t keep_count);

/* In a helper child (not a worker): SIGTERM runs on_stop, SIGINT is ignored
 * (Ctrl-C reaches the whole group: the supervisor decides), SIGCHLD default,
 * SIGPIPE ignored; signals unblocked; SIGTERM when the parent dies. Returns
 * nonzero when the parent is no longer parent (it died before the request
 * was made): the child should exit at once. */
int mm_child_helper_signals(void (*on_stop)(int), pid_t parent);

#endif
