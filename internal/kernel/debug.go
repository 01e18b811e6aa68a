package kernel

import (
	"weft/internal/cpu"
	"weft/internal/mm"
)

// Debugger is a debugger attached to a run (the gdb remote stub, internal/gdbstub).
// The kernel calls it on its one simulation goroutine, at the instruction boundaries
// of the guest; while a call is in progress the guest does not move and no virtual
// time passes, so a debugger that only looks changes nothing the guest can observe:
// the run gives the same output, counts and schedule with and without it.
type Debugger interface {
	// Limit, asked after each Check, is how many instructions the guest may run
	// before the debugger must see it again: 1 when it needs every instruction (a
	// breakpoint, a watchpoint or a single step is pending), more when it waits for
	// an instant further on (reverse execution re-running to an instruction count),
	// 0 for none until the next slice starts (the guest runs at full speed).
	Limit() uint64
	// Check is called before t executes the instruction at t.Ctx.PC: at the start of
	// each slice, and then whenever the Limit the debugger asked for is reached.
	// insns is the number of instructions t has retired so far. t.Ctx holds t's
	// current registers; Check may block (the guest is stopped) and may change t's
	// registers (through SetContext) and any task's memory.
	Check(t *Task, insns uint64)
}

// HartDebugger is a Debugger that lets the hart find its breakpoints and watched
// memory itself (cpu.Hart.Breaks, cpu.Hart.DebugWatch), so that between them the guest
// runs at full speed, with a Limit of 0: a run ends before an instruction at a
// breakpoint, and stops before an access to a watched page, which debugRun then lets
// through alone, with a Check before it and one after.
type HartDebugger interface {
	Debugger
	// Breakpoints are the breakpoint pcs, sorted; nil for none.
	Breakpoints() []uint64
	// Watches reports whether the debugger watches the page of addr in as for an
	// access acc; called on the hart's TLB misses only while Watching.
	Watching() bool
	Watches(as *mm.AddressSpace, addr uint64, acc mm.Access) bool
}

// DebugInstant names the instant of a Check of t with insns retired: the number of
// slices the debugger has been called for (this one included) and the number of
// instructions every task has retired. The pair grows with every Check and is the
// same, Check for Check, in every run of the same program with the same inputs
// whatever Limits the debugger asked for, since the slices are the same: reverse
// execution re-runs a program to one.
func (k *Kernel) DebugInstant(t *Task, insns uint64) (slice, global uint64) {
	return k.debugSlices, k.totalInsns + insns - t.Stats.Insns
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

// debugRun runs t on h for up to budget instructions with the debugger attached. It
// runs the slice in pieces of the debugger's Limit, asking the debugger before each: a
// budget of one is a single step of the same engine, and every engine gives the same
// stops, registers and counts for any split of a budget, so the guest does exactly what
// it would do in one run of the whole budget.
func (k *Kernel) debugRun(t *Task, h *cpu.Hart, budget uint64) cpu.Stop {
	d := k.debug
	start := h.Retired
	k.debugSlices++
	// pass lets the access stopped at on a watched page through, in a run of one
	// instruction.
	pass := false
	h.Breaks, h.DebugWatch = nil, nil
	defer func() { h.Breaks, h.DebugWatch = nil, nil }()
	hd, _ := d.(HartDebugger)
	for {
		done := h.Retired - start
		h.Save(&t.Ctx)
		k.inCheck = true // a slice is under way: no checkpoint here (Checkpoint)
		d.Check(t, t.Stats.Insns+done)
		k.inCheck = false
		h.Load(&t.Ctx, t.TG.MM) // the debugger may have written registers
		if hd != nil {
			// Asked again after each Check, which may have changed them.
			h.Breaks, h.DebugWatch = hd.Breakpoints(), nil
			if hd.Watching() {
				as := t.TG.MM
				h.DebugWatch = func(addr uint64, acc mm.Access) (bool, bool) {
					return hd.Watches(as, addr, acc), pass
				}
			}
		}
		n := d.Limit()
		if pass {
			n = 1
		}
		if n == 0 || n > budget-done || (n == budget-done && !pass) {
			n = budget - done
		}
		stop := h.Run(n)
		if h.Retired != start {
			// The scheduling point the slice started at, if any, is passed now.
			h.PassPoint = false
		}
		pass = false
		if stop.Reason == cpu.StopFault && stop.Fault.Kind == mm.Watched {
			pass = true // a Check before the access, then the access alone
			continue
		}
		if stop.Reason != cpu.StopBudget || h.Retired-start >= budget {
			return stop
		}
	}
}

// DebugPosition is where the run is between slices, in DebugInstant's terms: the
// slices run with the debugger so far and the instructions retired. The next slice's
// first Check is at (slices+1, global).
func (k *Kernel) DebugPosition() (slices, global uint64) { return k.debugSlices, k.totalInsns }
