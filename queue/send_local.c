/*
 * send_local.c -- quail-deliver's delivery code, compiled into quail-send.
 *
 * The launcher (send_launch.c) runs local deliveries in a forked child
 * with deliver/local.c's local_run() instead of executing quail-deliver:
 * the same code, result line and exit codes, without an execve, a dynamic
 * link and a config load per message. The Makefile builds quail-send from
 * queue/send*.c and quail-deliver from deliver/local*.c, so the shared
 * files are compiled here a second time; if the Makefile lists them in
 * SRC_quail-send one day, this file goes away.
 *
 * SECURITY: see deliver/local.c and deliver/local_maildir.c: the child
 * drops to the mailbox owner before touching a Maildir, exactly as
 * quail-deliver does when the launcher started it as root.
 */
#include "../deliver/local.c"
#include "../deliver/local_alias.c"
#include "../deliver/local_maildir.c"
