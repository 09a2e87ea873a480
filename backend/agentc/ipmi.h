/* Server power through a baseboard management controller: IPMI 2.0 over LAN
 * (RMCP+) with FreeIPMI's libfreeipmi (doc/object-model.md §5.1, ServerController).
 * Every call opens a session, does one thing and closes it, within the
 * timeout given; errors come back as a readable text the caller frees. */
#ifndef OVM_IPMI_H
#define OVM_IPMI_H

typedef struct ipmi_endpoint {
    const char *host;     /* address, or address:port (FreeIPMI's own syntax) */
    const char *user;
    const char *password;
    long timeout_ms;      /* per session: open, one command, close */
} ipmi_endpoint;

typedef enum ipmi_power { IPMI_POWER_OFF = 0, IPMI_POWER_ON = 1 } ipmi_power;

/* Chassis power state in *on: 0 or -1 with *err set. */
int ipmi_power_status(const ipmi_endpoint *ep, ipmi_power *on, char **err);
/* Chassis control power up. */
int ipmi_power_on(const ipmi_endpoint *ep, char **err);
/* Chassis control power down: at once, as pulling the plug. */
int ipmi_power_off(const ipmi_endpoint *ep, char **err);
/* Chassis control soft shutdown (ACPI): the host shuts down in an orderly way. */
int ipmi_power_soft(const ipmi_endpoint *ep, char **err);
#endif
