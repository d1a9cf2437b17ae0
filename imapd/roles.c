/*
 * roles.c -- the two processes of quail-imapd after login_split()
 * (lib/login.h): the CHILD speaks the not-authenticated state (auth.c)
 * and hands a logged-in session over; the MONITOR (root) becomes the
 * mailbox owner and runs the authenticated and selected states
 * (session.c) on the handed-over connection. Not root: the child goes on
 * with the session itself.
 *
 * The tagged OK of LOGIN/AUTHENTICATE is sent by the session (after the
 * folders are set up, with the post-login capabilities), so the child
 * passes the command's tag along: as a first line "<T|P><tag>\n" (TLS
 * or plaintext, for the log and conn_tls_on) in front of the input it
 * hands over (login_handover() carries only that input).
 *
 * SECURITY: the monitor never runs a session as root (uid 0 is refused
 * before priv_drop_ids(), which also verifies that root cannot be
 * regained); the handed-over input, the tag line included, is copied with
 * bounds checks and the tag must be printable ASCII; startup failures are
 * logged and answered with "* BYE [UNAVAILABLE]" on the client's socket,
 * never on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "imapd.h"
#include "log.h"
#include "priv.h"

_Noreturn void
roles_fail_temp(int fd, const char *what, const char *why)
{
	static const char reply[] = "* BYE [UNAVAILABLE] Service temporarily "
				    "unavailable.\r\n";

	log_msg(LOG_ERR, "%s: %s", what, why != NULL ? why : "unknown error");
	if (write(fd, reply, sizeof(reply) - 1) < 0)
		log_msg(LOG_INFO, "client gone before the BYE");
	exit(EXIT_TEMP);
}

/* Takes the tag line off the front of the handed-over input into tag
 * (room for IO_RBUF_BYTES). 0, or -1 when it is missing or malformed. */
static int
roles_take_tag(struct buf *pending, char *tag, bool *tls_r)
{
	const char *lf;
	size_t i, len;

	lf = memchr(pending->data, '\n', pending->len);
	if (lf == NULL)
		return -1;
	len = (size_t)(lf - pending->data);
	if (len < 2 || len >= IO_RBUF_BYTES ||
	    (pending->data[0] != 'T' && pending->data[0] != 'P'))
		return -1;
	*tls_r = pending->data[0] == 'T';
	for (i = 1; i < len; i++) {
		unsigned char ch = (unsigned char)pending->data[i];

		if (ch <= 0x20 || ch >= 0x7f)
			return -1;
	}
	memcpy(tag, pending->data + 1, len - 1);
	tag[len - 1] = '\0';
	/* UNSAFE: len + 1 <= pending->len (lf lies inside the data) */
	memmove(pending->data, lf + 1, pending->len - len - 1);
	pending->len -= len + 1;
	return 0;
}

/* MONITOR: waits for the child (and exits as it did when it ends
 * without a login); after a login, becomes the user and runs the session
 * on the fd the child handed over. */
int
roles_monitor(struct login *l, const struct imapd_env *env)
{
	static struct io io;
	static char tag[IO_RBUF_BYTES];
	static struct imapd_session s;
	struct login_user u;
	struct buf pending;
	const char *error = NULL;
	bool tls = false;
	int fd, r;

	buf_init(&pending, IO_RBUF_BYTES + 1);
	r = login_monitor(l, &u, &fd, &pending);
	if (r <= 0) {
		/* no login: end as the protocol child did (inetd sees us) */
		buf_free_secret(&pending);
		r = r == 0 ? login_child_status(l) : -1;
		return r >= 0 ? r : EXIT_TEMP;
	}
	if (u.uid == 0) /* the session never runs as root */
		roles_fail_temp(fd, "cannot become the mailbox owner", "root");
	if (priv_drop_ids(u.uid, u.gid, u.system_user ? u.name : NULL, &error))
		roles_fail_temp(fd, "cannot become the mailbox owner", error);
	if (roles_take_tag(&pending, tag, &tls) < 0) {
		buf_free_secret(&pending);
		roles_fail_temp(fd, "handover", "no valid tag line");
	}
	io_init(&io, fd, fd);
	/* what the client pipelined after the login is ours to answer */
	if (pending.len > 0 && pending.len <= sizeof(io.rbuf)) {
		memcpy(io.rbuf, pending.data, pending.len);
		io.rlen = pending.len;
	}
	buf_free_secret(&pending);
	if (sess_init(&s, env, &io) < 0)
		roles_fail_temp(fd, "session", "out of memory");
	s.tls_proxied = tls;
	r = session_run(&s, &u, tag);
	io_flush(&io);
	sess_free(&s);
	return r == 0 ? EXIT_DONE : EXIT_TEMP;
}

/* Puts "<T|P><tag>\n" in front of the input buffered in io. 0, or -1
 * when it does not fit (the client pipelined nearly a full buffer). */
static int
roles_put_tag(struct io *io, const char *tag, bool tls, size_t *len_r)
{
	size_t taglen = strlen(tag), pending = io_pending(io);

	if (taglen + 2 + pending > sizeof(io->rbuf))
		return -1;
	/* UNSAFE: both ranges lie inside rbuf (checked just above) */
	memmove(io->rbuf + taglen + 2, io->rbuf + io->rpos, pending);
	io->rbuf[0] = tls ? 'T' : 'P';
	memcpy(io->rbuf + 1, tag, taglen);
	io->rbuf[taglen + 1] = '\n';
	io->rpos = 0;
	io->rlen = taglen + 2 + pending;
	*len_r = taglen + 2;
	return 0;
}

/* After a login in the child: hands the session over (or, not root, runs
 * it here). Returns what roles_child returns. */
static int
roles_handover(struct imapd_session *s, struct login *l,
	       const struct login_user *u, const char *tag)
{
	size_t prefix = 0;
	int r;

	if (roles_put_tag(s->io, tag, conn_tls_on(s), &prefix) < 0) {
		log_msg(LOG_NOTICE,
			"too much input pipelined after the login "
			"of %s",
			s->env->remote_ip);
		sess_printf(s,
			    "%s NO [UNAVAILABLE] Too much input after "
			    "login.\r\n",
			    tag);
		return 0;
	}
	r = login_handover(l, s->io);
	if (r == 1) {
		/* not split: the session is ours, the tag line is not */
		io_consume(s->io, prefix);
		return session_run(s, u, tag);
	}
	if (r < 0)
		sess_printf(s, "* BYE [UNAVAILABLE] Login failed.\r\n");
	return r;
}

/* CHILD: the not-authenticated state; after a login the session is
 * handed to the monitor, or (not root) runs right here. */
int
roles_child(struct login *l, const struct imapd_env *env)
{
	static struct io io;
	static struct imapd_session s;
	struct login_user u;
	struct buf tag;
	const char *error = NULL;
	int r = 0;

	io_init(&io, STDIN_FILENO, STDOUT_FILENO);
	if (sess_init(&s, env, &io) < 0)
		roles_fail_temp(STDOUT_FILENO, "session", "out of memory");
	buf_init(&tag, IO_RBUF_BYTES);
	if (env->implicit_tls && tls_server_prepare(env->tls, &error) < 0) {
		/* -t and OpenSSL refuses the certificate or key (lib/tls.h:
		 * lazy setup): a server problem, exit 111, nothing said in
		 * plaintext on a TLS port */
		log_msg(LOG_ERR, "TLS certificate: %s", error);
		r = -1;
	} else if (!env->implicit_tls || conn_start_tls(&s) == 0) {
		sess_untagged(&s, "OK [CAPABILITY %s] quail IMAP ready.",
			      auth_capability(&s));
		if (auth_run(&s, l, &u, &tag) == 1)
			r = roles_handover(&s, l, &u, buf_cstr(&tag));
	}
	io_flush(&io);
	buf_free(&tag);
	sess_free(&s);
	return r < 0 ? EXIT_TEMP : EXIT_DONE;
}
