/* The network area (ops_network*.c): helpers its files share. */
#ifndef OVM_OPS_NETWORK_H
#define OVM_OPS_NETWORK_H
#include "backend/flows/model.h"
#include "backend/ops/generic.h"
#include "backend/ops/ops.h"

#define VNICS_MAX_HVM 8
#define VNICS_MAX_OTHER 32

int has_role(const obj *net, const char *role);
/* A port is named by its device ("eth0") in rule texts, else by its name. */
const char *port_label(const obj *port);
/* N-5 text when server may not join a network with roles, else NULL (heap). */
char *exclusive_role_conflict(engine *e, const obj *server, const char *roles, const obj *self);
/* N-13: the ERROR event on t's server, the rediscovery child job, the acknowledgement. */
void net_config_failed(job *j, agent_target *t);
/* add / remove Port to / from BondPort (ops_network_bond.c). */
job *prepare_bond_slave(cmdctx *c, int add);
job *prepare_add_port(cmdctx *c);
/* ops_network_sync.c: the Port dev of server s (created when missing, in network if new). */
obj *net_ensure_port(engine *e, obj *s, const char *dev, const char *mac, const char *network);
struct server_facts;
/* ops_network_sync.c: records discover_network's devices on s's objects (write lock held). */
void net_sync_devices(engine *e, obj *s, const struct server_facts *f);
job *prepare_remove_port(cmdctx *c);
job *prepare_create_vnic(cmdctx *c);
job *prepare_delete_vnic(cmdctx *c);
job *prepare_edit_vnic(cmdctx *c);
job *prepare_add_vnic(cmdctx *c);
job *prepare_remove_vnic(cmdctx *c);
#endif
