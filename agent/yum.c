/* YUM repository metadata (see yum.h): libcurl for the transfers, OpenSSL
 * for the checksum, zlib for primary.xml.gz and libxml2 for both documents. */
#include "agent/yum.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <zlib.h>
#include "agent/rpmver.h"
#include "lib/strbuf.h"
#include "lib/util.h"

/* Metadata larger than this is refused (a lying server cannot fill memory). */
#define YUM_MAX_BYTES (256L << 20)

struct buf {
    char *p;
    size_t n, cap;
    int too_big;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;
    size_t len = size * n;
    if (b->n + len > (size_t)YUM_MAX_BYTES) {
        b->too_big = 1;
        return 0;
    }
    if (b->n + len + 1 > b->cap) {
        b->cap = (b->n + len + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
    b->p[b->n] = '\0';
    return len;
}

/* GETs url into b. NULL or why (heap). */
static char *fetch(const char *url, long timeout_s, struct buf *b)
{
    CURL *h = curl_easy_init();
    if (!h)
        return xstrdup("cannot start a transfer");
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,ftp");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout_s);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s * 4);
    curl_easy_setopt(h, CURLOPT_PROXY, ""); /* not the daemon's environment's */
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
    CURLcode rc = curl_easy_perform(h);
    char *why = NULL;
    if (b->too_big)
        why = xasprintf("%s: larger than %ld MiB", url, YUM_MAX_BYTES >> 20);
    else if (rc != CURLE_OK)
        why = xasprintf("%s: %s", url, *errbuf ? errbuf : curl_easy_strerror(rc));
    curl_easy_cleanup(h);
    return why;
}

static int named(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNode *child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n->children; c; c = c->next)
        if (named(c, name))
            return c;
    return NULL;
}

static char *prop(const xmlNode *n, const char *name)
{
    return n ? (char *)xmlGetProp(n, (const xmlChar *)name) : NULL;
}

static xmlDoc *parse(const char *data, size_t n)
{
    return xmlReadMemory(data, (int)n, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* repomd.xml's primary: its location and checksum (heap strings). NULL or why. */
static char *find_primary(const struct buf *b, char **href, char **sumtype, char **sum)
{
    xmlDoc *doc = parse(b->p, b->n);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !named(root, "repomd")) {
        if (doc)
            xmlFreeDoc(doc);
        return xstrdup("repodata/repomd.xml is not a YUM repomd document");
    }
    xmlNode *data = NULL;
    for (xmlNode *c = root->children; c && !data; c = c->next) {
        char *type = named(c, "data") ? prop(c, "type") : NULL;
        if (type && !strcmp(type, "primary"))
            data = c;
        xmlFree(type);
    }
    xmlNode *loc = data ? child(data, "location") : NULL, *ck = data ? child(data, "checksum") : NULL;
    char *h = prop(loc, "href"), *t = prop(ck, "type");
    xmlChar *s = ck ? xmlNodeGetContent(ck) : NULL;
    char *why = NULL;
    if (!h || !t || !s || !*h || !*s)
        why = xstrdup("repodata/repomd.xml names no primary metadata with a location and a checksum");
    else {
        *href = xstrdup(h);
        *sumtype = xstrdup(!strcmp(t, "sha") ? "sha1" : t);
        *sum = xstrdup((const char *)s);
    }
    xmlFree(h);
    xmlFree(t);
    xmlFree(s);
    xmlFreeDoc(doc);
    return why;
}

/* NULL when b's digest is want (hex), else why (heap). */
static char *check_sum(const struct buf *b, const char *type, const char *want, const char *href)
{
    const EVP_MD *md = EVP_get_digestbyname(type);
    if (!md)
        return xasprintf("repodata/repomd.xml uses an unknown checksum type %s", type);
    unsigned char dig[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(b->p, b->n, dig, &len, md, NULL))
        return xstrdup("cannot compute a checksum");
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned int i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", dig[i]);
    if (strcasecmp(hex, want) != 0)
        return xasprintf("%s does not match its %s checksum in repodata/repomd.xml (%s expected, %s found)", href,
                         type, want, hex);
    return NULL;
}

/* Inflates a gzip b in place. NULL or why. */
static char *gunzip(struct buf *b)
{
    z_stream z = {0};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return xstrdup("cannot start zlib");
    struct buf out = {0};
    unsigned char chunk[65536];
    z.next_in = (unsigned char *)b->p;
    z.avail_in = (uInt)b->n;
    int rc;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END)
            break;
        if (!on_data((char *)chunk, 1, sizeof chunk - z.avail_out, &out))
            if (sizeof chunk - z.avail_out)
                break;
    } while (rc != Z_STREAM_END);
    inflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out.p);
        return xstrdup(out.too_big ? "the primary metadata inflates to too many bytes" : "the primary metadata is not valid gzip");
    }
    free(b->p);
    *b = out;
    return NULL;
}

/* Keeps evr for name in out if it is newer than what out has. */
static void offer(yum_list *out, const char *name, const char *evr)
{
    for (size_t i = 0; i < out->n; i++)
        if (!strcmp(out->v[i].name, name)) {
            if (rpm_evrcmp(evr, out->v[i].evr) > 0) {
                free(out->v[i].evr);
                out->v[i].evr = xstrdup(evr);
            }
            return;
        }
    out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
    out->v[out->n++] = (yum_pkg){xstrdup(name), xstrdup(evr)};
}

static int wanted(const char *name, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return 1;
    return 0;
}

/* One <package> of primary.xml. */
static void read_package(const xmlNode *p, const char *const *names, size_t nnames, yum_list *out)
{
    xmlNode *nm = child(p, "name"), *ver = child(p, "version");
    xmlChar *name = nm ? xmlNodeGetContent(nm) : NULL;
    char *e = prop(ver, "epoch"), *v = prop(ver, "ver"), *r = prop(ver, "rel");
    if (name && v && r && wanted((const char *)name, names, nnames)) {
        char *evr = xasprintf("%s:%s-%s", e && *e ? e : "0", v, r);
        offer(out, (const char *)name, evr);
        free(evr);
    }
    xmlFree(name);
    xmlFree(e);
    xmlFree(v);
    xmlFree(r);
}

static char *read_primary(const struct buf *b, const char *const *names, size_t nnames, yum_list *out)
{
    xmlDoc *doc = parse(b->p, b->n);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root || !named(root, "metadata")) {
        if (doc)
            xmlFreeDoc(doc);
        return xstrdup("the primary metadata is not a YUM metadata document");
    }
    for (xmlNode *c = root->children; c; c = c->next)
        if (named(c, "package"))
            read_package(c, names, nnames, out);
    xmlFreeDoc(doc);
    return NULL;
}

/* url + "/" + rel, without doubling the slash. */
static char *join(const char *url, const char *rel)
{
    size_t n = strlen(url);
    return xasprintf("%.*s/%s", (int)(n && url[n - 1] == '/' ? n - 1 : n), url, rel);
}

static char *fetch_rel(const char *url, const char *rel, long timeout_s, struct buf *b)
{
    char *full = join(url, rel);
    char *why = fetch(full, timeout_s, b);
    free(full);
    return why;
}

/* The GPG check of repomd.xml md (key_url given). NULL or why. */
static char *check_signature(const char *url, const char *key_url, long timeout_s, const struct buf *md)
{
    struct buf asc = {0}, key = {0};
    char *why = fetch_rel(url, "repodata/repomd.xml.asc", timeout_s, &asc);
    if (why) {
        char *w = xasprintf("the repository is to be signed but its signature is missing: %s", why);
        free(why);
        why = w;
    } else if ((why = fetch(key_url, timeout_s, &key)) != NULL) {
        char *w = xasprintf("cannot read pkgSignatureKey: %s", why);
        free(why);
        why = w;
    } else {
        why = yum_gpg_verify(key.p, key.n, md->p, md->n, asc.p, asc.n);
    }
    free(asc.p);
    free(key.p);
    return why;
}

char *yum_read(const char *url, const char *key_url, long timeout_s, const char *const *names, size_t nnames,
               yum_list *out)
{
    struct buf md = {0}, prim = {0};
    char *href = NULL, *type = NULL, *sum = NULL;
    char *why = fetch_rel(url, "repodata/repomd.xml", timeout_s, &md);
    if (!why && key_url)
        why = check_signature(url, key_url, timeout_s, &md);
    if (!why)
        why = find_primary(&md, &href, &type, &sum);
    if (!why && strstr(href, ".."))
        why = xasprintf("repodata/repomd.xml names primary metadata outside the repository: %s", href);
    if (!why)
        why = fetch_rel(url, href, timeout_s, &prim);
    if (!why)
        why = check_sum(&prim, type, sum, href);
    size_t hl = href ? strlen(href) : 0;
    if (!why && hl > 3 && !strcmp(href + hl - 3, ".gz"))
        why = gunzip(&prim);
    if (!why)
        why = read_primary(&prim, names, nnames, out);
    free(md.p);
    free(prim.p);
    free(href);
    free(type);
    free(sum);
    return why;
}

void yum_list_free(yum_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].evr);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}
