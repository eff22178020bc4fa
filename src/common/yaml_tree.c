/* yaml_tree.c -- builds the tree of yaml_tree.h from libyaml's event stream. */
#include "common/yaml_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Nesting deeper than this is refused: configuration never needs it and it
 * bounds the recursion below. */
#define YAML_MAX_DEPTH 64

typedef struct builder {
    yaml_parser_t parser;
    char *err;
    size_t err_size;
} builder;

static void set_error(builder *b, const char *what, const yaml_mark_t *mark) {
    snprintf(b->err, b->err_size, "line %zu, column %zu: %s", mark->line + 1, mark->column + 1,
             what);
}

static mm_yaml_node *new_node(mm_yaml_kind kind, const yaml_event_t *ev) {
    mm_yaml_node *n = calloc(1, sizeof(*n));
    if (!n) return NULL;
    n->kind = kind;
    n->line = (unsigned)ev->start_mark.line + 1;
    n->column = (unsigned)ev->start_mark.column + 1;
    return n;
}

static mm_yaml_node *parse_node(builder *b, yaml_event_t *ev, int depth);

static bool next_event(builder *b, yaml_event_t *ev) {
    if (!yaml_parser_parse(&b->parser, ev)) {
        snprintf(b->err, b->err_size, "line %zu, column %zu: %s", b->parser.problem_mark.line + 1,
                 b->parser.problem_mark.column + 1,
                 b->parser.problem ? b->parser.problem : "invalid YAML");
        return false;
    }
    return true;
}

static mm_yaml_node *parse_mapping(builder *b, yaml_event_t *start, int depth) {
    mm_yaml_node *map = new_node(MM_YAML_MAPPING, start);
    if (!map) return NULL;
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        if (!next_event(b, &ev)) goto fail;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            return map;
        }
        if (ev.type != YAML_SCALAR_EVENT) {
            set_error(b, "mapping keys must be plain scalars", &ev.start_mark);
            yaml_event_delete(&ev);
            goto fail;
        }
        char *key = strdup((const char *)ev.data.scalar.value);
        unsigned key_line = (unsigned)ev.start_mark.line + 1;
        yaml_event_delete(&ev);
        if (!key) goto fail;
        for (size_t i = 0; i < map->pair_count; i++) {
            if (strcmp(map->pairs[i].key, key) == 0) {
                snprintf(b->err, b->err_size, "line %u: duplicate key '%s'", key_line, key);
                free(key);
                goto fail;
            }
        }
        yaml_event_t vev;
        if (!next_event(b, &vev)) {
            free(key);
            goto fail;
        }
        mm_yaml_node *value = parse_node(b, &vev, depth + 1);
        yaml_event_delete(&vev);
        if (!value) {
            free(key);
            goto fail;
        }
        if (map->pair_count == cap) {
            cap = cap ? cap * 2 : 8;
            mm_yaml_pair *p = realloc(map->pairs, cap * sizeof(*p));
            if (!p) {
                free(key);
                mm_yaml_free(value);
                goto fail;
            }
            map->pairs = p;
        }
        map->pairs[map->pair_count++] = (mm_yaml_pair){key, key_line, value};
    }
fail:
    mm_yaml_free(map);
    return NULL;
}

static mm_yaml_node *parse_sequence(builder *b, yaml_event_t *start, int depth) {
    mm_yaml_node *seq = new_node(MM_YAML_SEQUENCE, start);
    if (!seq) return NULL;
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        if (!next_event(b, &ev)) goto fail;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return seq;
        }
        mm_yaml_node *item = parse_node(b, &ev, depth + 1);
        yaml_event_delete(&ev);
        if (!item) goto fail;
        if (seq->item_count == cap) {
            cap = cap ? cap * 2 : 8;
            mm_yaml_node **p = realloc(seq->items, cap * sizeof(*p));
            if (!p) {
                mm_yaml_free(item);
                goto fail;
            }
            seq->items = p;
        }
        seq->items[seq->item_count++] = item;
    }
fail:
    mm_yaml_free(seq);
    return NULL;
}

static mm_yaml_node *parse_node(builder *b, yaml_event_t *ev, int depth) {
    if (depth > YAML_MAX_DEPTH) {
        set_error(b, "nesting too deep", &ev->start_mark);
        return NULL;
    }
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        if (ev->data.scalar.anchor) {
            set_error(b, "anchors are not supported in configuration", &ev->start_mark);
            return NULL;
        }
        mm_yaml_node *n = new_node(MM_YAML_SCALAR, ev);
        if (!n) return NULL;
        n->scalar = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (!n->scalar) {
            free(n);
            return NULL;
        }
        if (strlen(n->scalar) != ev->data.scalar.length) {
            set_error(b, "NUL character in scalar", &ev->start_mark);
            mm_yaml_free(n);
            return NULL;
        }
        return n;
    }
    case YAML_MAPPING_START_EVENT:
        if (ev->data.mapping_start.anchor) {
            set_error(b, "anchors are not supported in configuration", &ev->start_mark);
            return NULL;
        }
        return parse_mapping(b, ev, depth);
    case YAML_SEQUENCE_START_EVENT:
        if (ev->data.sequence_start.anchor) {
            set_error(b, "anchors are not supported in configuration", &ev->start_mark);
            return NULL;
        }
        return parse_sequence(b, ev, depth);
    case YAML_ALIAS_EVENT:
        set_error(b, "aliases are not supported in configuration", &ev->start_mark);
        return NULL;
    default: set_error(b, "unexpected YAML event", &ev->start_mark); return NULL;
    }
}

mm_yaml_node *mm_yaml_parse(const char *text, size_t length, char *err, size_t err_size) {
    builder b = {.err = err, .err_size = err_size};
    if (err_size) err[0] = '\0';
    if (!yaml_parser_initialize(&b.parser)) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, length);
    mm_yaml_node *root = NULL;
    yaml_event_t ev;
    /* STREAM-START, then DOCUMENT-START or STREAM-END (empty file). */
    if (!next_event(&b, &ev)) goto done;
    yaml_event_delete(&ev);
    if (!next_event(&b, &ev)) goto done;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        root = calloc(1, sizeof(*root));
        if (root) {
            root->kind = MM_YAML_MAPPING;
            root->line = root->column = 1;
        }
        goto done;
    }
    yaml_event_delete(&ev);
    if (!next_event(&b, &ev)) goto done;
    root = parse_node(&b, &ev, 0);
    yaml_event_delete(&ev);
    if (!root) goto done;
    /* DOCUMENT-END, then STREAM-END: a second document is an error. */
    if (!next_event(&b, &ev)) {
        mm_yaml_free(root);
        root = NULL;
        goto done;
    }
    yaml_event_delete(&ev);
    if (!next_event(&b, &ev)) {
        mm_yaml_free(root);
        root = NULL;
        goto done;
    }
    if (ev.type != YAML_STREAM_END_EVENT) {
        set_error(&b, "only one YAML document is allowed", &ev.start_mark);
        mm_yaml_free(root);
        root = NULL;
    }
    yaml_event_delete(&ev);
done:
    yaml_parser_delete(&b.parser);
    return root;
}

void mm_yaml_free(mm_yaml_node *node) {
    if (!node) return;
    free(node->scalar);
    for (size_t i = 0; i < node->pair_count; i++) {
        free(node->pairs[i].key);
        mm_yaml_free(node->pairs[i].value);
    }
    free(node->pairs);
    for (size_t i = 0; i < node->item_count; i++) mm_yaml_free(node->items[i]);
    free(node->items);
    free(node);
}

mm_yaml_node *mm_yaml_get(const mm_yaml_node *mapping, const char *key) {
    if (!mapping || mapping->kind != MM_YAML_MAPPING) return NULL;
    for (size_t i = 0; i < mapping->pair_count; i++)
        if (strcmp(mapping->pairs[i].key, key) == 0) return mapping->pairs[i].value;
    return NULL;
}

bool mm_yaml_is_null(const mm_yaml_node *node) {
    if (!node || node->kind != MM_YAML_SCALAR || !node->plain) return false;
    const char *s = node->scalar;
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}
