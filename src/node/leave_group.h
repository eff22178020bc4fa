/* leave_group.h -- removing a static member from its consumer group.
 *
 * A static member (group.instance.id) that closes does not leave its group:
 * librdkafka 2.0.2 sends no LeaveGroup for it, so its partitions wait for
 * its session to expire (45 s by default) before the other members get
 * them. That is what static membership is for when the member comes back
 * (a worker's replacement reuses its instance id), and the wrong thing when
 * it does not (procs lowered, consumer or node stopped). For those cases a
 * worker, once its consumer is closed, removes itself the way Kafka's admin
 * RemoveMembersFromConsumerGroup does: FindCoordinator for the group, then
 * LeaveGroup v3 naming its group.instance.id (KIP-345), over a plain TCP
 * connection with deadlines. Only for PLAINTEXT listeners: with SASL or TLS
 * it is not attempted (the session timeout applies as before). */
#ifndef MM_NODE_LEAVE_GROUP_H
#define MM_NODE_LEAVE_GROUP_H

#include <stddef.h>

/* Removes the static member instance_id from group. bootstrap is
 * "host:port[,...]" (the first address is used). Gives up after
 * timeout_ms in all. Returns 0, or -1 with err set. */
int mm_leave_group_static(const char *bootstrap, const char *group, const char *instance_id,
                          int timeout_ms, char *err, size_t err_size);

#endif
