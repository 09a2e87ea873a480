/* Did-you-mean suggestions for unknown verbs, types and attributes
 * (doc/command-language.md §7.5). A candidate is close when it has the same letters up to
 * case and separators, when the word is a prefix of it and of no other
 * candidate, or when the edit distance is at most 2 (3 when the first letter
 * matches, so that "Vms" suggests "Vm, Vnic" as in the contract's example). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "grammar/internal.h"
#include "lib/strbuf.h"
#include "lib/util.h"

#define MAX_SUGGESTIONS 3

typedef struct {
    const char *name;
    int score;
} scored;

/* Lower-cased alphanumerics only: "memory_limit" and "memoryLimit" agree. */
static char *normalise(const char *s)
{
    char *n = xmalloc(strlen(s) + 1), *o = n;
    for (; *s; s++)
        if (isalnum((unsigned char)*s))
            *o++ = (char)tolower((unsigned char)*s);
    *o = '\0';
    return n;
}

static int has_prefix_ci(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return n && strlen(s) >= n && strncasecmp(s, prefix, n) == 0;
}

static size_t count_prefixed(const char *word, const char *const *cands, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += has_prefix_ci(cands[i], word);
    return k;
}

/* Score of one candidate, lower is closer; -1 when not close. */
static int score(const char *word, const char *cand, int unique_prefix)
{
    char *a = normalise(word), *b = normalise(cand);
    int same = *a && strcmp(a, b) == 0;
    free(a);
    free(b);
    if (same)
        return 0;
    if (unique_prefix && has_prefix_ci(cand, word))
        return 1;
    int d = ovm_edit_distance(word, cand, 3);
    if (d <= 2)
        return d;
    if (d == 3 && tolower((unsigned char)word[0]) == tolower((unsigned char)cand[0]))
        return 3;
    return -1;
}

static int cmp_scored(const void *x, const void *y)
{
    const scored *a = x, *b = y;
    if (a->score != b->score)
        return a->score - b->score;
    return ovm_strcasecmp(a->name, b->name);
}

static int seen(const scored *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (ovm_strcasecmp(v[i].name, name) == 0)
            return 1;
    return 0;
}

char *gr_suggest(const char *word, const char *const *cands, size_t n)
{
    scored *v = xcalloc(n ? n : 1, sizeof *v);
    size_t k = 0;
    int unique_prefix = count_prefixed(word, cands, n) == 1;
    for (size_t i = 0; word && *word && i < n; i++) {
        int s = score(word, cands[i], unique_prefix);
        if (s >= 0 && !seen(v, k, cands[i]))
            v[k++] = (scored){cands[i], s};
    }
    qsort(v, k, sizeof *v, cmp_scored);
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "");
    for (size_t i = 0; i < k && i < MAX_SUGGESTIONS; i++)
        sb_addf(&sb, "%s%s", i ? ", " : "; did you mean: ", v[i].name);
    free(v);
    return sb_detach(&sb, NULL);
}
