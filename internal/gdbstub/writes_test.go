package gdbstub

import "testing"

// The bookkeeping of gdb's writes: which a re-execution from an instant still has to
// make, where it must stop for the next one, and what going back forgets.
func TestWriteBookkeeping(t *testing.T) {
	s := &Stub{writes: []dbgWrite{
		{at: instant{3, 100}, pid: 7, addr: 1, data: []byte{1}},
		{at: instant{3, 150}, hold: true, resumed: map[int]bool{7: true}},
		{at: instant{5, 400}, tid: 7},
	}}
	starts := []struct {
		from    instant
		next    int
		resumed bool
	}{
		{instant{1, 0}, 0, false},
		{instant{3, 100}, 0, false}, // a write at a checkpoint's instant is not in it
		{instant{3, 101}, 1, false},
		{instant{4, 200}, 2, true}, // the hold made before the checkpoint is restored
		{instant{6, 0}, 3, true},
	}
	for _, c := range starts {
		s.startWrites(c.from)
		if s.wnext != c.next || (s.resumed != nil) != c.resumed {
			t.Errorf("startWrites(%v): next %d, resumed %v; want %d, %v", c.from, s.wnext, s.resumed, c.next, c.resumed)
		}
	}
	limits := []struct {
		cur     instant
		next    int
		n, want uint64
	}{
		{instant{3, 40}, 0, 0, 60},       // no limit: to the write
		{instant{3, 40}, 0, 10, 10},      // a nearer limit stands
		{instant{3, 40}, 0, 100, 60},     // a farther one is cut
		{instant{2, 40}, 0, 0, 0},        // the write is in a later slice
		{instant{3, 100}, 1, 1, 1},       // the next write is at 150
		{instant{3, 120}, 1, 0, 30},      //
		{instant{5, 10}, 3, 5, 5},        // none left
		{instant{3, 100}, 0, 0, 0},       // at the write's instant: made by this Check
		{instant{3, 200}, 2, 1000, 1000}, // the next, at (5, 400), is a later slice's
	}
	for _, c := range limits {
		s.cur, s.wnext = c.cur, c.next
		if got := s.writeLimit(c.n); got != c.want {
			t.Errorf("at %v with write %d next, writeLimit(%d) = %d, want %d", c.cur, c.next, c.n, got, c.want)
		}
	}
	// Back to (3, 150): the write there stays, the later one goes with the checkpoints
	// after it, and the output from here is written again.
	st := &outStream{written: 500}
	s.writers = []*genWriter{{s: s, st: st, off: 320}}
	s.points = []savedPoint{{at: instant{2, 0}}, {at: instant{3, 150}}, {at: instant{4, 0}}}
	s.forgetAfter(instant{3, 150})
	if len(s.writes) != 2 || s.wnext != 2 || len(s.points) != 2 || st.written != 320 {
		t.Errorf("after forgetAfter: %d writes (next %d), %d checkpoints, %d bytes written; want 2 (2), 2, 320",
			len(s.writes), s.wnext, len(s.points), st.written)
	}
	// Nothing after the instant: nothing is forgotten.
	st.written = 500
	s.forgetAfter(instant{9, 0})
	if len(s.writes) != 2 || len(s.points) != 2 || st.written != 500 {
		t.Errorf("forgetAfter past the last write changed the history")
	}
}
