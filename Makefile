# quail -- top-level Makefile (GNU make).
#   make              build everything into build/release
#   make check        install test deps if missing, build with ASan+UBSan, run every test
#   make lab          install deps if missing, build, start a lab instance (see README)
#   make lab-stop     stop the lab
#   make install      DESTDIR= PREFIX= SYSCONFDIR= (install-users creates the system users)
include config.mk

SAN ?= 0
ifeq ($(SAN),1)
B       ?= build/san
OPT      = -O1 -g -fno-omit-frame-pointer
HARDEN   = -fstack-protector-strong -fPIE
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
B       ?= build/release
SANFLAGS =
# Text layout of the programs (lib/session-text.list): each function in
# its own section, the functions of an idle session linked first in one
# run, unused functions dropped; no .eh_frame (C without unwinding: it
# only enlarged the read-only mapping every session touches; gdb reads
# the -g build's .debug_frame); segments aligned to 64 KB, the kernel's
# fault-around window, so that the run starts a window.
LAYOUT_CFLAGS  = -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
LAYOUT_LDFLAGS = -Wl,--gc-sections -Wl,-T,$(B)/session-text.ld \
                 -Wl,-z,max-page-size=0x10000 -Wl,-z,pack-relative-relocs
LAYOUT_LD      = $(B)/session-text.ld
endif

# config.mk: quail-imapd-session against musl (release builds only).
ifeq ($(SAN),1)
MUSL := 0
else ifeq ($(MUSL),auto)
MUSL := $(if $(shell command -v $(MUSL_CC) 2>/dev/null),1,0)
ifeq ($(MUSL),0)
$(info note: no $(MUSL_CC) (Debian: musl-tools); quail-imapd-session links glibc)
endif
endif

CFLAGS_ALL  = $(CFLAGS_QUAIL) $(SANFLAGS) $(LAYOUT_CFLAGS) $(CFLAGS)
CPPFLAGS_ALL = $(CPPFLAGS_QUAIL) $(CPPFLAGS)
LDFLAGS_ALL = $(LDFLAGS_QUAIL) $(SANFLAGS) $(LDFLAGS)

# ---- library -------------------------------------------------------------
LIB_SRCS = $(sort $(wildcard lib/*.c))
LIB_OBJS = $(LIB_SRCS:%.c=$(B)/%.o)
LIBQUAIL = $(B)/libquail.a

# ---- programs: name -> sources ---------------------------------------------
SBIN_PROGS    = quail-users quail-newaliases quail-send quail-qctl quail-inject
LIBEXEC_PROGS = quail-smtpd quail-queue quail-deliver quail-remote quail-pop3d \
                quail-imapd quail-imapd-session
PROGS = $(SBIN_PROGS) $(LIBEXEC_PROGS)
SRC_quail-smtpd      = $(sort $(wildcard smtpd/*.c))
SRC_quail-queue      = queue/queue.c
# quail-send runs local deliveries in a forked child with quail-deliver's
# code (no exec per message): it links deliver/local*.c except the main().
SRC_quail-send       = $(sort $(wildcard queue/send*.c)) \
                       $(filter-out deliver/local_main.c,$(wildcard deliver/local*.c))
SRC_quail-deliver    = $(sort $(wildcard deliver/local*.c))
SRC_quail-users      = tools/users.c
SRC_quail-newaliases = tools/newaliases.c
SRC_quail-qctl       = $(sort $(wildcard tools/qctl*.c))
SRC_quail-inject     = $(sort $(wildcard tools/inject*.c))
SRC_quail-remote     = $(sort $(wildcard deliver/remote*.c))
SRC_quail-pop3d      = $(sort $(wildcard pop3d/*.c))
# quail-imapd: the login (main, roles, auth) and the session code, which
# runs there only when not root; quail-imapd-session: the session, which
# the root monitor execs after a login (imapd/session_main.c).
IMAPD_SESSION_SRCS   = $(filter-out imapd/main.c imapd/roles.c imapd/auth.c \
                         imapd/session_main.c,$(sort $(wildcard imapd/*.c)))
SRC_quail-imapd      = imapd/main.c imapd/roles.c imapd/auth.c $(IMAPD_SESSION_SRCS)
SRC_quail-imapd-session = imapd/session_main.c $(IMAPD_SESSION_SRCS)
# A program is built once its sources exist (new programs appear while
# they are being written); man-lint still insists on a page for each.
PROGS_PRESENT = $(foreach p,$(PROGS),$(if $(SRC_$(p)),$(p)))
PROG_BINS = $(PROGS_PRESENT:%=$(B)/%)

# ---- tests -----------------------------------------------------------------
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRCS = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS = $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
# Per-test extra link flags (e.g. -Wl,--wrap=fsync) live in tests/unit/wrap.mk
-include tests/unit/wrap.mk

.PHONY: all check unit fuzz man-lint lab lab-stop install install-users clean deps
all: $(PROG_BINS)

# Make does not track flags: $(B)/flags holds the compile and link flags
# of the last build and is rewritten when they change, which remakes
# everything built from it (a release tree of before the text layout, say).
FLAGS_LINE := $(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) | $(LDFLAGS_ALL) $(LAYOUT_LDFLAGS) | $(LIBS) | musl=$(MUSL)
ifneq ($(file <$(B)/flags),$(FLAGS_LINE))
$(shell mkdir -p $(B))
$(file >$(B)/flags,$(FLAGS_LINE))
endif

$(B)/%.o: %.c $(B)/flags
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(LIBQUAIL): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

.SECONDEXPANSION:
$(filter-out $(if $(filter 1,$(MUSL)),$(B)/quail-imapd-session),$(PROG_BINS)): $(B)/%: $$(addprefix $(B)/,$$(SRC_$$*:.c=.o)) $(LIBQUAIL) $(LAYOUT_LD) $(B)/flags
	$(CC) $(LDFLAGS_ALL) $(LAYOUT_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBQUAIL) $(LIBS) $(LIBS_$*)

# ---- quail-imapd-session against musl ---------------------------------------
# Its objects and the part of lib/ it can use are compiled again with
# $(MUSL_CC) into $(B)/musl/; the lib/ files that need glibc-only headers
# (OpenSSL, PAM, crypt, tinycdb, the resolver, pidfd) are left out: the
# session links none of them. Linked as a static PIE (musl's rcrt1.o),
# without packed relocations: musl 1.2.3 (Debian 12) does not read
# DT_RELR.
COMMA := ,
ifeq ($(MUSL),1)
MUSL_LIB_SRCS = $(filter-out lib/auth.c lib/cdbmap.c lib/dns.c lib/login.c \
                  lib/rcpt.c lib/tls.c,$(LIB_SRCS))
MUSL_LIB      = $(B)/musl/libquail.a
MUSL_CRTBEGIN = $(shell $(CC) -print-file-name=crtbeginS.o)
MUSL_CRTEND   = $(shell $(CC) -print-file-name=crtendS.o)
MUSL_LIBGCC   = $(shell $(CC) -print-libgcc-file-name)
$(B)/musl/%.o: %.c $(B)/flags
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<
$(MUSL_LIB): $(MUSL_LIB_SRCS:%.c=$(B)/musl/%.o)
	rm -f $@ && $(AR) rcs $@ $^
MUSL_LAYOUT_LDFLAGS = $(subst $(B)/session-text.ld,$(B)/imapd-session-text.ld,\
                        $(filter-out -Wl$(COMMA)-z$(COMMA)pack-relative-relocs,$(LAYOUT_LDFLAGS)))
$(B)/quail-imapd-session: $(SRC_quail-imapd-session:%.c=$(B)/musl/%.o) $(MUSL_LIB) \
                          $(B)/imapd-session-text.ld $(B)/flags
	$(CC) -static-pie -nostdlib -nostartfiles $(LDFLAGS_ALL:-pie=) $(MUSL_LAYOUT_LDFLAGS) -o $@ \
	    $(MUSL_LIBDIR)/rcrt1.o $(MUSL_LIBDIR)/crti.o $(MUSL_CRTBEGIN) \
	    $(filter %.o,$^) $(MUSL_LIB) -L$(MUSL_LIBDIR) -lc $(MUSL_LIBGCC) \
	    $(MUSL_CRTEND) $(MUSL_LIBDIR)/crtn.o
-include $(wildcard $(B)/musl/*/*.d)
endif

# The linker scripts of the text layouts (scripts/layout-ld.sh): one
# output section before .text gathering the sections of the listed
# functions (main is .text.startup.main) and files.
$(B)/session-text.ld: lib/session-text.list scripts/layout-ld.sh
	@mkdir -p $(dir $@)
	scripts/layout-ld.sh $< > $@.tmp && mv $@.tmp $@
$(B)/imapd-session-text.ld: imapd/session-text.list scripts/layout-ld.sh
	@mkdir -p $(dir $@)
	scripts/layout-ld.sh $< > $@.tmp && mv $@.tmp $@

$(B)/tests/test_%: tests/unit/test_%.c $(LIBQUAIL)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -Itests/unit $(CFLAGS_ALL) -Wno-missing-prototypes -o $@ $< \
	    $(LDFLAGS_ALL) $(WRAP_test_$*) $(LIBQUAIL) $(LIBS) -lcmocka

unit: $(UNIT_BINS)

# libFuzzer targets: clang, ASan+UBSan; the library is compiled once with
# coverage instrumentation (fuzzer-no-link) and archived for all targets.
FUZZ_CC ?= clang
FUZZ_CFLAGS = $(CPPFLAGS_QUAIL) -std=c11 -g -O1 -fsanitize=address,undefined
FUZZ_LIB = build/fuzz/libquail-fuzz.a
FUZZ_LIB_OBJS = $(LIB_SRCS:lib/%.c=build/fuzz/obj/%.o)
build/fuzz/obj/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
$(FUZZ_LIB): $(FUZZ_LIB_OBJS)
	rm -f $@ && $(AR) rcs $@ $^
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< $(FUZZ_LIB) $(LIBS)
fuzz: $(FUZZ_BINS)

man-lint:
	tests/man-lint.sh

deps:
	scripts/deps.sh

check: deps
	$(MAKE) SAN=1 all unit
	$(MAKE) fuzz
	$(MAKE) all
	tests/run-all.sh

lab: deps
	$(MAKE) all
	scripts/lab.sh start

lab-stop:
	scripts/lab.sh stop

install: all
	scripts/install.sh "$(DESTDIR)" "$(B)"

install-users:
	scripts/install.sh --users

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_BINS:=.d) $(foreach p,$(PROGS),$(SRC_$(p):%.c=$(B)/%.d))
