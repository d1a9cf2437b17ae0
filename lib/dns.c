/*
 * dns.c -- MX and A/AAAA lookups for quail-remote through libresolv
 * (res_ninit with a private state, res_nmkquery + res_nsend, answers
 * parsed with ns_initparse/ns_parserr). RFC 5321 5.1 (MX ordering, implicit
 * MX), RFC 7505 (null MX), RFC 1035 (message format), RFC 2308 (NODATA).
 *
 * res_nsend (not res_nquery) is used so the RCODE is read from the answer
 * itself: NXDOMAIN is permanent, every other failure (SERVFAIL, REFUSED,
 * a timeout, a malformed answer) temporary.
 *
 * SECURITY: answers are untrusted input. They are parsed only through
 * ns_initparse/ns_parserr (bounds-checked against the message end), every
 * rdata length is checked before use, names are decompressed with
 * ns_name_uncompress into a bounded buffer and must then be plain host
 * names (letters, digits, hyphens): a name with escapes, spaces or control
 * bytes never reaches an SMTP command, a log line or a TLS SNI field.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"

#define DNS_PORT 53
#define DNS_QUERY_MAX_BYTES 512         /* one question, no EDNS */
#define DNS_LABEL_MAX_BYTES 63
#define DNS_TRIES 2                     /* res_state retry */

struct dns_resolver {
	struct __res_state st;
	unsigned char answer[DNS_ANSWER_MAX_BYTES];
};

static void __attribute__((format(printf, 4, 5)))
dns_fail(struct dns_error *err, bool permanent, const char *enhanced,
	 const char *fmt, ...)
{
	va_list ap;

	err->permanent = permanent;
	snprintf(err->enhanced, sizeof(err->enhanced), "%s", enhanced);
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

/* Appends str to err->text at *pos, truncating. */
static void
dns_cat(struct dns_error *err, size_t *pos, const char *str)
{
	size_t n = strlen(str), room = sizeof(err->text) - 1 - *pos;

	if (n > room)
		n = room;
	memcpy(err->text + *pos, str, n);
	*pos += n;
	err->text[*pos] = '\0';
}

/* Prefixes err->text with "DNS <type> lookup of <name>: ". */
static void
dns_prefix(struct dns_error *err, const char *name, const char *type)
{
	char tmp[sizeof(err->text)];
	size_t pos = 0;

	memcpy(tmp, err->text, sizeof(tmp));
	tmp[sizeof(tmp) - 1] = '\0';
	err->text[0] = '\0';
	dns_cat(err, &pos, "DNS ");
	dns_cat(err, &pos, type);
	dns_cat(err, &pos, " lookup of ");
	dns_cat(err, &pos, name);
	dns_cat(err, &pos, ": ");
	dns_cat(err, &pos, tmp);
}

/* A host name we are willing to connect to and name in SMTP: labels of
 * 1..63 letters, digits and hyphens, at most DNS_NAME_MAX_BYTES in all. */
static bool
dns_valid_host(const char *s)
{
	size_t label = 0, i, len = strlen(s);

	if (len == 0 || len > DNS_NAME_MAX_BYTES)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (++label > DNS_LABEL_MAX_BYTES)
			return false;
	}
	return label > 0;
}

static void
dns_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* ns_initparse plus the RCODE rule. 0 ok, -1 with *err. */
static int
dns_parse_header(const unsigned char *msg, size_t len, ns_msg *h,
		 struct dns_error *err)
{
	int rcode;

	if (len > DNS_ANSWER_MAX_BYTES || ns_initparse(msg, (int)len, h) < 0) {
		dns_fail(err, false, "4.4.3", "malformed DNS answer");
		return -1;
	}
	rcode = ns_msg_getflag(*h, ns_f_rcode);
	if (rcode == ns_r_nxdomain) {
		dns_fail(err, true, "5.1.2", "host or domain not found "
		    "(NXDOMAIN)");
		return -1;
	}
	if (rcode != ns_r_noerror) {
		dns_fail(err, false, "4.4.3", "name server failure (rcode %d)",
		    rcode);
		return -1;
	}
	return 0;
}

int
dns_parse_mx(const unsigned char *msg, size_t len, struct dns_mx *mx,
	     size_t max, size_t *n_r, struct dns_error *err)
{
	ns_msg h;
	ns_rr rr;
	int i, count;
	size_t n = 0, null_mx = 0, invalid = 0;
	char name[NS_MAXDNAME];

	*n_r = 0;
	if (dns_parse_header(msg, len, &h, err) < 0)
		return -1;
	count = ns_msg_count(h, ns_s_an);
	for (i = 0; i < count; i++) {
		const unsigned char *rd;
		int used;

		if (ns_parserr(&h, ns_s_an, i, &rr) < 0) {
			dns_fail(err, false, "4.4.3", "malformed DNS answer");
			return -1;
		}
		if (ns_rr_type(rr) != ns_t_mx || ns_rr_class(rr) != ns_c_in)
			continue;
		rd = ns_rr_rdata(rr);
		if (ns_rr_rdlen(rr) < 3) {
			dns_fail(err, false, "4.4.3", "malformed MX record");
			return -1;
		}
		used = ns_name_uncompress(ns_msg_base(h), ns_msg_end(h), rd + 2,
		    name, sizeof(name));
		if (used < 0 || (size_t)used + 2 > ns_rr_rdlen(rr)) {
			dns_fail(err, false, "4.4.3", "malformed MX record");
			return -1;
		}
		if (strcmp(name, ".") == 0 || name[0] == '\0') {
			null_mx++;
			continue;
		}
		dns_lower(name);
		if (!dns_valid_host(name)) {
			invalid++;
			continue;
		}
		if (n < max) {
			mx[n].pref = ns_get16(rd);
			memcpy(mx[n].host, name, strlen(name) + 1);
			n++;
		}
	}
	*n_r = n;
	if (n > 0)
		return 1;
	if (null_mx > 0 && invalid == 0) {
		dns_fail(err, true, "5.1.10", "domain does not accept mail "
		    "(null MX, RFC 7505)");
		return -1;
	}
	if (invalid > 0) {
		dns_fail(err, false, "4.4.3", "no usable MX host name "
		    "(%zu invalid)", invalid);
		return -1;
	}
	return 0;
}

int
dns_parse_addrs(const unsigned char *msg, size_t len, int type,
		struct dns_addr *addrs, size_t max, size_t *n_r,
		struct dns_error *err)
{
	ns_msg h;
	ns_rr rr;
	int i, count;
	size_t want = type == DNS_TYPE_AAAA ? 16 : 4, found = 0;

	if (type != DNS_TYPE_A && type != DNS_TYPE_AAAA) {
		dns_fail(err, false, "4.3.0", "internal error: bad query type");
		return -1;
	}
	if (dns_parse_header(msg, len, &h, err) < 0)
		return -1;
	count = ns_msg_count(h, ns_s_an);
	for (i = 0; i < count; i++) {
		if (ns_parserr(&h, ns_s_an, i, &rr) < 0) {
			dns_fail(err, false, "4.4.3", "malformed DNS answer");
			return -1;
		}
		if ((int)ns_rr_type(rr) != type || ns_rr_class(rr) != ns_c_in)
			continue;
		if (ns_rr_rdlen(rr) != want) {
			dns_fail(err, false, "4.4.3", "malformed address record");
			return -1;
		}
		found++;
		if (*n_r < max) {
			addrs[*n_r].family = type == DNS_TYPE_AAAA ? AF_INET6 :
			    AF_INET;
			memset(addrs[*n_r].ip, 0, sizeof(addrs[*n_r].ip));
			memcpy(addrs[*n_r].ip, ns_rr_rdata(rr), want);
			(*n_r)++;
		}
	}
	return found > 0 ? 1 : 0;
}

void
dns_mx_sort(struct dns_mx *mx, size_t n,
	    unsigned (*rand_fn)(void *ctx, unsigned n), void *ctx)
{
	size_t i, j, start;
	struct dns_mx tmp;

	/* Insertion sort: n <= DNS_MX_MAX, and stable. */
	for (i = 1; i < n; i++) {
		tmp = mx[i];
		for (j = i; j > 0 && mx[j - 1].pref > tmp.pref; j--)
			mx[j] = mx[j - 1];
		mx[j] = tmp;
	}
	/* Fisher-Yates within each run of equal preference. */
	for (start = 0; start < n; start = i) {
		for (i = start + 1; i < n && mx[i].pref == mx[start].pref; i++)
			;
		for (j = i - start; j > 1; j--) {
			size_t k = start + rand_fn(ctx, (unsigned)j);

			if (k >= start + j)
				k = start + j - 1; /* a bad rand_fn stays in bounds */
			tmp = mx[start + j - 1];
			mx[start + j - 1] = mx[k];
			mx[k] = tmp;
		}
	}
}

/* ---- the resolver ------------------------------------------------------ */

/* "ip", "ip:port", "[ip]:port", "[ip]", bare IPv6. 0 / -1. */
static int
dns_parse_nameserver(const char *s, struct sockaddr_in *sin,
		     struct sockaddr_in6 *sin6, int *family_r)
{
	char host[64];
	const char *port = NULL, *colon = strchr(s, ':');
	unsigned long p = DNS_PORT;
	size_t len;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (end == NULL || (size_t)(end - s - 1) >= sizeof(host))
			return -1;
		len = (size_t)(end - s - 1);
		memcpy(host, s + 1, len);
		host[len] = '\0';
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return -1;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		len = (size_t)(colon - s);
		if (len >= sizeof(host))
			return -1;
		memcpy(host, s, len);
		host[len] = '\0';
		port = colon + 1;
	} else {
		if (strlen(s) >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%s", s);
	}
	if (port != NULL) {
		char *end;

		if (*port < '0' || *port > '9')
			return -1;
		errno = 0;
		p = strtoul(port, &end, 10);
		if (errno != 0 || *end != '\0' || p < 1 || p > 65535)
			return -1;
	}
	memset(sin, 0, sizeof(*sin));
	memset(sin6, 0, sizeof(*sin6));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)p);
		*family_r = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)p);
		*family_r = AF_INET6;
		return 0;
	}
	return -1;
}

/* Points the state at one name server. glibc keeps IPv4 servers in
 * nsaddr_list and IPv6 ones in _u._ext.nsaddrs (malloc'd, freed by
 * res_nclose) with nsaddr_list[i].sin_family = 0. */
static int
dns_set_nameserver(struct __res_state *st, const char *s)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6, *p6;
	int family, i;

	if (dns_parse_nameserver(s, &sin, &sin6, &family) < 0)
		return -1;
	for (i = 0; i < MAXNS; i++) {
		free(st->_u._ext.nsaddrs[i]);
		st->_u._ext.nsaddrs[i] = NULL;
		memset(&st->nsaddr_list[i], 0, sizeof(st->nsaddr_list[i]));
	}
	st->_u._ext.nscount = 0;
	if (family == AF_INET) {
		st->nsaddr_list[0] = sin;
	} else {
		p6 = malloc(sizeof(*p6));
		if (p6 == NULL)
			return -1;
		*p6 = sin6;
		st->_u._ext.nsaddrs[0] = p6;
	}
	st->nscount = 1;
	return 0;
}

int
dns_resolver_new(struct dns_resolver **r_r, const char *nameserver,
		 const char **error_r)
{
	struct dns_resolver *r;

	*r_r = NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		*error_r = "out of memory";
		return -1;
	}
	if (res_ninit(&r->st) < 0) {
		free(r);
		*error_r = "res_ninit failed (resolv.conf)";
		return -1;
	}
	r->st.retrans = DNS_TIMEOUT_SECS;
	r->st.retry = DNS_TRIES;
	if (nameserver != NULL && nameserver[0] != '\0' &&
	    dns_set_nameserver(&r->st, nameserver) < 0) {
		res_nclose(&r->st);
		free(r);
		*error_r = "invalid dns_nameserver";
		return -1;
	}
	*r_r = r;
	return 0;
}

void
dns_resolver_free(struct dns_resolver **r)
{
	if (*r == NULL)
		return;
	res_nclose(&(*r)->st);
	free(*r);
	*r = NULL;
}

/* Sends one query; answer in r->answer. Returns its length or -1. */
static int
dns_query(struct dns_resolver *r, const char *name, int type,
	  struct dns_error *err)
{
	unsigned char q[DNS_QUERY_MAX_BYTES];
	int qlen, n;

	qlen = res_nmkquery(&r->st, ns_o_query, name, ns_c_in, type, NULL, 0,
	    NULL, q, sizeof(q));
	if (qlen < 0) {
		dns_fail(err, true, "5.1.2", "invalid domain name");
		return -1;
	}
	n = res_nsend(&r->st, q, qlen, r->answer, sizeof(r->answer));
	if (n < 0) {
		dns_fail(err, false, "4.4.3", "no answer from the name server "
		    "(timeout or server failure)");
		return -1;
	}
	return n;
}

/* Queries one address type and appends to host. 1 / 0 / -1 like the
 * parsers. */
static int
dns_lookup_type(struct dns_resolver *r, const char *name, int type,
		struct dns_host *host, struct dns_error *err)
{
	int n = dns_query(r, name, type, err);

	if (n < 0)
		return -1;
	return dns_parse_addrs(r->answer, (size_t)n, type, host->addrs,
	    DNS_ADDRS_PER_HOST_MAX, &host->n_addrs, err);
}

int
dns_host_addrs(struct dns_resolver *r, const char *name, struct dns_host *host,
	       struct dns_error *err)
{
	struct dns_error e4, e6;
	int r4, r6 = 0;

	memset(host, 0, sizeof(*host));
	if (!dns_valid_host(name)) {
		dns_fail(err, true, "5.1.2", "invalid host name");
		return -1;
	}
	snprintf(host->name, sizeof(host->name), "%s", name);
	dns_lower(host->name);
	r4 = dns_lookup_type(r, host->name, DNS_TYPE_A, host, &e4);
	/* NXDOMAIN is about the name, not the type: no AAAA query then. */
	if (!(r4 < 0 && e4.permanent))
		r6 = dns_lookup_type(r, host->name, DNS_TYPE_AAAA, host, &e6);
	if (host->n_addrs > 0)
		return 1;
	if (r4 < 0 && !e4.permanent) {
		*err = e4;
		dns_prefix(err, host->name, "A");
	} else if (r6 < 0 && !e6.permanent) {
		*err = e6;
		dns_prefix(err, host->name, "AAAA");
	} else if (r4 < 0) {
		*err = e4;
		dns_prefix(err, host->name, "A");
	} else if (r6 < 0) {
		*err = e6;
		dns_prefix(err, host->name, "AAAA");
	} else
		return 0;
	return -1;
}

static unsigned
dns_random(void *ctx, unsigned n)
{
	(void)ctx;
	return arc4random_uniform(n);
}

/* Implicit MX (RFC 5321 5.1): the domain itself as the only host. */
static int
dns_implicit_mx(struct dns_resolver *r, const char *domain,
		struct dns_host *hosts, size_t *n_r, struct dns_error *err)
{
	int rc = dns_host_addrs(r, domain, &hosts[0], err);

	if (rc == 0) {
		dns_fail(err, true, "5.1.2", "no MX, A or AAAA record for %s",
		    domain);
		return -1;
	}
	if (rc < 0)
		return -1;
	*n_r = 1;
	return 1;
}

int
dns_mail_hosts(struct dns_resolver *r, const char *domain,
	       struct dns_host *hosts, size_t max, size_t *n_r,
	       struct dns_error *err)
{
	struct dns_mx mx[DNS_MX_MAX];
	struct dns_error e;
	size_t n_mx, i, k = 0;
	bool any_temp = false;
	int n, rc;

	*n_r = 0;
	if (max == 0 || !dns_valid_host(domain)) {
		dns_fail(err, true, "5.1.2", "invalid domain name");
		return -1;
	}
	n = dns_query(r, domain, DNS_TYPE_MX, err);
	if (n < 0) {
		dns_prefix(err, domain, "MX");
		return -1;
	}
	rc = dns_parse_mx(r->answer, (size_t)n, mx, DNS_MX_MAX, &n_mx, err);
	if (rc < 0) {
		dns_prefix(err, domain, "MX");
		return -1;
	}
	if (rc == 0)
		return dns_implicit_mx(r, domain, hosts, n_r, err);
	dns_mx_sort(mx, n_mx, dns_random, NULL);
	for (i = 0; i < n_mx && k < max; i++) {
		rc = dns_host_addrs(r, mx[i].host, &hosts[k], &e);
		if (rc > 0) {
			hosts[k++].pref = mx[i].pref;
			continue;
		}
		if (rc == 0)
			dns_fail(&e, true, "5.4.4", "MX host %s has no A or "
			    "AAAA record", mx[i].host);
		if (!e.permanent)
			any_temp = true;
		if (!any_temp || !e.permanent)
			*err = e;       /* keep the last temporary error */
	}
	if (k > 0) {
		*n_r = k;
		return 1;
	}
	if (!any_temp) {
		/* Every MX host is gone for good: a permanent routing error. */
		err->permanent = true;
		snprintf(err->enhanced, sizeof(err->enhanced), "5.4.4");
	}
	return -1;
}
