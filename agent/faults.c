/* Fault-injection rules. The file is re-read on every call so that a test can
 * change the agent's behaviour between two calls without restarting it. */
#include "agent/faults.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"

void fault_rule_clear(struct fault_rule *rule)
{
    free(rule->text);
    rule->text = NULL;
    rule->action = FA_NONE;
    rule->delay_s = 0;
}

/* Copies the next blank-separated word of *p into buf and advances *p. */
static int next_word(const char **p, char *buf, size_t len)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = 0;
    while (s[n] && !isspace((unsigned char)s[n]))
        n++;
    if (n == 0 || n >= len)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *p = s + n;
    return 0;
}

static char *rest_of_line(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, "\r\n");
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return xstrndup(p, n);
}

static int parse_action(const char *word, const char *rest, struct fault_rule *rule)
{
    if (!strcmp(word, "fault")) {
        rule->action = FA_FAULT;
        rule->text = rest_of_line(rest);
        if (!*rule->text) {
            free(rule->text);
            rule->text = xstrdup("exceptions.RuntimeError:injected fault");
        }
    } else if (!strcmp(word, "delay") || !strcmp(word, "late") || !strcmp(word, "hold")) {
        char *end;
        char *arg = rest_of_line(rest);
        rule->delay_s = strtod(arg, &end);
        int bad = end == arg || *end || rule->delay_s < 0;
        free(arg);
        if (bad)
            return 0;
        rule->action = word[0] == 'd' ? FA_DELAY : word[0] == 'l' ? FA_LATE : FA_HOLD;
    } else if (!strcmp(word, "hang")) {
        rule->action = FA_HANG;
    } else if (!strcmp(word, "garbage")) {
        rule->action = FA_GARBAGE;
    } else if (!strcmp(word, "drop")) {
        rule->action = FA_DROP;
    } else if (!strcmp(word, "ignore")) {
        rule->action = FA_IGNORE;
    } else {
        return 0;
    }
    return 1;
}

int faults_parse_line(const char *line, const char *method, struct fault_rule *rule)
{
    char pattern[256], action[32];
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '#' || next_word(&p, pattern, sizeof pattern) != 0)
        return 0;
    if (!ovm_glob_match(pattern, method) || next_word(&p, action, sizeof action) != 0)
        return 0;
    return parse_action(action, p, rule);
}

void faults_lookup(const char *path, const char *method, struct fault_rule *rule)
{
    rule->action = FA_NONE;
    rule->text = NULL;
    rule->delay_s = 0;
    FILE *fp = fopen(path, "re");
    if (!fp)
        return;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, fp) != -1)
        if (faults_parse_line(line, method, rule))
            break;
    free(line);
    fclose(fp);
}
