# Included by the Makefiles of tests/c, tests/expect and tests/threads: builds every
# NAME.c of the including directory as a static riscv64 binary bin/NAME, with the same
# compiler and flags everywhere. A Makefile may set BINS to extra targets first.
#
# -latomic: gcc 12 does not inline 8- and 16-bit atomic operations on RISC-V; it calls
# libatomic, which implements them with LR/SC on the containing word.

CC      := riscv64-linux-gnu-gcc
CFLAGS  := -O2 -static -Wall -pthread
LDLIBS  := -lm -latomic

BINS += $(patsubst %.c,bin/%,$(wildcard *.c))

all: $(BINS)

bin:
	mkdir -p bin

bin/%: %.c | bin
	$(CC) $(CFLAGS) -o $@ $< $(LDLIBS)

clean:
	rm -rf bin

.PHONY: all clean
