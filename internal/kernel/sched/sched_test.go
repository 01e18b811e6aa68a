package sched

import "testing"

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
