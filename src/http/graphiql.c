/* graphiql.c -- the GraphiQL page and its assets.
 *
 * The assets (graphiql.min.js/.css from graphiql@3.9.0, React 18 UMD builds)
 * are never committed: scripts/fetch-graphiql.sh fetches them from npm into a
 * directory that the server loads once at start. Without them the page points
 * at a public CDN, so GraphiQL still works for a browser that is online. */
#include "http/http_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metamorphosis.h"

static const struct {
    const char *name, *content_type, *cdn, *placeholder;
} asset_spec[MM_GRAPHIQL_ASSET_COUNT] = {
    {"graphiql.min.css", "text/css; charset=utf-8",
     "https://unpkg.com/graphiql@3.9.0/graphiql.min.css", "{{GRAPHIQL_CSS}}"},
    {"react.production.min.js", "text/javascript; charset=utf-8",
     "https://unpkg.com/react@18.3.1/umd/react.production.min.js", "{{REACT_JS}}"},
    {"react-dom.production.min.js", "text/javascript; charset=utf-8",
     "https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js", "{{REACT_DOM_JS}}"},
    {"graphiql.min.js", "text/javascript; charset=utf-8",
     "https://unpkg.com/graphiql@3.9.0/graphiql.min.js", "{{GRAPHIQL_JS}}"},
};

#define MAX_ASSET_BYTES (64u * 1024 * 1024)

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (unsigned long long)st.st_size <= MAX_ASSET_BYTES) {
        buf = malloc((size_t)st.st_size);
        if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
            free(buf);
            buf = NULL;
        }
        if (buf) *len = (size_t)st.st_size;
    }
    fclose(f);
    return buf;
}

static int dir_has_assets(const char *dir) {
    char path[PATH_MAX];
    for (int i = 0; i < MM_GRAPHIQL_ASSET_COUNT; i++) {
        if (snprintf(path, sizeof path, "%s/%s", dir, asset_spec[i].name) >= (int)sizeof path)
            return 0;
        if (access(path, R_OK) != 0) return 0;
    }
    return 1;
}

/* MM_GRAPHIQL_DIR, then next to the executable (a build dir keeps them in
 * <build>/graphiql, test binaries live one level down), then the install
 * prefix's share dir. */
static char *find_dir(void) {
    const char *env = getenv("MM_GRAPHIQL_DIR");
    if (env && *env && dir_has_assets(env)) return strdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return NULL;
    *slash = '\0';
    static const char *const rel[] = {"graphiql", "../graphiql", "../share/metamorphosis/graphiql",
                                      "../../share/metamorphosis/graphiql"};
    char cand[PATH_MAX];
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        if (snprintf(cand, sizeof cand, "%s/%s", exe, rel[i]) >= (int)sizeof cand) continue;
        if (dir_has_assets(cand)) {
            char *real = realpath(cand, NULL);
            return real ? real : strdup(cand);
        }
    }
    return NULL;
}

/* The endpoint as a JS string literal that cannot close the <script>. */
static char *endpoint_literal(const char *endpoint) {
    json_t *s = json_string(endpoint);
    char *lit = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    json_decref(s);
    if (!lit) return NULL;
    size_t extra = 0;
    for (char *p = lit; *p; p++)
        if (*p == '<' || *p == '>' || *p == '&') extra += 5;
    char *out = malloc(strlen(lit) + extra + 1), *o = out;
    if (!out) {
        free(lit);
        return NULL;
    }
    for (char *p = lit; *p; p++) {
        if (*p == '<' || *p == '>' || *p == '&')
            o += sprintf(o, "\\u%04x", (unsigned)*p);
        else
            *o++ = *p;
    }
    *o = '\0';
    free(lit);
    return out;
}

static char *render(const char *tpl, const char *const keys[], const char *const vals[],
                    size_t nkeys, size_t *len) {
    size_t cap = strlen(tpl) + 1;
    for (size_t k = 0; k < nkeys; k++)
        cap += strlen(vals[k]) * 4; /* each appears at most a few times */
    char *out = malloc(cap), *o = out;
    if (!out) return NULL;
    const char *p = tpl;
    while (*p) {
        size_t k;
        for (k = 0; k < nkeys; k++) {
            size_t kl = strlen(keys[k]);
            if (strncmp(p, keys[k], kl) == 0) {
                size_t vl = strlen(vals[k]);
                memcpy(o, vals[k], vl);
                o += vl;
                p += kl;
                break;
            }
        }
        if (k == nkeys) *o++ = *p++;
    }
    *o = '\0';
    *len = (size_t)(o - out);
    return out;
}

int mm_graphiql_init(mm_graphiql *g, const char *dir, const char *endpoint) {
    memset(g, 0, sizeof *g);
    for (int i = 0; i < MM_GRAPHIQL_ASSET_COUNT; i++) {
        g->assets[i].name = asset_spec[i].name;
        g->assets[i].content_type = asset_spec[i].content_type;
    }
    if (!dir)
        g->dir = find_dir();
    else if (*dir)
        g->dir = strdup(dir);
    if (g->dir) {
        int all = 1;
        char path[PATH_MAX];
        for (int i = 0; i < MM_GRAPHIQL_ASSET_COUNT; i++) {
            snprintf(path, sizeof path, "%s/%s", g->dir, asset_spec[i].name);
            g->assets[i].data = read_file(path, &g->assets[i].len);
            if (!g->assets[i].data) all = 0;
        }
        g->local = all;
        if (!all)
            mm_log_warn("msg=\"GraphiQL assets incomplete; the page uses the CDN\" dir=\"%s\"",
                        g->dir);
    }
    char urls[MM_GRAPHIQL_ASSET_COUNT][160];
    const char *keys[MM_GRAPHIQL_ASSET_COUNT + 1], *vals[MM_GRAPHIQL_ASSET_COUNT + 1];
    for (int i = 0; i < MM_GRAPHIQL_ASSET_COUNT; i++) {
        if (g->local)
            snprintf(urls[i], sizeof urls[i], "/graphiql/%s", asset_spec[i].name);
        else
            snprintf(urls[i], sizeof urls[i], "%s", asset_spec[i].cdn);
        keys[i] = asset_spec[i].placeholder;
        vals[i] = urls[i];
    }
    char *lit = endpoint_literal(endpoint);
    if (!lit) return MM_ENOMEM;
    keys[MM_GRAPHIQL_ASSET_COUNT] = "{{ENDPOINT}}";
    vals[MM_GRAPHIQL_ASSET_COUNT] = lit;
    g->page = render(mm_graphiql_template, keys, vals, MM_GRAPHIQL_ASSET_COUNT + 1, &g->page_len);
    free(lit);
    return g->page ? 0 : MM_ENOMEM;
}

void mm_graphiql_free(mm_graphiql *g) {
    for (int i = 0; i < MM_GRAPHIQL_ASSET_COUNT; i++) free(g->assets[i].data);
    free(g->page);
    free(g->dir);
    memset(g, 0, sizeof *g);
}

const mm_graphiql_asset *mm_graphiql_find(const mm_graphiql *g, const char *name) {
    if (!g->local || !name) return NULL;
    for (int i = 0; i < MM_GRAPHIQL_ASSET_COUNT; i++)
        if (strcmp(name, g->assets[i].name) == 0) return &g->assets[i];
    return NULL;
}
