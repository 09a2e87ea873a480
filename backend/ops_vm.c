#include "backend/ops.h"
const op ops_vm[] = {
    {NULL, NULL, NULL, NULL, 0},
};
