package tests

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	weftrun "weft/internal/run"
)

// FuzzSyscalls throws arbitrary system calls at weft, through a guest that makes the
// calls its input describes (c/_sysfuzz.c): whatever the arguments, weft must not
// panic or hang, nor make weft's resident memory grow by more than the guest's cap plus
// a fixed overhead (logged for each input). Without -fuzz, `go test` runs the seeds
// below.
func FuzzSyscalls(f *testing.F) {
	rec := func(nr uint64, args ...uint64) []byte {
		b := make([]byte, 56)
		binary.LittleEndian.PutUint64(b, nr)
		for i, a := range args {
			binary.LittleEndian.PutUint64(b[8*(i+1):], a)
		}
		return b
	}
	const buf = 0xAA << 56                                            // the guest turns this into a pointer to a valid buffer
	f.Add(rec(63, 0, buf, 16))                                        // read
	f.Add(rec(56, ^uint64(99), buf, 0o101, 0o644))                    // openat
	f.Add(rec(222, 0, 1<<40, 3, 0x22, ^uint64(0), 0))                 // mmap
	f.Add(rec(435, buf, 64))                                          // clone3
	f.Add(append(rec(25, 1, 0, 1<<63), rec(24, 0, 0x7fffffff, 0)...)) // fcntl, dup3
	f.Add(rec(98, buf, 3, 0, 0, buf, 0))                              // futex requeue onto itself
	f.Add(rec(214, 0xfffffffffffff001))                               // brk
	f.Add(rec(68, 1, buf, 10, 0x7ffffffffffffffb))                    // pwrite64
	f.Add(rec(220, 100, 0, 0, 0, 0))                                  // clone with exit signal 100
	prog := filepath.Join(binDir, "_sysfuzz")
	const capBytes, overhead = 256 << 20, 128 << 20
	// As weft run does: the collector keeps the heap near the cap (cmd/weft).
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(capBytes + 64<<20))
	f.Fuzz(func(t *testing.T, input []byte) {
		before, resetOK := resetPeakRSS()
		res, err := weftrun.Program(prog, []string{"_sysfuzz"}, weftrun.Options{
			Stdin:  bytes.NewReader(input),
			Stdout: io.Discard, Stderr: io.Discard,
			MaxInsns: 20_000_000, MaxMemory: capBytes,
		})
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		_ = res
		// Host memory growth: the process's peak resident memory during the run
		// (VmHWM, reset before it) beyond what it held before. A guest may make weft
		// hold its cap's worth, plus a fixed overhead, and no more.
		if peak, ok := vmKiB("VmHWM"); ok && resetOK {
			growth := max(peak-before, 0) << 10
			t.Logf("host memory growth: %d MiB (peak %d MiB)", growth>>20, peak>>10)
			if growth > capBytes+overhead {
				t.Errorf("weft's resident memory grew by %d MiB under a %d MiB cap (want at most %d MiB more)",
					growth>>20, capBytes>>20, overhead>>20)
			}
		}
	})
}

// resetPeakRSS resets the process's peak resident memory (VmHWM) to its current
// resident memory, by writing 5 to /proc/self/clear_refs (proc(5)), and returns that
// in KiB; ok is false where the kernel does not allow it.
func resetPeakRSS() (rssKiB int64, ok bool) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return 0, false
	}
	return vmKiB("VmRSS")
}

// vmKiB reads one "Name:   N kB" line of /proc/self/status.
func vmKiB(name string) (int64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, found := strings.CutPrefix(line, name+":"); found {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
