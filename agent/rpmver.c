/* RPM version comparison: rpmvercmp (rpm's lib/rpmvercmp.c) re-implemented
 * from its documented rules, and epoch:version-release on top. */
#include "agent/rpmver.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int is_sep(char ch)
{
    return ch && !isalnum((unsigned char)ch) && ch != '~' && ch != '^';
}

/* Compares the segments [a, ae) and [b, be) of one kind. */
static int segcmp(const char *a, const char *ae, const char *b, const char *be, int numeric)
{
    if (numeric) { /* leading zeros do not count; the longer number is newer */
        while (a < ae && *a == '0')
            a++;
        while (b < be && *b == '0')
            b++;
        if (ae - a != be - b)
            return ae - a > be - b ? 1 : -1;
    }
    size_t la = (size_t)(ae - a), lb = (size_t)(be - b);
    int rc = memcmp(a, b, la < lb ? la : lb);
    if (rc)
        return rc < 0 ? -1 : 1;
    return la == lb ? 0 : la > lb ? 1 : -1;
}

/* '~' sorts before anything, '^' after the end but before more segments.
 * 2 when neither is at a '~' or '^'. */
static int tilde_caret(const char **one, const char **two)
{
    char x = **one, y = **two;
    if (x == '~' || y == '~') {
        if (x != '~')
            return 1;
        if (y != '~')
            return -1;
    } else if (x == '^' || y == '^') {
        if (!x)
            return -1;
        if (!y)
            return 1;
        if (x != '^')
            return 1;
        if (y != '^')
            return -1;
    } else {
        return 2;
    }
    (*one)++;
    (*two)++;
    return 0;
}

int rpm_vercmp(const char *one, const char *two)
{
    if (!strcmp(one, two))
        return 0;
    while (*one || *two) {
        while (is_sep(*one))
            one++;
        while (is_sep(*two))
            two++;
        int tc = tilde_caret(&one, &two);
        if (tc == 0)
            continue;
        if (tc != 2)
            return tc;
        if (!*one || !*two)
            break;
        const char *e1 = one, *e2 = two;
        int numeric = isdigit((unsigned char)*one) != 0;
        int (*kind)(int) = numeric ? isdigit : isalpha;
        while (*e1 && kind((unsigned char)*e1))
            e1++;
        while (*e2 && kind((unsigned char)*e2))
            e2++;
        if (e2 == two) /* segments of different kinds: the number is newer */
            return numeric ? 1 : -1;
        int rc = segcmp(one, e1, two, e2, numeric);
        if (rc)
            return rc;
        one = e1;
        two = e2;
    }
    if (!*one && !*two)
        return 0;
    return *one ? 1 : -1;
}

/* Splits "[E:]V[-R]" into its parts (in buf, which it changes). */
static void split_evr(char *buf, long *epoch, const char **ver, const char **rel)
{
    char *colon = strchr(buf, ':');
    *epoch = 0;
    *ver = buf;
    if (colon) {
        *colon = '\0';
        *epoch = strtol(buf, NULL, 10);
        *ver = colon + 1;
    }
    char *dash = strrchr(*ver, '-');
    *rel = NULL;
    if (dash) {
        *dash = '\0';
        *rel = dash + 1;
    }
}

int rpm_evrcmp(const char *a, const char *b)
{
    char ba[256], bb[256];
    long ea, eb;
    const char *va, *vb, *ra, *rb;
    strncpy(ba, a, sizeof ba - 1);
    ba[sizeof ba - 1] = '\0';
    strncpy(bb, b, sizeof bb - 1);
    bb[sizeof bb - 1] = '\0';
    split_evr(ba, &ea, &va, &ra);
    split_evr(bb, &eb, &vb, &rb);
    if (ea != eb)
        return ea > eb ? 1 : -1;
    int rc = rpm_vercmp(va, vb);
    if (rc || !ra || !rb)
        return rc;
    return rpm_vercmp(ra, rb);
}
