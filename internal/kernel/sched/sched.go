// Package sched holds weft's scheduling policies behind one small interface: the kernel
// asks its Policy, at every scheduling point of a running thread and whenever a CPU
// needs work, which ready thread runs next and for how many instructions.
//
// A policy sees only thread IDs and counts, never kernel objects, so a policy is a pure
// function of its seed and the sequence of questions: a run stays deterministic. All of a
// policy's randomness comes from the PRNG it was made with.
//
// TimeSlice is weft's default (weft run): round-robin time slices weighted by nice
// value, with the seed choosing slice lengths, the instruction at which CPUs hand over
// to each other and, between the first two queued threads, which runs next — so that a
// different seed gives a different interleaving even when there are no more threads than
// CPUs. The search strategies (Random, PCT, POS, URW, SURW) and Replay stop threads at every
// scheduling point (Points reports true): before atomics, fences and system calls, and
// after a budget of instructions, so that a data race between plain loads and stores can
// be preempted too.
package sched

import (
	"math/rand/v2"
)

// Point is the kind of scheduling point a thread is stopped at.
type Point uint8

const (
	Budget  Point = iota // its budget of instructions is spent
	Sync                 // before an AMO, LR or fence
	Syscall              // before a system call
	Idle                 // a CPU has no thread (the last one blocked, exited or yielded)
	Access               // before a load or store off the stack (cpu.Hart.MemPoints)
)

func (p Point) String() string {
	return [...]string{"budget", "sync", "syscall", "idle", "access"}[p]
}

// Thread is what a policy knows of a ready thread.
type Thread struct {
	TID int
	// Insns is the instructions the thread has retired: with TID, it names the point
	// the thread is at exactly, whatever the budgets were (schedule files use it).
	Insns uint64
	// Steps counts the scheduling points at which the thread was asked about while
	// running.
	Steps uint64
	// Point is where the thread is stopped; Addr the address of its pending atomic,
	// load or store at a Sync point (0 when unknown).
	Point Point
	Addr  uint64
	Write bool // the pending access at Addr writes
	// PC is where it is stopped (for reports).
	PC uint64
	// User says the point is in the program's own code, or in a function it called
	// directly (its return address is): where a bug of the program can be, as opposed
	// to the C library's internals. Strategies count only such points (Counts).
	User bool
	// SliceLeft is what remains of its time slice (TimeSlice only).
	SliceLeft uint64
}

// Policy decides who runs. The kernel calls Pick at each scheduling point of a running
// thread (running is true: at is that thread and ready[0] too, ready[1:] the queued
// ones, in queue order) and when a CPU is idle (running is false: ready is the queue,
// and at the thread the CPU ran last, TID 0 if none). It returns the index in ready of
// the thread to run; the default choice of every policy is 0 (keep the running thread,
// or take the head of the queue). Budget returns how many instructions t, about to run,
// may retire before the kernel asks again: slice is what is left of its time slice,
// step the kernel's interleaving step, and others says whether another CPU is busy.
type Policy interface {
	Name() string
	Pick(at Thread, ready []Thread, running bool) int
	Budget(t Thread, slice, step uint64, others bool) uint64
	// Quantum is the time slice to give a thread whose nice-weighted slice is q.
	Quantum(q uint64) uint64
	// Points says whether the kernel must stop threads at every scheduling point
	// (atomics, fences, system calls), not only at the ends of budgets.
	Points() bool
}

// A Keeper is a policy that can tell from the running thread alone that Pick, asked
// at a point with the thread running, would keep it (return 0) without drawing from
// its PRNG. The kernel then need not gather the ready threads, which costs as many
// steps as the run queue is long at every point: with 100 processes ready, most of a
// run's time.
type Keeper interface {
	Keeps(at Thread) bool
}

// A UnitStepper is a policy whose Budget, asked with step 1 while another CPU is busy,
// is 1 for every thread and draws nothing from its PRNG, and which is a Keeper whose
// Keeps is true exactly while the thread's slice lasts (SliceLeft > 0). The kernel then
// runs its busy CPUs interleaved at every instruction in one loop (cpu.Lockstep)
// without asking it, until a slice ends or something else needs the kernel.
type UnitStepper interface {
	Keeper
	UnitSteps() bool
}

// TimeSlice is the default policy: round-robin time slices.
type TimeSlice struct{ rng *rand.Rand }

// NewTimeSlice returns the default policy, its choices drawn from seed.
func NewTimeSlice(seed uint64) *TimeSlice {
	return &TimeSlice{rng: rand.New(rand.NewPCG(seed, 0x73636864))} // "schd"
}

func (*TimeSlice) Name() string { return "timeslice" }
func (*TimeSlice) Points() bool { return false }

// Pick keeps the running thread until its slice is spent; otherwise one of the first
// two queued threads, at random: the choice varies with the seed while no thread waits
// behind more than one other that came after it.
func (p *TimeSlice) Pick(_ Thread, ready []Thread, running bool) int {
	first := 0
	if running {
		if ready[0].SliceLeft > 0 {
			return 0
		}
		first = 1
	}
	if len(ready)-first >= 2 && p.rng.IntN(2) == 1 {
		return first + 1
	}
	return first
}

// Keeps implements Keeper: the running thread keeps its CPU while its slice lasts.
func (p *TimeSlice) Keeps(at Thread) bool { return at.SliceLeft > 0 }

// Budget runs the thread to the end of its slice, or, while another CPU is busy, for a
// step whose length the seed draws around step (between half and one and a half
// times), so that where the CPUs' instruction streams interleave depends on the seed.
func (p *TimeSlice) Budget(_ Thread, slice, step uint64, others bool) uint64 {
	if !others {
		return slice
	}
	if step > 1 {
		step = step/2 + p.rng.Uint64N(step+1)
	}
	return max(min(slice, step), 1)
}

// UnitSteps implements UnitStepper: Budget with step 1 draws nothing.
func (*TimeSlice) UnitSteps() bool { return true }

// Quantum varies q by up to a quarter either way.
func (p *TimeSlice) Quantum(q uint64) uint64 {
	if jitter := q / 4; jitter > 0 {
		q = q - jitter + p.rng.Uint64N(2*jitter+1)
	}
	return max(q, 1)
}

// Counts reports whether a point at which thread at is asked, with ready ready, is one
// the search strategies count as a choice: more than one thread ready, not the end of
// a budget, and in the program's code (Thread.User).
func Counts(at Thread, ready []Thread) bool {
	return len(ready) >= 2 && at.Point != Budget && at.User
}

// search holds what the search strategies share: their PRNG, the budget between
// points, and the count of choice points (points with at least two ready threads).
type search struct {
	rng *rand.Rand
	// grain is the mean budget between points: budgets are drawn from 1..2*grain so
	// that preemptions land on any instruction, not on multiples of a fixed count.
	grain uint64
	// Choices counts the choice points (Counts) met so far.
	Choices uint64
}

func newSearch(seed, grain uint64) search {
	return search{rng: rand.New(rand.NewPCG(seed, 0x6578706c)), grain: max(grain, 1)} // "expl"
}

func (*search) Points() bool            { return true }
func (*search) Quantum(q uint64) uint64 { return q }
func (s *search) Budget(Thread, uint64, uint64, bool) uint64 {
	return 1 + s.rng.Uint64N(2*s.grain)
}

// Random is the random walk: a ready thread chosen uniformly at every point.
type Random struct{ search }

// NewRandom returns a random walk drawn from seed, with budgets around grain.
func NewRandom(seed, grain uint64) *Random { return &Random{newSearch(seed, grain)} }

func (*Random) Name() string { return "random" }

func (p *Random) Pick(at Thread, ready []Thread, _ bool) int {
	if len(ready) < 2 {
		return 0
	}
	if Counts(at, ready) {
		p.Choices++
	}
	return p.rng.IntN(len(ready))
}
