package kernel

import (
	"fmt"

	"weft/internal/cpu"
	"weft/internal/kernel/cost"
	"weft/internal/kernel/sched"
)

// lockstepMax bounds the instructions of one lockstep run, so that the kernel looks at
// the host (a signal, Abort) now and then.
const lockstepMax = 1 << 16

// lockstepState is what the kernel keeps between lockstep runs, reused.
type lockstepState struct {
	run  cpu.Lockstep
	cpus []*CPU
	// off turns lockstep runs off (tests compare runs with and without them).
	off bool
	// insns counts the instructions retired in lockstep runs.
	insns uint64
}

// lockstep runs the busy CPUs interleaved one instruction at a time in one loop
// (cpu.Lockstep), where runSlice would run them one instruction per slice: --step 1
// under a policy whose budget is then always 1 (sched.UnitStepper), with no idle CPU
// that a queued task might take, no tracer, debugger, checker or race detector, and c,
// the CPU whose turn it is, in the middle of a slice (nothing for the kernel to do
// before its next instruction). It gives the same run as those slices, turn for turn:
// the same CPU each time (the smallest clock, the lowest-numbered on a tie, as
// pickCPU), the same instruction counts and the same clocks, charged the same work. It
// returns to the kernel where a slice would need it: a stop (a system call, a fault, a
// scheduling point), a slice spent, a timer, the load average's next sample or a pause
// due on the CPU whose turn it is, work that only the kernel prices, or the
// instruction limit. It reports false, having run nothing, when it does not apply.
func (k *Kernel) lockstep(c *CPU) bool {
	if k.cfg.Step != 1 || k.lockst.off || k.tr != nil || k.debug != nil ||
		k.cfg.Check != nil || k.cfg.Race != nil || k.points || !k.steppable(c) {
		return false
	}
	if u, ok := k.policy.(sched.UnitStepper); !ok || !u.UnitSteps() {
		return false
	}
	ls := &k.lockst
	r := &ls.run
	ls.cpus = ls.cpus[:0]
	r.Harts, r.Clock, r.Left = r.Harts[:0], r.Clock[:0], r.Left[:0]
	queued := len(k.runq) > 0
	for _, o := range k.CPUs {
		if o.cur == nil {
			if queued {
				return false // pickCPU may yet give it a queued task
			}
			continue
		}
		// A CPU that is not in the middle of a slice takes part with no instructions
		// left: the run ends when its turn comes, and runSlice takes it.
		left := uint64(0)
		if o == c || k.steppable(o) {
			left = o.cur.sliceLeft
		}
		ls.cpus = append(ls.cpus, o)
		r.Harts = append(r.Harts, o.Hart)
		r.Clock = append(r.Clock, o.Clock)
		r.Left = append(r.Left, left)
	}
	if len(ls.cpus) < 2 {
		return false // one busy CPU runs its whole slice at once
	}
	if k.workPs() != k.charged {
		return false // work not charged yet: a slice charges it first
	}
	r.Until = k.loadNext
	if len(k.timers) > 0 {
		r.Until = min(r.Until, k.timers[0].at)
	}
	if k.pauseAt != 0 {
		r.Until = min(r.Until, k.pauseAt)
	}
	r.Max = lockstepMax
	if k.cfg.MaxInsns > 0 {
		r.Max = min(r.Max, k.cfg.MaxInsns-min(k.cfg.MaxInsns, k.budgetUsed()))
	}
	m := &k.model.Price
	r.Insn, r.TLBMiss, r.TLBFlush = m[cost.Insn], m[cost.TLBMiss], m[cost.TLBFlush]
	r.TLBEntryFlushed, r.ASSwitch = m[cost.TLBEntryFlushed], m[cost.ASSwitch]
	r.PsLeft = k.psLeft
	r.Work = &k.pool.Work
	// With tasks queued, the end of each slice is a question for the policy
	// (preemptAt), and every instruction before it a point at which the policy keeps
	// the running task (sched.UnitStepper), which preemptAt counts as a step of the
	// task if a queued one could have taken its CPU.
	r.EndSlices = queued
	for i, o := range ls.cpus {
		if r.Left[i] > 0 {
			// What runSlice sets for a slice in the middle of one.
			o.Hart.MemPoints, o.Hart.PassPoint = false, false
		}
	}
	r.Run()
	if !r.Stopped {
		progress := false
		for _, n := range r.Retired {
			progress = progress || n > 0
		}
		if !progress {
			// Nothing ran (the first turn is c's, which has instructions left and
			// nothing due, so this is not expected): a slice will.
			r.Work = nil
			clear(r.Harts)
			clear(ls.cpus)
			return false
		}
	}
	defer func() {
		// Nothing is kept between runs (nor in a checkpoint) but the slices' room.
		r.Work = nil
		clear(r.Harts)
		clear(ls.cpus)
	}()

	for i, o := range ls.cpus {
		t, n, ns := o.cur, r.Retired[i], r.Ns[i]
		k.work[cost.Insn] += n
		k.totalInsns += n
		ls.insns += n
		t.Stats.Insns += n
		t.sliceLeft -= n
		t.Stats.CPUTime += ns
		t.TG.cpuTime += ns
		o.Clock = r.Clock[i]
		o.Busy += ns
		if n > 0 {
			o.Hart.Save(&t.Ctx)
			// Each of those slices ended with its budget and the task kept its CPU
			// (preemptAt).
			t.point, t.pointAddr = sched.Budget, 0
			if queued {
				kept := n
				if (r.Spent || r.Unpriced && !r.Stopped) && i == r.Last {
					kept-- // the last slice's end is preemptAt's, below
				}
				if kept > 0 && k.queuedFor(o) {
					t.steps += kept
				}
			}
		}
	}
	k.charged += r.Priced
	k.psLeft = r.PsLeft
	if !r.Unpriced {
		if now := k.workPs(); now != k.charged {
			panic(fmt.Sprintf("kernel: lockstep priced %d ps of work, but the work counted comes to %d ps more",
				r.Priced, now-(k.charged-r.Priced)))
		}
		if r.Spent {
			// The end of the last turn's slice: what runSlice does after a budget.
			o := ls.cpus[r.Last]
			k.preemptAt(o, o.cur, sched.Budget, 0)
			k.checkCPULimit(o.cur.TG)
		}
		return true
	}
	// The last turn's slice is the kernel's to end: its work is not charged yet, and
	// it may have stopped.
	o := ls.cpus[r.Last]
	stop := cpu.Stop{Reason: cpu.StopBudget}
	if r.Stopped {
		stop = r.Stop
	}
	k.endSlice(o, o.cur, stop, o.Hart.Retired, o.cur.TG.MM.Stats, o.Clock, false)
	return true
}

// steppable reports whether c's task is in the middle of a slice: the hart holds its
// registers, and nothing (a signal, a pending or interrupted call, a scheduling point
// it stopped at, a new slice, a CPU-time limit or timer) needs the kernel before its
// next instruction.
func (k *Kernel) steppable(c *CPU) bool {
	t := c.cur
	h := c.Hart
	if t == nil || c.last != t || t.onHart != h || t.pending != nil || t.interrupted ||
		t.atEcall || t.sliceLeft == 0 || t.syncAt != 0 || t.raceResume || t.racePending ||
		h.Breaks != nil || h.CallPoints != nil || h.DebugWatch != nil || k.deliverable(t) != 0 {
		return false
	}
	tg := t.TG
	if tg.Rlimits[RLIMIT_CPU].Cur != RLIM_INFINITY {
		return false
	}
	for i := range tg.cpuTimers {
		if tg.cpuTimers[i].at != 0 {
			return false
		}
	}
	return true
}

// queuedFor reports whether a queued task may run on c: what makes preemptAt count a
// point at which the running task keeps c as a step of that task.
func (k *Kernel) queuedFor(c *CPU) bool {
	for _, q := range k.runq {
		if q.allowedOn(c) {
			return true
		}
	}
	return false
}
