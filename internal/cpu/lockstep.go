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

	lanes []lane // the harts' parts in the run
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

// lane is one hart's part in a run, kept together for the loop.
type lane struct {
	h     *Hart
	s     stepper // the hart's executor, or nil: run(1)
	clock uint64
	left  uint64
	// The hart's counts when its steps were last priced.
	events, misses, flushes, flushed, switches uint64
}

// Run runs the harts until one of the ends the type describes.
func (l *Lockstep) Run() {
	n := len(l.Harts)
	if cap(l.Retired) < n {
		l.Retired, l.Ns = make([]uint64, n), make([]uint64, n)
	}
	l.Retired, l.Ns = l.Retired[:n], l.Ns[:n]
	l.Last, l.Stopped, l.Stop, l.Unpriced, l.Spent = 0, false, Stop{}, false, false
	l.lanes = l.lanes[:0]
	for i, h := range l.Harts {
		s, _ := h.exec.(stepper)
		if h.Breaks != nil {
			s = nil // run(1) stops at them
		}
		l.lanes = append(l.lanes, lane{h: h, s: s, clock: l.Clock[i], left: l.Left[i],
			events: h.events, misses: h.TLBMisses, flushes: h.TLBFlushes,
			flushed: h.TLBEntriesFlushed, switches: h.ASSwitches})
		// What prepareRun sets up for a whole run (PassPoint).
		h.syncPass, h.callPass = ^uint64(0), ^uint64(0)
		if h.PassPoint {
			h.syncPass, h.callPass = h.pc, h.pc
		}
		// Until the run ends, Retired holds where the hart started.
		l.Retired[i] = h.Retired
	}
	l.run(l.lanes)
	for i := range l.lanes {
		ln := &l.lanes[i]
		l.Retired[i], l.Ns[i] = ln.h.Retired-l.Retired[i], ln.clock-l.Clock[i]
		l.Clock[i], l.Left[i] = ln.clock, ln.left
	}
	clear(l.lanes) // hold no harts or executors between runs
}

// run is Run's loop.
func (l *Lockstep) run(lanes []lane) {
	fast := l.Insn == 1000
	psLeft, priced := l.PsLeft, uint64(0)
	work := workSum(l.Work)
	for total := l.Max; total > 0; total-- {
		i := turn(lanes)
		ln := &lanes[i]
		if ln.left == 0 || ln.clock >= l.Until {
			break
		}
		h := ln.h
		h.TimeBase = ln.clock
		// prepareStep, inline.
		if t := h.tlb; t.gen != h.mem.Gen {
			t.flush()
		}
		h.watching = h.bus.holders > b2i(h.resFrame != nil)
		stopped := false
		if ln.s != nil {
			stopped = ln.s.step(&l.Stop)
		} else if l.Stop = h.exec.run(1); l.Stop.Reason != StopBudget {
			stopped = true
		}
		if stopped {
			l.Last, l.Stopped, l.Unpriced = i, true, true
			break
		}
		ln.left--
		ps := l.Insn
		if h.events != ln.events {
			if w := workSum(l.Work); w != work {
				l.Last, l.Unpriced = i, true
				break
			}
			ps += (h.TLBMisses-ln.misses)*l.TLBMiss + (h.TLBFlushes-ln.flushes)*l.TLBFlush +
				(h.TLBEntriesFlushed-ln.flushed)*l.TLBEntryFlushed + (h.ASSwitches-ln.switches)*l.ASSwitch
			ln.events, ln.misses, ln.flushes = h.events, h.TLBMisses, h.TLBFlushes
			ln.flushed, ln.switches = h.TLBEntriesFlushed, h.ASSwitches
		}
		priced += ps
		if fast && ps == 1000 {
			// An instruction and nothing else: one nanosecond, the fraction unchanged.
			ln.clock++
		} else {
			ps += psLeft
			psLeft = ps % 1000
			ln.clock += ps / 1000
		}
		if l.EndSlices && ln.left == 0 {
			l.Last, l.Spent = i, true
			break
		}
	}
	l.PsLeft, l.Priced = psLeft, priced
}

// turn returns whose turn it is: the smallest clock, the lowest index on a tie.
func turn(lanes []lane) int {
	i, c := 0, lanes[0].clock
	for j := 1; j < len(lanes); j++ {
		if lanes[j].clock < c {
			i, c = j, lanes[j].clock
		}
	}
	return i
}

// page translates addr for the hart's own use through the address space's page
// table, which may count work (a page allocated or copied): events tells Lockstep.
// Every caller is a slow path: not inlined, so that it adds nothing to theirs.
//
//go:noinline
func (h *Hart) page(addr uint64, acc mm.Access) (*mm.Frame, *mm.Fault) {
	h.events++
	return h.mem.Page(addr, acc)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
