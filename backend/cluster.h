/* Clustered server pools (object-model §2.2, §5.8, §6.1; agent-api §5.4):
 * the SEQUENCE create job, and the cluster and pool file system calls made
 * when a server joins or leaves a clustered pool. */
#ifndef OVM_CLUSTER_H
#define OVM_CLUSTER_H
#include "backend/model.h"
#include "backend/ops.h"

/* create ServerPool clusterEnable=Yes: checks P-2..P-5 (read lock held) and
 * returns the SEQUENCE job (create pool, heartbeat device, cluster), or NULL
 * after result_fail. */
job *cluster_prepare_create_pool(cmdctx *c);

/* What a join or leave needs to know about the pool's cluster, snapshotted
 * under the store lock. */
typedef struct cluster_plan cluster_plan;
/* NULL when pool is not clustered. first: the server is the pool's first
 * member (join) or its last (leave). Read lock held. */
cluster_plan *cluster_plan_new(engine *e, const obj *pool, int first);
void cluster_plan_free(cluster_plan *p);
/* Joins t to the cluster: pool file system and cluster on the first member,
 * then configure_server_for_cluster and join_cluster (P-12 text on failure);
 * updates clusterState. 0 or -1 (job failed). */
int cluster_join(job *j, const agent_target *t, cluster_plan *p);
/* Takes t out of the cluster (leave_cluster, deconfigure; destroy on the last
 * member); updates clusterState. 0 or -1. */
int cluster_leave(job *j, const agent_target *t, cluster_plan *p);
/* o2cb values for a cluster timeout of t seconds (object-model §5.8). */
int cluster_o2cb_threshold(int timeout_s);
int cluster_o2cb_idle_ms(int timeout_s);
#endif
