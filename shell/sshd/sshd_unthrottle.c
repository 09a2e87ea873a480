/* The local way to clear password throttling (ovmd --unthrottle): the
 * listener's table is a 0600 file in the host key directory, so whoever may
 * read the host keys (root, locally) may clear it; nothing over the network
 * can. */
#include "shell/sshd/sshd.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"
#include "shell/sshd/ssh_lockout.h"

char *sshd_throttle_path(const sshd_config *c)
{
    return xasprintf("%s/auth-throttle", c->host_key_dir);
}

int sshd_unthrottle(const sshd_config *c, const char *spec, FILE *out, FILE *err)
{
    char *path = sshd_throttle_path(c);
    ssh_lockout *l = ssh_lockout_attach(path);
    if (!l) {
        fprintf(err, "no password throttle table at %s (is the SSH listener running?): %s\n", path,
                strerror(errno));
        free(path);
        return 1;
    }
    free(path);
    char *user = NULL;
    const char *at = strrchr(spec, '@'), *addr = at ? at + 1 : NULL;
    if (strcmp(spec, "all") != 0)
        user = at ? xstrndup(spec, (size_t)(at - spec)) : xstrdup(spec);
    size_t n = ssh_lockout_clear(l, user && *user ? user : NULL, addr && *addr ? addr : NULL);
    fprintf(out, "cleared the password failures of %s; %zu throttled pair(s) released\n", spec, n);
    free(user);
    ssh_lockout_free(l);
    return 0;
}
