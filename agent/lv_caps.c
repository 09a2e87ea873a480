/* The host CPU and UUID from a libvirt capabilities document: vendor, model
 * name and the CPUID signature (family, model, stepping) that CPU
 * compatibility groups and live-migration checks compare. */
#include "agent/lv.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include "agent/driver.h"

/* Text of the first node matching xpath into buf ("" when none). */
static void xtext(xmlXPathContextPtr ctx, const char *xpath, char *buf, size_t len)
{
    buf[0] = '\0';
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
    if (o && o->nodesetval && o->nodesetval->nodeNr > 0) {
        xmlChar *t = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
        snprintf(buf, len, "%s", t ? (const char *)t : "");
        xmlFree(t);
    }
    xmlXPathFreeObject(o);
}

void lv_caps_cpu(const char *caps_xml, struct host_facts *f)
{
    const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
    xmlDocPtr doc = caps_xml ? xmlReadMemory(caps_xml, (int)strlen(caps_xml), "caps.xml", NULL, opts) : NULL;
    xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
    if (!ctx) {
        xmlFreeDoc(doc);
        return;
    }
    char num[32];
    xtext(ctx, "/capabilities/host/cpu/vendor", f->cpu_vendor, sizeof f->cpu_vendor);
    xtext(ctx, "/capabilities/host/cpu/model", f->cpu_model_name, sizeof f->cpu_model_name);
    xtext(ctx, "/capabilities/host/cpu/signature/@family", num, sizeof num);
    f->cpu_family = atoi(num);
    xtext(ctx, "/capabilities/host/cpu/signature/@model", num, sizeof num);
    f->cpu_model = atoi(num);
    xtext(ctx, "/capabilities/host/cpu/signature/@stepping", f->cpu_stepping, sizeof f->cpu_stepping);
    xtext(ctx, "/capabilities/host/uuid", f->system_uuid, sizeof f->system_uuid);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
}

