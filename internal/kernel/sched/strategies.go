package sched

import "sort"

// PCT is probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): every
// thread gets a random priority when it first shows up, higher than depth; the ready
// thread of highest priority runs; at depth-1 change points, drawn uniformly among the
// k choice points a profiling run counted, the running thread drops to a priority below
// every initial one. A bug of depth d is found with probability at least 1/(n k^(d-1))
// per run, n threads.
type PCT struct {
	search
	depth  int
	change []uint64       // choice-point numbers at which a priority changes, sorted
	prio   map[int]uint64 // by TID; looked up only
	next   int            // the next change point
}

// NewPCT returns PCT of the given depth over k choice points.
func NewPCT(seed, grain uint64, depth int, k uint64) *PCT {
	p := &PCT{search: newSearch(seed, grain), depth: max(depth, 1), prio: map[int]uint64{}}
	k = max(k, 1)
	for range p.depth - 1 {
		p.change = append(p.change, 1+p.rng.Uint64N(k))
	}
	sort.Slice(p.change, func(i, j int) bool { return p.change[i] < p.change[j] })
	return p
}

func (*PCT) Name() string { return "pct" }

func (p *PCT) priority(tid int) uint64 {
	v, ok := p.prio[tid]
	if !ok {
		// Initial priorities lie above every changed one (1..depth-1).
		v = uint64(p.depth) + 1 + p.rng.Uint64N(1<<40)
		p.prio[tid] = v
	}
	return v
}

func (p *PCT) Pick(at Thread, ready []Thread, running bool) int {
	// Priorities change at counted points only: budget points just keep a thread that
	// touches no shared memory from running for ever, and the C library's internals
	// would dilute the change points (k) with places where the program's bugs are not.
	if Counts(at, ready) {
		p.Choices++
		for p.next < len(p.change) && p.change[p.next] <= p.Choices {
			if running {
				p.prio[at.TID] = uint64(p.depth - 1 - p.next)
			}
			p.next++
		}
	}
	best := 0
	for i := range ready {
		// Ties (vanishingly rare) go to the earlier thread in the list.
		if p.priority(ready[i].TID) > p.priority(ready[best].TID) {
			best = i
		}
	}
	return best
}

// POS is partial-order sampling (Yuan et al., CAV 2018): each thread's next event has a
// random priority and the ready thread whose event has the highest runs; when it runs,
// the events of other threads that conflict with it (an atomic on the same address)
// get fresh priorities, which makes every partial order of conflicting events about as
// likely as any other. Only atomics have addresses here; other events conflict with
// nothing.
type POS struct {
	search
	ev map[int]posEvent // by TID; looked up only
}

type posEvent struct {
	insns, steps uint64 // which event of the thread this is
	prio         uint64
}

// NewPOS returns POS drawn from seed.
func NewPOS(seed, grain uint64) *POS {
	return &POS{search: newSearch(seed, grain), ev: map[int]posEvent{}}
}

func (*POS) Name() string { return "pos" }

func (p *POS) event(t *Thread) uint64 {
	e, ok := p.ev[t.TID]
	if !ok || e.insns != t.Insns || e.steps != t.Steps {
		e = posEvent{insns: t.Insns, steps: t.Steps, prio: p.rng.Uint64()}
		p.ev[t.TID] = e
	}
	return e.prio
}

func (p *POS) Pick(at Thread, ready []Thread, _ bool) int {
	if len(ready) < 2 {
		return 0
	}
	if Counts(at, ready) {
		p.Choices++
	}
	best := 0
	for i := range ready {
		if p.event(&ready[i]) > p.event(&ready[best]) {
			best = i
		}
	}
	if a := ready[best].Addr; a != 0 {
		for i := range ready {
			if i != best && ready[i].Addr == a {
				delete(p.ev, ready[i].TID)
			}
		}
	}
	return best
}

// URW is a uniform random walk over interleavings, after SURW (Zhao et al., 2025): a
// thread is chosen with probability proportional to the scheduling points it has left,
// as a profiling run counted them for the thread of that TID (TIDs are allocated in
// order, so the same thread has the same TID in every run). Picking by what is left,
// rather than uniformly, makes every interleaving of the threads' points equally likely,
// where a plain random walk favours those that switch early and often. Unlike SURW it
// weighs all points, not a selected subset.
type URW struct {
	search
	left map[int]uint64 // points counted per TID in the profiling run
}

// NewURW returns a uniform random walk with the per-TID point counts of a profiling run.
func NewURW(seed, grain uint64, profile map[int]uint64) *URW {
	return &URW{search: newSearch(seed, grain), left: profile}
}

func (*URW) Name() string { return "urw" }

func (p *URW) Pick(at Thread, ready []Thread, _ bool) int {
	if len(ready) < 2 {
		return 0
	}
	if Counts(at, ready) {
		p.Choices++
	}
	var total uint64
	w := make([]uint64, len(ready))
	for i, t := range ready {
		w[i] = 1
		if n := p.left[t.TID]; n > t.Steps {
			w[i] = n - t.Steps
		}
		total += w[i]
	}
	r := p.rng.Uint64N(total)
	for i := range w {
		if r < w[i] {
			return i
		}
		r -= w[i]
	}
	return len(ready) - 1
}

// Interesting reports whether thread t, stopped at a point while running, is about to
// make an event SURW samples the interleavings of: an atomic, system call, load or
// store of the program's own code or of a library function it called directly
// (Thread.User). Not the end of a budget, and not a fence (a Sync point without an
// address): a fence touches no memory, and counting it would make each lock or unlock
// (a fence and an atomic) two events, halving the chance of the interleavings in which
// one thread's short sequence of them falls between two of another's.
func Interesting(t Thread) bool {
	return t.User && (t.Point == Syscall || t.Point == Access || (t.Point == Sync && t.Addr != 0))
}

// SURW is a selectively uniform random walk (after Zhao et al., "Selectively Uniform
// Concurrency Testing", ASPLOS 2025): it samples the interleavings of the interesting
// events (Interesting) uniformly, and keeps everything else out of their way. A thread
// runs on through points that are not interesting: start-up, thread creation, the C
// library's internals. At an interesting point, or when a CPU is idle, the thread that
// makes the next interesting event is drawn with probability proportional to the
// interesting events it has left, as a profiling run counted them for the thread of
// that TID (TIDs are allocated in order, so the same thread has the same TID in every
// run): which makes every interleaving of the threads' interesting events equally
// likely, where a random walk or PCT favours the threads created first. A thread drawn
// while stopped elsewhere is granted its next interesting event: it runs to it without
// a new draw.
//
// Sampling interleavings uniformly finds the bugs where a thread created last must
// overtake many created before it (a reader that must read between one writer's two
// stages and before any other's second, among 100 writers), which PCT finds only with
// the few priorities that put that thread above all the others.
type SURW struct {
	search
	total   map[int]uint64 // interesting events per TID in the profiling run
	done    map[int]uint64 // interesting events drawn per TID so far
	pending map[int]bool   // preempted at an interesting point: its event is due when it runs
	granted int            // the thread granted its next interesting event (0: none)
	w       []uint64
}

// NewSURW returns a selectively uniform random walk with the per-TID counts of
// interesting events of a profiling run (Recorder.Interesting).
func NewSURW(seed, grain uint64, profile map[int]uint64) *SURW {
	return &SURW{search: newSearch(seed, grain), total: profile, done: map[int]uint64{}, pending: map[int]bool{}}
}

func (*SURW) Name() string { return "surw" }

// Keeps implements Keeper: a thread that is not at an interesting point runs on.
func (p *SURW) Keeps(at Thread) bool { return !Interesting(at) }

// draw picks a ready thread with probability proportional to its interesting events
// left (at least 1: the profile is of another run).
func (p *SURW) draw(ready []Thread) int {
	var sum uint64
	p.w = p.w[:0]
	for _, t := range ready {
		w := uint64(1)
		if n, d := p.total[t.TID], p.done[t.TID]; n > d {
			w = n - d
		}
		p.w = append(p.w, w)
		sum += w
	}
	r := p.rng.Uint64N(sum)
	for i, w := range p.w {
		if r < w {
			return i
		}
		r -= w
	}
	return len(ready) - 1
}

// take makes ready thread t the one that makes the next interesting event.
func (p *SURW) take(t Thread) {
	p.done[t.TID]++
	if p.pending[t.TID] {
		// Stopped at its interesting point: it makes the event as soon as it runs.
		delete(p.pending, t.TID)
		return
	}
	p.granted = t.TID
}

func (p *SURW) Pick(at Thread, ready []Thread, running bool) int {
	if !running {
		// A CPU is idle: at blocked, yielded or exited, and gives up any grant.
		if p.granted == at.TID {
			p.granted = 0
		}
		if len(ready) < 2 {
			return 0
		}
		i := p.draw(ready)
		p.take(ready[i])
		return i
	}
	if !Interesting(at) || len(ready) < 2 {
		if p.granted == at.TID && Interesting(at) {
			p.granted = 0
		}
		return 0
	}
	p.Choices++
	if p.granted == at.TID {
		// Drawn before it got here: this is the event it was drawn for.
		p.granted = 0
		return 0
	}
	i := p.draw(ready)
	if i == 0 {
		p.done[at.TID]++
		return 0
	}
	p.pending[at.TID] = true
	p.take(ready[i])
	return i
}

// Decision is one choice that differs from a policy's default: at the scheduling point
// where thread TID had retired Insns instructions (or, when Running is false, after it
// left its CPU there), thread Next runs.
type Decision struct {
	TID     int
	Insns   uint64
	Next    int
	Running bool   // TID could have gone on: a preemption
	Point   Point  // where TID was stopped (for reports)
	PC      uint64 // TID's pc there (for reports)
}

// Recorder wraps a policy and records its choices that differ from the default, which
// is all Replay needs to repeat the run. It also counts the points each thread passed
// while running (a profile for URW).
type Recorder struct {
	Policy
	Decisions []Decision
	Steps     map[int]uint64 // by TID
	// Interesting counts, by TID, the points at which the thread was about to make an
	// interesting event (a profile for SURW).
	Interesting map[int]uint64
}

// NewRecorder records the decisions of p.
func NewRecorder(p Policy) *Recorder {
	return &Recorder{Policy: p, Steps: map[int]uint64{}, Interesting: map[int]uint64{}}
}

// Keeps implements Keeper for a recorded policy that does: a point it keeps is no
// decision. (The points of a kept thread are not in Steps and Interesting then; only
// the profiling run's counts are used, and its random walk keeps nothing.)
func (r *Recorder) Keeps(at Thread) bool {
	k, ok := r.Policy.(Keeper)
	return ok && k.Keeps(at)
}

func (r *Recorder) Pick(at Thread, ready []Thread, running bool) int {
	i := r.Policy.Pick(at, ready, running)
	if running {
		r.Steps[at.TID]++
		if Interesting(at) {
			r.Interesting[at.TID]++
		}
	}
	if i != 0 {
		r.Decisions = append(r.Decisions, Decision{TID: at.TID, Insns: at.Insns, Next: ready[i].TID,
			Running: running, Point: at.Point, PC: at.PC})
	}
	return i
}

// Replay makes the choices of a list of decisions, and the default ones elsewhere; it
// gives every thread budgets that end exactly where one of its decisions is due. Being
// a function of its decisions alone, a replay repeats exactly.
type Replay struct {
	grain     uint64
	decisions []Decision
	next      int
	// Applied counts the decisions that were applied; a replay that diverged from
	// the run it came from applies fewer than it was given.
	Applied int
}

// NewReplay returns a policy that makes the given decisions, running threads at most
// grain instructions between points.
func NewReplay(grain uint64, d []Decision) *Replay {
	return &Replay{grain: max(grain, 1), decisions: d}
}

func (*Replay) Name() string            { return "replay" }
func (*Replay) Points() bool            { return true }
func (*Replay) Quantum(q uint64) uint64 { return q }

func (p *Replay) Pick(at Thread, ready []Thread, running bool) int {
	if p.next >= len(p.decisions) {
		return 0
	}
	// A thread that made a system call has the same instruction count at the point
	// before the call (running) and when it left its CPU in it (not running): the
	// decision says which.
	d := p.decisions[p.next]
	if d.TID != at.TID || d.Insns != at.Insns || d.Running != running {
		return 0
	}
	for i, t := range ready {
		if t.TID == d.Next {
			p.next++
			p.Applied++
			return i
		}
	}
	return 0
}

func (p *Replay) Budget(t Thread, _, _ uint64, _ bool) uint64 {
	b := p.grain
	for _, d := range p.decisions[p.next:] {
		if d.TID == t.TID && d.Insns > t.Insns {
			b = min(b, d.Insns-t.Insns)
		}
	}
	return b
}
