#include "backend/ops.h"
const op ops_misc[] = {
    {NULL, NULL, NULL, NULL, 0},
};
