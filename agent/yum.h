/* A YUM repository's metadata read over the network: repodata/repomd.xml,
 * the primary it names (checked against repomd's checksum, .gz inflated) and
 * the newest version of each package wanted (agent/sim_update.c). */
#ifndef OVM_AGENT_YUM_H
#define OVM_AGENT_YUM_H
#include <stddef.h>

typedef struct yum_pkg {
    char *name;
    char *evr; /* "epoch:version-release" */
} yum_pkg;

typedef struct yum_list {
    yum_pkg *v;
    size_t n;
} yum_list;

/* Reads the repository at url (http, https or ftp) and adds to out the
 * newest version it offers of each of names[0..nnames) (a newer one already
 * in out stays). With key_url (the repository's GPG public key, armored or
 * binary), repodata/repomd.xml.asc must be its good signature of repomd.xml.
 * timeout_s bounds each transfer. NULL on success, else why (heap). */
char *yum_read(const char *url, const char *key_url, long timeout_s, const char *const *names, size_t nnames,
               yum_list *out);
/* yum_gpg.c: NULL when sig is a good detached signature of data by key
 * (gpgv), else why (heap). */
char *yum_gpg_verify(const char *key, size_t keylen, const char *data, size_t n, const char *sig, size_t siglen);
void yum_list_free(yum_list *l);
#endif
