/* app.c -- loading service shared objects (app.h). */
#include "service/app.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/suggest.h"
#include "service/service_internal.h"

int mm_app_add(mm_app *app, mm_service *service) {
    if (!service) return MM_EINVAL;
    mm_service **v = realloc(app->services, (app->service_count + 1) * sizeof(*v));
    if (!v) return MM_ENOMEM;
    app->services = v;
    v[app->service_count++] = service;
    return 0;
}

int mm_app_load(mm_app *app, const char *path, char *err, size_t err_size) {
    /* dlopen searches the library path for a bare name; a service is a file. */
    char resolved[4096];
    if (!strchr(path, '/'))
        snprintf(resolved, sizeof resolved, "./%s", path);
    else
        snprintf(resolved, sizeof resolved, "%s", path);
    void *h = dlopen(resolved, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(err, err_size, "--app %s: cannot load: %s", path, dlerror());
        return MM_ENOTFOUND;
    }
    void **hv = realloc(app->handles, (app->handle_count + 1) * sizeof(*hv));
    if (!hv) {
        dlclose(h);
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    app->handles = hv;
    hv[app->handle_count++] = h;
    /* POSIX lets a data pointer carry a function address from dlsym. */
    mm_service_define_fn define;
    *(void **)(&define) = dlsym(h, MM_SERVICE_SYMBOL);
    if (!define) {
        snprintf(err, err_size, "--app %s: no function %s() in it (see docs/tutorial.md)", path,
                 MM_SERVICE_SYMBOL);
        return MM_ENOTFOUND;
    }
    mm_service_clear_last_error();
    mm_service *svc = define();
    if (!svc) {
        const char *why = mm_service_last_error();
        if (why[0])
            snprintf(err, err_size, "--app %s: %s() returned NULL after this definition error: %s",
                     path, MM_SERVICE_SYMBOL, why);
        else
            snprintf(err, err_size,
                     "--app %s: %s() returned NULL, and no mm_service_* call failed: "
                     "the service's own code gave up (check its error paths)",
                     path, MM_SERVICE_SYMBOL);
        return MM_EINVAL;
    }
    if (mm_app_find(app, svc->name)) {
        snprintf(err, err_size, "--app %s: service %s is already loaded", path, svc->name);
        mm_service_free(svc);
        return MM_EEXIST;
    }
    if (mm_app_add(app, svc)) {
        mm_service_free(svc);
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    return 0;
}

mm_service *mm_app_find(const mm_app *app, const char *name) {
    for (size_t i = 0; i < app->service_count; i++)
        if (strcmp(app->services[i]->name, name) == 0) return app->services[i];
    return NULL;
}

void mm_app_free(mm_app *app) {
    for (size_t i = 0; i < app->service_count; i++) mm_service_free(app->services[i]);
    free(app->services);
    /* Sanitizers report leaks with the symbols of unloaded objects as
     * unknown; MM_KEEP_APPS=1 keeps them loaded for readable reports. */
    const char *keep = getenv("MM_KEEP_APPS");
    for (size_t i = 0; i < app->handle_count; i++)
        if (!(keep && *keep == '1')) dlclose(app->handles[i]);
    free(app->handles);
    memset(app, 0, sizeof(*app));
}

int mm_app_check_config(const mm_app *app, const mm_config *cfg, char *err, size_t err_size) {
    for (size_t i = 0; i < cfg->consumer_count; i++) {
        const mm_consumer_settings *c = &cfg->consumers[i];
        const mm_service *svc = mm_app_find(app, c->service);
        char hint[160];
        if (!svc) {
            mm_suggest sg;
            mm_suggest_init(&sg, c->service);
            for (size_t j = 0; j < app->service_count; j++)
                mm_suggest_offer(&sg, app->services[j]->name);
            if (sg.best)
                mm_suggest_hint(&sg, hint, sizeof hint);
            else
                mm_config_top_key_hint(c->service, hint, sizeof hint);
            snprintf(err, err_size, "%s:%u: unknown key '%s': not a loaded service nor a setting%s",
                     cfg->source, c->line, c->service, hint);
            return MM_ENOTFOUND;
        }
        if (!mm_service_find_consumer(svc, c->consumer)) {
            mm_suggest sg;
            mm_suggest_init(&sg, c->consumer);
            for (size_t j = 0; j < svc->consumer_count; j++)
                mm_suggest_offer(&sg, svc->consumers[j]->name);
            snprintf(err, err_size, "%s:%u: service %s has no consumer '%s'%s", cfg->source,
                     c->line, c->service, c->consumer, mm_suggest_hint(&sg, hint, sizeof hint));
            return MM_ENOTFOUND;
        }
    }
    return 0;
}
