package kernel

import (
	"path/filepath"
	"strings"

	"weft/internal/abi/linux"
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
	// Breakpoints are the pcs of t's breakpoints (those of its address space),
	// sorted; nil for none.
	Breakpoints(t *Task) []uint64
	// Watches reports whether the debugger watches the page of addr in as for an
	// access acc; called on the hart's TLB misses only while Watching.
	Watching() bool
	Watches(as *mm.AddressSpace, addr uint64, acc mm.Access) bool
}

// ProcessDebugger is a Debugger told of the events of processes, as ptrace's
// PTRACE_O_TRACEFORK, TRACEVFORK, TRACEVFORKDONE and TRACEEXEC options tell Linux's
// debuggers (gdb's fork, vfork and exec catchpoints, follow-fork-mode). Each call is
// made on the simulation goroutine in the middle of the system call (or the exit) that
// caused it: the debugger must not stop the guest there, only note the event and
// report it at its next Check.
type ProcessDebugger interface {
	Debugger
	// Forked: parent created the process of child (fork, vfork: the child shares
	// the parent's memory until it execs or exits, and parent waits for that).
	Forked(parent, child *Task, vfork bool)
	// VforkDone: the vfork child of parent's process exec'd or exited, and parent
	// is about to return from vfork.
	VforkDone(parent *Task)
	// Execed: t's process has a new program image (past execve's point of no
	// return); t.Ctx is at its first instruction.
	Execed(t *Task)
	// ProcessExited: tg has exited (tg.ExitCode, tg.KillSignal).
	ProcessExited(tg *ThreadGroup)
}

// HoldingDebugger is a Debugger that keeps some tasks stopped while the others run
// (gdb resumed the threads of some processes only: detach-on-fork off keeps the other
// process of a fork stopped). A held task is not scheduled; one on a CPU leaves it
// after its Check.
type HoldingDebugger interface {
	Debugger
	// Holds reports whether t must not run now.
	Holds(t *Task) bool
	// Idle is called when nothing can run but held tasks: the debugger waits (for
	// the user to interrupt) and reports whether it changed what it holds; if not,
	// the run is deadlocked.
	Idle() bool
}

// held reports whether the debugger keeps t stopped.
func (k *Kernel) held(t *Task) bool {
	if k.debug == nil {
		return false
	}
	hd, ok := k.debug.(HoldingDebugger)
	return ok && hd.Holds(t)
}

// canRun reports whether t may run on c now.
func (k *Kernel) canRun(t *Task, c *CPU) bool { return t.allowedOn(c) && !k.held(t) }

// debugIdle lets the debugger wait when nothing can run but the tasks it holds, and
// reports whether the run goes on.
func (k *Kernel) debugIdle() bool {
	hd, ok := k.debug.(HoldingDebugger)
	if !ok {
		return false
	}
	for _, t := range k.runq {
		if hd.Holds(t) {
			return hd.Idle()
		}
	}
	return false
}

// DebugKill kills process pid with SIGKILL at the next slice boundary (gdb's vKill of
// one process), so that no slice under way loses its task. Called on the simulation
// goroutine (from a Check).
func (k *Kernel) DebugKill(pid int) {
	k.debugKills = append(k.debugKills, pid)
	k.host.flag.Store(true)
}

// takeDebugKills carries out the DebugKills asked for.
func (k *Kernel) takeDebugKills() {
	for _, pid := range k.debugKills {
		for _, tg := range k.groups {
			if tg.PID == pid && !tg.Exited {
				k.SignalGroup(tg, linux.SIGKILL)
			}
		}
	}
	k.debugKills = nil
}

// HostFile is the host file behind the guest path p (a canonical path, as
// ThreadGroup.Exe) when p is in a --mount, or "" (a debugger on the host reads a
// program's symbols from there). A guest root's files are not mapped: a debugger is
// given the root as its sysroot and finds them by their guest paths.
func (k *Kernel) HostFile(p string) string {
	if !strings.HasPrefix(p, "/") || !k.FS.OnHost(p) {
		return ""
	}
	host := ""
	for _, m := range k.cfg.Mounts {
		g := strings.TrimSuffix(m.Guest, "/")
		if rel, ok := strings.CutPrefix(p, g+"/"); ok {
			host = filepath.Join(m.Host, filepath.FromSlash(rel)) // the last mount covering p
		}
	}
	return host
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
		if k.held(t) {
			// The debugger keeps t stopped: it leaves the CPU (runSlice).
			return cpu.Stop{Reason: cpu.StopBudget, PC: t.Ctx.PC}
		}
		if hd != nil {
			// Asked again after each Check, which may have changed them.
			h.Breaks, h.DebugWatch = hd.Breakpoints(t), nil
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
