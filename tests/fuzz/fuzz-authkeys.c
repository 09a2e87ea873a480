/* Fuzz target for the authorized_keys reader of the SSH front end
 * (shell/sshd/ssh_keys.c): the input is the file. The parser reads a path, so the
 * input is written to one private temporary file reused for every run. The
 * first line is also tried as a from= pattern list. */
#include <fcntl.h>
#include <libssh/libssh.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"
#include "shell/sshd/ssh_keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
    char path[64];
    int fd;
    ssh_key key;
};

/* One key and file per process (libFuzzer calls the target without a context). */
static struct fuzz_state fuzz = {"", -1, NULL};

static void teardown(void)
{
    close(fuzz.fd);
    unlink(fuzz.path);
    ssh_key_free(fuzz.key);
}

static struct fuzz_state *setup(void)
{
    if (fuzz.fd >= 0)
        return &fuzz;
    log_set_level(LOG_ERR_ - 1); /* broken lines are the normal case here */
    snprintf(fuzz.path, sizeof fuzz.path, "/tmp/fuzz-authkeys-XXXXXX");
    fuzz.fd = mkstemp(fuzz.path);
    if (fuzz.fd < 0 || fchmod(fuzz.fd, 0600) != 0 ||
        ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &fuzz.key) != SSH_OK)
        abort();
    atexit(teardown);
    return &fuzz;
}

static void write_input(struct fuzz_state *fs, const uint8_t *data, size_t size)
{
    if (ftruncate(fs->fd, 0) != 0 || (size && pwrite(fs->fd, data, size, 0) != (ssize_t)size))
        abort();
}

static void try_from_list(const uint8_t *data, size_t size)
{
    size_t n = 0;
    while (n < size && data[n] != '\n' && data[n] != '\0')
        n++;
    char *list = xstrndup((const char *)data, n);
    int rc = ssh_keys_from_match(list, "127.0.0.1");
    if (rc != 0 && rc != 1)
        abort();
    free(list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_state *fs = setup();
    write_input(fs, data, size);
    ssh_key_opts opts = {1};
    int rc = ssh_keys_authorized(fs->path, "admin", fs->key, "127.0.0.1", &opts);
    /* The key is fresh, so no input can name it: a match is a parser bug. */
    if (rc != 0)
        abort();
    try_from_list(data, size);
    return 0;
}
