// Package race detects data races with happens-before vector clocks, as
// ThreadSanitizer does, over the events the kernel reports: the loads and stores of
// the program's own code, and the synchronisation of every thread.
//
// Synchronisation is coarse on purpose, so that no report is false: every atomic
// instruction, fence and futex call of a thread (glibc's mutexes, condition variables,
// semaphores, joins and once-flags all come down to these) is an acquire and a release
// of one object shared by all threads, as if every synchronising operation were
// sequentially consistent with every other, which is how weft executes them. Thread
// creation orders the parent's past before the child, and a thread's exit releases. So
// a race is reported only between two accesses to one 8-byte word, at least one a
// write, from different threads, with no synchronising operation of the first thread
// after it that the second thread's synchronisation saw before its access: the
// accesses could have run in either order. Races that synchronisation elsewhere
// happens to order in one run are missed in that run (schedule search runs others).
//
// Accesses are reported by the kernel only from code the caller chooses (weft: code
// with DWARF lines, the program's own, not the C library's, whose internal races are
// benign by design) and not to the running thread's own stack.
package race

import (
	"fmt"
	"slices"
	"unsafe"
)

// Access is one load or store.
type Access struct {
	TID   int
	Write bool
	PC    uint64 // the instruction
	RA    uint64 // its return address register: the caller, for a leaf function
	// Stack, if the kernel unwinds (kernel.Config.Unwind), is the pc and the calls
	// that led to it, innermost first. Equal stacks share one slice (Detector.Stack).
	Stack []uint64
}

// Report is one race: the access now and the earlier one it races with, and where
// their threads were created, if known (Create).
type Report struct {
	Addr                  uint64
	Now, Prev             Access
	NowThread, PrevThread *Creation
}

// Creation is where a thread was created: by which thread, with which stack.
type Creation struct {
	Parent int
	Stack  []uint64
}

func (r Report) String() string {
	return fmt.Sprintf("data race on 0x%x: %s by tid %d at pc 0x%x, and an earlier %s by tid %d at pc 0x%x",
		r.Addr, kind(r.Now.Write), r.Now.TID, r.Now.PC, kind(r.Prev.Write), r.Prev.TID, r.Prev.PC)
}

func kind(w bool) string {
	if w {
		return "write"
	}
	return "read"
}

type epoch struct {
	tid   int
	clock uint64
	mask  uint8 // the bytes of the word accessed
	acc   Access
}

// cell is the shadow state of one 8-byte word: the last writes of its bytes
// writers (at most one per byte, so a few), and the reads since, one per thread and
// bytes. Bytes matter: two threads may write neighbouring ints of one word without
// racing.
type cell struct {
	writes []epoch
	reads  []epoch
}

type wordKey struct {
	space any // the address space
	word  uint64
}

// Detector holds the clocks and the shadow memory of one run. It is used from the
// kernel's one goroutine.
type Detector struct {
	clocks map[int][]uint64 // by TID: the thread's vector clock, indexed by TID
	sync   []uint64         // the clock of the one synchronisation object
	shadow map[wordKey]*cell
	seen   map[[2]uint64]bool // (pc, pc) pairs already reported
	// Reports lists the distinct races found, first first.
	Reports []Report
	// Max bounds Reports (0: 100).
	Max int
	// Charge, if set, takes n bytes of the run's memory cap for the detector's own
	// state (shadow words, epochs, clocks), which the guest's accesses make grow;
	// Uncharge gives bytes back. Once the cap refuses, no new word is shadowed
	// (Unshadowed counts the accesses left unchecked), so that --race cannot take weft
	// past --max-memory; what is already shadowed is still checked.
	Charge     func(n int64) bool
	Uncharge   func(n int64)
	Unshadowed uint64
	stacks     map[uint64][]uint64 // Stack's table, by hash
	created    map[int]*Creation   // by TID, for reports
}

// Create records that parent created thread child at stack (the clone call), for the
// reports that name child.
func (d *Detector) Create(child, parent int, stack []uint64) {
	if d.created == nil {
		d.created = map[int]*Creation{}
	}
	if d.take(int64(len(stack))*8 + 64) {
		d.created[child] = &Creation{Parent: parent, Stack: slices.Clone(stack)}
	}
}

// Host bytes the detector's state takes, as charged: a shadowed word (its map entry
// and cell), one epoch, one clock entry.
const (
	wordBytes  = 96
	epochBytes = int64(unsafe.Sizeof(epoch{}))
	tickBytes  = 8
)

// take charges n bytes if the detector is charged at all.
func (d *Detector) take(n int64) bool { return d.Charge == nil || n <= 0 || d.Charge(n) }

// give returns n bytes that take charged.
func (d *Detector) give(n int64) {
	if d.Uncharge != nil && n > 0 {
		d.Uncharge(n)
	}
}

// Stack returns a stack equal to s (which it does not keep) that the detector keeps, shared with the accesses
// that had the same: a word's epochs hold their accesses' stacks, and most accesses
// repeat a few stacks. The table is charged like the shadow.
func (d *Detector) Stack(s []uint64) []uint64 {
	h := uint64(14695981039346656037)
	for _, pc := range s {
		h = (h ^ pc) * 1099511628211
	}
	if old, ok := d.stacks[h]; ok && slices.Equal(old, s) {
		return old
	} else if ok {
		return slices.Clone(s) // a collision: not shared
	}
	if d.stacks == nil {
		d.stacks = map[uint64][]uint64{}
	}
	if !d.take(int64(len(s))*8 + 64) {
		return slices.Clone(s[:min(len(s), 2)]) // past the cap: the top two frames, unshared
	}
	s = slices.Clone(s) // s may be the unwinder's buffer
	d.stacks[h] = s
	return s
}

// New returns a detector with no threads.
func New() *Detector {
	return &Detector{clocks: map[int][]uint64{}, shadow: map[wordKey]*cell{}, seen: map[[2]uint64]bool{}}
}

func (d *Detector) clock(tid int) []uint64 {
	c, ok := d.clocks[tid]
	if !ok {
		d.take(int64(tid+1) * tickBytes) // a clock is needed past the cap too: charged, not refused
		c = make([]uint64, tid+1)
		c[tid] = 1
		d.clocks[tid] = c
	}
	return c
}

func grow(c []uint64, n int) []uint64 {
	for len(c) < n {
		c = append(c, 0)
	}
	return c
}

// join makes a the elementwise maximum of a and b.
func join(a, b []uint64) []uint64 {
	a = grow(a, len(b))
	for i, v := range b {
		a[i] = max(a[i], v)
	}
	return a
}

// Fork orders everything parent did so far before everything child will do.
func (d *Detector) Fork(parent, child int) {
	p := d.clock(parent)
	c := join(grow(nil, child+1), p)
	d.take(int64(len(c)) * tickBytes)
	c[child] = 1
	d.clocks[child] = c
	p[parent]++
}

// Sync is a synchronising operation of tid: an acquire and a release of the object all
// threads share.
func (d *Detector) Sync(tid int) {
	before := len(d.clock(tid)) + len(d.sync)
	c := join(d.clock(tid), d.sync)
	d.sync = join(d.sync, c)
	c[tid]++
	d.clocks[tid] = c
	d.take(int64(len(c)+len(d.sync)-before) * tickBytes)
}

// Exit is the end of tid: what it did is released to whoever synchronises next.
func (d *Detector) Exit(tid int) {
	d.Sync(tid)
	d.give(int64(len(d.clocks[tid])) * tickBytes)
	delete(d.clocks, tid)
}

// happened reports whether epoch e is ordered before the current point of the thread
// whose clock is c.
func happened(e epoch, c []uint64) bool {
	return e.tid < len(c) && e.clock <= c[e.tid]
}

// Access checks a of size bytes at addr in space against the accesses before it, and
// records it.
func (d *Detector) Access(space any, addr, size uint64, a Access) {
	c := d.clock(a.TID)
	size = max(size, 1)
	for w := addr >> 3; w <= (addr+size-1)>>3; w++ {
		// The bytes of word w the access covers.
		lo, hi := max(addr, w<<3), min(addr+size, (w+1)<<3)
		mask := uint8((uint16(1)<<(hi-lo) - 1) << (lo - w<<3))
		now := epoch{tid: a.TID, clock: c[a.TID], mask: mask, acc: a}
		k := wordKey{space, w}
		s := d.shadow[k]
		if s == nil {
			if !d.take(wordBytes) {
				d.Unshadowed++
				continue
			}
			s = &cell{}
			d.shadow[k] = s
		}
		epochs := cap(s.writes) + cap(s.reads)
		for _, e := range s.writes {
			if e.mask&mask != 0 && e.tid != a.TID && !happened(e, c) {
				d.report(addr, a, e.acc)
				break
			}
		}
		if a.Write {
			for _, r := range s.reads {
				if r.mask&mask != 0 && r.tid != a.TID && !happened(r, c) {
					d.report(addr, a, r.acc)
					break
				}
			}
			s.writes = keep(s.writes, mask, now)
			s.reads = drop(s.reads, mask)
		} else {
			s.reads = keepRead(s.reads, mask, now)
		}
		// A word's epochs grow with the threads that read it: charged as they grow
		// (past the cap by at most one append, the state of one word).
		d.take(int64(cap(s.writes)+cap(s.reads)-epochs) * epochBytes)
	}
}

// keepRead records the read e: it replaces the bytes of earlier reads by e's thread,
// and leaves other threads' reads, which a later write may race with.
func keepRead(es []epoch, mask uint8, e epoch) []epoch {
	n := 0
	for _, x := range es {
		if x.tid == e.tid {
			x.mask &^= mask
		}
		if x.mask != 0 {
			es[n] = x
			n++
		}
	}
	return append(es[:n], e)
}

// keep records e over the bytes mask: earlier epochs lose those bytes, and go when
// they have none left; an earlier epoch of e's thread for exactly those bytes is
// replaced.
func keep(es []epoch, mask uint8, e epoch) []epoch {
	es = drop(es, mask)
	return append(es, e)
}

// drop removes the bytes mask from es.
func drop(es []epoch, mask uint8) []epoch {
	n := 0
	for _, x := range es {
		x.mask &^= mask
		if x.mask != 0 {
			es[n] = x
			n++
		}
	}
	return es[:n]
}

func (d *Detector) report(addr uint64, now, prev Access) {
	key := [2]uint64{min(now.PC, prev.PC), max(now.PC, prev.PC)}
	limit := d.Max
	if limit == 0 {
		limit = 100
	}
	if d.seen[key] || len(d.Reports) >= limit {
		return
	}
	d.seen[key] = true
	d.Reports = append(d.Reports, Report{Addr: addr, Now: now, Prev: prev,
		NowThread: d.created[now.TID], PrevThread: d.created[prev.TID]})
}
