/* Internal to the XML-RPC codec: shared by the value API (xmlrpc.c), the
 * encoder (xmlrpc_encode.c) and the decoder (xmlrpc_decode.c). */
#ifndef OVM_LIB_XMLRPC_IMPL_H
#define OVM_LIB_XMLRPC_IMPL_H
#include <locale.h>
#include <stdint.h>
#include "lib/xmlrpc.h"

xr_value *xr_new(xr_type type);
/* Appends a member without looking for an existing key (the decoder's
 * linear path; lookups take the last match). Takes ownership of key and v. */
void xr_struct_append(xr_value *st, char *key, xr_value *v);
/* The "C" locale, for number formatting and parsing independent of the
 * process locale; (locale_t)0 when it cannot be made. */
locale_t xr_c_locale(void);
int xr_is_space(char c);
/* Lenient readers of agent text: 0 on success, -1 when s is not a number
 * (a whole one, surrounding whitespace allowed) or a boolean word. */
int xr_parse_int64(const char *s, int64_t *out);
int xr_parse_double(const char *s, double *out);
int xr_parse_bool_word(const char *s, int *out);
#endif
