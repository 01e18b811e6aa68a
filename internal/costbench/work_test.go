package costbench

import (
	"path/filepath"
	"strconv"
	"testing"

	"weft/internal/kernel"
	"weft/internal/kernel/cost"
	"weft/internal/run"
	"weft/internal/trace"
)

// These tests assert the work weft's kernel counts, not the prices it charges for it:
// they hold whatever the cost model says.

// cloneWork is a trace sink that keeps the work of every fork and thread clone, as the
// kernel counted it inside the clone call.
type cloneWork struct {
	k       *kernel.Kernel
	pending map[int]trace.Kind // TID -> Fork or Clone, until its clone call's event
	forks   []cost.Work
	threads []cost.Work
}

func (c *cloneWork) Event(e *trace.Event) {
	switch {
	case e.Kind == trace.Fork || e.Kind == trace.Clone:
		c.pending[e.TID] = e.Kind
	case e.Kind == trace.Syscall && (e.Name == "clone" || e.Name == "clone3"):
		kind, ok := c.pending[e.TID]
		if !ok {
			return
		}
		delete(c.pending, e.TID)
		w := c.k.FindTask(e.TID).CallWork()
		if kind == trace.Fork {
			c.forks = append(c.forks, w)
		} else {
			c.threads = append(c.threads, w)
		}
	}
}

func runCloneWork(t *testing.T, prog string, args ...string) *cloneWork {
	t.Helper()
	path := filepath.Join(binDir, prog)
	c := &cloneWork{pending: map[int]trace.Kind{}}
	res, err := run.Program(path, append([]string{prog}, args...), run.Options{
		Seed: 1, CPUs: 1, MaxInsns: maxInsns, Trace: c,
		Setup: func(k *kernel.Kernel) { c.k = k },
	})
	if err != nil {
		t.Fatalf("the cost programs are not built (%v): run `make -C bench/costs` from the repository root", err)
	}
	if res.Outcome != kernel.Exited || res.Status != 0 {
		t.Fatalf("%s %v: outcome %v, status %d", prog, args, res.Outcome, res.Status)
	}
	return c
}

// A fork copies the page table's root and shares everything below it, so the page-table
// nodes it copies do not grow with the memory the process has written: the same for a
// 256 MiB heap as for a 1 MiB one.
func TestForkCopiesConstantPageTableNodes(t *testing.T) {
	var nodes [2]uint64
	for i, mib := range []int{1, 256} {
		c := runCloneWork(t, "forkheap", strconv.Itoa(mib), "1")
		if len(c.forks) != 1 {
			t.Fatalf("forkheap %d 1: %d forks seen, want 1", mib, len(c.forks))
		}
		w := c.forks[0]
		nodes[i] = w[cost.PTNodeCopy]
		if w[cost.PTNodeAlloc] != 0 {
			t.Errorf("fork with a %d MiB heap allocated %d page-table nodes, want 0", mib, w[cost.PTNodeAlloc])
		}
		// The root, plus at most one path of shared nodes copied when the kernel
		// writes the child's TID into its memory (CLONE_CHILD_SETTID).
		if n := w[cost.PTNodeCopy]; n < 1 || n > 4 {
			t.Errorf("fork with a %d MiB heap copied %d page-table nodes, want 1 to 4", mib, n)
		}
		if w[cost.VMACopy] == 0 || w[cost.FDCopy] != 3 || w[cost.ProcInit] != 1 || w[cost.TaskInit] != 1 {
			t.Errorf("fork with a %d MiB heap: work %v; want VMAs copied, 3 fd entries, 1 process and 1 task", mib, w)
		}
	}
	if nodes[0] != nodes[1] {
		t.Errorf("fork copied %d page-table nodes with a 1 MiB heap and %d with 256 MiB; want the same", nodes[0], nodes[1])
	}
}

// A thread shares its process's address space, fd table and signal handlers: creating
// one copies none of them.
func TestThreadCloneCopiesNoTables(t *testing.T) {
	c := runCloneWork(t, "create", "thread", "3")
	if len(c.threads) < 3 || len(c.forks) != 0 {
		t.Fatalf("create thread 3: %d thread clones and %d forks seen, want at least 3 and 0", len(c.threads), len(c.forks))
	}
	for i, w := range c.threads {
		for _, u := range []cost.Unit{cost.FDCopy, cost.PTNodeCopy, cost.PTNodeAlloc, cost.VMACopy, cost.SigActionCopy,
			cost.ProcInit, cost.PageCopied} {
			if w[u] != 0 {
				t.Errorf("thread clone %d: %s = %d, want 0 (work %v)", i, u, w[u], w)
			}
		}
		if w[cost.TaskInit] != 1 {
			t.Errorf("thread clone %d: task_init = %d, want 1", i, w[cost.TaskInit])
		}
	}
}

// With --asid off a switch between processes flushes the CPU's TLB and the process
// that runs next misses on the pages it touches again; a switch between threads of one
// process keeps the TLB. With ASIDs neither flushes (a rare flush comes from a mapping
// that changed, not from the switch).
func TestASIDOffProcessSwitchFlushesTLB(t *testing.T) {
	path := filepath.Join(binDir, "switch")
	per := func(kind string, noASID bool) (flushes, misses float64) {
		g, err := runWeft(path, []string{kind, "200"}, 1, weftConf{seed: 1, noASID: noASID})
		if err != nil {
			t.Fatal(err)
		}
		ops := float64(g.ops)
		return float64(g.work[cost.TLBFlush]) / ops, float64(g.work[cost.TLBMiss]) / ops
	}
	pf, pm := per("process", true)
	if pf < 1 || pm < 2 {
		t.Errorf("--asid off, process switch: %.2f TLB flushes and %.2f misses per switch; want >= 1 and >= 2", pf, pm)
	}
	tf, tm := per("thread", true)
	if tf > 0.05 || tm > pm/10 {
		t.Errorf("--asid off, thread switch: %.2f TLB flushes and %.2f misses per switch; want about 0 and far fewer than "+
			"a process switch's %.2f", tf, tm, pm)
	}
	af, am := per("process", false)
	if af > 0.05 || am > pm/10 {
		t.Errorf("--asid on, process switch: %.2f TLB flushes and %.2f misses per switch; want about 0 and far fewer than "+
			"without ASIDs (%.2f)", af, am, pm)
	}
}
