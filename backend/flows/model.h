/* Domain helpers used by several operation files: agent endpoints and calls
 * from jobs, server capacity, VM configuration (vm.cfg) building. */
#ifndef OVM_MODEL_H
#define OVM_MODEL_H
#include "backend/agentc/agentapi.h"
#include "backend/flows/status.h"
#include "backend/engine.h"
#include "backend/jobs/jobs.h"
#include "lib/xmlrpc.h"

/* Memory the hypervisor keeps for dom0, MB (subtracted from usable memory). */
#define DOM0_MEMORY_MB 2048

/* MB of a server's memory not taken by dom0 and by its Starting, Running or
 * Stopping VMs (doc/object-model.md §2.3). Read lock held. */
long long server_usable_memory(engine *e, const obj *server);
/* Fills ep from a Server object's address, port, credentials and pin. */
void server_endpoint(engine *e, const obj *server, agent_ep *ep);
/* Switches ep to mutual TLS with the Manager CA, expecting server_id as the
 * agent certificate's CN (doc/agent-protocol.md §4 item 4). */
void server_endpoint_trust(engine *e, const char *server_id, agent_ep *ep);
/* Only the Manager's client certificate, still with the pin: an agent we own
 * asks for it before it hands its trust over again (doc/agent-protocol.md §4 item 5). */
void server_endpoint_client_cert(engine *e, agent_ep *ep);
/* Marks a server Unknown with a SERVER_STATE event after an authentication
 * or certificate failure (doc/agent-protocol.md §3 item 6, §4 item 5). Takes the store
 * write lock. */
void server_trust_lost(engine *e, const char *server_id, const char *why);

/* A snapshot of what a job needs to call one server's agent, taken under the
 * store lock so that the call itself runs without it. */
typedef struct agent_target {
    agent_ep ep;
    char id[64];
    char name[257];
} agent_target;
void agent_target_of(engine *e, const obj *server, agent_target *t);
/* Reads t's ports back from its agent's discover_network as discovery
 * records them (rule N-13 rediscovery). 0, or -1 with the job failed. */
int server_rediscover_network(job *j, agent_target *t);

/* Contexts for the typed agent calls (backend/agentc/agentapi.h) to t:
 * AGENT_JOB(j, t): a failure fails job j with "Job failed on Server <name>:
 * <reason>" (doc/agent-protocol.md §3), marks the server Unknown after an
 * authentication failure, and the call returns -1.
 * AGENT_TRY(e, t, &err): the caller handles a failure: the call returns the
 * AGC_* code and err the reason (heap, caller frees; NULL after a success).
 * Both live until the end of the enclosing block; t must too. */
agent_ctx *agent_job(agent_ctx *c, job *j, const agent_target *t);
agent_ctx *agent_try(agent_ctx *c, engine *e, const agent_target *t, char **err);
#define AGENT_JOB(j, t) agent_job(&(agent_ctx){0}, (j), (t))
#define AGENT_TRY(e, t, err) agent_try(&(agent_ctx){0}, (e), (t), (err))

/* vm.cfg struct for a Vm (doc/agent-protocol.md §8) from the store; read lock held. */
xr_value *vm_config(engine *e, const obj *vm);
/* The devices vm.cfg lists: disk mappings, VNICs (in creation order), and
 * the disks a plan is about to create (looked up before the store). */
typedef struct vm_devices {
    obj **maps;
    size_t nmaps;
    obj **vnics;
    size_t nvnics;
    obj **pending;
    size_t npending;
} vm_devices;
/* vm.cfg of vm with the given devices (vm_config: the store's). */
xr_value *vm_config_devices(engine *e, const obj *vm, const vm_devices *dv);
/* Sorts VNICs in creation order. */
void vm_devices_sort_vnics(obj **v, size_t n);
/* M-5: 1 when servers a and b share a CpuCompatibilityGroup: the default
 * group of their processor, or a custom group listing both. Read lock held. */
int cpu_groups_shared(engine *e, const obj *a, const obj *b);
/* Repository file system location "<host>:<export path>" of a repository; "" if unknown. */
const char *repo_fs_location(engine *e, const obj *repo);

/* ---- object texts shared by the operations, the monitor and `show` ---- */
/* "id  [name]" or "" for NULL. Heap string. */
char *ref_text(const obj *o);
/* Job name "<Operation> <Type label>: <name>". Heap string. */
char *job_title(const char *operation, const char *type, const char *name);
/* Capitalised status word of an object ("Running", "Stopped" ...). */
const char *status_of(const obj *o);
/* o's attribute key, or the grammar's default for it (one default per
 * attribute: grammar/commands.c), or NULL. */
const char *obj_value(const obj *o, const char *key);
#endif
