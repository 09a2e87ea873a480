/* The SSH and authentication settings of ovmd.yaml, and password hashing. */
#include "shell/sshd/sshd.h"
#include <crypt.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "lib/conftab.h"
#include "lib/util.h"

static void free_users(sshd_config *c)
{
    for (size_t i = 0; i < c->nusers; i++) {
        free(c->users[i].name);
        free(c->users[i].hash);
    }
    free(c->users);
    c->users = NULL;
    c->nusers = 0;
}

void sshd_config_free(sshd_config *c)
{
    free_users(c);
    free(c->listen);
    free(c->host_key_dir);
    free(c->authorized_keys);
    free(c->engine_socket);
    free(c->privsep_user);
    free(c->privsep_dir);
    memset(c, 0, sizeof *c);
}

const sshd_user *sshd_config_user(const sshd_config *c, const char *user)
{
    for (size_t i = 0; i < c->nusers; i++)
        if (strcmp(c->users[i].name, user) == 0)
            return &c->users[i];
    return NULL;
}

static int bad(char **err, const char *key, const char *value, const char *why)
{
    if (err)
        *err = xasprintf("%s: bad value '%s': %s", key, value, why);
    return -1;
}

/* Parses a decimal integer in [lo, hi]; 0 or -1. */
static int parse_int(const char *s, long lo, long hi, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static void set_str(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

/* "ADDR", "ADDR:PORT" or "[V6]:PORT"; the port part overrides ssh.port. */
static int apply_listen(sshd_config *c, const char *value, char **err)
{
    const char *colon = strrchr(value, ':');
    int port = c->port;
    if (value[0] == '[') {
        const char *close = strchr(value, ']');
        if (!close || (close[1] && (close[1] != ':' || parse_int(close + 2, 1, 65535, &port))))
            return bad(err, "ssh.listen", value, "expected ADDRESS or ADDRESS:PORT");
        free(c->listen);
        c->listen = xstrndup(value + 1, (size_t)(close - value - 1));
    } else if (colon && strchr(value, ':') == colon) {
        if (parse_int(colon + 1, 1, 65535, &port))
            return bad(err, "ssh.listen", value, "port must be 1..65535");
        free(c->listen);
        c->listen = xstrndup(value, (size_t)(colon - value));
    } else {
        set_str(&c->listen, value); /* a bare address, IPv6 included */
    }
    c->port = port;
    return 1;
}

static int valid_hash(const char *h)
{
    return *h == '\0' || (h[0] == '$' && strlen(h) >= 20 && !strpbrk(h, " \t\r\n:"));
}

static int apply_user(sshd_config *c, const char *name, const char *hash, char **err, const char *key)
{
    if (!*name || strpbrk(name, " \t\r\n/:%"))
        return bad(err, key, name, "invalid user name");
    if (!valid_hash(hash))
        return bad(err, key, "(hidden)", "expected a crypt(3) hash from ovmd --hash-password, or \"\"");
    if (!c->users_set) {
        free_users(c);
        c->users_set = 1;
    }
    for (size_t i = 0; i < c->nusers; i++)
        if (strcmp(c->users[i].name, name) == 0)
            return set_str(&c->users[i].hash, hash), 1;
    c->users = xrealloc(c->users, (c->nusers + 1) * sizeof *c->users);
    c->users[c->nusers].name = xstrdup(name);
    c->users[c->nusers].hash = xstrdup(hash);
    c->nusers++;
    return 1;
}

static int parse_listen(void *obj, const char *key, const char *value, char **err)
{
    (void)key;
    return apply_listen(obj, value, err) == 1 ? 0 : -1;
}

static void print_listen(const void *obj, const conf_key *k, FILE *fp)
{
    const sshd_config *c = obj;
    fprintf(fp, c->listen ? "%s %s\n" : "%s\n", k->key, c->listen); /* unset: every address */
}

static int parse_user(void *obj, const char *key, const char *value, char **err)
{
    return apply_user(obj, key + strlen("auth.users."), value, err, key) == 1 ? 0 : -1;
}

/* Accounts without their hashes: only whether a password is set. */
static void print_users(const void *obj, const conf_key *k, FILE *fp)
{
    (void)k;
    const sshd_config *c = obj;
    for (size_t i = 0; i < c->nusers; i++)
        fprintf(fp, "auth.users.%s %s\n", c->users[i].name, *c->users[i].hash ? "(password set)" : "\"\"");
}

static int parse_startups(void *obj, const char *key, const char *value, char **err)
{
    sshd_config *c = obj;
    if (ssh_startups_parse(value, &c->startups) != 0)
        return bad(err, key, value, "expected FULL or START:RATE:FULL with 1 <= START <= FULL, RATE 0..100");
    return 0;
}

static void print_startups(const void *obj, const conf_key *k, FILE *fp)
{
    const sshd_config *c = obj;
    fprintf(fp, "%s %d:%d:%d\n", k->key, c->startups.start, c->startups.rate, c->startups.full);
}

#define SK(field) offsetof(sshd_config, field)
/* The SSH front end's keys of ovmd.yaml(5). Derived paths are filled by
 * sshd_config_finish. */
static const conf_key ssh_keys[] = {
    {"ssh.enabled", CT_BOOL, SK(enabled), 0, 0, "true", NULL, NULL, NULL},
    {"ssh.port", CT_INT, SK(port), 1, 65535, "10000", NULL, NULL, NULL},
    {"ssh.listen", CT_CUSTOM, 0, 0, 0, NULL, "all addresses", parse_listen, print_listen},
    /* Unauthenticated connections (ssh_startups.h). Generous next to
     * OpenSSH's 10:30:100 because bulk scripts (Expect, the ssh-concurrent
     * test) log in 50 at a time from one address; still, a flood holds at
     * most 300 connection processes, 60 of them from any one address. */
    {"ssh.max_startups", CT_CUSTOM, 0, 0, 0, "100:30:300", NULL, parse_startups, print_startups},
    {"ssh.per_source_max_startups", CT_INT, SK(startups.per_source), 0, 100000, "60", NULL, NULL, NULL},
    {"ssh.host_key_dir", CT_STR, SK(host_key_dir), 0, 0, NULL, "STATE_DIR/ssh", NULL, NULL},
    /* Privilege separation (shell/sshd/ssh_privsep.h): a listener running as
     * root drops each connection process to this user inside this empty
     * folder before key exchange. */
    {"ssh.privsep_user", CT_STR, SK(privsep_user), 0, 0, "nobody", NULL, NULL, NULL},
    {"ssh.privsep_dir", CT_STR, SK(privsep_dir), 0, 0, NULL, "STATE_DIR/ssh-empty", NULL, NULL},
    {"auth.authorized_keys", CT_STR, SK(authorized_keys), 0, 0, NULL, "STATE_DIR/authorized_keys", NULL, NULL},
    {"auth.max_tries", CT_INT, SK(max_tries), 1, 1000, "6", NULL, NULL, NULL},
    {"auth.login_grace_time", CT_INT, SK(login_grace), 0, 86400, "120", NULL, NULL, NULL},
    /* Password throttling per (name, address), ssh_lockout.h; the key names
     * stay those of the former account lockout so that old files still work. */
    {"auth.lockout_failures", CT_INT, SK(lockout_failures), 0, 1000, "5", NULL, NULL, NULL},
    {"auth.lockout_minutes", CT_INT, SK(lockout_minutes), 0, 525600, "30", NULL, NULL, NULL},
    {"auth.unknown_user_hashes", CT_INT, SK(unknown_hashes), 1, 10000, "4", NULL, NULL, NULL},
    {"auth.users.*", CT_CUSTOM, 0, 0, 0, NULL, "admin, public-key login only", parse_user, print_users},
};
#undef SK
static const size_t n_ssh_keys = sizeof ssh_keys / sizeof ssh_keys[0];

void sshd_config_defaults(sshd_config *c)
{
    memset(c, 0, sizeof *c);
    conftab_defaults(ssh_keys, n_ssh_keys, c);
    c->users = xcalloc(1, sizeof *c->users);
    c->users[0].name = xstrdup("admin");
    c->users[0].hash = xstrdup("");
    c->nusers = 1;
}

const conf_key *sshd_config_keys(size_t *n)
{
    *n = n_ssh_keys;
    return ssh_keys;
}

int sshd_config_apply(sshd_config *c, const char *key, const char *value, char **err)
{
    return conftab_apply(ssh_keys, n_ssh_keys, c, key, value, err);
}

void sshd_config_print(const sshd_config *c, FILE *fp)
{
    conftab_print(ssh_keys, n_ssh_keys, c, fp);
}

void sshd_config_finish(sshd_config *c, const char *state_dir, const char *socket)
{
    if (!c->host_key_dir)
        c->host_key_dir = xasprintf("%s/ssh", state_dir);
    if (!c->authorized_keys)
        c->authorized_keys = xasprintf("%s/authorized_keys", state_dir);
    if (!c->privsep_dir)
        c->privsep_dir = xasprintf("%s/ssh-empty", state_dir);
    if (!c->engine_socket)
        c->engine_socket = socket ? xstrdup(socket) : xasprintf("%s/engine.sock", state_dir);
}

/* ---- passwords ---- */

static char *gensalt(const char *prefix)
{
    char *salt = crypt_gensalt_ra(prefix, 0, NULL, 0);
    return salt && salt[0] == '$' ? salt : (free(salt), NULL);
}

int ovmd_hash_password(const char *pw, char **hash)
{
    *hash = NULL;
    char *salt = gensalt("$y$");
    if (!salt)
        salt = gensalt("$6$");
    if (!salt)
        return -1;
    struct crypt_data *cd = xcalloc(1, sizeof *cd);
    const char *h = crypt_r(pw, salt, cd);
    int ok = h && h[0] == '$';
    if (ok)
        *hash = xstrdup(h);
    explicit_bzero(cd, sizeof *cd);
    free(cd);
    free(salt);
    return ok ? 0 : -1;
}

/* Compares without an early exit so the time does not depend on where the
 * hashes differ. */
static int same_string(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

int ovmd_check_password(const char *pw, const char *hash)
{
    if (!hash || hash[0] != '$')
        return 0;
    struct crypt_data *cd = xcalloc(1, sizeof *cd);
    const char *h = crypt_r(pw, hash, cd);
    int ok = h && h[0] == '$' && same_string(h, hash);
    explicit_bzero(cd, sizeof *cd);
    free(cd);
    return ok;
}
