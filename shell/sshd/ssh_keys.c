/* authorized_keys: "[options] keytype base64 [comment]" per line. The file
 * is read when a connection starts (ssh_keys_snapshot_take, before its
 * process loses the file system), so that a key added works for the next
 * connection at once. Only options
 * we can honour are accepted; any other option disables its line, because
 * accepting e.g. command= without enforcing it would widen that key's rights. */
#include "shell/sshd/ssh_keys.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* Glob with '*' and '?', case-insensitive as OpenSSH's match_pattern.
 * Iterative with one resume point (the last '*'), so the cost is at most
 * len(p) * len(s): the recursive form was exponential in the number of
 * stars (found by tests/fuzz/fuzz-authkeys, a login took minutes). */
static int glob_match(const char *p, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = ++p;
            resume = s;
        } else if (*p && (*p == '?' || (*p | 0x20) == (*s | 0x20))) {
            p++;
            s++;
        } else if (star) {
            p = star;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

static int cidr_match(const char *pat, const char *addr)
{
    const char *slash = strchr(pat, '/');
    char net[64];
    struct in_addr a, n;
    if (!slash || (size_t)(slash - pat) >= sizeof net)
        return 0;
    memcpy(net, pat, (size_t)(slash - pat));
    net[slash - pat] = '\0';
    char *end = NULL;
    long bits = strtol(slash + 1, &end, 10);
    if (*end || bits < 0 || bits > 32 || inet_pton(AF_INET, net, &n) != 1 || inet_pton(AF_INET, addr, &a) != 1)
        return 0;
    uint32_t mask = bits == 0 ? 0 : htonl(0xffffffffu << (32 - bits));
    return (a.s_addr & mask) == (n.s_addr & mask);
}

int ssh_keys_from_match(const char *list, const char *addr)
{
    int allowed = 0;
    char *copy = xstrdup(list), *save = NULL;
    for (char *pat = strtok_r(copy, ",", &save); pat; pat = strtok_r(NULL, ",", &save)) {
        int neg = *pat == '!';
        pat += neg;
        int hit = strchr(pat, '/') ? cidr_match(pat, addr) : glob_match(pat, addr);
        if (hit && neg) {
            allowed = 0;
            break;
        }
        allowed |= hit;
    }
    free(copy);
    return allowed;
}

/* ---- one line ---- */

typedef struct key_line {
    const char *path;
    size_t lineno;
    const char *addr;
    int from_ok;        /* 1 unless a from= option excluded addr */
    ssh_key_opts opts;
} key_line;

/* Reads a quoted option value at *p (after the opening quote) into out;
 * \" is an escaped quote. 0, or -1 when the quote is not closed. */
static int read_quoted(const char **p, strbuf *out)
{
    const char *s = *p;
    for (; *s && *s != '"'; s++) {
        if (s[0] == '\\' && s[1] == '"')
            s++;
        sb_addc(out, *s);
    }
    if (*s != '"')
        return -1;
    *p = s + 1;
    return 0;
}

/* Applies one option; 0, or -1 when the line must be ignored. */
static int apply_option(key_line *kl, const char *name, const char *value)
{
    static const char *harmless[] = {"no-port-forwarding", "no-agent-forwarding", "no-X11-forwarding",
                                     "no-user-rc", "port-forwarding", "agent-forwarding",
                                     "X11-forwarding", "user-rc", "no-touch-required"};
    if (!strcasecmp(name, "restrict") || !strcasecmp(name, "no-pty"))
        return value ? -1 : (kl->opts.allow_pty = 0, 0);
    if (!strcasecmp(name, "pty"))
        return value ? -1 : (kl->opts.allow_pty = 1, 0);
    if (!strcasecmp(name, "from")) {
        if (!value)
            return -1;
        kl->from_ok = kl->from_ok && ssh_keys_from_match(value, kl->addr);
        return 0;
    }
    /* Forwarding is refused for every session, so these change nothing. */
    for (size_t i = 0; i < sizeof harmless / sizeof harmless[0]; i++)
        if (!strcasecmp(name, harmless[i]))
            return value ? -1 : 0;
    return -1;
}

/* Parses the options at *p up to the first blank outside quotes. */
static int parse_options(key_line *kl, const char **p)
{
    const char *s = *p;
    strbuf name = STRBUF_INIT, value = STRBUF_INIT;
    int rc = 0;
    while (rc == 0 && *s && *s != ' ' && *s != '\t') {
        sb_reset(&name);
        sb_reset(&value);
        size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_@.");
        sb_add(&name, s, n);
        s += n;
        int has_value = *s == '=';
        if (has_value && (s[1] != '"' || (s += 2, read_quoted(&s, &value) != 0)))
            rc = -1;
        if (rc == 0 && (n == 0 || (*s && *s != ',' && *s != ' ' && *s != '\t')))
            rc = -1;
        if (rc == 0 && apply_option(kl, name.buf, has_value ? (value.buf ? value.buf : "") : NULL) != 0) {
            log_warn("%s:%zu: unsupported option '%s': line ignored", kl->path, kl->lineno, name.buf);
            rc = -2;
        }
        if (*s == ',')
            s++;
    }
    if (rc == -1)
        log_warn("%s:%zu: malformed options: line ignored", kl->path, kl->lineno);
    sb_free(&name);
    sb_free(&value);
    *p = s;
    return rc == 0 ? 0 : -1;
}

static int looks_like_key_type(const char *s)
{
    static const char *prefixes[] = {"ssh-", "ecdsa-", "sk-", "rsa-"};
    for (size_t i = 0; i < 4; i++)
        if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

static char *next_word(const char **p)
{
    const char *s = *p + strspn(*p, " \t");
    size_t n = strcspn(s, " \t");
    *p = s + n;
    return n ? xstrndup(s, n) : NULL;
}

/* 1 if line names key and its options allow this login, 0 otherwise. */
static int line_matches(key_line *kl, const char *line, ssh_key key)
{
    const char *p = line + strspn(line, " \t");
    if (*p == '\0' || *p == '#')
        return 0;
    kl->from_ok = 1;
    kl->opts.allow_pty = 1;
    if (!looks_like_key_type(p) && parse_options(kl, &p) != 0)
        return 0;
    char *type = next_word(&p), *b64 = next_word(&p);
    int hit = 0;
    ssh_key k = NULL;
    enum ssh_keytypes_e t = type ? ssh_key_type_from_name(type) : SSH_KEYTYPE_UNKNOWN;
    if (t == SSH_KEYTYPE_UNKNOWN || !b64 || ssh_pki_import_pubkey_base64(b64, t, &k) != SSH_OK)
        log_warn("%s:%zu: not a usable public key: line ignored", kl->path, kl->lineno);
    else
        hit = ssh_key_cmp(k, key, SSH_KEY_CMP_PUBLIC) == 0;
    if (hit && !kl->from_ok) {
        log_warn("%s:%zu: key refused for client %s (from= option)", kl->path, kl->lineno, kl->addr);
        hit = 0;
    }
    ssh_key_free(k);
    free(type);
    free(b64);
    return hit;
}

/* ---- the file ---- */

static char *expand_path(const char *path, const char *user)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "");
    for (const char *p = path; *p; p++) {
        if (p[0] == '%' && p[1] == 'u') {
            sb_adds(&sb, user);
            p++;
        } else {
            sb_addc(&sb, *p);
        }
    }
    return sb_detach(&sb, NULL);
}

/* Opens the file when it is a regular file nobody else can write. */
static FILE *open_checked(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        log_info("authorized_keys %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 022)) {
        log_err("authorized_keys %s refused: not a regular file or writable by group/others", path);
        close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "r");
    if (!f)
        close(fd);
    return f;
}

/* Looks key up in the lines of f, named file in messages. */
static int match_stream(FILE *f, const char *file, ssh_key key, const char *addr, ssh_key_opts *opts)
{
    key_line kl = {file, 0, addr, 1, {1}};
    char *line = NULL;
    size_t cap = 0;
    int found = 0;
    while (!found && getline(&line, &cap, f) >= 0) {
        kl.lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        found = line_matches(&kl, line, key);
    }
    if (found)
        *opts = kl.opts;
    free(line);
    return found;
}

int ssh_keys_authorized(const char *path, const char *user, ssh_key key, const char *addr,
                        ssh_key_opts *opts)
{
    char *file = expand_path(path, user);
    FILE *f = open_checked(file);
    int found = f ? match_stream(f, file, key, addr, opts) : -1;
    if (f)
        fclose(f);
    free(file);
    return found;
}

/* ---- the snapshot of a connection process ---- */

/* The whole file, or NULL (logged as open_checked does). */
static char *read_file(const char *file, size_t *len)
{
    FILE *f = open_checked(file);
    if (!f)
        return NULL;
    strbuf sb = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && sb.len <= SSH_KEYS_MAX_FILE)
        sb_add(&sb, buf, n);
    int bad = ferror(f) || sb.len > SSH_KEYS_MAX_FILE;
    fclose(f);
    if (bad) {
        log_err("authorized_keys %s refused: unreadable or larger than %d bytes", file, SSH_KEYS_MAX_FILE);
        sb_free(&sb);
        return NULL;
    }
    sb_adds(&sb, "");
    return sb_detach(&sb, len);
}

void ssh_keys_snapshot_take(ssh_keys_snapshot *s, const char *path, const char *const *users, size_t n)
{
    s->files = xcalloc(n ? n : 1, sizeof *s->files);
    s->n = n;
    for (size_t i = 0; i < n; i++) {
        ssh_keys_file *f = &s->files[i];
        f->user = xstrdup(users[i]);
        f->path = expand_path(path, users[i]);
        f->text = read_file(f->path, &f->len);
    }
}

void ssh_keys_snapshot_free(ssh_keys_snapshot *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->files[i].user);
        free(s->files[i].path);
        free(s->files[i].text);
    }
    free(s->files);
    s->files = NULL;
    s->n = 0;
}

int ssh_keys_snapshot_authorized(const ssh_keys_snapshot *s, const char *user, ssh_key key, const char *addr,
                                 ssh_key_opts *opts)
{
    for (size_t i = 0; i < s->n; i++) {
        const ssh_keys_file *f = &s->files[i];
        if (strcmp(f->user, user) != 0)
            continue;
        if (!f->text)
            return -1;
        FILE *m = fmemopen(f->text, f->len, "r");
        if (!m)
            return -1;
        int found = match_stream(m, f->path, key, addr, opts);
        fclose(m);
        return found;
    }
    return -1;
}
