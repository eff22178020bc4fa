/* sysstats.c -- machine and process figures from /proc (sysstats.h). */
#include "node/sysstats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

static void set_num(json_t *o, const char *key, double v) {
    json_object_set_new(o, key, json_real(v));
}

static void load_average(json_t *o) {
    double l[3] = {-1, -1, -1};
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf %lf %lf", &l[0], &l[1], &l[2]) != 3) l[0] = l[1] = l[2] = -1;
        fclose(f);
    }
    set_num(o, "loadAvg1", l[0]);
    set_num(o, "loadAvg5", l[1]);
    set_num(o, "loadAvg15", l[2]);
}

static void memory(json_t *o) {
    long long total = -1, available = -1;
    char line[256];
    FILE *f = fopen("/proc/meminfo", "r");
    while (f && fgets(line, sizeof line, f)) {
        long long kb;
        if (sscanf(line, "MemTotal: %lld kB", &kb) == 1)
            total = kb * 1024;
        else if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
            available = kb * 1024;
    }
    if (f) fclose(f);
    json_object_set_new(o, "memTotal", json_integer(total));
    json_object_set_new(o, "memFree", json_integer(available));
    json_object_set_new(o, "memUsed",
                        json_integer(total >= 0 && available >= 0 ? total - available : -1));
    set_num(o, "memPct",
            total > 0 && available >= 0 ? 100.0 * (double)(total - available) / (double)total : -1);
}

static void disk(json_t *o) {
    struct statvfs sv;
    double pct = -1;
    if (statvfs(".", &sv) == 0 && sv.f_blocks > 0)
        pct = 100.0 * (double)(sv.f_blocks - sv.f_bfree) / (double)sv.f_blocks;
    set_num(o, "diskUsagePct", pct);
}

/* Sums /proc/net/dev over every interface but loopback. */
static void network(json_t *o) {
    unsigned long long v[16], sum[16] = {0};
    int ok = 0;
    char line[512];
    FILE *f = fopen("/proc/net/dev", "r");
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        *colon = '\0';
        char *name = line;
        while (*name == ' ') name++;
        if (strcmp(name, "lo") == 0) continue;
        if (sscanf(
                colon + 1,
                "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
                &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10],
                &v[11], &v[12], &v[13], &v[14], &v[15]) != 16)
            continue;
        for (int i = 0; i < 16; i++) sum[i] += v[i];
        ok = 1;
    }
    if (f) fclose(f);
    /* Receive: bytes packets errs drop ...; transmit starts at field 8. */
    static const struct {
        const char *key;
        int field;
    } fields[] = {
        {"bytesRecv", 0}, {"packetsRecv", 1}, {"errin", 2},   {"dropin", 3},
        {"bytesSent", 8}, {"packetsSent", 9}, {"errout", 10}, {"dropout", 11},
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        json_object_set_new(o, fields[i].key,
                            json_integer(ok ? (json_int_t)sum[fields[i].field] : -1));
}

json_t *mm_sysstats_node(void) {
    json_t *o = json_object();
    if (!o) return NULL;
    load_average(o);
    memory(o);
    disk(o);
    network(o);
    return o;
}

int mm_sysstats_proc(pid_t pid, mm_proc_stats *out) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name may hold spaces and parentheses: fields start after
     * the last ')'. Then: state(3) ... utime(14) stime(15) ... rss(24). */
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    unsigned long long utime, stime;
    long long rss;
    if (sscanf(p + 2,
               "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d "
               "%*u %*u %lld",
               &utime, &stime, &rss) != 3)
        return -1;
    double hz = (double)sysconf(_SC_CLK_TCK);
    out->user_seconds = (double)utime / hz;
    out->system_seconds = (double)stime / hz;
    out->rss_bytes = rss * (long long)sysconf(_SC_PAGESIZE);
    return 0;
}
