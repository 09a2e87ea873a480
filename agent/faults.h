/* Fault injection: <state_dir>/faults, re-read on every call. Each line is
 * `METHOD ACTION [ARG]` with METHOD a name or a '*' pattern; the first match wins. */
#ifndef OVM_AGENT_FAULTS_H
#define OVM_AGENT_FAULTS_H

/* FA_LATE: the call runs at once, its answer leaves delay_s later (a stale
 * answer: the host changed while the reply was on its way). */
enum fault_action { FA_NONE, FA_FAULT, FA_DELAY, FA_HANG, FA_GARBAGE, FA_DROP, FA_IGNORE, FA_LATE, FA_HOLD };

struct fault_rule {
    enum fault_action action;
    double delay_s;     /* FA_DELAY, FA_LATE, FA_HOLD */
    char *text;         /* FA_FAULT: faultString (heap) */
};

/* Finds the rule for method in the file at path (missing file: FA_NONE).
 * The caller frees rule->text with fault_rule_clear. */
void faults_lookup(const char *path, const char *method, struct fault_rule *rule);
/* Parses one line; 1 if it is a rule for method, 0 otherwise (also comments). */
int faults_parse_line(const char *line, const char *method, struct fault_rule *rule);
void fault_rule_clear(struct fault_rule *rule);
#endif
