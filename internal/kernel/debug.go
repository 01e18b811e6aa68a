package kernel

import "weft/internal/cpu"

// Debugger is a debugger attached to a run (the gdb remote stub, internal/gdbstub).
// The kernel calls it on its one simulation goroutine, at the instruction boundaries
// of the guest; while a call is in progress the guest does not move and no virtual
// time passes, so a debugger that only looks changes nothing the guest can observe:
// the run gives the same output, counts and schedule with and without it.
type Debugger interface {
	// Tracing reports whether the debugger needs to see every instruction (a
	// breakpoint, a watchpoint or a single step is pending). While it is false the
	// debugger sees only the start of each slice, and the guest runs at full speed.
	Tracing() bool
	// Check is called before t executes the instruction at t.Ctx.PC: at the start of
	// each slice, and before every instruction while Tracing. insns is the number of
	// instructions t has retired so far. t.Ctx holds t's current registers; Check may
	// block (the guest is stopped) and may change t's registers (through SetContext)
	// and any task's memory.
	Check(t *Task, insns uint64)
}

// SetDebugger attaches d to the kernel (nil detaches). Without a debugger the run loop
// pays one nil test per slice.
func (k *Kernel) SetDebugger(d Debugger) { k.debug = d }

// SetContext replaces t's registers (a debugger's register write): the hart that may
// still hold the old ones loads them afresh.
func (t *Task) SetContext(c cpu.Context) {
	c.X[0] = 0
	t.Ctx = c
	t.onHart = nil
}

// Insns is the number of instructions t has retired, as of the end of its last slice.
func (t *Task) Insns() uint64 { return t.Stats.Insns }

// debugRun runs t on h for up to budget instructions with the debugger attached. While
// the debugger traces it runs one instruction at a time, asking the debugger before
// each: a budget of one is a single step of the same engine, and every engine gives the
// same stops, registers and counts for any split of a budget, so the guest does exactly
// what it would do in one run of the whole budget.
func (k *Kernel) debugRun(t *Task, h *cpu.Hart, budget uint64) cpu.Stop {
	d := k.debug
	start := h.Retired
	for {
		done := h.Retired - start
		h.Save(&t.Ctx)
		k.inCheck = true // a slice is under way: no checkpoint here (Checkpoint)
		d.Check(t, t.Stats.Insns+done)
		k.inCheck = false
		h.Load(&t.Ctx, t.TG.MM) // the debugger may have written registers
		if !d.Tracing() || budget-done == 0 {
			return h.Run(budget - done)
		}
		stop := h.Run(1)
		// The scheduling point the slice started at, if any, is passed now.
		h.PassPoint = false
		if stop.Reason != cpu.StopBudget || h.Retired-start >= budget {
			return stop
		}
	}
}
