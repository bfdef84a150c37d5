# coroner: one non-recursive GNU Makefile (see ../shared/STYLE.md).
#   make            build libcoroner.a and the coroner CLI
#   make run        install deps, build, run `coroner report` on the embedded sample
#   make check      install deps, build, run every test (last line: N passed, N failed)
#   make SAN=1 ...  build with ASan+UBSan (into build-san/)
#   make fuzz       build the libFuzzer targets with clang (build-fuzz/)
#   make format / format-check
#   BUILD=dir       build directory (default build, or build-san with SAN=1)

CC      ?= cc
PKGS    := libelf libdw libbpf capstone zlib libdeflate lzo2 snappy libzstd libedit
TOP     := $(CURDIR)
ifeq ($(SAN),1)
BUILD   ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD   ?= build
SANFLAGS :=
endif
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Werror -Wno-unused-parameter \
           -Wno-format-nonliteral -Wno-format-truncation
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS  ?=
CFLAGS  += -std=gnu11 $(OPT) -g $(WARN) -Iinclude -Isrc -Itests -Itests/corpus $(PKG_CFLAGS) $(SANFLAGS) \
           -D_GNU_SOURCE -DCOR_TOP_DIR='"$(TOP)"' -MMD -MP
LDLIBS  := $(PKG_LIBS) -lpthread -lm
LDFLAGS += $(SANFLAGS)

LIB_SRCS  := $(sort $(wildcard src/base/*.c src/mem/*.c src/dump/*.c src/sym/*.c src/types/*.c \
               src/kernel/*.c src/disasm/*.c src/unwind/*.c src/mce/*.c src/diag/*.c \
               src/capture/*.c src/hwerr/*.c src/kdumpcheck/*.c))
CLI_SRCS  := $(sort $(wildcard src/cli/*.c))
GEN_LIB_SRCS := $(filter-out tests/gen/main.c,$(sort $(wildcard tests/gen/*.c)))
TEST_SRCS := $(sort $(wildcard tests/harness.c tests/unit/*.c tests/corpus/*.c tests/cli/*.c)) \
             $(GEN_LIB_SRCS)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB     := $(BUILD)/libcoroner.a
CORONER := $(BUILD)/coroner
RUNNER  := $(BUILD)/tests/runner
GENDUMP := $(BUILD)/gendump
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_NAMES))

.PHONY: all run check check-dwarf deps format format-check fuzz clean bench-log corpus-dwarf check-capture-full bench-capture bench-vm
all: $(LIB) $(CORONER) $(if $(wildcard tests/gen/main.c),$(GENDUMP))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(call obj,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^

$(CORONER): $(call obj,$(CLI_SRCS)) $(LIB)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(GENDUMP): $(call obj,tests/gen/main.c $(GEN_LIB_SRCS)) $(LIB)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(RUNNER): $(call obj,$(TEST_SRCS)) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/fuzz/fuzz_%: $(call obj,tests/fuzz/fuzz_%.c tests/fuzz/replay.c) $(LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(CORONER) report tests/data/sample.kdump

check: deps
	@$(MAKE) --no-print-directory all $(RUNNER) $(FUZZ_BINS)
	COR_BUILD=$(BUILD) $(RUNNER)

# The tests that need the DWARF vmlinux (never part of check):
#   make check-dwarf COR_VMLINUX=/path/to/vmlinux-6.1.0-56-amd64
check-dwarf: deps
	@test -n "$(COR_VMLINUX)" || { echo "check-dwarf: set COR_VMLINUX=<DWARF vmlinux>"; exit 2; }
	@$(MAKE) --no-print-directory all $(RUNNER)
	COR_VMLINUX=$(COR_VMLINUX) COR_BUILD=$(BUILD) $(RUNNER) dwarf

# The capture tests' full matrix (every dump level vs makedumpfile, crash on every codec).
check-capture-full: deps
	@$(MAKE) --no-print-directory all $(RUNNER)
	COR_BUILD=$(BUILD) COR_CAPTURE_FULL=1 COR_TEST_TIMEOUT=3600 $(RUNNER) test_capture

bench-capture: all
	COR_BUILD=$(BUILD) bench/capture.sh

# A 2 GiB guest crashes; its kdump capture kernel runs coroner capture and
# makedumpfile on /proc/vmcore and copies it whole (the input bench-capture
# then uses); verify.sh checks the dumps with crash and libkdumpfile.
# Root, QEMU, ~5 minutes; see bench/vm/README.md.
bench-vm:
	bench/vm/build.sh && bench/vm/run.sh && bench/vm/verify.sh

# libFuzzer builds (clang); each target also builds as a replay program under gcc.
fuzz:
	@for n in $(FUZZ_NAMES); do \
	  $(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT=-O1 \
	    SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined -Wno-unknown-warning-option -Wno-string-concatenation" build-fuzz/libcoroner.a || exit 1; \
	  mkdir -p build-fuzz/libfuzzer; \
	  clang -std=gnu11 -O1 -g -Iinclude -Isrc $(PKG_CFLAGS) -D_GNU_SOURCE \
	    -fsanitize=fuzzer,address,undefined tests/fuzz/fuzz_$$n.c build-fuzz/libcoroner.a \
	    $(LDLIBS) -o build-fuzz/libfuzzer/fuzz_$$n || exit 1; \
	done

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format ok"

bench-log: all
	bench/log.sh

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
