/* import_virtual_disk and import_virtual_cdrom: a file downloaded over
 * http, https or ftp into a repository's VirtualDisks/ or ISOs/. Every driver
 * keeps repositories as directories (driver.h), so the download is done here
 * once, with libcurl, whatever runs the guests.
 *
 * The file is written under a hidden temporary name in the target folder
 * (repository discovery skips dot files, so a refresh never adopts a partial
 * download), flushed with fsync and renamed into place: either the whole file
 * is there under its id, or nothing is. Limits (ovm-agentd(8), IMPORTS): a
 * connect timeout, a stall timeout (under 1 KiB/s), and a size bounded by the
 * repository's free space and --import-max-mb, checked against the announced
 * Content-Length and again against the bytes as they arrive. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <curl/curl.h>
#include "agent/sim.h"
#include "lib/log.h"
#include "lib/util.h"

#define IMPORT_PROTOCOLS "http,https,ftp"
#define IMPORT_LOW_SPEED 1024L /* bytes per second below which a transfer stalls */

/* One download in progress. */
struct dl {
    struct sim *sim;
    int fd;
    int64_t bytes, limit;
    int64_t announced; /* Content-Length, or -1 */
    int too_big, werr;
};

/* Notes the announced size: curl refuses a too large Content-Length before it
 * records it, and the refusal should say how large the file is. */
static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
    struct dl *d = arg;
    size_t len = size * n;
    static const char key[] = "content-length:";
    if (len > sizeof key && !ovm_strncasecmp(line, key, sizeof key - 1)) {
        char num[32];
        size_t k = len - (sizeof key - 1) < sizeof num - 1 ? len - (sizeof key - 1) : sizeof num - 1;
        memcpy(num, line + sizeof key - 1, k);
        num[k] = '\0';
        d->announced = strtoll(num, NULL, 10);
    }
    return len;
}

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
    struct dl *d = arg;
    size_t len = size * n;
    if (d->bytes + (int64_t)len > d->limit) {
        d->too_big = 1;
        return 0; /* curl ends the transfer with CURLE_WRITE_ERROR */
    }
    /* zero blocks stay holes: an image's unused space costs no disk */
    if (pwrite_sparse(d->fd, data, len, (off_t)d->bytes) != 0) {
        d->werr = errno;
        return 0;
    }
    d->bytes += (int64_t)len;
    return len;
}

/* A shutting-down agent does not wait for a slow server. */
static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    return ((struct dl *)arg)->sim->stopping ? 1 : 0;
}

/* The host of url (heap), for "could not connect to HOST". */
static char *url_host(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL, *out;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
        curl_url_get(u, CURLUPART_HOST, &host, 0);
    out = xstrdup(host ? host : url);
    curl_free(host);
    curl_url_cleanup(u);
    return out;
}

/* Why the transfer failed, in words a user can act on (heap). */
static char *transfer_error(CURL *h, CURLcode rc, const struct dl *d, const char *url, const char *errbuf)
{
    long code = 0;
    curl_off_t announced = d->announced;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (announced < 0) /* FTP: the size from SIZE */
        curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
    const char *why = *errbuf ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_FILESIZE_EXCEEDED || d->too_big) {
        if (announced > d->limit)
            return xasprintf("the file is %lld bytes; at most %lld may be imported (the repository's free space "
                             "or --import-max-mb)", (long long)announced, (long long)d->limit);
        return xasprintf("the file is over %lld bytes, the most that may be imported (the repository's free "
                         "space or --import-max-mb)", (long long)d->limit);
    }
    if (rc == CURLE_HTTP_RETURNED_ERROR)
        return xasprintf("HTTP %ld", code);
    if (d->werr)
        return xasprintf("cannot write the file: %s", strerror(d->werr));
    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY) {
        char *host = url_host(url);
        char *msg = xasprintf("could not connect to %s: %s", host, why);
        free(host);
        return msg;
    }
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return xasprintf("timed out: %s", why);
    if (rc == CURLE_ABORTED_BY_CALLBACK)
        return xstrdup("the agent is shutting down");
    if (code >= 400 && code < 600 && !strncmp(url, "ftp", 3))
        return xasprintf("FTP %ld: %s", code, why);
    return xstrdup(why);
}

/* Downloads url into d->fd. NULL on success, else why (heap). */
static char *download(struct dl *d, const char *url, const char *proxy)
{
    CURL *h = curl_easy_init();
    if (!h)
        return xstrdup("cannot start a transfer");
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    /* Only these protocols, also after a redirect: never file:// or others. */
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, IMPORT_PROTOCOLS);
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, IMPORT_PROTOCOLS);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, d->sim->import_connect_timeout);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, IMPORT_LOW_SPEED);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, d->sim->import_stall_timeout);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)d->limit);
    if (d->sim->import_ca_file) /* https peers are always verified: only whom to trust changes */
        curl_easy_setopt(h, CURLOPT_CAINFO, d->sim->import_ca_file);
    /* The proxy the command named, else none: the environment of a daemon
     * (http_proxy) is not the Manager's choice. */
    curl_easy_setopt(h, CURLOPT_PROXY, proxy ? proxy : "");
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, d);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, d);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, d);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    CURLcode rc = curl_easy_perform(h);
    char *why = rc == CURLE_OK ? NULL : transfer_error(h, rc, d, url, errbuf);
    curl_easy_cleanup(h);
    return why;
}

/* Bytes an import into repository dir may take: the simulated export's free
 * space, and never more than the real file system has. -1 when the
 * repository is unknown. Takes s->lock for the state. */
int64_t sim_import_room(struct sim *s, const char *repo_uuid, const char *dir)
{
    pthread_mutex_lock(&s->lock);
    int known = xr_struct_get(xr_struct_get(s->st, "repos"), repo_uuid) != NULL;
    pthread_mutex_unlock(&s->lock);
    if (!known)
        return -1;
    char *repo = sim_repo_dir(s, repo_uuid);
    int64_t size = s->nfs_size_gb << 30, used = sim_used_bytes(repo);
    free(repo);
    int64_t room = used < size ? size - used : 0;
    struct statvfs vfs;
    if (statvfs(dir, &vfs) == 0 && (int64_t)(vfs.f_bavail * vfs.f_frsize) < room)
        room = (int64_t)(vfs.f_bavail * vfs.f_frsize);
    return room;
}

/* Makes the download durable, then gives it its name. 0 or -1 (errno). */
static int commit_file(int fd, const char *tmp, const char *final, const char *dir)
{
    int rc = fsync(fd), e = errno;
    if (close(fd) != 0 && rc == 0)
        rc = -1, e = errno;
    if (rc != 0) {
        errno = e;
        return -1;
    }
    if (link(tmp, final) != 0) /* unlike rename, never replaces a file that appeared meanwhile */
        return -1;
    unlink(tmp);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* Downloads url to <dir>/<id> through a temporary file. NULL, or why (heap). */
char *sim_import_to(struct sim *s, const char *url, const char *proxy, const char *dir, const char *id,
                    int64_t limit)
{
    char *final = xasprintf("%s/%s", dir, id), *tmp = xasprintf("%s/.import-%s.part", dir, id);
    char *why = NULL;
    if (access(final, F_OK) == 0)
        why = xasprintf("%s already exists in the repository", id);
    struct dl d = {.sim = s, .fd = -1, .limit = limit, .announced = -1};
    if (!why && (d.fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
        why = xasprintf("cannot create %s: %s", tmp, strerror(errno));
    if (!why)
        why = download(&d, url, proxy);
    if (!why && ftruncate(d.fd, (off_t)d.bytes) != 0) /* a trailing hole is part of the file */
        why = xasprintf("cannot store %s: %s", id, strerror(errno));
    if (!why && commit_file(d.fd, tmp, final, dir) != 0)
        why = xasprintf("cannot store %s: %s", id, strerror(errno));
    else if (why && d.fd >= 0)
        close(d.fd);
    if (d.fd >= 0)
        unlink(tmp); /* after a failure nothing of the download is left */
    if (!why)
        log_info("imported %s: %lld bytes into %s", url, (long long)d.bytes, final);
    free(final);
    free(tmp);
    return why;
}

static int scheme_ok(const char *url)
{
    return !ovm_strncasecmp(url, "http://", 7) || !ovm_strncasecmp(url, "https://", 8) ||
           !ovm_strncasecmp(url, "ftp://", 6);
}

int sim_import_args_ok(struct call_ctx *c, const char *url, const char *id, const char *repo)
{
    if (!scheme_ok(url)) {
        call_fault(c, "exceptions.ValueError:import of %s refused: only http, https and ftp URLs are allowed", url);
        return -1;
    }
    if (!sim_valid_name(id) || !sim_valid_name(repo) || id[0] == '.') {
        call_fault(c, "exceptions.ValueError:invalid file or repository id: '%s' '%s'", id, repo);
        return -1;
    }
    return 0;
}

/* What both methods share: checks, the target folder, the download. */
static xr_value *import_file(struct call_ctx *c, xr_value *const *argv, size_t argc, const char *sub)
{
    const char *url = xr_get_str(argv[0]), *id = xr_get_str(argv[1]), *repo = xr_get_str(argv[2]);
    const char *proxy = argc > 3 ? xr_get_str(argv[3]) : NULL;
    if (sim_import_args_ok(c, url, id, repo) != 0)
        return NULL;
    char *dir = xasprintf("%s/OVS/Repositories/%s/%s", c->sim->state_dir, repo, sub);
    int64_t room = sim_import_room(c->sim, repo, dir);
    char *why = NULL;
    if (room < 0)
        why = xasprintf("Repository %s not found", repo);
    else
        why = sim_import_to(c->sim, url, proxy && *proxy ? proxy : NULL, dir,
                        id, room < c->sim->import_max_bytes ? room : c->sim->import_max_bytes);
    free(dir);
    if (why) {
        call_fault(c, "exceptions.RuntimeError:import of %s failed: %s", url, why);
        free(why);
        return NULL;
    }
    return xr_nil();
}

SIM_HANDLER(h_import_virtual_disk)
{
    return import_file(c, argv, argc, "VirtualDisks");
}

SIM_HANDLER(h_import_virtual_cdrom)
{
    return import_file(c, argv, argc, "ISOs");
}
