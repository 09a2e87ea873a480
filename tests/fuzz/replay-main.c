/* Replays a libFuzzer seed corpus through a fuzz target without libFuzzer, so
 * that `make check` runs every committed input under the normal (and ASan)
 * build. Usage: replay-NAME FILE_OR_DIR...; prints TAP, one line per input. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count;

static void replay_file(const char *path)
{
    size_t len = 0;
    char *buf = ovm_read_file(path, &len);
    if (!buf) {
        printf("not ok %d - cannot read %s\n", ++count, path);
        return;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
    free(buf);
    printf("ok %d - %s\n", ++count, path);
}

static void replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("not ok %d - missing %s\n", ++count, path);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        replay_file(path);
        return;
    }
    struct dirent **names;
    int n = scandir(path, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char *p = xasprintf("%s/%s", path, names[i]->d_name);
            replay_file(p);
            free(p);
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        replay_path(argv[i]);
    printf("1..%d\n", count);
    return 0;
}
