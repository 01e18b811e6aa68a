package kernel_test

import (
	"bytes"
	"syscall"
	"testing"
	"time"

	"weft/internal/kernel"
	"weft/internal/kernel/sched"
	"weft/internal/run"
)

// BenchmarkRestore measures one Restore of a checkpoint taken at a two-thread program's
// first clone (what weft explore does per schedule).
func BenchmarkRestore(b *testing.B) {
	path := "../../tests/explore/bin/order_bug"
	var so, se bytes.Buffer
	r, err := run.Program(path, []string{path}, run.Options{Stdout: &so, Stderr: &se, Seed: 1, CPUs: 1, Init: true,
		Policy: sched.NewReplay(200, nil), PauseAtClone: true})
	if err != nil {
		b.Fatal(err)
	}
	if r.Outcome != kernel.Paused {
		b.Fatalf("outcome %d, want Paused", r.Outcome)
	}
	ck, err := r.Kernel.Checkpoint()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(ck.Bytes()), "bytes/checkpoint")
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := ck.Restore(kernel.RestoreConfig{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// cpuTime is the CPU time the process has used (user and system), garbage collection
// included: on a shared machine the wall clock counts other processes' turns too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
