/* The one table of refused code points (lib/text.h). Everything that decides
 * whether text is safe, in the grammar, the engine and the logs, reads it. */
#include "lib/text.h"
#include <stdio.h>
#include <string.h>
#include "lib/strbuf.h"
#include "lib/util.h"

/* A code point cp is in a range when lo <= (cp & mask) <= hi; the mask lets
 * one row name the two noncharacters at the end of every plane. */
typedef struct cp_range {
    uint32_t lo, hi, mask;
    ovm_text_class cls;
} cp_range;

#define ALL 0xffffffffu
static const cp_range refused[] = {
    {0x0000, 0x0000, ALL, OVM_TEXT_NUL},
    {0x0001, 0x0008, ALL, OVM_TEXT_CONTROL},   /* TAB (U+0009) is allowed */
    {0x000a, 0x001f, ALL, OVM_TEXT_CONTROL},   /* LF, CR, ESC, ... */
    {0x007f, 0x007f, ALL, OVM_TEXT_CONTROL},   /* DEL */
    {0x0080, 0x009f, ALL, OVM_TEXT_C1},        /* 8-bit CSI, OSC, NEL, ... */
    {0x00ad, 0x00ad, ALL, OVM_TEXT_INVISIBLE}, /* soft hyphen */
    {0x061c, 0x061c, ALL, OVM_TEXT_BIDI},      /* Arabic letter mark */
    {0x180e, 0x180e, ALL, OVM_TEXT_INVISIBLE}, /* Mongolian vowel separator */
    {0x200b, 0x200d, ALL, OVM_TEXT_INVISIBLE}, /* zero-width space, non-joiner, joiner */
    {0x200e, 0x200f, ALL, OVM_TEXT_BIDI},      /* LRM, RLM */
    {0x2028, 0x2029, ALL, OVM_TEXT_LINESEP},   /* line and paragraph separators */
    {0x202a, 0x202e, ALL, OVM_TEXT_BIDI},      /* LRE, RLE, PDF, LRO, RLO */
    {0x2060, 0x2064, ALL, OVM_TEXT_INVISIBLE}, /* word joiner, invisible operators */
    {0x2066, 0x2069, ALL, OVM_TEXT_BIDI},      /* LRI, RLI, FSI, PDI */
    {0xfdd0, 0xfdef, ALL, OVM_TEXT_NONCHAR},
    {0xfeff, 0xfeff, ALL, OVM_TEXT_INVISIBLE}, /* zero-width no-break space (BOM) */
    {0xfffe, 0xffff, 0xffff, OVM_TEXT_NONCHAR}, /* U+FFFE, U+FFFF in every plane */
};

/* Words for messages; existing texts ("control character") do not name the
 * code point, so that messages users know stay as they were. */
static const struct {
    const char *name;
    int shows_cp;
} classes[] = {
    [OVM_TEXT_OK] = {"", 0},
    [OVM_TEXT_NUL] = {"NUL byte", 0},
    [OVM_TEXT_CONTROL] = {"control character", 0},
    [OVM_TEXT_BAD_UTF8] = {"invalid UTF-8", 0},
    [OVM_TEXT_C1] = {"C1 control character", 1},
    [OVM_TEXT_NONCHAR] = {"noncharacter", 1},
    [OVM_TEXT_BIDI] = {"bidirectional control", 1},
    [OVM_TEXT_INVISIBLE] = {"invisible character", 1},
    [OVM_TEXT_LINESEP] = {"line separator", 1},
};

size_t ovm_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t len;
    uint32_t c;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, c = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, c = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, c = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates and values above U+10FFFF are invalid. */
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

ovm_text_class ovm_text_class_of(uint32_t cp)
{
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        uint32_t v = cp & refused[i].mask;
        if (v >= refused[i].lo && v <= refused[i].hi)
            return refused[i].cls;
    }
    return OVM_TEXT_OK;
}

const char *ovm_text_class_name(ovm_text_class cls)
{
    return classes[cls].name;
}

int ovm_text_class_shows_cp(ovm_text_class cls)
{
    return classes[cls].shows_cp;
}

/* Class of the text at s[i..len): *n gets the bytes it covers (1 for a bad byte). */
static ovm_text_class class_at(const char *s, size_t i, size_t len, size_t *n, uint32_t *cp)
{
    *n = ovm_utf8_decode(s + i, len - i, cp);
    if (*n == 0) {
        *n = 1;
        *cp = (unsigned char)s[i];
        return OVM_TEXT_BAD_UTF8;
    }
    return ovm_text_class_of(*cp);
}

int ovm_text_check(const char *s, size_t len, ovm_text_bad *bad)
{
    for (size_t i = 0, n; i < len; i += n) {
        uint32_t cp;
        ovm_text_class cls = class_at(s, i, len, &n, &cp);
        if (cls != OVM_TEXT_OK) {
            *bad = (ovm_text_bad){cls, i, cp};
            return -1;
        }
    }
    return 0;
}

static int kept(uint32_t cp, unsigned keep)
{
    return (cp == '\n' || cp == '\r') && (keep & OVM_TEXT_KEEP_NEWLINES);
}

char *ovm_text_sanitize(const char *s, size_t len, const char *repl, unsigned keep)
{
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0, n; i < len; i += n) {
        uint32_t cp;
        ovm_text_class cls = class_at(s, i, len, &n, &cp);
        if (cls == OVM_TEXT_OK || (cls == OVM_TEXT_CONTROL && kept(cp, keep)))
            sb_add(&sb, s + i, n);
        else
            sb_adds(&sb, repl);
    }
    return sb_detach(&sb, NULL);
}

char *ovm_text_from_peer(const char *s)
{
    return s ? ovm_text_sanitize(s, strlen(s), "\xef\xbf\xbd", OVM_TEXT_KEEP_NEWLINES) : NULL;
}

void ovm_text_log_escape(const char *s, size_t len, char *out, size_t outlen)
{
    size_t o = 0;
    if (!outlen)
        return;
    for (size_t i = 0, n; i < len; i += n) {
        uint32_t cp;
        ovm_text_class cls = class_at(s, i, len, &n, &cp);
        size_t need = cls == OVM_TEXT_OK ? n : 4 * n;
        if (o + need >= outlen)
            break;
        if (cls == OVM_TEXT_OK) {
            memcpy(out + o, s + i, n);
            o += n;
            continue;
        }
        for (size_t k = 0; k < n; k++, o += 4)
            snprintf(out + o, 5, "\\x%02x", (unsigned char)s[i + k]);
    }
    out[o] = '\0';
}

char *ovm_text_log_escaped(const char *s)
{
    size_t len = strlen(s), cap = 4 * len + 1;
    char *out = xmalloc(cap);
    ovm_text_log_escape(s, len, out, cap);
    return out;
}
