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
                quail-imapd
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
SRC_quail-imapd      = $(sort $(wildcard imapd/*.c))
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
FLAGS_LINE := $(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) | $(LDFLAGS_ALL) $(LAYOUT_LDFLAGS) | $(LIBS)
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
$(PROG_BINS): $(B)/%: $$(addprefix $(B)/,$$(SRC_$$*:.c=.o)) $(LIBQUAIL) $(LAYOUT_LD) $(B)/flags
	$(CC) $(LDFLAGS_ALL) $(LAYOUT_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBQUAIL) $(LIBS) $(LIBS_$*)

# The linker script of the text layout: one output section before .text
# gathering the sections of the listed functions (main is .text.startup.main).
$(B)/session-text.ld: lib/session-text.list
	@mkdir -p $(dir $@)
	{ echo 'SECTIONS'; echo '{'; echo '  .text.session : {'; \
	  sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)$$/    *(.text.\1 .text.\1.* .text.startup.\1)/p' $<; \
	  echo '  }'; echo '}'; echo 'INSERT BEFORE .text;'; } > $@.tmp && mv $@.tmp $@

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
