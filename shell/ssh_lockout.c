/* Lockout counters in MAP_SHARED memory, updated with atomics so that no
 * connection process can leave a lock held when it dies. */
#include "shell/ssh_lockout.h"
#include <stdint.h>
#include <sys/mman.h>
#include "lib/util.h"

typedef struct slot {
    int failures;
    int64_t until_ms;
} slot;

struct ssh_lockout {
    size_t n;
    slot slots[];
};

static size_t table_size(size_t n)
{
    return sizeof(ssh_lockout) + n * sizeof(slot);
}

ssh_lockout *ssh_lockout_new(size_t n)
{
    void *p = mmap(NULL, table_size(n), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    ssh_lockout *l = p; /* mmap returns zeroed memory: every slot unlocked */
    l->n = n;
    return l;
}

void ssh_lockout_free(ssh_lockout *l)
{
    if (l)
        munmap(l, table_size(l->n));
}

long ssh_lockout_remaining(ssh_lockout *l, size_t i)
{
    if (!l || i >= l->n)
        return 0;
    int64_t until = __atomic_load_n(&l->slots[i].until_ms, __ATOMIC_SEQ_CST);
    int64_t now = ovm_now_ms();
    return until > now ? (long)((until - now + 999) / 1000) : 0;
}

int ssh_lockout_fail(ssh_lockout *l, size_t i, int max, int minutes)
{
    if (!l || i >= l->n || max <= 0)
        return 0;
    int n = __atomic_add_fetch(&l->slots[i].failures, 1, __ATOMIC_SEQ_CST);
    if (n < max)
        return 0;
    __atomic_store_n(&l->slots[i].failures, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&l->slots[i].until_ms, ovm_now_ms() + (int64_t)minutes * 60000, __ATOMIC_SEQ_CST);
    return 1;
}

void ssh_lockout_success(ssh_lockout *l, size_t i)
{
    if (l && i < l->n)
        __atomic_store_n(&l->slots[i].failures, 0, __ATOMIC_SEQ_CST);
}
