# xdpscope: one entry point. `make help` lists the targets.
.DELETE_ON_ERROR:
.DEFAULT_GOAL := all

BUILD     ?= build
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
ARCH      := $(shell uname -m)
IFACE     ?=
ARGS      ?=

DEB_PACKAGES := libbpf-dev libxdp-dev xdp-tools bpftool clang llvm libelf-dev \
	zlib1g-dev libjansson-dev check pkg-config libpcap-dev iproute2 \
	tcpreplay tshark python3 valgrind strace util-linux libmicrohttpd-dev \
	prometheus curl logrotate influxdb \
	libcurl4-openssl-dev clickhouse-server clickhouse-client openssl
# tools/bgp-blackhole and its test: GoBGP speaks, BIRD 2 listens.
DEB_PACKAGES += gobgpd bird2
# tests/e2e/test_sflow.sh: pmacctd's sfprobe plugin exports sFlow.
DEB_PACKAGES += pmacct

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

WARN      := -Wall -Wextra -Werror
CFLAGS    ?= -g -O2
CFLAGS    += $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -I$(BUILD) -MMD -MP
LDLIBS    := -lxdp -lbpf -lelf -lz -ljansson -lpcap -lmicrohttpd -lcurl -lpthread -lm
ifeq ($(ASAN),1)
CFLAGS    += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS   += -fsanitize=address,undefined
endif
BPF_CFLAGS := -g -O2 -target bpf $(WARN) -Iinclude -Ibpf \
	-I/usr/include/$(ARCH)-linux-gnu -D__TARGET_ARCH_x86 -MMD -MP
BPF_CFLAGS += $(XS_BPF_EXTRA)

CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

# Modules that need a kernel and the ones that do not (the second set
# links alone into the unit tests): a module needs the kernel when it
# includes a libbpf or libxdp header, the skeleton or the loader.
KERNEL_SRCS := $(shell grep -l -E '^\#include (<(bpf|xdp)/|"(xdpscope\.skel|loader)\.h")' user/*.c)
CORE_SRCS   := $(filter-out $(KERNEL_SRCS),$(wildcard user/*.c))
KERNEL_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(KERNEL_SRCS))
CORE_OBJS   := $(patsubst user/%.c,$(BUILD)/user/%.o,$(CORE_SRCS))
# What the BPF tests and benchmarks link: everything but main().
LOADER_OBJS := $(filter-out $(BUILD)/user/main.o,$(KERNEL_OBJS))

UNIT_TESTS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))
BPF_TESTS   := $(patsubst tests/bpf/%.c,$(BUILD)/tests/%,$(wildcard tests/bpf/test_*.c))
BENCHES     := $(patsubst tools/%.c,$(BUILD)/tools/%,$(wildcard tools/bench_*.c)) \
	$(BUILD)/tools/bpf_lines

.PHONY: all test unit-test bpf-test e2e-test bench run install deps clean help asan valgrind \
	fuzz-sflow

all: $(BUILD)/xdpscope

help:
	@echo 'make              build build/xdpscope (gcc and BPF, -Werror)'
	@echo 'make deps         install missing Debian packages (apt-get)'
	@echo 'make test         deps, build, then unit, bpf and e2e tests (root)'
	@echo 'make unit-test    only the unit tests (no kernel needed)'
	@echo 'make bpf-test     only the BPF_PROG_TEST_RUN tests (root)'
	@echo 'make e2e-test     only the netns/veth tests (root)'
	@echo 'make bench        live cost, ns/packet, drain, ClickHouse benchmarks (root)'
	@echo 'make run IFACE=X  build and run xdpscope run -i X $$(ARGS)'
	@echo 'make asan         unit and bpf tests, replays of every capture, under ASan'
	@echo 'make valgrind     unit and bpf tests, replays of every capture, under valgrind'
	@echo 'make fuzz-sflow   libFuzzer on the sFlow decoder (clang), FUZZ_TIME seconds (60)'
	@echo 'make install      install under $$(DESTDIR)$$(PREFIX)'
	@echo 'make clean        remove build/'

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS     installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BUILD)/xdpscope.bpf.o: bpf/xdpscope.bpf.c | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $(@:.o=.d) -c $< -o $@

$(BUILD)/xdpscope.skel.h: $(BUILD)/xdpscope.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name xdpscope_bpf > $@

$(BUILD)/user/%.o: user/%.c | $(BUILD)/user
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(KERNEL_OBJS): $(BUILD)/xdpscope.skel.h

$(BUILD)/libxscore.a: $(CORE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/xdpscope: $(KERNEL_OBJS) $(BUILD)/libxscore.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/tests/%.o: tests/unit/%.c | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/bpf/%.c $(BUILD)/xdpscope.skel.h | $(BUILD)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/bpf -c $< -o $@

$(UNIT_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/%.o $(BUILD)/libxscore.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(CHECK_LIBS) -ljansson -lmicrohttpd -lcurl -lpthread -lz -lm

$(BPF_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/%.o $(LOADER_OBJS) $(BUILD)/libxscore.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/tools/%.o: tools/%.c $(BUILD)/xdpscope.skel.h | $(BUILD)/tools
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/tools/bpf_lines: $(BUILD)/tools/bpf_lines.o
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ -lbpf

$(filter-out $(BUILD)/tools/bpf_lines,$(BENCHES)): $(BUILD)/tools/%: $(BUILD)/tools/%.o $(LOADER_OBJS) $(BUILD)/libxscore.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD) $(BUILD)/user $(BUILD)/tests $(BUILD)/tools:
	$(Q)mkdir -p $@

unit-test: $(UNIT_TESTS)
	$(Q)tests/run-tests.sh unit $(UNIT_TESTS)

bpf-test: $(BUILD)/xdpscope $(BPF_TESTS)
	$(Q)tests/run-tests.sh bpf $(BPF_TESTS)

e2e-test: $(BUILD)/xdpscope
	$(Q)tests/run-tests.sh e2e $(sort $(wildcard tests/e2e/test_*.sh))

test: deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT_TESTS) $(BPF_TESTS)
	$(Q)tests/run-tests.sh all $(UNIT_TESTS) $(BPF_TESTS) $(sort $(wildcard tests/e2e/test_*.sh))

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCHES)
	$(Q)tools/bench.sh

run: deps
	$(Q)$(MAKE) --no-print-directory all
	@test -n "$(IFACE)" || { echo 'usage: make run IFACE=<interface> [ARGS="..."]' >&2; exit 2; }
	$(BUILD)/xdpscope run -i $(IFACE) $(ARGS)

asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan ASAN=1 all \
		$(patsubst $(BUILD)/%,build/asan/%,$(UNIT_TESTS) $(BPF_TESTS))
	$(Q)ASAN_OPTIONS=detect_leaks=1 tests/run-tests.sh asan \
		$(patsubst $(BUILD)/%,build/asan/%,$(UNIT_TESTS) $(BPF_TESTS))
	$(Q)ASAN_OPTIONS=detect_leaks=1 tests/replay-captures.sh build/asan/xdpscope

valgrind: all $(UNIT_TESTS) $(BPF_TESTS)
	$(Q)VALGRIND=1 CK_FORK=no tests/run-tests.sh valgrind $(UNIT_TESTS) $(BPF_TESTS)
	$(Q)tests/replay-captures.sh $(BUILD)/xdpscope valgrind -q --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite \
		--suppressions=tests/valgrind.supp

# Optional: make test runs the seeded loop of tests/unit/test_sflow.c.
FUZZ_TIME ?= 60
$(BUILD)/fuzz/fuzz_sflow: tests/fuzz/fuzz_sflow.c user/sflow.c user/ethframe.c
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined $(WARN) -Iinclude -Iuser $^ -o $@

fuzz-sflow: $(BUILD)/fuzz/fuzz_sflow
	$(Q)mkdir -p $(BUILD)/fuzz/corpus-sflow
	$(Q)$< -max_total_time=$(FUZZ_TIME) $(BUILD)/fuzz/corpus-sflow

PREFIX  ?= /usr/local
# The binary carries its BPF object (the skeleton embeds it), so it always
# loads the object it was built with; the copy in LIBDIR is for bpftool
# and llvm-objdump. Configs in /etc are never overwritten.
SBINDIR    = $(PREFIX)/sbin
LIBDIR     = $(PREFIX)/lib/xdpscope
MANDIR     = $(PREFIX)/share/man/man8
DOCDIR     = $(PREFIX)/share/doc/xdpscope
UNITDIR   ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc

install: all
	install -D -m 0755 $(BUILD)/xdpscope $(DESTDIR)$(SBINDIR)/xdpscope
	install -D -m 0644 $(BUILD)/xdpscope.bpf.o $(DESTDIR)$(LIBDIR)/xdpscope.bpf.o
	install -D -m 0755 tools/bgp-blackhole $(DESTDIR)$(LIBDIR)/bgp-blackhole
	install -d $(DESTDIR)$(MANDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/xdpscope
	sed 's|@DOCDIR@|$(DOCDIR)|g' tools/dist/xdpscope.8 | gzip -9n >$(DESTDIR)$(MANDIR)/xdpscope.8.gz
	sed 's|@SBINDIR@|$(SBINDIR)|g' tools/dist/xdpscope@.service >$(DESTDIR)$(UNITDIR)/xdpscope@.service
	chmod 0644 $(DESTDIR)$(MANDIR)/xdpscope.8.gz $(DESTDIR)$(UNITDIR)/xdpscope@.service
	install -D -m 0644 tools/dist/xdpscope.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/xdpscope
	install -D -m 0644 tools/dist/example.json $(DESTDIR)$(DOCDIR)/example.json
	install -D -m 0644 tools/dist/prefixes.txt $(DESTDIR)$(DOCDIR)/prefixes.txt
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md

clean:
	rm -rf build

-include $(wildcard $(BUILD)/*.d $(BUILD)/user/*.d $(BUILD)/tests/*.d $(BUILD)/tools/*.d)
