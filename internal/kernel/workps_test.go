package kernel_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"weft/internal/kernel"
	"weft/internal/kernel/cost"
	"weft/internal/syscalls"
)

// TestWorkPsPricesWork checks that the fast sum settle uses (workPs) prices exactly
// the work Work reports, with every model, after runs that fork, exec, fault pages in
// and switch threads on several CPUs: if a counter were added to one and not the
// other, CPU time and clocks would silently drift.
func TestWorkPsPricesWork(t *testing.T) {
	for _, prog := range []string{"fork_pipe", "thr_mutex", "mmap"} {
		path, err := filepath.Abs("../../tests/c/bin/" + prog)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Skipf("%s is not built: run make -C tests/c", path)
		}
		for _, m := range cost.Models {
			var stderr bytes.Buffer
			k, err := kernel.New(kernel.Config{
				Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr,
				Seed: 1, CPUs: 2, Quantum: 100_000, Step: 50, MaxMemory: 1 << 30, UID: 1000, GID: 1000,
				Syscalls: syscalls.Table(), Notices: &stderr, CostModel: m,
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := k.Spawn(data, path, []string{path}, kernel.DefaultEnv); err != nil {
				t.Fatal(err)
			}
			if res := k.Run(); res.Outcome != kernel.Exited || res.Status != 0 {
				t.Fatalf("%s: outcome %d status %d: %s", prog, res.Outcome, res.Status, stderr.String())
			}
			w := k.Work()
			if w[cost.Insn] == 0 || w[cost.TLBMiss] == 0 || w[cost.PageZeroed] == 0 {
				t.Fatalf("%s: work not counted: %v", prog, w)
			}
			if got, want := k.WorkPs(), m.Cost(w); got != want {
				t.Errorf("%s, model %s: workPs %d, Cost(Work()) %d", prog, m.Name, got, want)
			}
		}
	}
}
