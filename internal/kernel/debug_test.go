package kernel_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"weft/internal/kernel"
	"weft/internal/run"
)

// holder is a debugger that holds process hold stopped until the run has nothing
// else to run, and records the process events it is told of.
type holder struct {
	hold      int
	events    []string
	idle      int    // Idle calls
	heldInsns uint64 // the held process's instructions when Idle was called
	k         *kernel.Kernel
}

func (h *holder) Limit() uint64                  { return 0 }
func (h *holder) Check(t *kernel.Task, n uint64) {}
func (h *holder) Holds(t *kernel.Task) bool      { return t.TG.PID == h.hold }
func (h *holder) VforkDone(parent *kernel.Task)  { h.note("vforkdone %d", parent.TID) }
func (h *holder) Execed(t *kernel.Task)          { h.note("exec %d", t.TID) }
func (h *holder) ProcessExited(g *kernel.ThreadGroup) {
	h.note("exit %d %d", g.PID, g.ExitCode)
}
func (h *holder) Forked(parent, child *kernel.Task, vfork bool) {
	h.note("fork %d %d %v", parent.TID, child.TID, vfork)
}
func (h *holder) note(f string, a ...any) { h.events = append(h.events, fmt.Sprintf(f, a...)) }

func (h *holder) Idle() bool {
	h.idle++
	for _, t := range h.k.Tasks() {
		if t.TG.PID == h.hold {
			h.heldInsns += t.Insns()
		}
	}
	h.hold = 0 // let it run
	return true
}

// TestDebuggerHoldsProcess: a process the debugger holds does not run, the run waits
// for the debugger when nothing else can (the parent reads a pipe the held child
// writes), and the debugger hears of the fork and of each exit.
func TestDebuggerHoldsProcess(t *testing.T) {
	path := "../../tests/gdb/bin/forker"
	h := &holder{hold: 2} // the child: forker is pid 1
	var out bytes.Buffer
	r, err := run.Program(path, []string{path}, run.Options{Stdout: &out, Setup: func(k *kernel.Kernel) {
		h.k = k
		k.SetDebugger(h)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != kernel.Exited || r.Status != 0 || out.String() != "child 2 exited with 0\n" {
		t.Errorf("run: %+v, stdout %q", r.Result, out.String())
	}
	if h.idle != 1 || h.heldInsns != 0 {
		t.Errorf("Idle called %d times, the held process had run %d instructions; want 1, 0", h.idle, h.heldInsns)
	}
	if got, want := strings.Join(h.events, "; "), "fork 1 2 false; exit 2 0; exit 1 0"; got != want {
		t.Errorf("events %q, want %q", got, want)
	}
}
