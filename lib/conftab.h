/* Configuration keys as data. Each layer that owns settings (the engine, the
 * SSH front end) describes its ovmd.yaml keys in one table: the dotted key,
 * its type and range, the field it sets, its default. That table alone
 * drives the defaults, the parsing of ovmd.yaml, `ovmd --print-config` and
 * the test that ovmd.yaml(5) documents every key with its default. */
#ifndef OVM_CONFTAB_H
#define OVM_CONFTAB_H
#include <stddef.h>
#include <stdio.h>

typedef enum {
    CT_STR,     /* char *, non-empty */
    CT_INT,     /* int in [min, max] */
    CT_LONG,    /* long in [min, max] */
    CT_BOOL,    /* int 0/1; true/false, yes/no, on/off, 1/0 */
    CT_CUSTOM,  /* parsed and printed by the key's own functions */
} ct_type;

typedef struct conf_key conf_key;
struct conf_key {
    const char *key;    /* dotted; a trailing ".*" matches any one last part,
                         * the empty one too (the parser refuses what it must) */
    ct_type type;
    size_t off;         /* offset of the field in the owning struct */
    long min, max;      /* CT_INT, CT_LONG */
    const char *dflt;   /* as written in ovmd.yaml; NULL: none, or derived */
    const char *derived;/* when dflt is NULL: how the default is derived (for
                         * --print-config and the man page check), or NULL */
    /* CT_CUSTOM: 0, or -1 with *err (heap); key is the full key given. */
    int (*parse)(void *obj, const char *key, const char *value, char **err);
    /* CT_CUSTOM: prints "key value" lines of the effective setting. */
    void (*print)(const void *obj, const conf_key *k, FILE *fp);
};

/* Sets every key that has a default. */
void conftab_defaults(const conf_key *t, size_t n, void *obj);
/* 1 when key belongs to t and was applied, 0 when it is not in t, -1 on a
 * bad value with *err (heap) naming the key and the expected values. */
int conftab_apply(const conf_key *t, size_t n, void *obj, const char *key, const char *value, char **err);
/* Prints the effective value of every key as "key value" lines ("key" alone
 * for an unset one); CT_CUSTOM keys print themselves. */
void conftab_print(const conf_key *t, size_t n, const void *obj, FILE *fp);
/* 1 if key matches the table entry's key (".*" patterns included). */
int conftab_match(const conf_key *k, const char *key);
#endif
