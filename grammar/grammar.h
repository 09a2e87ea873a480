/* The command language as data (doc/command-language.md §2-§6). One table drives
 * parsing, validation, help, showobjtypes, showcustomcmds, completion and
 * the man page attribute tables. */
#ifndef OVM_GRAMMAR_H
#define OVM_GRAMMAR_H
#include <stddef.h>
#include "grammar/forms.h"

/* Value types (doc/command-language.md §5). */
typedef enum {
    VT_STR,      /* str(n): max_len bytes, UTF-8 */
    VT_INT,      /* int min..max */
    VT_NUM,      /* decimal, min..max (exclusive-zero flag below) */
    VT_BOOL,     /* Yes|No|True|False, case-insensitive; canonical "Yes"/"No" */
    VT_ENUM,     /* one of enums[], case-insensitive; canonical spelling from enums[] */
    VT_ENUMLIST, /* comma-separated list of enums[]; canonicalised */
    VT_REF,      /* name or id of an object of ref_type (resolved by the engine) */
    VT_REFLIST,  /* comma-separated refs of ref_type */
    VT_STRLIST,  /* comma-separated strings (e.g. ntpServers) */
    VT_IPV4,     /* dotted quad */
    VT_HOST,     /* IPv4 address or host name */
    VT_MAC,      /* xx:xx:xx:xx:xx:xx, lower-cased */
    VT_EVENTID,  /* 13-digit id */
    VT_URL,      /* http://, https:// or ftp:// URL ending in a file name; Oracle's
                    doubled slashes (http:////host//f.iso) are undoubled */
} gr_vtype;

/* Attribute flags. */
enum {
    GA_MANDATORY = 1u << 0,   /* "M": required on create (or on the custom command) */
    GA_CREATE = 1u << 1,      /* accepted by create */
    GA_EDIT = 1u << 2,        /* accepted by edit */
    GA_CREATE_ONLY = 1u << 3, /* given to edit: "<attr> of <Type> can only be set when the object is created" */
    GA_NUM_GT0 = 1u << 4,     /* VT_NUM: must be > min (size > 0) */
    GA_SECRET = 1u << 5,      /* never echoed in logs/job descriptions (passwords) */
};

typedef struct gr_attr {
    const char *name;          /* canonical spelling, e.g. "memoryLimit" */
    gr_vtype vtype;
    unsigned flags;
    long long min, max;        /* VT_INT / VT_NUM range */
    size_t max_len;            /* VT_STR / lists: byte limit, 0 = 256 */
    const char *const *enums;  /* VT_ENUM / VT_ENUMLIST: NULL-terminated canonical values */
    const char *ref_type;      /* VT_REF / VT_REFLIST: target type name */
    const char *deflt;         /* default shown in help and man pages, or NULL */
    const char *help;          /* one line for ? help and man pages */
    /* Additions (grammar layer): */
    gr_vtype elem;             /* VT_STRLIST: element type, VT_STR or VT_HOST */
    unsigned max_items;        /* lists: most elements allowed, 0 = no limit */
    const char *const *aliases; /* VT_ENUM: NULL-terminated pairs {input, canonical},
                                   e.g. 3.2 spellings "Sparse" -> "SPARSE_COPY" */
    const char *const *labels; /* VT_ENUM / VT_ENUMLIST: display label of each value of
                                  enums (same order), as show prints it; NULL: the value */
} gr_attr;

/* The id of every command form, in table order (gr_cmds()[id] has that id):
 * GR_F_list_<Type>, GR_F_show_<Type>, then GR_F_<id> of GR_FORMS, e.g.
 * GR_F_create_Vm, GR_F_discoverServer. */
#define GR_ID_LIST_SHOW_(n, code, lvl, label) GR_F_list_##n, GR_F_show_##n,
#define GR_ID_FORM_(id, ...) GR_F_##id,
typedef enum gr_form_id { GR_TYPE_LIST(GR_ID_LIST_SHOW_) GR_FORMS(GR_ID_FORM_) GR_NFORMS } gr_form_id;
#undef GR_ID_LIST_SHOW_
#undef GR_ID_FORM_

/* A command form: a generic verb on a type, a custom command on a type, or a
 * manager/session command (type == NULL). */
struct gr_command;
typedef struct gr_cmd {
    const char *verb;          /* canonical verb spelling, e.g. "showcustomcmds" */
    const char *type;          /* object type or NULL */
    const gr_attr *const *attrs; /* NULL-terminated */
    const char *const *parents;  /* create: types allowed after "on"; add/remove: parent types after to/from */
    int parent_required;       /* create: "on" mandatory */
    int takes_instance;        /* id=/name= follows the type */
    const char *helptext;      /* "HelpText:" line of ? help, or NULL */
    const char *syntax;        /* showcustomcmds line, e.g. "start Vm <instance>" */
    /* Additions (grammar layer): */
    const char *const *one_of; /* exactly one of these attributes (create, custom and
                                  manager commands); at most one on edit */
    int type_arg;              /* manager command followed by a bare type (showcustomcmds) */
    /* Cross-attribute rule run after all other checks: 0 ok, -1 with *err (heap). */
    int (*check)(const struct gr_command *c, char **err);
    gr_form_id id;             /* this form's id */
    const char *refusal;       /* the engine always refuses it with this Error Msg, or NULL */
    int creates;               /* create: a completed job's reply lists the new object (§7.2) */
    const char *keyword;       /* a bare word the form takes among its attributes, naming the
                                  embedded object (embeddedCreate ... ipAddressConfig), or NULL */
} gr_cmd;

/* Object type support levels (doc/command-language.md §4.1). */
enum { GT_R1 = 1, GT_RECOGNISED = 2, GT_PSEUDO = 3 /* accepted input alias only */ };

typedef struct gr_type {
    const char *name;          /* canonical, e.g. "VirtualDisk" */
    const char *code;          /* id type code, e.g. "0012", or NULL */
    int level;                 /* GT_R1 or GT_RECOGNISED */
    const char *show_name;     /* used in job names, e.g. "VM", "Virtual Disk" */
} gr_type;

/* Lookup (case-insensitive). NULL when unknown. */
const gr_type *gr_type_find(const char *name);
/* All types in alphabetical order; *n gets the count. */
const gr_type *const *gr_types(size_t *n);
/* The command form for verb (+ type) or NULL. */
const gr_cmd *gr_cmd_find(const char *verb, const char *type);
/* The form with id, or NULL for an id out of range. */
const gr_cmd *gr_cmd_by_id(gr_form_id id);
/* Why the form is always refused, for a command on type t (the form's type,
 * or the type argument of showcustomcmds; NULL for none): its .refusal (the
 * engine refuses these after parsing), or else gr_type_refusal. NULL when it
 * is not refused. Heap string. */
char *gr_refusal(const gr_cmd *c, const gr_type *t);
/* "Object type T is not supported by this Manager" when t is recognised only
 * and the verb is not list (the parser refuses these), else NULL. Heap. */
char *gr_type_refusal(const gr_cmd *c, const gr_type *t);
/* All command forms in table order; *n gets the count. */
const gr_cmd *const *gr_cmds(size_t *n);
/* Attribute of a command form by name (case-insensitive) or NULL. */
const gr_attr *gr_cmd_attr(const gr_cmd *c, const char *name);
/* The attribute name of object type: from its create form, else from
 * another form on the type (edit). NULL when no form has it. */
const gr_attr *gr_type_attr(const char *type, const char *name);
/* The attribute's default as a value (deflt, unless it is a rule such as
 * "= memory"), or NULL. One default per attribute: show and the engine
 * read it here. */
const char *gr_attr_value_default(const gr_attr *a);
/* The display label of value v of an enum attribute, or v itself. */
const char *gr_enum_label(const gr_attr *a, const char *v);
/* 1 if word is a known verb (case-insensitive). */
int gr_is_verb(const char *word);

/* ---- lexing (doc/command-language.md §3) ---- */
typedef struct gr_token {
    char *text;        /* token text with quotes removed and escapes applied */
    char *key;         /* for key=value tokens: key (as typed), else NULL */
    char *value;       /* for key=value tokens: value (unquoted), else NULL */
    size_t off;        /* byte offset of the token in the command */
    size_t voff;       /* byte offset of the value */
    int quoted;        /* value was quoted */
} gr_token;

typedef struct gr_tokens {
    gr_token *v;
    size_t n, cap;
} gr_tokens;

/* Splits an input line into commands at ';' outside quotes; segments are
 * trimmed, empty ones dropped. Returns the count; *out is a heap array of heap
 * strings (free with gr_free_strv). An unterminated quote keeps the rest of
 * the line in the last segment (the parser then reports the error). */
size_t gr_split_commands(const char *line, char ***out);
void gr_free_strv(char **v, size_t n);

/* Where the text before a cursor stands, by the lexical rules of §3: the
 * quote scanner of gr_lex and gr_split_commands, for '?' and TAB. */
typedef struct gr_cursor {
    size_t seg;     /* start of the last command: after the last ';' outside quotes */
    size_t tok;     /* start of the token under the cursor (the end, after a blank) */
    int open_quote; /* that token ends inside an unterminated quoted value */
} gr_cursor;
void gr_scan_cursor(const char *text, gr_cursor *out);

/* Checks raw input bytes (len may include NULs): length <= GR_MAX_LINE, valid
 * UTF-8, none of the code points lib/text.c refuses (NUL, controls except TAB,
 * C1 controls, noncharacters, bidi and invisible characters). 0 ok, -1 with
 * "Syntax error: ... at column N" (1-based byte column) in *err (heap). */
int gr_check_line(const char *line, size_t len, char **err);
#define GR_MAX_LINE 16384

/* Tokenises one command. 0 ok, -1 syntax error with message "Syntax error: ..."
 * (heap) in *err. */
int gr_lex(const char *cmd, gr_tokens *out, char **err);
void gr_tokens_free(gr_tokens *t);

/* ---- parsing and validation (doc/command-language.md §2, §5, §7.5) ---- */
typedef struct gr_kv {
    const gr_attr *def;  /* attribute definition (NULL for instance keys) */
    char *key;           /* canonical attribute name ("id"/"name" for instances) */
    char *value;         /* canonical value: enums in their table spelling,
                            bools "Yes"/"No", MACs lower case, others as typed */
    size_t off;          /* byte offset of the token */
} gr_kv;

typedef struct gr_command {
    char *text;              /* the command as typed, trimmed */
    const gr_cmd *def;       /* matched command form */
    const char *verb;        /* canonical verb */
    const gr_type *type;     /* NULL for manager/session commands */
    gr_kv instance;          /* key "id" or "name"; key NULL when absent */
    gr_kv *attrs;            /* attributes in first-seen order, duplicates resolved (last wins) */
    size_t nattrs;
    const gr_type *ptype;    /* parent type after on/to/from, else NULL */
    gr_kv pinstance;         /* parent instance */
    int help;                /* a lone '?' token ended the command: help requested */
    size_t help_off;         /* byte offset of that '?' in text */
} gr_command;

/* Parses and validates a single command (no ';'). Returns 0 and fills *out,
 * or -1 with the exact doc/command-language.md §7.5 Error Msg text in *err (heap).
 * Object names are not resolved here: the engine does that. For
 * recognised-only types "list" succeeds; other verbs give the
 * "not supported by this Manager" text. A command ending in '?' returns 0
 * with out->help = 1 even if incomplete. On failure *out is left empty
 * (gr_command_free on it is a no-op). */
int gr_parse(const char *cmd, gr_command *out, char **err);
void gr_command_free(gr_command *c);

/* ---- the partial parser: one walk serves execution, '?' and TAB ---- */
/* What the next token of a command may be. */
typedef enum {
    GW_VERB,      /* the verb */
    GW_TYPE,      /* the object type (or the type argument of showcustomcmds) */
    GW_INSTANCE,  /* id=/name= of the object */
    GW_REST,      /* attributes, or the parent keyword (on/to/from) */
    GW_PTYPE,     /* the parent's type */
    GW_PINSTANCE, /* id=/name= of the parent */
    GW_END,       /* nothing: a token did not fit (err says why) */
} gr_where;

typedef struct gr_walk {
    gr_where where;
    gr_command cmd;     /* what the tokens so far say */
    char *err;          /* the first error, as gr_parse reports it (heap), or NULL */
    int check_values;   /* validate attribute values (execution); '?' and TAB leave
                           them to the command's run */
} gr_walk;

void gr_walk_init(gr_walk *w, int check_values);
/* Steps over one token. 0, or -1 with w->err (where becomes GW_END). */
int gr_walk_token(gr_walk *w, const gr_token *t);
/* The command ends here: -1 with w->err when a part is missing. */
int gr_walk_end(gr_walk *w);
void gr_walk_free(gr_walk *w);
/* Keyword introducing the parent for a verb ("on", "to", "from") or NULL. */
const char *gr_parent_keyword(const char *verb);
/* 1 if the command's verb takes attribute a (create/edit flags). */
int gr_walk_accepts(const gr_command *c, const gr_attr *a);
/* For '?' and TAB: walks the finished tokens of the last command in before
 * (see gr_scan_cursor); *cur gets the token under the cursor as typed (heap;
 * empty after a blank). Free w with gr_walk_free. */
void gr_walk_partial(const char *before, gr_walk *w, char **cur);
/* Attribute value by canonical name or NULL. */
const char *gr_get(const gr_command *c, const char *name);
/* Did-you-mean: "; did you mean: A, B" for word among cands (n entries), or
 * "" when nothing is close. Heap string. */
char *gr_suggest(const char *word, const char *const *cands, size_t n);
/* One-line "<type/range>" description of an attribute's value, e.g.
 * "int 1..128", for help and man pages. Heap string. */
char *gr_attr_describe(const gr_attr *a);

/* ---- generated texts (doc/command-language.md §6) ---- */
/* Each returns a heap array of heap lines without EOL; free with gr_free_strv. */
size_t gr_help_lines(char ***out);                       /* `help` */
size_t gr_showobjtypes_lines(char ***out);               /* `showobjtypes` data lines */
size_t gr_showcustomcmds_lines(const gr_type *t, char ***out); /* data lines */
size_t gr_showallcustomcmds_lines(char ***out);
/* `?` help for the text before the '?' (doc/command-language.md §11.3), without live
 * object names: lines indented to col (the column of '?'). */
size_t gr_question_lines(const char *before, size_t col, char ***out);
#endif
