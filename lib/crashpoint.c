/* Crash points (crashpoint.h). The armed point is process-wide state read
 * once from the environment: it is a debug hook reached from threads that
 * share no context object (store, jobs, agent calls), so a file-level
 * singleton set before threads start is the simplest correct holder. */
#include "lib/crashpoint.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/log.h"

static struct {
    pthread_once_t once;
    int armed;
    char name[128];
    long nth;
    atomic_long hits;
} cp = {PTHREAD_ONCE_INIT, 0, "", 1, 0};

static void read_env(void)
{
    const char *v = getenv("OVMD_CRASH_AT");
    if (!v || !*v || strlen(v) >= sizeof cp.name)
        return;
    snprintf(cp.name, sizeof cp.name, "%s", v);
    /* The count follows the last ':' only when it is all digits, so names
     * that contain ':' themselves ("after:migrate_vm") still work. */
    char *colon = strrchr(cp.name, ':');
    if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
        cp.nth = atol(colon + 1);
        *colon = '\0';
        if (cp.nth < 1)
            cp.nth = 1;
    }
    cp.armed = 1;
    log_warn("test facility: OVMD_CRASH_AT armed: the engine will kill itself at '%s' (hit %ld)", cp.name,
             cp.nth);
}

void crash_points_init(void)
{
    pthread_once(&cp.once, read_env);
}

void crash_point(const char *name)
{
    crash_points_init();
    if (!cp.armed || strcmp(name, cp.name) != 0)
        return;
    if (atomic_fetch_add(&cp.hits, 1) + 1 != cp.nth)
        return;
    log_warn("crash point '%s' reached: SIGKILL", name);
    raise(SIGKILL);
    _exit(137); /* not reached: SIGKILL cannot be caught */
}

void crash_point2(const char *prefix, const char *detail)
{
    crash_points_init();
    if (!cp.armed)
        return;
    char name[160];
    snprintf(name, sizeof name, "%s:%s", prefix, detail);
    crash_point(name);
}
