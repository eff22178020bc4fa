/* app.h -- the services a gregor process runs, loaded from shared objects.
 *
 * `--app PATH` names a shared object exporting MM_SERVICE_SYMBOL; the app
 * opens it, calls the function and keeps the definition it returns. The
 * original imported `package.object`; this is the C equivalent. Objects are
 * closed only after every service is freed, since the services' callbacks
 * live in them. */
#ifndef MM_SERVICE_APP_H
#define MM_SERVICE_APP_H

#include <stddef.h>

#include "metamorphosis.h"

typedef struct mm_app {
    mm_service **services;
    size_t service_count;
    void **handles; /* dlopen handles */
    size_t handle_count;
} mm_app;

/* Loads one shared object and its service. Returns 0 or an mm_error with a
 * message naming the path in err. */
int mm_app_load(mm_app *app, const char *path, char *err, size_t err_size);

/* Adds a service built in this process (tests); the app takes ownership. */
int mm_app_add(mm_app *app, mm_service *service);

/* The service named name, or NULL. */
mm_service *mm_app_find(const mm_app *app, const char *name);

/* Checks the configuration's service sections against the loaded services:
 * every section must name a loaded service and each key one of its
 * consumers. Returns 0, or MM_ENOTFOUND with "FILE:LINE: ..." in err. */
struct mm_config;
int mm_app_check_config(const mm_app *app, const struct mm_config *cfg, char *err, size_t err_size);

/* Frees the services, then closes the objects. */
void mm_app_free(mm_app *app);

#endif
