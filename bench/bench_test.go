// Package bench holds weft's speed benchmark: C programs (built into bin/ by the
// Makefile; scripts/bench.sh compares weft with qemu-riscv64 and native code) and Go
// benchmarks that run the same programs in-process, for profiling the interpreter:
//
//	make -C bench
//	go test -run='^$' -bench=Intloop -cpuprofile /tmp/cpu.prof ./bench/
//	go tool pprof -top -nodecount=25 /tmp/cpu.prof
package bench

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"weft/internal/kernel"
	"weft/internal/syscalls"
	"weft/internal/trace"
)

func BenchmarkIntloop(b *testing.B)  { runGuest(b, "intloop") }
func BenchmarkMemwalk(b *testing.B)  { runGuest(b, "memwalk") }
func BenchmarkCalls(b *testing.B)    { runGuest(b, "calls") }
func BenchmarkBytecode(b *testing.B) { runGuest(b, "bytecode") }
func BenchmarkFloat(b *testing.B)    { runGuest(b, "float") }

// BenchmarkAtomicsStep1 runs 4 threads doing atomics on 4 CPUs interleaved at every
// instruction (--cpus 4 --step 1): what switching harts costs while LR reservations
// are held.
func BenchmarkAtomicsStep1(b *testing.B) {
	runGuestConfig(b, "atomics", nil, func(c *kernel.Config) { c.CPUs, c.Step = 4, 1 })
}

// The kernel emits trace events only at kernel boundaries, and only when a sink is
// attached: compare these two to see what tracing costs (off: nothing to measure).
func BenchmarkCallsTraceOff(b *testing.B) { runGuestWith(b, "calls", nil) }
func BenchmarkCallsTraceOn(b *testing.B)  { runGuestWith(b, "calls", &countSink{}) }

// countSink is a trace sink that only counts events.
type countSink struct{ n int }

func (c *countSink) Event(*trace.Event) { c.n++ }

// runGuest runs bin/NAME to completion b.N times on a fresh kernel configured as
// `weft run` configures it by default, with the guest's standard output discarded, and
// reports guest instructions per second. Only k.Run is timed, as in `weft run --stats`.
func runGuest(b *testing.B, name string) { runGuestWith(b, name, nil) }

func runGuestWith(b *testing.B, name string, sink trace.Sink) { runGuestConfig(b, name, sink, nil) }

func runGuestConfig(b *testing.B, name string, sink trace.Sink, adjust func(*kernel.Config)) {
	path, err := filepath.Abs(filepath.Join("bin", name))
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatalf("bench/bin/%s is not built (%v): run `make -C bench` from the repository root first (needs riscv64-linux-gnu-gcc)", name, err)
	}
	var insns uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var stderr bytes.Buffer
		cfg := kernel.Config{
			Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr,
			Seed: 1, CPUs: 2, Quantum: 100_000, Step: 1000, MaxMemory: 4 << 30, UID: 1000, GID: 1000,
			Syscalls: syscalls.Table(),
			Notices:  &stderr,
			Trace:    sink,
		}
		if adjust != nil {
			adjust(&cfg)
		}
		k, err := kernel.New(cfg)
		if err != nil {
			b.Fatalf("%s: kernel.New: %v", name, err)
		}
		if _, err := k.Spawn(data, path, []string{path}, kernel.DefaultEnv); err != nil {
			b.Fatalf("%s: cannot start: %v", name, err)
		}
		b.StartTimer()
		res := k.Run()
		b.StopTimer()
		if res.Outcome != kernel.Exited || res.Status != 0 {
			b.Fatalf("%s: outcome %d, status %d (want a normal exit with status 0); guest stderr:\n%s",
				name, res.Outcome, res.Status, stderr.String())
		}
		insns += k.TotalInsns()
		b.StartTimer()
	}
	b.StopTimer()
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(insns)/s/1e6, "MIPS")
	}
	b.ReportMetric(float64(insns)/float64(b.N), "insns/op")
}
