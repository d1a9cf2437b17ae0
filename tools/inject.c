/*
 * inject.c -- quail-inject: the sendmail-compatible way for local programs
 * (cron, mail(1), scripts) to send mail (quail-inject(8)).
 *
 * Options follow sendmail(8): -t (recipients from To:/Cc:/Bcc:), -i/-oi,
 * -f/-r sender, -F full name, -bm (the default), -bs (SMTP on stdin and
 * stdout through quail-smtpd), and the options sendmail callers pass that
 * have no meaning here (-oXXX, -v, -B, -N, -R, -V, -h, -O) are accepted
 * and ignored. The message goes to quail-queue through lib/qsubmit.h.
 *
 * SECURITY: not setuid; everything runs as the invoking user, and the
 * queue is reached only through quail-queue (setuid to the queue owner
 * when installed), which validates the envelope again and logs the
 * caller's uid. Any user may choose the envelope sender (-f), as with
 * sendmail and Postfix; the Received: field added here names the login
 * and uid, which the user cannot change. -bs passes the session to
 * quail-smtpd as a client at 127.0.0.1, which is no more than the user
 * gets by connecting to the local SMTP port.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf.h"
#include "inject.h"
#include "inject_hdr.h"
#include "qfile.h"

static const char usage_text[] =
	"usage: quail-inject [-C dir] [-t] [-i] [-f sender] [-F fullname]"
	" [-bm | -bs] [-oX] [recipient ...]\n";

_Noreturn void
inject_fail(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("quail-inject: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static _Noreturn void
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "quail-inject: %s\n", why);
	fputs(usage_text, stderr);
	exit(EX_USAGE);
}

/* ---- recipients -------------------------------------------------------- */

struct rcpt_ctx {
	struct inject *in;
	const char *what;
};

static int
add_one(void *ctx, const char *spec, size_t len, const char **error_r)
{
	struct rcpt_ctx *rc = ctx;
	struct inject *in = rc->in;
	struct addr a;
	char shown[ADDR_PATH_MAX_BYTES + 1];
	size_t i;

	if (inject_hdr_mailbox(spec, len, in->conf->hostname, &a, error_r) < 0) {
		snprintf(shown, sizeof(shown), "%.*s", (int)len, spec);
		inject_fail(EX_DATAERR, "%s: bad address '%s': %s", rc->what,
			    shown, *error_r);
	}
	for (i = 0; i < in->n_rcpts; i++)
		if (strcmp(in->rcpts[i], a.str) == 0)
			return 0;
	if (in->n_rcpts >= QFILE_RCPTS_MAX)
		inject_fail(EX_DATAERR, "more than %d recipients", QFILE_RCPTS_MAX);
	if (in->n_rcpts == in->cap_rcpts) {
		size_t cap = in->cap_rcpts ? in->cap_rcpts * 2 : 16;
		char **n = realloc(in->rcpts, cap * sizeof(*n));

		if (n == NULL)
			inject_fail(EX_OSERR, "out of memory");
		in->rcpts = n;
		in->cap_rcpts = cap;
	}
	in->rcpts[in->n_rcpts] = strdup(a.str);
	if (in->rcpts[in->n_rcpts] == NULL)
		inject_fail(EX_OSERR, "out of memory");
	in->n_rcpts++;
	return 0;
}

void
inject_add_rcpts(struct inject *in, const char *p, size_t len, const char *what)
{
	struct rcpt_ctx rc = { in, what };
	const char *error = NULL;

	if (inject_hdr_addresses(p, len, add_one, &rc, &error) < 0)
		inject_fail(EX_DATAERR, "%s: bad address list: %s", what, error);
}

void
inject_free(struct inject *in)
{
	for (size_t i = 0; i < in->n_rcpts; i++)
		free(in->rcpts[i]);
	free(in->rcpts);
	in->rcpts = NULL;
	in->n_rcpts = in->cap_rcpts = 0;
}

/* ---- sender ------------------------------------------------------------ */

static int
one_sender(void *ctx, const char *spec, size_t len, const char **error_r)
{
	struct inject *in = ctx;
	struct addr a;

	if (in->sender[0] != '\0') {
		*error_r = "more than one address";
		return -1;
	}
	if (inject_hdr_mailbox(spec, len, in->conf->hostname, &a, error_r) < 0)
		return -1;
	memcpy(in->sender, a.str, a.len + 1);
	return 0;
}

/* The login name of the caller; "" when it is missing or unsafe to put
 * into a header field (only RFC 5322 atext and '.'). */
static void
find_login(struct inject *in, const char **gecos_r)
{
	struct passwd *pw;
	size_t i;

	in->uid = getuid();
	in->login[0] = '\0';
	*gecos_r = NULL;
	pw = getpwuid(in->uid);
	if (pw == NULL || strlen(pw->pw_name) > INJECT_LOGIN_MAX_BYTES)
		return;
	for (i = 0; pw->pw_name[i] != '\0'; i++)
		if (strchr("()<>[]:;@\\,\"", pw->pw_name[i]) != NULL ||
		    (unsigned char)pw->pw_name[i] <= ' ' ||
		    (unsigned char)pw->pw_name[i] >= 127)
			return;
	memcpy(in->login, pw->pw_name, i + 1);
	if (pw->pw_gecos != NULL && pw->pw_gecos[0] != '\0')
		*gecos_r = pw->pw_gecos;
}

/* -f/-r, else login@hostname. The added From: uses the same address, or
 * login@hostname for the null sender. */
static void
set_sender(struct inject *in, const char *opt_f, char *gecos_name, size_t glen)
{
	const char *error = NULL, *gecos;
	char dflt[ADDR_PATH_MAX_BYTES + 1];

	find_login(in, &gecos);
	dflt[0] = '\0';
	if (in->login[0] != '\0') {
		struct addr a;

		if ((size_t)snprintf(dflt, sizeof(dflt), "%s@%s", in->login,
				     in->conf->hostname) >= sizeof(dflt) ||
		    addr_parse_mailbox(dflt, strlen(dflt), ADDR_UTF8, &a, &error) < 0)
			dflt[0] = '\0';
	}
	if (opt_f != NULL && (opt_f[0] == '\0' || strcmp(opt_f, "<>") == 0)) {
		in->null_sender = true;
	} else if (opt_f != NULL) {
		if (inject_hdr_addresses(opt_f, strlen(opt_f), one_sender, in,
					 &error) < 0)
			inject_fail(EX_DATAERR, "-f: bad sender '%s': %s", opt_f, error);
		if (in->sender[0] == '\0')
			inject_fail(EX_DATAERR, "-f: no address in '%s'", opt_f);
	} else if (dflt[0] != '\0') {
		memcpy(in->sender, dflt, strlen(dflt) + 1);
	} else {
		inject_fail(EX_NOUSER, "no usable login name for uid %ld; use -f",
			    (long)in->uid);
	}
	if (!in->null_sender)
		memcpy(in->from_addr, in->sender, strlen(in->sender) + 1);
	else if (dflt[0] != '\0')
		memcpy(in->from_addr, dflt, strlen(dflt) + 1);
	else if ((size_t)snprintf(in->from_addr, sizeof(in->from_addr),
				  "MAILER-DAEMON@%s", in->conf->hostname) >=
		 sizeof(in->from_addr))
		inject_fail(EX_CONFIG, "hostname too long");
	/* GECOS: "Full Name,room,phone,...": the name is the first field. */
	if (in->fullname == NULL && gecos != NULL) {
		snprintf(gecos_name, glen, "%s", gecos);
		gecos_name[strcspn(gecos_name, ",")] = '\0';
		if (gecos_name[0] != '\0')
			in->fullname = gecos_name;
	}
}

/* ---- -bs ----------------------------------------------------------------- */

/* SMTP on stdin/stdout: quail-smtpd, seen as a client at 127.0.0.1 (it
 * takes the address from $TCPREMOTEIP when stdin is not a socket). */
static _Noreturn void
run_smtp(const struct conf *c)
{
	char path[PATH_MAX], confdir[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/quail-smtpd",
			     c->libexec_dir) >= sizeof(path))
		inject_fail(EX_CONFIG, "libexec_dir too long");
	snprintf(confdir, sizeof(confdir), "%s", c->confdir);
	if (setenv("TCPREMOTEIP", "127.0.0.1", 1) < 0 ||
	    setenv("TCPLOCALIP", "127.0.0.1", 1) < 0 ||
	    unsetenv("TCPREMOTEHOST") < 0 || unsetenv("TCPREMOTEINFO") < 0)
		inject_fail(EX_OSERR, "cannot set the environment: %s",
			    strerror(errno));
	char *const argv[] = { path, (char *)"-C", confdir, NULL };
	execv(path, argv);
	inject_fail(EX_UNAVAILABLE, "cannot run %s: %s", path, strerror(errno));
}

/* ---- main ---------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	struct inject in;
	struct conf c;
	const char *dir = NULL, *opt_f = NULL, *error = NULL;
	char gecos_name[INJECT_HDR_NAME_MAX_BYTES + 1];
	bool smtp_mode = false;
	int ch;

	memset(&in, 0, sizeof(in));
	in.dot_ends = true;
	/* quail-queue may die early; its reply says why (qsubmit.h). */
	signal(SIGPIPE, SIG_IGN);
	/* '+': options end at the first recipient, as in sendmail. */
	while ((ch = getopt(argc, argv, "+B:b:C:F:f:h:iN:O:o:R:r:tV:v")) != -1) {
		switch (ch) {
		case 'b':
			if (strcmp(optarg, "m") == 0)
				smtp_mode = false;
			else if (strcmp(optarg, "s") == 0)
				smtp_mode = true;
			else if (strcmp(optarg, "p") == 0)
				usage("-bp is not supported: use quail-qctl list");
			else if (strcmp(optarg, "i") == 0)
				usage("-bi is not supported: use quail-newaliases");
			else
				usage("only -bm and -bs are supported");
			break;
		case 'C': dir = optarg; break;
		case 'F': in.fullname = optarg; break;
		case 'f':
		case 'r': opt_f = optarg; break;
		case 'i': in.dot_ends = false; break;
		case 'o':
			/* -oi is -i; every other -oX (-oem, -odb, ...) is a
			 * sendmail setting with no meaning here. */
			if (strcmp(optarg, "i") == 0)
				in.dot_ends = false;
			break;
		case 't': in.extract = true; break;
		case 'B': case 'h': case 'N': case 'O': case 'R': case 'V': case 'v':
			break;  /* sendmail options without a meaning here */
		default:
			usage(NULL);
		}
	}
	if (conf_load(&c, dir, &error) < 0)
		inject_fail(EX_CONFIG, "%s", error);
	in.conf = &c;
	if (smtp_mode) {
		if (optind != argc)
			usage("-bs takes no recipients");
		run_smtp(&c);
	}
	set_sender(&in, opt_f, gecos_name, sizeof(gecos_name));
	for (int i = optind; i < argc; i++)
		inject_add_rcpts(&in, argv[i], strlen(argv[i]), "recipient");
	if (!in.extract && in.n_rcpts == 0)
		usage("no recipients given (and no -t)");
	inject_message(&in, 0);
	inject_free(&in);
	conf_free(&c);
	return EX_OK;
}
