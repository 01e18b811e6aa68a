package tests

import (
	"bytes"
	"encoding/binary"
	"io"
	"path/filepath"
	"runtime"
	"testing"

	weftrun "weft/internal/run"
)

// FuzzSyscalls throws arbitrary system calls at weft, through a guest that makes the
// calls its input describes (c/_sysfuzz.c): whatever the arguments, weft must not
// panic or hang, and the host memory the run leaves live must stay within the memory
// cap (what a guest makes weft hold is counted against it). Without -fuzz, `go test`
// runs the seeds below.
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
	const maxMem = 256 << 20
	f.Fuzz(func(t *testing.T, input []byte) {
		before := liveHeap()
		res, err := weftrun.Program(prog, []string{"_sysfuzz"}, weftrun.Options{
			Stdin:  bytes.NewReader(input),
			Stdout: io.Discard, Stderr: io.Discard,
			MaxInsns: 20_000_000, MaxMemory: maxMem,
		})
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		// The kernel is still live here, with everything the guest left in it.
		if grew := int64(liveHeap()) - int64(before); grew > maxMem+32<<20 {
			_, peak := res.Kernel.Memory()
			t.Errorf("the run left %d MiB of host heap live under a %d MiB cap (the kernel counted a peak of %d MiB)",
				grew>>20, maxMem>>20, peak>>20)
		}
	})
}

// liveHeap collects garbage and reports the bytes of heap still reachable.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
