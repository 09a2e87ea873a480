/* Clustered server pools (doc/object-model.md §2.2, §5.8, §6.1): the SEQUENCE
 * create job. Joining and leaving the cluster: flow.h (flow_cluster.c). */
#ifndef OVM_CLUSTER_H
#define OVM_CLUSTER_H
#include "backend/flows/model.h"
#include "backend/ops/ops.h"

/* create ServerPool clusterEnable=Yes: checks P-2..P-5 (read lock held) and
 * returns the SEQUENCE job (create pool, heartbeat device, cluster), or NULL
 * after result_fail. */
job *cluster_prepare_create_pool(cmdctx *c);

#endif
