/* agent.h -- the node's Kafka agent: a helper process that reads control
 * events from the service-web topic and publishes the node's
 * ConsumerProcessFinished events.
 *
 * Why a process: the supervisor forks workers, and fork() in a process with
 * threads copies locks that other threads may hold at that instant (the
 * allocator's, librdkafka's), which deadlocks the child. librdkafka always
 * runs threads, so it lives here, and the supervisor stays single-threaded
 * (its Redis client is synchronous).
 *
 * The agent and the supervisor talk over a socketpair, one JSON document per
 * line:
 *     agent -> supervisor  {"ready": true}                 reading control events now
 *                          {"type": "<ce_type>", "data": {...}}   a control event
 *     supervisor -> agent  {"type": "<ce_type>", "data": {...}}   an event to publish
 * The agent exits when the socket closes (after flushing what it was given,
 * up to 3 s), on SIGTERM, or when the supervisor dies. */
#ifndef MM_NODE_AGENT_H
#define MM_NODE_AGENT_H

#include <sys/types.h>

#include "common/config.h"

/* Forks the agent. Returns its pid and the supervisor's end of the socket
 * (non-blocking, close-on-exec) in *fd, or -1 with err set. */
pid_t mm_agent_spawn(const mm_config *cfg, const char *node_name, int *fd, char *err,
                     size_t err_size);

#endif
