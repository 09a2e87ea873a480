/* XML-RPC values and codec (doc/agent-protocol.md §2-§3), built on libxml2.
 * Shared by the engine's agent client and by ovm-agentd. */
#ifndef OVM_XMLRPC_H
#define OVM_XMLRPC_H
#include <stddef.h>
#include <stdint.h>

typedef enum { XR_NIL, XR_BOOL, XR_INT, XR_DOUBLE, XR_STRING, XR_ARRAY, XR_STRUCT } xr_type;

typedef struct xr_value xr_value;
struct xr_value {
    xr_type type;
    int64_t i;          /* XR_INT (int, i4, i8), XR_BOOL (0/1) */
    double d;           /* XR_DOUBLE */
    char *s;            /* XR_STRING (heap, NUL-terminated) */
    size_t n;           /* XR_ARRAY, XR_STRUCT: number of items */
    size_t cap;
    xr_value **items;   /* XR_ARRAY, XR_STRUCT: values */
    char **keys;        /* XR_STRUCT: member names, parallel to items */
};

/* Limits that protect the decoder (doc/agent-protocol.md, issue "Bad input"). */
#define XR_MAX_DEPTH 64
#define XR_MAX_DOC (64u * 1024u * 1024u)

/* Constructors: every returned value is owned by the caller (or by the
 * container it is added to). */
xr_value *xr_nil(void);
xr_value *xr_bool(int b);
xr_value *xr_int(int64_t i);
xr_value *xr_double(double d);
xr_value *xr_string(const char *s);
xr_value *xr_stringn(const char *s, size_t n);
xr_value *xr_array(void);
xr_value *xr_struct(void);
/* Adds v to an array; the array takes ownership. */
void xr_array_add(xr_value *arr, xr_value *v);
/* Sets key in a struct (replacing an existing member); takes ownership of v. */
void xr_struct_set(xr_value *st, const char *key, xr_value *v);
/* Member of a struct or NULL. */
xr_value *xr_struct_get(const xr_value *st, const char *key);
xr_value *xr_copy(const xr_value *v);
void xr_free(xr_value *v);
/* Replaces, in every string and member name of v, what lib/text.c refuses
 * (controls but TAB and newlines, C1, noncharacters, bidi and invisible
 * characters, invalid UTF-8) by U+FFFD: for values that a peer sent. */
void xr_sanitize_strings(xr_value *v);

/* Lenient readers (doc/agent-protocol.md §2: numbers may come as int, i8, double or
 * decimal strings; booleans as boolean, int or "True"/"False"). 0 ok, -1 not convertible. */
int xr_get_int64(const xr_value *v, int64_t *out);
int xr_get_bool(const xr_value *v, int *out);
/* String value or NULL if v is not a string. */
const char *xr_get_str(const xr_value *v);

/* Encoders return a heap string (caller frees); *len gets its length if non-NULL. */
char *xr_encode_call(const char *method, xr_value *const *params, size_t nparams, size_t *len);
char *xr_encode_response(const xr_value *result, size_t *len);
char *xr_encode_fault(int code, const char *fault_string, size_t *len);

/* Decodes a methodCall. On success returns 0, *method (heap) and *params
 * (an XR_ARRAY owned by the caller). On malformed input returns -1 and a
 * one-line reason in err. No network access, no entity expansion. */
int xr_decode_call(const char *buf, size_t len, char **method, xr_value **params,
                   char *err, size_t errlen);

/* Decodes a methodResponse. Returns 0 with *result, 1 for a fault with
 * *fault_code and *fault_string (heap), -1 if malformed (reason in err). */
int xr_decode_response(const char *buf, size_t len, xr_value **result,
                       int *fault_code, char **fault_string, char *err, size_t errlen);
#endif
