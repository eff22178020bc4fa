/* yaml_tree.h -- a YAML document loaded into a small tree with line numbers.
 *
 * libyaml's event stream is awkward to validate against a schema directly;
 * the configuration loader instead walks this tree and reports every problem
 * as "file:line: key: reason". Only what configuration needs is supported:
 * mappings, sequences and scalars (anchors and aliases are refused so a
 * hostile file cannot expand exponentially). */
#ifndef MM_YAML_TREE_H
#define MM_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum mm_yaml_kind {
    MM_YAML_SCALAR,
    MM_YAML_MAPPING,
    MM_YAML_SEQUENCE,
} mm_yaml_kind;

typedef struct mm_yaml_node mm_yaml_node;

typedef struct mm_yaml_pair {
    char *key; /* mapping keys must be scalars */
    unsigned key_line;
    mm_yaml_node *value;
} mm_yaml_pair;

struct mm_yaml_node {
    mm_yaml_kind kind;
    unsigned line;       /* 1-based */
    unsigned column;     /* 1-based */
    char *scalar;        /* SCALAR: the text */
    bool plain;          /* SCALAR: unquoted (so "null", "true", "5" may be typed) */
    mm_yaml_pair *pairs; /* MAPPING */
    size_t pair_count;
    mm_yaml_node **items; /* SEQUENCE */
    size_t item_count;
};

/* Parses one YAML document from text. On failure returns NULL and writes a
 * message with the line and column into err (of err_size bytes). An empty
 * document yields an empty mapping. */
mm_yaml_node *mm_yaml_parse(const char *text, size_t length, char *err, size_t err_size);

void mm_yaml_free(mm_yaml_node *node);

/* The value of key in a mapping, or NULL. */
mm_yaml_node *mm_yaml_get(const mm_yaml_node *mapping, const char *key);

/* Whether a scalar is YAML's null: ~, null, Null, NULL or empty, unquoted. */
bool mm_yaml_is_null(const mm_yaml_node *node);

#endif
