/* Configuration keys as data (conftab.h): defaults, parsing and printing. */
#include "lib/conftab.h"
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"

int conftab_match(const conf_key *k, const char *key)
{
    size_t n = strlen(k->key);
    if (n >= 2 && !strcmp(k->key + n - 2, ".*"))
        return !strncmp(key, k->key, n - 1) && !strchr(key + n - 1, '.'); /* "" is the parser's to refuse */
    return !strcmp(k->key, key);
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (isspace((unsigned char)*s) || errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (!ovm_strcasecmp(s, yes[i]))
            return *out = 1, 0;
        if (!ovm_strcasecmp(s, no[i]))
            return *out = 0, 0;
    }
    return -1;
}

/* Sets one typed field from text. 0, or -1 with *err. */
static int set_field(const conf_key *k, void *obj, const char *key, const char *v, char **err)
{
    void *field = (char *)obj + k->off;
    long n;
    switch (k->type) {
    case CT_STR:
        if (!*v)
            return *err = xasprintf("%s: expected a non-empty value", key), -1;
        free(*(char **)field);
        *(char **)field = xstrdup(v);
        return 0;
    case CT_INT:
    case CT_LONG:
        if (parse_long(v, k->min, k->max, &n))
            return *err = xasprintf("%s: expected an integer from %ld to %ld, got '%s'", key, k->min, k->max, v), -1;
        if (k->type == CT_INT)
            *(int *)field = (int)n;
        else
            *(long *)field = n;
        return 0;
    case CT_BOOL:
        if (parse_bool(v, (int *)field))
            return *err = xasprintf("%s: expected true or false, got '%s'", key, v), -1;
        return 0;
    case CT_CUSTOM:
        return k->parse(obj, key, v, err);
    }
    return -1;
}

void conftab_defaults(const conf_key *t, size_t n, void *obj)
{
    for (size_t i = 0; i < n; i++) {
        char *err = NULL;
        if (t[i].dflt && set_field(&t[i], obj, t[i].key, t[i].dflt, &err) != 0)
            abort(); /* a default outside its own range is a bug in the table (test-conftab) */
    }
}

int conftab_apply(const conf_key *t, size_t n, void *obj, const char *key, const char *value, char **err)
{
    for (size_t i = 0; i < n; i++)
        if (conftab_match(&t[i], key))
            return set_field(&t[i], obj, key, value, err) == 0 ? 1 : -1;
    return 0;
}

void conftab_print(const conf_key *t, size_t n, const void *obj, FILE *fp)
{
    for (size_t i = 0; i < n; i++) {
        const void *field = (const char *)obj + t[i].off;
        switch (t[i].type) {
        case CT_STR: {
            const char *s = *(char *const *)field;
            fprintf(fp, s ? "%s %s\n" : "%s\n", t[i].key, s);
            break;
        }
        case CT_INT: fprintf(fp, "%s %d\n", t[i].key, *(const int *)field); break;
        case CT_LONG: fprintf(fp, "%s %ld\n", t[i].key, *(const long *)field); break;
        case CT_BOOL: fprintf(fp, "%s %s\n", t[i].key, *(const int *)field ? "true" : "false"); break;
        case CT_CUSTOM: t[i].print(obj, &t[i], fp); break;
        }
    }
}
