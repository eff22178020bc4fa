/* error.c -- names for the mm_error codes of the public API, and the version. */
#include "metamorphosis.h"

const char *mm_strerror(int code) {
    switch (code) {
    case MM_OK: return "success";
    case MM_ENOMEM: return "out of memory";
    case MM_EINVAL: return "invalid argument";
    case MM_ESYNTAX: return "syntax error";
    case MM_ENOTFOUND: return "not found";
    case MM_EEXIST: return "already exists";
    case MM_EIO: return "I/O error";
    case MM_ETIMEDOUT: return "timed out";
    case MM_EKAFKA: return "Kafka error";
    case MM_EREDIS: return "Redis error";
    case MM_ELIMIT: return "limit exceeded";
    case MM_EAUTH: return "unauthorized";
    default: return "unknown error";
    }
}

const char *mm_version(void) { return MM_VERSION_STRING; }
