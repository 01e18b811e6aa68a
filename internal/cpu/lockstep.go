package cpu

import "weft/internal/mm"

// Lockstep runs several harts interleaved one instruction at a time, in one loop, as a
// machine whose CPUs take turns at every instruction: each turn goes to the hart whose
// clock is smallest (the lowest index on a tie), which executes one instruction and
// advances its clock by what that instruction counted, priced as the caller says. It
// is the same as calling Run(1) on the hart of the smallest clock again and again, and
// pricing each call's counted work in between, without leaving the loop: what weft does
// with --step 1 while several CPUs are busy (schedule search, race demonstrations).
//
// The run ends, with the harts' state exactly as the same sequence of Run(1) calls
// would leave it, when a hart stops (an ecall, a fault, any Stop but the budget's),
// when the hart whose turn it is has no instructions Left or a clock at or past Until,
// when Max instructions have retired, or after an instruction that counted work the
// harts do not price (Work changed: a page allocated or copied, a page-table node): the
// caller prices that step itself.
//
// The caller fills in the fields above the line; Run fills in those below.
type Lockstep struct {
	Harts []*Hart
	// Clock is each hart's clock in nanoseconds, advanced by Run.
	Clock []uint64
	// Left is how many instructions each hart may still retire: a hart whose turn
	// comes with none left ends the run (its turn is the caller's to give). Run
	// decrements it.
	Left []uint64
	// Until: a turn that comes to a hart whose clock is at or past it ends the run.
	Until uint64
	// Max bounds the instructions the run retires in all.
	Max uint64
	// Prices, in picoseconds, of an instruction and of each unit the harts count.
	Insn, TLBMiss, TLBFlush, TLBEntryFlushed, ASSwitch uint64
	// PsLeft is the fraction of a nanosecond carried from one step to the next: a
	// step's clock advance is (its picoseconds + PsLeft) / 1000 and PsLeft the
	// remainder. Run updates it.
	PsLeft uint64
	// Work is the counted work that the harts do not price (their address spaces').
	Work *mm.Work
	// EndSlices makes the step that spends a hart's Left end the run (Spent): the
	// caller has something to do at the end of each slice.
	EndSlices bool

	// Retired is what each hart retired in the run.
	Retired []uint64
	// Ns is what each hart's clock advanced in the run.
	Ns []uint64
	// Priced is the picoseconds of all the steps the run priced.
	Priced uint64
	// Last is the hart of the run's last turn, when Stopped, Unpriced or Spent.
	Last int
	// Spent: with EndSlices, the last step (priced) spent hart Last's Left.
	Spent bool

	steppers []stepper // each hart's executor, or nil if it is no stepper
	// Stopped: hart Last stopped (Stop says why) without retiring the instruction.
	Stopped bool
	Stop    Stop
	// Unpriced: the last step of hart Last (an instruction retired, or the attempt
	// that stopped) is not priced: its work, and its clock advance, are the caller's
	// to count. Always set with Stopped.
	Unpriced bool
}

// stepper is an executor that can run one instruction more cheaply than run(1), with
// the same effects.
type stepper interface {
	// step runs the instruction at the hart's pc: it retires it, or stops before it
	// (setting *stop and reporting true), exactly as run(1) would.
	step(stop *Stop) bool
}

// workSum changes whenever any count of w changes (they only grow).
func workSum(w *mm.Work) uint64 {
	return w.NodesAllocated + w.NodesCopied + w.NodesFreed + w.Refs + w.VMAsCopied +
		w.PagesZeroed + w.PagesCopied + w.PagesFreed + w.BytesCopied
}

// Run runs the harts until one of the ends the type describes.
func (l *Lockstep) Run() {
	n := len(l.Harts)
	if cap(l.Retired) < n {
		l.Retired, l.Ns = make([]uint64, n), make([]uint64, n)
	}
	l.Retired, l.Ns = l.Retired[:n], l.Ns[:n]
	l.Last, l.Stopped, l.Stop, l.Unpriced, l.Spent = 0, false, Stop{}, false, false
	harts, clock, left := l.Harts[:n], l.Clock[:n], l.Left[:n]
	l.steppers = l.steppers[:0]
	for i, h := range harts {
		s, _ := h.exec.(stepper)
		if h.Breaks != nil {
			s = nil // run(1) stops at them
		}
		l.steppers = append(l.steppers, s)
		// What prepareRun sets up for a whole run (PassPoint).
		h.syncPass, h.callPass = ^uint64(0), ^uint64(0)
		if h.PassPoint {
			h.syncPass, h.callPass = h.pc, h.pc
		}
		// Until the run ends, Retired and Ns hold where the hart started.
		l.Retired[i], l.Ns[i] = h.Retired, clock[i]
	}
	steppers := l.steppers[:n]
	insn, fast := l.Insn, l.Insn == 1000
	pMiss, pFlush, pEntry, pAS := l.TLBMiss, l.TLBFlush, l.TLBEntryFlushed, l.ASSwitch
	until, endSlices := l.Until, l.EndSlices
	psLeft, priced := l.PsLeft, uint64(0)
	work := workSum(l.Work)
	for total := l.Max; total > 0; total-- {
		// The turn: the smallest clock, the lowest index on a tie.
		i := 0
		for j := 1; j < n; j++ {
			if clock[j] < clock[i] {
				i = j
			}
		}
		if left[i] == 0 || clock[i] >= until {
			break
		}
		h := harts[i]
		h.TimeBase = clock[i]
		m0, f0, e0, a0, w0 := h.TLBMisses, h.TLBFlushes, h.TLBEntriesFlushed, h.ASSwitches, h.walks
		// prepareStep, inline.
		if t := h.tlb; t.gen != h.mem.Gen {
			t.flush()
		}
		h.watching = h.bus.holders > b2i(h.resFrame != nil)
		stopped := false
		if s := steppers[i]; s != nil {
			stopped = s.step(&l.Stop)
		} else if l.Stop = h.exec.run(1); l.Stop.Reason != StopBudget {
			stopped = true
		}
		if stopped {
			l.Last, l.Stopped, l.Unpriced = i, true, true
			break
		}
		left[i]--
		if h.walks != w0 {
			if w := workSum(l.Work); w != work {
				l.Last, l.Unpriced = i, true
				break
			}
		}
		ps := insn + (h.TLBMisses-m0)*pMiss + (h.TLBFlushes-f0)*pFlush +
			(h.TLBEntriesFlushed-e0)*pEntry + (h.ASSwitches-a0)*pAS
		priced += ps
		if fast && ps == 1000 {
			// An instruction and nothing else: one nanosecond, the fraction unchanged.
			clock[i]++
		} else {
			ps += psLeft
			psLeft = ps % 1000
			clock[i] += ps / 1000
		}
		if endSlices && left[i] == 0 {
			l.Last, l.Spent = i, true
			break
		}
	}
	for i, h := range harts {
		l.Retired[i], l.Ns[i] = h.Retired-l.Retired[i], clock[i]-l.Ns[i]
	}
	l.PsLeft, l.Priced = psLeft, priced
	clear(l.steppers) // hold no executors between runs
}

// page translates addr for the hart's own use through the address space's page
// table, which may count work (a page allocated or copied): walks tells Lockstep.
// Every caller is a slow path: not inlined, so that it adds nothing to theirs.
//
//go:noinline
func (h *Hart) page(addr uint64, acc mm.Access) (*mm.Frame, *mm.Fault) {
	h.walks++
	return h.mem.Page(addr, acc)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
