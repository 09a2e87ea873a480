/* The engine's local socket: one thread per connected session. */
#ifndef OVM_LISTENER_H
#define OVM_LISTENER_H
#include "backend/engine.h"

typedef struct listener listener;
/* Binds path (mode 0660, replacing a stale socket) and starts accepting. */
listener *listener_start(engine *e, const char *path, char **err);
/* Stops accepting; sessions in progress finish their current command. */
void listener_stop(listener *l);
#endif
