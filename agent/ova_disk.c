/* The checks and conversions of an OVA's files: qemu-img info and convert
 * for its disk images (any format qemu-img reads: vmdk, qcow2, vdi, vhd,
 * raw; never one with a backing file, which would reach outside the
 * package), and the SHA1/SHA256 lines of its manifest (.mf). */
#include "agent/ova.h"
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "lib/log.h"
#include "lib/strbuf.h"
#include "lib/util.h"

extern char **environ;

/* Runs qemu-img with argv; its stdout into *out (heap, may be NULL). 0, or
 * -1 when it could not run or failed. */
static int run_qemu_img(char *const argv[], char **out)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    pid_t pid;
    int rc = posix_spawnp(&pid, "qemu-img", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        log_warn("cannot run qemu-img: %s", strerror(rc));
        close(fds[0]);
        return -1;
    }
    strbuf sb = STRBUF_INIT;
    char buf[4096];
    for (ssize_t r; (r = read(fds[0], buf, sizeof buf)) != 0;) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        if (sb.len < 65536) /* info output is small; never let a child fill memory */
            sb_add(&sb, buf, (size_t)r);
    }
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            break;
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (out)
        *out = sb_detach(&sb, NULL);
    else
        sb_free(&sb);
    return ok ? 0 : -1;
}

/* The number after "key": in qemu-img's JSON, or -1. */
static int64_t json_int(const char *json, const char *key)
{
    char *pat = xasprintf("\"%s\": ", key);
    const char *p = strstr(json, pat);
    free(pat);
    return p ? strtoll(strchr(p, ':') + 1, NULL, 10) : -1;
}

char *ova_disk_convert(const char *src, const char *name, const char *dst, int64_t capacity)
{
    char *info = NULL;
    char *iargv[] = {"qemu-img", "info", "--output=json", (char *)src, NULL};
    if (run_qemu_img(iargv, &info) != 0) {
        free(info);
        return xasprintf("disk image %s cannot be read by qemu-img", name);
    }
    int64_t vsize = json_int(info, "virtual-size");
    int backing = strstr(info, "\"backing-filename\"") != NULL;
    char fmt[16] = "";
    const char *f = strstr(info, "\"format\": \"");
    if (f)
        sscanf(f + 11, "%15[a-z0-9]", fmt);
    free(info);
    if (backing)
        return xasprintf("disk image %s has a backing file, which an appliance may not use", name);
    if (vsize < 0 || !fmt[0])
        return xasprintf("disk image %s has no size qemu-img can tell", name);
    if (vsize > capacity)
        return xasprintf("disk image %s is %lld bytes, more than the %lld bytes its OVF declares", name,
                         (long long)vsize, (long long)capacity);
    char *cargv[] = {"qemu-img", "convert", "-q", "-f", fmt, "-O", "raw", (char *)src, (char *)dst, NULL};
    if (run_qemu_img(cargv, NULL) != 0)
        return xasprintf("disk image %s (%s) could not be converted to a raw image", name, fmt);
    /* The VM gets the disk its descriptor declares: a smaller image grows (sparse). */
    if (truncate(dst, capacity) != 0)
        return xasprintf("cannot size the image of %s: %s", name, strerror(errno));
    return NULL;
}

char *ova_disk_export(const char *src, const char *dst)
{
    char *argv[] = {"qemu-img", "convert", "-q", "-O", "vmdk", "-o", "subformat=streamOptimized",
                    (char *)src, (char *)dst, NULL};
    return run_qemu_img(argv, NULL) == 0 ? NULL : xasprintf("cannot convert %s to a VMDK image", src);
}

/* The hex digest of the file at path with md; 0 or -1. */
static int digest_file(const char *path, const EVP_MD *md, char hex[EVP_MAX_MD_SIZE * 2 + 1])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL);
    char buf[65536];
    for (ssize_t r; ok && (r = read(fd, buf, sizeof buf)) != 0;) {
        if (r < 0 && errno == EINTR)
            continue;
        ok = r > 0 && EVP_DigestUpdate(ctx, buf, (size_t)r);
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, d, &n);
    EVP_MD_CTX_free(ctx);
    close(fd);
    for (unsigned i = 0; ok && i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return ok ? 0 : -1;
}

char *ova_manifest_check(const char *dir, const char *mf)
{
    char *path = xasprintf("%s/%s", dir, mf);
    FILE *fp = fopen(path, "r");
    free(path);
    if (!fp)
        return xasprintf("cannot read the manifest %s", mf);
    char line[1024], *why = NULL;
    while (!why && fgets(line, sizeof line, fp)) {
        char alg[8], name[256], want[160], got[EVP_MAX_MD_SIZE * 2 + 1];
        if (line[strspn(line, " \t\r\n")] == '\0')
            continue;
        if (sscanf(line, "%7[A-Z0-9](%255[^)])= %159s", alg, name, want) != 3)
            why = xasprintf("the manifest %s has a line that is not ALG(file)= digest", mf);
        else if (strcmp(alg, "SHA1") && strcmp(alg, "SHA256"))
            why = xasprintf("the manifest %s uses %s; SHA1 and SHA256 are supported", mf, alg);
        else if (!ustar_name_ok(name))
            why = xasprintf("the manifest %s names an unsafe file: %s", mf, name);
        else {
            char *file = xasprintf("%s/%s", dir, name);
            if (digest_file(file, strcmp(alg, "SHA1") ? EVP_sha256() : EVP_sha1(), got) != 0)
                why = xasprintf("the manifest %s lists %s, which the package lacks", mf, name);
            else if (ovm_strcasecmp(got, want))
                why = xasprintf("%s checksum of %s does not match the manifest", alg, name);
            free(file);
        }
    }
    fclose(fp);
    return why;
}

char *ova_manifest_line(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name), hex[EVP_MAX_MD_SIZE * 2 + 1];
    int rc = digest_file(path, EVP_sha256(), hex);
    free(path);
    return rc == 0 ? xasprintf("SHA256(%s)= %s\n", name, hex) : NULL;
}

int64_t ova_disk_size(const char *path)
{
    char *info = NULL;
    char *argv[] = {"qemu-img", "info", "--output=json", (char *)path, NULL};
    int64_t v = run_qemu_img(argv, &info) == 0 ? json_int(info, "virtual-size") : -1;
    free(info);
    return v;
}
