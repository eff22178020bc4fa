/* service_abi.c -- definitions of every layout a service may have been
 * compiled with, brought to this library's layout.
 *
 * A service passes sizeof its definition (the mm_service_add_* macros of
 * metamorphosis.h call the _sized functions). A smaller definition than
 * this library's is an older header's: the members it lacks read as zero.
 * A larger one is a newer header's: accepted only when every member this
 * library does not know is zero, since ignoring a set member would silently
 * change the service's meaning. The plain mm_service_add_* symbols are the
 * 0.1 entry points: their definitions have the 0.1 layout. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "common/log.h"
#include "metamorphosis.h"
#include "service/service_internal.h"

/* Sizes of the 0.1 layouts: every member up to and including ud. Members
 * are only ever appended, so these offsets never change. */
#define MUTATION_DEF_V0_SIZE (offsetof(mm_mutation_def, ud) + sizeof(void *))
#define CONSUMER_DEF_V0_SIZE (offsetof(mm_consumer_def, ud) + sizeof(void *))
/* 0.2 added ud to mm_scalar_def and to its callbacks. */
#define SCALAR_DEF_V1_SIZE (offsetof(mm_scalar_def, ud) + sizeof(void *))

_Static_assert(MUTATION_DEF_V0_SIZE <= sizeof(mm_mutation_def), "0.1 layout is a prefix");
_Static_assert(CONSUMER_DEF_V0_SIZE <= sizeof(mm_consumer_def), "0.1 layout is a prefix");
_Static_assert(SCALAR_DEF_V1_SIZE <= sizeof(mm_scalar_def), "0.2 layout is a prefix");

/* 0.1's mm_scalar_def. */
typedef struct scalar_def_v0 {
    const char *name;
    mm_scalar_v0_fn serialize;
    mm_scalar_v0_fn parse_value;
} scalar_def_v0;

/* Copies a definition of def_size bytes into out (ours, out_size bytes),
 * zero-filling what it lacks. Returns false when it is too small or carries
 * a nonzero member past what this library knows. */
static bool widen(void *out, size_t out_size, const void *def, size_t def_size, size_t min_size,
                  const char *what) {
    if (!def || def_size < min_size) {
        mm_log_error("%s definition of %zu bytes is smaller than any layout (%zu)", what, def_size,
                     min_size);
        return false;
    }
    for (size_t i = out_size; i < def_size; i++)
        if (((const unsigned char *)def)[i]) {
            mm_log_error("%s definition sets a member this library (%s) does not know; "
                         "build the service against this version's metamorphosis.h",
                         what, mm_version());
            return false;
        }
    memset(out, 0, out_size);
    memcpy(out, def, def_size < out_size ? def_size : out_size);
    return true;
}

int mm_service_add_mutation_sized(mm_service *s, const mm_mutation_def *def, size_t def_size) {
    mm_mutation_def d;
    if (!widen(&d, sizeof d, def, def_size, MUTATION_DEF_V0_SIZE, "mutation")) return MM_EINVAL;
    return mm_service_define_mutation(s, &d);
}

int mm_service_add_consumer_sized(mm_service *s, const mm_consumer_def *def, size_t def_size) {
    mm_consumer_def d;
    if (!widen(&d, sizeof d, def, def_size, CONSUMER_DEF_V0_SIZE, "consumer")) return MM_EINVAL;
    return mm_service_define_consumer(s, &d);
}

int mm_service_add_scalar_sized(mm_service *s, const mm_scalar_def *def, size_t def_size) {
    mm_scalar_def d;
    if (!widen(&d, sizeof d, def, def_size, SCALAR_DEF_V1_SIZE, "scalar")) return MM_EINVAL;
    mm_scalar_spec spec = {
        .name = (char *)d.name, .serialize = d.serialize, .parse_value = d.parse_value, .ud = d.ud};
    return mm_service_define_scalar(s, &spec);
}

/* Subscriptions came in 0.2: every member up to ud is the first layout. */
#define SUBSCRIPTION_DEF_V0_SIZE (offsetof(mm_subscription_def, ud) + sizeof(void *))

int mm_service_add_subscription_sized(mm_service *s, const mm_subscription_def *def,
                                      size_t def_size) {
    mm_subscription_def d;
    if (!widen(&d, sizeof d, def, def_size, SUBSCRIPTION_DEF_V0_SIZE, "subscription"))
        return MM_EINVAL;
    return mm_service_define_subscription(s, &d);
}

/* ---- the 0.1 entry points ------------------------------------------------ */

int(mm_service_add_mutation)(mm_service *s, const mm_mutation_def *def) {
    return mm_service_add_mutation_sized(s, def, MUTATION_DEF_V0_SIZE);
}

int(mm_service_add_consumer)(mm_service *s, const mm_consumer_def *def) {
    return mm_service_add_consumer_sized(s, def, CONSUMER_DEF_V0_SIZE);
}

int(mm_service_add_scalar)(mm_service *s, const mm_scalar_def *def) {
    /* The caller compiled 0.1's struct, whatever the prototype now says. */
    const scalar_def_v0 *v0 = (const void *)def;
    if (!v0) return MM_EINVAL;
    mm_scalar_spec spec = {
        .name = (char *)v0->name, .v0_serialize = v0->serialize, .v0_parse_value = v0->parse_value};
    return mm_service_define_scalar(s, &spec);
}
