/* bench_service.c -- the service that bench/http/run.sh serves with
 * `gregor serve`: a read-only schema of users with posts with comments
 * (4 users x 5 posts x 5 comments, as in bench/graphql), built once in
 * memory when the module is loaded. `users` hands out a new reference to that
 * one array; every field below it resolves by the default resolver, so the
 * benchmark measures the server (HTTP, parse/validate cache, execution,
 * serialization), not the application. server.mjs serves the same SDL (it
 * reads `gregor schema` of this module) and the same data with graphql-js. */
#include <metamorphosis.h>

#include <stdio.h>

static const char sdl[] =
    "\"A member of the site.\"\n"
    "type User { id: ID! name: String! email: String posts: [Post!]! }\n"
    "type Post { id: ID! title: String! body: String likes: Int! comments: [Comment!]! }\n"
    "type Comment { id: ID! text: String! author: String }\n"
    "type Query { users: [User!]! }\n";

/* Built once; read concurrently by the HTTP threads (jansson's reference
 * counts are atomic, and nothing writes to the data). */
static json_t *users_data;

static json_t *build_users(void) {
    json_t *users = json_array();
    char id[32], text[64];
    for (int i = 1; i <= 4 && users; i++) {
        json_t *posts = json_array();
        for (int j = 1; j <= 5 && posts; j++) {
            json_t *comments = json_array();
            for (int k = 1; k <= 5 && comments; k++) {
                snprintf(id, sizeof id, "c%d-%d-%d", i, j, k);
                snprintf(text, sizeof text, "Comment %d", k);
                char author[16];
                snprintf(author, sizeof author, "u%d", k);
                json_array_append_new(
                    comments, json_pack("{s:s,s:s,s:s}", "id", id, "text", text, "author", author));
            }
            snprintf(id, sizeof id, "p%d-%d", i, j);
            snprintf(text, sizeof text, "Post %d of user %d", j, i);
            char body[64];
            snprintf(body, sizeof body, "Body text of post %d", j);
            json_array_append_new(posts,
                                  json_pack("{s:s,s:s,s:s,s:i,s:o*}", "id", id, "title", text,
                                            "body", body, "likes", i * j, "comments", comments));
        }
        snprintf(id, sizeof id, "u%d", i);
        snprintf(text, sizeof text, "User %d", i);
        char email[64];
        snprintf(email, sizeof email, "user%d@example.com", i);
        json_array_append_new(users, json_pack("{s:s,s:s,s:s,s:o*}", "id", id, "name", text,
                                               "email", email, "posts", posts));
    }
    return users;
}

/* gregor dlcloses the module when it stops; the data goes with it. */
__attribute__((destructor)) static void free_users(void) {
    json_decref(users_data);
    users_data = NULL;
}

static json_t *resolve_users(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    if (!users_data) {
        mm_resolve_error(info, NULL, "benchmark data could not be built");
        return NULL;
    }
    return json_incref(users_data);
}

mm_service *metamorphosis_service(void) {
    if (!users_data) users_data = build_users();
    mm_service *s = mm_service_new("httpbench");
    int rc = s ? mm_service_add_sdl(s, sdl) : MM_ENOMEM;
    /* It answers from memory: no need to leave the I/O thread. */
    if (!rc)
        rc = mm_service_add_resolver_flags(s, "Query", "users", resolve_users, NULL,
                                           MM_RESOLVER_NONBLOCKING);
    if (rc && s) {
        mm_service_free(s);
        return NULL;
    }
    return s;
}
