/*
 * local_main.c -- quail-deliver's command line (quail-deliver(8)):
 *
 *	quail-deliver [-C dir] -f sender [-q queueid] recipient
 *
 * with the message (LF line ends) on stdin. Loads the configuration and
 * runs the delivery of local.c. Exit 0 delivered, 100 permanent, 111
 * temporary; the one line on stdout says why.
 *
 * SECURITY: see local.c and local_maildir.c: privileges are dropped to the
 * mailbox owner before any Maildir is touched.
 */
#include <stdlib.h>
#include <unistd.h>

#include "exitcode.h"
#include "log.h"
#include "local.h"

static const char usage_text[] =
	"quail-deliver [-C dir] -f sender [-q queueid] recipient";

int
main(int argc, char **argv)
{
	static struct local_delivery d;
	const char *dir = NULL, *err = NULL, *sender = NULL, *qid = "-";
	int ch;

	log_open("deliver", "stderr");
	while ((ch = getopt(argc, argv, "C:f:q:")) != -1) {
		switch (ch) {
		case 'C': dir = optarg; break;
		case 'f': sender = optarg; break;
		case 'q': qid = optarg; break;
		default: die_usage(usage_text);
		}
	}
	if (sender == NULL || optind + 1 != argc || !local_qid_ok(qid))
		die_usage(usage_text);
	local_init(&d, sender, qid, argv[optind]);
	if (conf_load(&d.conf, dir, &err) < 0)
		local_finish(&d, EXIT_TEMP, "4.3.5 configuration error: %s", err);
	log_open("deliver", d.conf.log_dest);
	local_run(&d);
}
