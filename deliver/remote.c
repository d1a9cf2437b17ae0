/*
 * remote.c -- quail-remote: delivers one message to the recipients of one
 * domain by SMTP (quail-remote(8), HACKING.md "Outbound").
 * Usage: quail-remote [-C dir] -f sender -q id [--] domain rcpt...,
 * message with LF line ends on stdin.
 *
 * Route: smtp_routes (an IP literal, or a name resolved without MX: by
 * getaddrinfo, or by A/AAAA from dns_nameserver when that is set), else an
 * address literal, else the domain's MX hosts (lib/dns, RFC 5321 5.1),
 * else its A/AAAA.
 * Hosts and their addresses are tried in order until one takes the
 * transaction or answers for good (remote_smtp.c). The results go to
 * stdout as records, one per recipient in argv order, then a summary:
 *   r<i> K|Z|D <enhanced> <text>      (i counts from 0)
 *   s K|Z|D <text>
 * and the exit code is 0; anything else makes quail-send defer.
 *
 * SECURITY: runs unprivileged (quail-send's credentials; started as root
 * it drops to daemon_user before reading the message). Needs no file but
 * quail.conf and the log. Arguments are validated before they go into SMTP
 * commands; the message is freed of CR bytes here so the encoder never
 * emits a bare CR or LF.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "priv.h"
#include "remote.h"

#define REMOTE_SMTP_PORT 25
#define REMOTE_READ_CHUNK_BYTES 65536

static const char usage_text[] =
	"quail-remote [-C dir] -f sender -q id [--] domain rcpt...";

/* ---- results ----------------------------------------------------------- */

static void
remote_vset(struct remote_rcpt *r, enum remote_status status,
	    const char *enhanced, const char *fmt, va_list ap)
{
	r->status = status;
	snprintf(r->enhanced, sizeof(r->enhanced), "%s", enhanced);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
}

void
remote_set_rcpt(struct remote_rcpt *r, enum remote_status status,
		const char *enhanced, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	remote_vset(r, status, enhanced, fmt, ap);
	va_end(ap);
}

void
remote_set_pending(struct remote *rm, bool permanent, const char *enhanced,
		   const char *fmt, ...)
{
	va_list ap;
	size_t i;

	for (i = 0; i < rm->n_rcpts; i++) {
		if (rm->rcpts[i].status != REMOTE_PENDING)
			continue;
		va_start(ap, fmt);
		remote_vset(&rm->rcpts[i], permanent ? REMOTE_FAILED :
		    REMOTE_PENDING, enhanced, fmt, ap);
		va_end(ap);
		if (rm->peer[0] != '\0')
			snprintf(rm->rcpts[i].relay, sizeof(rm->rcpts[i].relay),
			    "%s", rm->peer);
	}
	va_start(ap, fmt);
	vsnprintf(rm->summary, sizeof(rm->summary), fmt, ap);
	va_end(ap);
}

size_t
remote_n_pending(const struct remote *rm)
{
	size_t i, n = 0;

	for (i = 0; i < rm->n_rcpts; i++)
		if (rm->rcpts[i].status == REMOTE_PENDING)
			n++;
	return n;
}

/* Records never carry a line break or a control byte. */
static void
remote_clean(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = ' ';
}

/* Writes the records, logs one line per recipient, exits 0. */
static _Noreturn void
remote_report(struct remote *rm)
{
	size_t i, n_sent = 0, n_failed = 0;
	char safe[ADDR_PATH_MAX_BYTES * 4 + 8];
	char cls;

	for (i = 0; i < rm->n_rcpts; i++) {
		struct remote_rcpt *r = &rm->rcpts[i];
		static const char *const what[] = { "deferred", "sent", "bounced" };

		if (r->status == REMOTE_PENDING && r->text[0] == '\0')
			remote_set_rcpt(r, REMOTE_PENDING, "4.4.0", "no mail "
			    "host could be tried");
		cls = r->status == REMOTE_SENT ? 'K' : r->status == REMOTE_FAILED ?
		    'D' : 'Z';
		n_sent += r->status == REMOTE_SENT;
		n_failed += r->status == REMOTE_FAILED;
		remote_clean(r->text);
		remote_clean(r->enhanced);
		printf("r%zu %c %s %s\n", i, cls, r->enhanced[0] != '\0' ?
		    r->enhanced : cls == 'K' ? "2.0.0" : cls == 'D' ? "5.0.0" :
		    "4.0.0", r->text);
		log_safe(safe, sizeof(safe), r->addr, strlen(r->addr));
		log_msg(cls == 'K' ? LOG_INFO : LOG_WARNING, "qid=%s rcpt=%s "
		    "relay=%s status=%s %s %s", rm->qid, safe,
		    r->relay[0] != '\0' ? r->relay : "none", what[r->status],
		    r->enhanced, r->text);
	}
	cls = n_sent == rm->n_rcpts ? 'K' : n_sent + n_failed == rm->n_rcpts ?
	    'D' : 'Z';
	if (cls == 'D' && n_sent > 0)
		cls = 'K';      /* mixed: the session itself delivered */
	remote_clean(rm->summary);
	printf("s %c %s\n", cls, rm->summary[0] != '\0' ? rm->summary :
	    "no session");
	if (fflush(stdout) != 0)
		exit(EXIT_TEMP);        /* nobody learnt the results: retry */
	exit(EXIT_DONE);
}

/* ---- input ------------------------------------------------------------- */

/* Reads stdin, removes CRs (CR LF -> LF, a lone CR -> LF), notes 8-bit
 * bytes and the CRLF size. 0, or -1 with errno (E2BIG past the cap). */
static int
remote_read_message(struct remote *rm)
{
	static char chunk[REMOTE_READ_CHUNK_BYTES];
	char *p, *q, *end;
	ssize_t r;

	buf_init(&rm->msg, REMOTE_MESSAGE_MAX_BYTES);
	for (;;) {
		r = read(0, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		if (buf_append(&rm->msg, chunk, (size_t)r) < 0)
			return -1;
	}
	if (rm->msg.len == 0)
		return 0;
	p = q = rm->msg.data;
	end = p + rm->msg.len;
	rm->crlf_size = 0;
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\r') {
			if (p + 1 < end && p[1] == '\n')
				continue;
			c = '\n';
		}
		if (c == '\n')
			rm->crlf_size++;
		if (c >= 0x80)
			rm->eightbit = true;
		*q++ = (char)c;
		rm->crlf_size++;
	}
	rm->msg.len = (size_t)(q - rm->msg.data);
	if (rm->msg.len > 0 && rm->msg.data[rm->msg.len - 1] != '\n')
		rm->crlf_size += 2;     /* dot_encode_end ends the last line */
	return 0;
}

/* The sender: "" or "<>" is the null sender; it must parse as a mailbox.
 * 0, -1 if it does not, -2 if it needs SMTPUTF8 (not implemented). */
static int
remote_set_sender(struct remote *rm, const char *s)
{
	struct addr a;
	const char *err = NULL;
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	if (n == 0) {
		rm->sender[0] = '\0';
		return 0;
	}
	if (addr_parse_mailbox(s, n, 0, &a, &err) < 0 || a.at >= a.len)
		return addr_parse_mailbox(s, n, ADDR_UTF8, &a, &err) == 0 &&
		    a.at < a.len ? -2 : -1;
	memcpy(rm->sender, a.str, a.len + 1);
	return 0;
}

/* Queue ids go into every log line: [A-Za-z0-9._-], at most 64 bytes. */
static bool
remote_qid_ok(const char *q)
{
	size_t i;

	for (i = 0; q[i] != '\0'; i++) {
		char c = q[i];

		if (i >= 64 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || c == '.' || c == '_' ||
				 c == '-'))
			return false;
	}
	return i > 0;
}

static void
remote_args(struct remote *rm, int argc, char **argv, const char **dir_r,
	    const char **sender_r)
{
	int ch;
	size_t i;

	while ((ch = getopt(argc, argv, "C:f:q:")) != -1) {
		switch (ch) {
		case 'C': *dir_r = optarg; break;
		case 'f': *sender_r = optarg; break;
		case 'q': rm->qid = optarg; break;
		default: die_usage(usage_text);
		}
	}
	if (*sender_r == NULL || argc - optind < 2 || !remote_qid_ok(rm->qid))
		die_usage(usage_text);
	rm->domain = argv[optind];
	rm->n_rcpts = (size_t)(argc - optind - 1);
	if (rm->n_rcpts > REMOTE_RCPTS_MAX)
		die_temp("too many recipients (%zu, at most %d)", rm->n_rcpts,
			 REMOTE_RCPTS_MAX);
	rm->rcpts = calloc(rm->n_rcpts, sizeof(*rm->rcpts));
	if (rm->rcpts == NULL)
		die_temp("out of memory");
	for (i = 0; i < rm->n_rcpts; i++)
		rm->rcpts[i].addr = argv[optind + 1 + (int)i];
}

/* Recipients that cannot go into RCPT TO fail here, for good. */
static void
remote_check_rcpts(struct remote *rm)
{
	struct addr a;
	const char *err;
	size_t i;

	for (i = 0; i < rm->n_rcpts; i++) {
		struct remote_rcpt *r = &rm->rcpts[i];

		err = NULL;
		if (addr_parse_mailbox(r->addr, strlen(r->addr), 0, &a, &err) == 0 &&
		    a.at < a.len)
			continue;
		if (addr_parse_mailbox(r->addr, strlen(r->addr), ADDR_UTF8, &a,
		    &err) == 0 && a.at < a.len)
			remote_set_rcpt(r, REMOTE_FAILED, "5.6.7", "non-ASCII "
			    "address: SMTPUTF8 is not supported for remote "
			    "delivery");
		else
			remote_set_rcpt(r, REMOTE_FAILED, "5.1.3", "bad recipient "
			    "address syntax: %s", err != NULL ? err : "no domain");
	}
}

/* ---- routing ----------------------------------------------------------- */

/* An IP address in text into host (name = the text). 0 / -1. */
static int
remote_ip_host(const char *ip, struct dns_host *host)
{
	memset(host, 0, sizeof(*host));
	if (inet_pton(AF_INET, ip, host->addrs[0].ip) == 1)
		host->addrs[0].family = AF_INET;
	else if (inet_pton(AF_INET6, ip, host->addrs[0].ip) == 1)
		host->addrs[0].family = AF_INET6;
	else
		return -1;
	host->n_addrs = 1;
	snprintf(host->name, sizeof(host->name), "%s", ip);
	return 0;
}

/* A domain literal "[1.2.3.4]" / "[IPv6:...]" (RFC 5321 4.1.3). 1 if it
 * is one (host filled), 0 if not, -1 if malformed. */
static int
remote_domain_literal(const char *domain, struct dns_host *host)
{
	char ip[INET6_ADDRSTRLEN + 8];
	size_t n = strlen(domain);

	if (n < 2 || domain[0] != '[')
		return 0;
	if (domain[n - 1] != ']' || n - 2 >= sizeof(ip))
		return -1;
	memcpy(ip, domain + 1, n - 2);
	ip[n - 2] = '\0';
	if (strncasecmp(ip, "IPv6:", 5) == 0)
		memmove(ip, ip + 5, strlen(ip + 5) + 1);
	return remote_ip_host(ip, host) < 0 ? -1 : 1;
}

/* An smtp_routes host name through the system's name service (getaddrinfo:
 * /etc/hosts, then DNS), IPv4 addresses first. 1 found, -1 with the
 * pending recipients deferred: a route that does not resolve is a local
 * configuration problem, never a reason to bounce. */
static int
remote_route_host(struct remote *rm, const char *name, struct dns_host *host)
{
	struct addrinfo hints, *res = NULL, *ai;
	int rc, pass;

	memset(host, 0, sizeof(*host));
	snprintf(host->name, sizeof(host->name), "%s", name);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0) {
		remote_set_pending(rm, false, "4.4.3", "smtp_routes host %s: %s",
		    name, gai_strerror(rc));
		return -1;
	}
	for (pass = 0; pass < 2; pass++) {
		int family = pass == 0 ? AF_INET : AF_INET6;

		for (ai = res; ai != NULL; ai = ai->ai_next) {
			struct dns_addr *a = &host->addrs[host->n_addrs];

			if (ai->ai_family != family ||
			    host->n_addrs >= DNS_ADDRS_PER_HOST_MAX)
				continue;
			a->family = family;
			if (family == AF_INET)
				memcpy(a->ip, &((struct sockaddr_in *)(void *)
				    ai->ai_addr)->sin_addr, 4);
			else
				memcpy(a->ip, &((struct sockaddr_in6 *)(void *)
				    ai->ai_addr)->sin6_addr, 16);
			host->n_addrs++;
		}
	}
	freeaddrinfo(res);
	if (host->n_addrs == 0) {
		remote_set_pending(rm, false, "4.4.3", "smtp_routes host %s has "
		    "no IPv4 or IPv6 address", name);
		return -1;
	}
	return 1;
}

/* True if a is an address of this host: unspecified (0.0.0.0, ::, which
 * connect to ourselves), or the address of one of our interfaces
 * (getifaddrs: 127.0.0.1 on lo, our public addresses). */
static bool
remote_addr_is_self(const struct dns_addr *a, const struct ifaddrs *ifs)
{
	static const unsigned char zero[16];
	const struct ifaddrs *i;

	if (memcmp(a->ip, zero, a->family == AF_INET ? 4 : 16) == 0)
		return true;
	for (i = ifs; i != NULL; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (sa == NULL || sa->sa_family != a->family)
			continue;
		if (a->family == AF_INET && memcmp(a->ip, &((const struct
		    sockaddr_in *)(const void *)sa)->sin_addr, 4) == 0)
			return true;
		if (a->family == AF_INET6 && memcmp(a->ip, &((const struct
		    sockaddr_in6 *)(const void *)sa)->sin6_addr, 16) == 0)
			return true;
	}
	return false;
}

/* RFC 5321 5.1: "the SMTP client MUST NOT deliver to itself". The mail
 * hosts from DNS (port 25) are cut before the first one that is this
 * host, together with every host of its preference or worse (we are a
 * backup MX: only better ones may take the mail). If that leaves none,
 * the mail loops: every pending recipient fails with 5.4.6. A route in
 * smtp_routes is the admin's explicit choice and is not checked here;
 * quail-remote's EHLO check (remote_smtp.c) catches a route to ourselves.
 * 0, or -1 with the results set. */
static int
remote_cut_self(struct remote *rm, struct dns_host *hosts, size_t *n_r)
{
	struct ifaddrs *ifs = NULL;
	size_t h, a, self;

	if (getifaddrs(&ifs) < 0)
		ifs = NULL;     /* still catches 0.0.0.0 and :: */
	for (h = 0; h < *n_r; h++) {
		for (a = 0; a < hosts[h].n_addrs; a++)
			if (remote_addr_is_self(&hosts[h].addrs[a], ifs))
				break;
		if (a < hosts[h].n_addrs)
			break;
	}
	if (ifs != NULL)
		freeifaddrs(ifs);
	if (h == *n_r)
		return 0;
	self = h;
	while (h > 0 && hosts[h - 1].pref >= hosts[self].pref)
		h--;
	if (h > 0) {
		log_msg(LOG_INFO, "qid=%s MX host %s of %s is this host: only "
		    "better ones are tried", rm->qid, hosts[self].name,
		    rm->domain);
		*n_r = h;
		return 0;
	}
	remote_set_pending(rm, true, "5.4.6", "mail for %s loops back to myself "
	    "(mail host %s is this host)", rm->domain, hosts[self].name);
	*n_r = 0;
	return -1;
}

/* Fills hosts[] and *port_r. 0, or -1 with the pending recipients' results
 * set. */
static int
remote_route(struct remote *rm, struct dns_host *hosts, size_t *n_r,
	     unsigned *port_r)
{
	const struct conf_route *route = conf_route_for(&rm->conf, rm->domain);
	struct dns_resolver *res = NULL;
	struct dns_error err;
	const char *error = NULL;
	int rc;

	*n_r = 0;
	*port_r = route != NULL ? route->port : REMOTE_SMTP_PORT;
	if (route != NULL && route->host_is_ip) {
		if (remote_ip_host(route->host, &hosts[0]) < 0)
			goto bad_route;
		*n_r = 1;
		return 0;
	}
	if (route == NULL) {
		rc = remote_domain_literal(rm->domain, &hosts[0]);
		if (rc > 0) {
			*n_r = 1;
			return 0;
		}
		if (rc < 0) {
			remote_set_pending(rm, true, "5.1.2", "bad domain literal "
			    "%s", rm->domain);
			return -1;
		}
	}
	if (route != NULL && rm->conf.dns_nameserver[0] == '\0') {
		if (remote_route_host(rm, route->host, &hosts[0]) < 0)
			return -1;
		*n_r = 1;
		return 0;
	}
	if (dns_resolver_new(&res, rm->conf.dns_nameserver, &error) < 0) {
		remote_set_pending(rm, false, "4.4.3", "resolver: %s", error);
		return -1;
	}
	if (route != NULL) {
		rc = dns_host_addrs(res, route->host, &hosts[0], &err);
		if (rc == 0) {
			dns_resolver_free(&res);
			remote_set_pending(rm, false, "4.4.3", "smtp_routes host "
			    "%s has no A or AAAA record", route->host);
			return -1;
		}
		/* A broken route is a local configuration problem: defer. */
		err.permanent = false;
		snprintf(err.enhanced, sizeof(err.enhanced), "4.4.3");
		*n_r = rc > 0 ? 1 : 0;
	} else
		rc = dns_mail_hosts(res, rm->domain, hosts, DNS_MX_MAX, n_r, &err);
	dns_resolver_free(&res);
	if (rc > 0)
		return route == NULL ? remote_cut_self(rm, hosts, n_r) : 0;
	remote_set_pending(rm, err.permanent, err.enhanced, "%s", err.text);
	return -1;
bad_route:
	remote_set_pending(rm, false, "4.3.5", "bad smtp_routes entry for %s",
	    rm->domain);
	return -1;
}

/* Tries every address of every host until the transaction is done. */
static void
remote_deliver(struct remote *rm)
{
	static struct dns_host hosts[DNS_MX_MAX];
	size_t n_hosts, h, a, attempts = 0;
	unsigned port;
	enum remote_next next;

	if (remote_route(rm, hosts, &n_hosts, &port) < 0)
		return;
	for (h = 0; h < n_hosts; h++) {
		for (a = 0; a < hosts[h].n_addrs; a++) {
			if (remote_n_pending(rm) == 0 ||
			    attempts++ >= REMOTE_ATTEMPTS_MAX ||
			    time(NULL) >= rm->deadline)
				return;
			next = remote_smtp_session(rm, hosts[h].name,
			    &hosts[h].addrs[a], port, true);
			if (next == REMOTE_NEXT_PLAIN)
				next = remote_smtp_session(rm, hosts[h].name,
				    &hosts[h].addrs[a], port, false);
			if (next == REMOTE_NEXT_DONE)
				return;
		}
	}
}

int
main(int argc, char **argv)
{
	static struct remote rm;
	const char *dir = NULL, *sender = NULL, *err = NULL;

	rm.qid = "-";
	signal(SIGPIPE, SIG_IGN);
	log_open("remote", "stderr");
	remote_args(&rm, argc, argv, &dir, &sender);
	rm.deadline = time(NULL) + REMOTE_RUN_MAX_SECS;
	if (conf_load(&rm.conf, dir, &err) < 0) {
		remote_set_pending(&rm, false, "4.3.5", "configuration error: %s",
		    err);
		remote_report(&rm);
	}
	log_open("remote", rm.conf.log_dest);
	if (priv_is_root()) {
		/* Never talk to the network as root (quail-send should not
		 * start us so; a hand-run as root is dropped here). */
		if (priv_drop_user(rm.conf.daemon_user, &err) < 0) {
			remote_set_pending(&rm, false, "4.3.0", "cannot drop "
			    "privileges to %s: %s", rm.conf.daemon_user, err);
			remote_report(&rm);
		}
	} else
		log_msg(LOG_INFO, "qid=%s running unprivileged as uid %lu",
		    rm.qid, (unsigned long)geteuid());
	if (remote_read_message(&rm) < 0) {
		if (errno == E2BIG)
			remote_set_pending(&rm, true, "5.3.4", "message too big "
			    "to send (more than %lu bytes)",
			    (unsigned long)REMOTE_MESSAGE_MAX_BYTES);
		else
			remote_set_pending(&rm, false, "4.3.0", "cannot read the "
			    "message: %s", strerror(errno));
		remote_report(&rm);
	}
	switch (remote_set_sender(&rm, sender)) {
	case -2:
		remote_set_pending(&rm, true, "5.6.7", "non-ASCII sender address: "
		    "SMTPUTF8 is not supported for remote delivery");
		remote_report(&rm);
	case -1:
		remote_set_pending(&rm, true, "5.1.7", "bad sender address "
		    "syntax");
		remote_report(&rm);
	default:
		break;
	}
	remote_check_rcpts(&rm);
	if (remote_n_pending(&rm) > 0)
		remote_deliver(&rm);
	remote_report(&rm);
}
