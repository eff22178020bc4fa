/* sysstats.h -- the machine and process figures a node reports in its
 * status (load, memory, disk, network; per worker CPU and RSS), read from
 * /proc and statvfs(). Linux only; a figure that cannot be read is -1. */
#ifndef MM_NODE_SYSSTATS_H
#define MM_NODE_SYSSTATS_H

#include <jansson.h>
#include <sys/types.h>

/* The node's figures as a JSON object (new reference): loadAvg1, loadAvg5,
 * loadAvg15, memTotal, memFree, memUsed (bytes), memPct, diskUsagePct (of
 * the file system holding the working directory), bytesSent, bytesRecv,
 * packetsSent, packetsRecv, errin, errout, dropin, dropout (all interfaces
 * but lo). NULL when out of memory. */
json_t *mm_sysstats_node(void);

/* CPU and memory of one process. */
typedef struct mm_proc_stats {
    double user_seconds;
    double system_seconds;
    long long rss_bytes;
} mm_proc_stats;

/* Reads /proc/<pid>/stat. Returns 0, or -1 when the process is gone. */
int mm_sysstats_proc(pid_t pid, mm_proc_stats *out);

#endif
