package sched

import (
	"fmt"
	"testing"
)

func ready(tids ...int) []Thread {
	var r []Thread
	for _, t := range tids {
		r = append(r, Thread{TID: t, Point: Sync, User: true})
	}
	return r
}

// TestPCTDeterministic checks that PCT's choices are a function of its seed, and that
// with depth 1 (no change points) it never switches away from the highest priority.
func TestPCTDeterministic(t *testing.T) {
	picks := func(seed uint64, depth int) []int {
		p := NewPCT(seed, 10, depth, 20)
		var out []int
		for i := 0; i < 30; i++ {
			r := ready(2, 3, 4)
			out = append(out, r[p.Pick(r[0], r, true)].TID)
		}
		return out
	}
	a, b := picks(5, 3), picks(5, 3)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("PCT seed 5 twice: pick %d = %d and %d", i, a[i], b[i])
		}
	}
	one := picks(9, 1)
	for i := range one {
		if one[i] != one[0] {
			t.Fatalf("PCT depth 1: pick %d = tid %d, want always tid %d", i, one[i], one[0])
		}
	}
}

// TestReplay checks that Replay applies its decisions where they are due, budgets
// threads to stop exactly there, and otherwise keeps the default choice.
func TestReplay(t *testing.T) {
	p := NewReplay(100, []Decision{{TID: 2, Insns: 150, Next: 3, Running: true}})
	if b := p.Budget(Thread{TID: 2, Insns: 120}, 0, 0, false); b != 30 {
		t.Errorf("Budget(tid 2 at 120) = %d, want 30", b)
	}
	if b := p.Budget(Thread{TID: 3, Insns: 120}, 0, 0, false); b != 100 {
		t.Errorf("Budget(tid 3) = %d, want the grain, 100", b)
	}
	r := []Thread{{TID: 2, Insns: 120}, {TID: 3}}
	if i := p.Pick(r[0], r, true); i != 0 {
		t.Errorf("Pick before the decision = %d, want 0", i)
	}
	r[0].Insns = 150
	if i := p.Pick(r[0], r, true); i != 1 || p.Applied != 1 {
		t.Errorf("Pick at the decision = %d (applied %d), want 1 (1)", i, p.Applied)
	}
}

// TestTimeSliceSeeds checks that the default policy's steps and queue choices depend
// on the seed.
func TestTimeSliceSeeds(t *testing.T) {
	steps := func(seed uint64) (out []uint64) {
		p := NewTimeSlice(seed)
		for i := 0; i < 8; i++ {
			out = append(out, p.Budget(Thread{}, 100000, 1000, true))
		}
		return out
	}
	a, b := steps(1), steps(2)
	same := true
	for i := range a {
		same = same && a[i] == b[i]
		if a[i] < 500 || a[i] > 1500 {
			t.Errorf("step %d = %d, want within 500..1500", i, a[i])
		}
	}
	if same {
		t.Errorf("seeds 1 and 2 gave the same steps %v", a)
	}
}

// interleave runs threads with the given numbers of interesting events under p on one
// CPU as the kernel does: a thread runs to its next event and is asked there while
// another is ready; one preempted at an event makes it as soon as it runs again; one
// that has made all of its events exits, and the idle CPU asks which queued thread
// runs. It returns the order in which the events were made, as TIDs.
func interleave(p Policy, events map[int]int) []int {
	var queue []int // ready, not running
	for tid := range len(events) + 2 {
		if _, ok := events[tid]; ok {
			queue = append(queue, tid)
		}
	}
	left := map[int]int{}
	for tid, n := range events {
		left[tid] = n
	}
	atEvent := map[int]bool{} // preempted at its event
	th := func(tid int) Thread {
		if atEvent[tid] {
			return Thread{TID: tid, Point: Sync, User: true, Addr: 0x1000}
		}
		return Thread{TID: tid, Point: Budget}
	}
	var order []int
	cur, last := 0, 0
	for len(queue) > 0 || cur != 0 {
		if cur == 0 {
			var r []Thread
			for _, q := range queue {
				r = append(r, th(q))
			}
			i := 0
			if len(r) > 1 {
				i = p.Pick(Thread{TID: last, Point: Idle}, r, false)
			}
			cur = queue[i]
			queue = append(queue[:i], queue[i+1:]...)
		}
		if !atEvent[cur] && len(queue) > 0 {
			// cur has run to its next event.
			r := []Thread{{TID: cur, Point: Sync, User: true, Addr: 0x1000}}
			for _, q := range queue {
				r = append(r, th(q))
			}
			if i := p.Pick(r[0], r, true); i != 0 {
				atEvent[cur] = true
				queue = append(append(queue[:i-1], queue[i:]...), cur)
				cur = r[i].TID
				continue
			}
		}
		atEvent[cur] = false
		order = append(order, cur) // cur makes its event
		if left[cur]--; left[cur] == 0 {
			last, cur = cur, 0
		}
	}
	return order
}

// TestSURWUniform checks that SURW samples the interleavings of the threads' events
// uniformly: two threads with one and three events have four interleavings, each of
// which must come up about a quarter of the time, where a random walk picks the
// single event first half of the time. Its choices are a function of its seed.
func TestSURWUniform(t *testing.T) {
	count := func(mk func(seed uint64) Policy) map[string]int {
		seen := map[string]int{}
		for seed := range uint64(4000) {
			seen[fmt.Sprint(interleave(mk(seed), map[int]int{2: 1, 3: 3}))]++
		}
		return seen
	}
	surw := count(func(seed uint64) Policy { return NewSURW(seed, 10, map[int]uint64{2: 1, 3: 3}) })
	if len(surw) != 4 {
		t.Fatalf("SURW gave %d interleavings, want 4: %v", len(surw), surw)
	}
	for order, n := range surw {
		if n < 900 || n > 1100 {
			t.Errorf("SURW: interleaving %s in %d of 4000 runs, want about 1000", order, n)
		}
	}
	random := count(func(seed uint64) Policy { return NewRandom(seed, 10) })
	if n := random["[2 3 3 3]"]; n < 1800 {
		t.Errorf("random walk: tid 2 first in %d of 4000 runs, want about 2000", n)
	}
	a := interleave(NewSURW(7, 10, map[int]uint64{2: 4, 3: 4, 4: 4}), map[int]int{2: 4, 3: 4, 4: 4})
	b := interleave(NewSURW(7, 10, map[int]uint64{2: 4, 3: 4, 4: 4}), map[int]int{2: 4, 3: 4, 4: 4})
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("SURW seed 7 twice: %v and %v", a, b)
	}
}

// TestSURWKeepsOutOfTheWay checks that SURW never preempts a thread at a point that
// is not interesting (the C library's internals, a budget's end), and that a thread
// it draws while stopped elsewhere makes its next interesting event without a draw.
func TestSURWKeepsOutOfTheWay(t *testing.T) {
	for seed := range uint64(50) {
		p := NewSURW(seed, 10, map[int]uint64{2: 5, 3: 5})
		// The end of a budget in the program's code, the C library's atomics and
		// system calls, and a fence (a Sync point without an address) in the
		// program's code.
		for _, at := range []Thread{{TID: 2, Point: Budget, User: true}, {TID: 2, Point: Sync, Addr: 0x1000},
			{TID: 2, Point: Syscall}, {TID: 2, Point: Sync, User: true}} {
			r := []Thread{at, {TID: 3, Point: Sync, User: true, Addr: 0x1000}}
			if i := p.Pick(r[0], r, true); i != 0 || Interesting(at) {
				t.Fatalf("seed %d: preempted tid 2 at an uninteresting point %+v", seed, at)
			}
		}
		// The CPU is idle; whoever is drawn runs to its next interesting point and
		// makes it.
		r := []Thread{{TID: 2, Point: Budget}, {TID: 3, Point: Budget}}
		i := p.Pick(Thread{TID: 1, Point: Idle}, r, false)
		at := []Thread{{TID: r[i].TID, Point: Access, User: true}, {TID: r[1-i].TID, Point: Budget}}
		if j := p.Pick(at[0], at, true); j != 0 {
			t.Fatalf("seed %d: tid %d, drawn when the CPU was idle, was preempted at its interesting point", seed, r[i].TID)
		}
	}
}
