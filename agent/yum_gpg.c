/* The GPG check of a YUM repository (yum.h): repodata/repomd.xml.asc must be
 * a good detached signature of repodata/repomd.xml by the repository's key
 * (pkgSignatureKey), checked by GnuPG's gpgv, which only verifies: no
 * keyring of the agent's, no trust database, no network. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "agent/yum.h"
#include "lib/strbuf.h"
#include "lib/util.h"

extern char **environ;

/* The binary key of an ASCII-armored one (gpgv reads binary keyrings only);
 * a binary key as it is. NULL when it is neither (heap, *len set). */
static unsigned char *dearmor(const char *key, size_t n, size_t *len)
{
    if (n && ((unsigned char)key[0] & 0x80)) { /* an OpenPGP packet already */
        *len = n;
        return memcpy(xmalloc(n), key, n);
    }
    char *text = xstrndup(key, n), *w = text;
    for (const char *r = text; *r; r++) /* CRLF armor reads as LF armor */
        if (*r != '\r')
            *w++ = *r;
    *w = '\0';
    char *p = strstr(text, "-----BEGIN PGP PUBLIC KEY BLOCK-----");
    char *body = p ? strstr(p, "\n\n") : NULL; /* armor headers end at a blank line */
    strbuf b64 = STRBUF_INIT;
    for (char *line = body ? strtok(body, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        if (line[0] == '=' || !strncmp(line, "-----", 5))
            break; /* the CRC24 line, or the end */
        sb_adds(&b64, line);
    }
    free(text);
    size_t blen = 0;
    char *s = sb_detach(&b64, &blen);
    unsigned char *out = NULL;
    if (s && blen && blen % 4 == 0) {
        out = xmalloc(blen);
        int k = EVP_DecodeBlock(out, (const unsigned char *)s, (int)blen);
        size_t pad = (s[blen - 1] == '=') + (s[blen - 2] == '=');
        if (k < 0 || (size_t)k < pad) {
            free(out);
            out = NULL;
        } else {
            *len = (size_t)k - pad;
        }
    }
    free(s);
    return out;
}

static int put(const char *dir, const char *name, const void *data, size_t n, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    return ovm_write_file_atomic(path, data, n, 0600);
}

/* Runs gpgv; its exit status, -1 when it could not run; its messages in *msg. */
static int gpgv(const char *keyring, const char *sig, const char *data, char **msg)
{
    const char *argv[] = {"gpgv", "--keyring", keyring, sig, data, NULL};
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    pid_t pid;
    int rc = posix_spawnp(&pid, "gpgv", &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    strbuf sb = STRBUF_INIT;
    char buf[1024];
    for (ssize_t k; rc == 0 && (k = read(fds[0], buf, sizeof buf)) != 0;) {
        if (k > 0 && sb.len < 8192)
            sb_add(&sb, buf, (size_t)k);
        else if (k < 0 && errno != EINTR)
            break;
    }
    close(fds[0]);
    int status = 0;
    while (rc == 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    *msg = sb_detach(&sb, NULL);
    return rc != 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The last non-empty line of gpgv's messages, without its "gpgv: ". */
static const char *last_line(char *msg)
{
    char *end = msg + strlen(msg);
    while (end > msg && end[-1] == '\n')
        *--end = '\0';
    char *nl = strrchr(msg, '\n');
    char *line = nl ? nl + 1 : msg;
    return strncmp(line, "gpgv: ", 6) ? line : line + 6;
}

char *yum_gpg_verify(const char *key, size_t keylen, const char *data, size_t n, const char *sig, size_t siglen)
{
    size_t blen = 0;
    unsigned char *bin = dearmor(key, keylen, &blen);
    if (!bin)
        return xstrdup("pkgSignatureKey is not an OpenPGP public key");
    char dir[] = "/tmp/ovm-agentd-gpg.XXXXXX", kpath[64], spath[64], dpath[64];
    char *why = NULL, *msg = NULL;
    if (!mkdtemp(dir)) {
        free(bin);
        return xasprintf("cannot make a temporary directory: %s", strerror(errno));
    }
    if (put(dir, "key.gpg", bin, blen, kpath, sizeof kpath) != 0 || put(dir, "repomd.xml.asc", sig, siglen, spath, sizeof spath) != 0 ||
        put(dir, "repomd.xml", data, n, dpath, sizeof dpath) != 0)
        why = xstrdup("cannot write the files to verify");
    int rc = why ? 0 : gpgv(kpath, spath, dpath, &msg);
    if (!why && rc == -1)
        why = xstrdup("gpgv (GnuPG) cannot be run: is it installed?");
    else if (!why && rc != 0)
        why = xasprintf("the signature of repodata/repomd.xml does not verify with pkgSignatureKey: %s",
                        msg && *msg ? last_line(msg) : "gpgv failed");
    unlink(kpath);
    unlink(spath);
    unlink(dpath);
    rmdir(dir);
    free(msg);
    free(bin);
    return why;
}
