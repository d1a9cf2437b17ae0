# config.mk -- build and install settings (the conf-* idea of qmail).
# Override on the command line: make PREFIX=/usr SYSCONFDIR=/etc

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/quail
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
CONFDIR    ?= $(SYSCONFDIR)/quail
QUEUEDIR   ?= /var/spool/quail
MAILDIR_BASE ?= /var/mail/quail

# System users (created by `make install-users` or the lab when run as root).
DAEMON_USER ?= quaild
QUEUE_USER  ?= quailq
VMAIL_USER  ?= quailv

CC      ?= cc
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-qual -Wsign-compare -Wno-unused-parameter
HARDEN   = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
OPT     ?= -O2 -g
CPPFLAGS_QUAIL = -D_GNU_SOURCE -Ilib \
           -DQUAIL_CONFDIR='"$(CONFDIR)"' -DQUAIL_LIBEXECDIR='"$(LIBEXECDIR)"' \
           -DQUAIL_QUEUEDIR='"$(QUEUEDIR)"' -DQUAIL_MAILDIR_BASE='"$(MAILDIR_BASE)"' \
           -DQUAIL_DAEMON_USER='"$(DAEMON_USER)"' -DQUAIL_QUEUE_USER='"$(QUEUE_USER)"' \
           -DQUAIL_VMAIL_USER='"$(VMAIL_USER)"'
CFLAGS_QUAIL  = -std=c11 $(WARN) $(HARDEN) $(OPT)
LDFLAGS_QUAIL = -pie -Wl,-z,relro,-z,now
LIBS     = -lcdb -lcrypt -lresolv -lssl -lcrypto -lpam
