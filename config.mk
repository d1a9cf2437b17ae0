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
# OpenSSL is not linked into the programs: lib/tls.c dlopen()s
# libssl.so.3 the first time TLS is set up, so the programs inetd/xinetd
# starts once per connection (quail-smtpd, quail-pop3d) and quail-remote
# (once per delivery) do not pay for loading and relocating OpenSSL
# (per plaintext quail-smtpd session, measured: linked dynamically 3.3 ms
# CPU and 3.9 MB peak RSS, statically 2.3 ms and 3.4 MB, dlopen()ed 1.7 ms
# and 2.2 MB; a STARTTLS session costs about what it does linked
# dynamically, up to 1 ms more than statically; bench/README.md) unless a
# session uses TLS. Likewise PAM (libpam.so.0, and with it libaudit and
# libcap-ng) and libcrypt (libcrypt.so.1) are not linked: lib/auth.c
# dlopen()s each the first time a login needs it, so a session without
# AUTH maps neither (the root monitor of a plaintext quail-smtpd session:
# 2164 kB peak RSS linked, 1940 kB without them; bench/README.md).
# -ldl for dlopen (part of libc since glibc 2.34). Programs and unit tests
# that call OpenSSL or crypt(3) themselves link the library: LIBS_SSL_<name>
# and LIBS_CRYPT_<name> ($* is the program or test being linked: test_tls
# makes an old-TLS client with OpenSSL; quail-users hashes passwords with
# crypt_gensalt/crypt_r; test_auth and test_login make hashes for their
# fixtures).
LIBS_SSL_tls = -lssl -lcrypto
LIBS_CRYPT_quail-users = -lcrypt
LIBS_CRYPT_auth = -lcrypt
LIBS_CRYPT_login = -lcrypt
# Sanitizer builds (SAN=1) link libcrypt into everything: ASan intercepts
# crypt_r and looks the real one up once, at start-up; when pam_unix
# (loaded with PAM, after start-up) then calls crypt_r, the interceptor
# would jump to NULL. Release builds do not link it.
LIBS_CRYPT_SAN_1 = -Wl,--push-state,--no-as-needed -lcrypt -Wl,--pop-state
# tinycdb is linked statically (its position-independent archive): the
# programs use four of its functions, and a shared libcdb.so.1 cost every
# process a mapping, its relocation by ld.so and two private pages.
LIBS     = -l:libcdb_pic.a -lresolv -ldl $(LIBS_SSL_$*) $(LIBS_CRYPT_$*) \
           $(LIBS_CRYPT_SAN_$(SAN))

# quail-imapd-session (the post-login IMAP session that stays in memory
# while a client is connected) is linked statically against musl when
# $(MUSL_CC) is there (Debian: musl-tools, installed by scripts/deps.sh):
# no ld.so and no shared libc to map and relocate per session. Sanitizer
# builds, and builds without musl (MUSL=0, or no musl-gcc), link it like
# the other programs.
MUSL        ?= auto
MUSL_CC     ?= musl-gcc
MUSL_LIBDIR ?= /usr/lib/x86_64-linux-musl
