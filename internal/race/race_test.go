package race

import "testing"

// TestDetector runs small event sequences and checks which are races.
func TestDetector(t *testing.T) {
	w := func(tid int, pc uint64) Access { return Access{TID: tid, Write: true, PC: pc} }
	r := func(tid int, pc uint64) Access { return Access{TID: tid, PC: pc} }
	type step func(d *Detector)
	acc := func(addr, size uint64, a Access) step {
		return func(d *Detector) { d.Access("as", addr, size, a) }
	}
	sync := func(tid int) step { return func(d *Detector) { d.Sync(tid) } }
	fork := func(p, c int) step { return func(d *Detector) { d.Fork(p, c) } }
	tests := []struct {
		name  string
		steps []step
		races int
	}{
		{"unsynchronised writes", []step{fork(1, 2), fork(1, 3), acc(0x100, 4, w(2, 1)), acc(0x100, 4, w(3, 2))}, 1},
		{"write then read", []step{fork(1, 2), fork(1, 3), acc(0x100, 8, w(2, 1)), acc(0x104, 4, r(3, 2))}, 1},
		{"read then write", []step{fork(1, 2), fork(1, 3), acc(0x100, 8, r(2, 1)), acc(0x100, 1, w(3, 2))}, 1},
		{"two reads", []step{fork(1, 2), fork(1, 3), acc(0x100, 8, r(2, 1)), acc(0x100, 8, r(3, 2))}, 0},
		{"neighbouring ints", []step{fork(1, 2), fork(1, 3), acc(0x100, 4, w(2, 1)), acc(0x104, 4, w(3, 2))}, 0},
		{"ordered by sync", []step{fork(1, 2), fork(1, 3), acc(0x100, 4, w(2, 1)), sync(2), sync(3), acc(0x100, 4, w(3, 2))}, 0},
		{"sync before the write orders nothing", []step{fork(1, 2), fork(1, 3), sync(2), acc(0x100, 4, w(2, 1)), sync(3), acc(0x100, 4, w(3, 2))}, 1},
		{"parent before child", []step{acc(0x100, 4, w(1, 1)), fork(1, 2), acc(0x100, 4, w(2, 2))}, 0},
		{"child exit, then join", []step{fork(1, 2), acc(0x100, 4, w(2, 1)), func(d *Detector) { d.Exit(2) }, sync(1), acc(0x100, 4, r(1, 2))}, 0},
		{"one report per pair of pcs", []step{fork(1, 2), fork(1, 3), acc(0x100, 4, w(2, 1)), acc(0x100, 4, w(3, 2)), acc(0x100, 4, w(2, 1))}, 1},
		{"straddling access", []step{fork(1, 2), fork(1, 3), acc(0x106, 4, w(2, 1)), acc(0x108, 1, r(3, 2))}, 1},
		{"same thread", []step{fork(1, 2), acc(0x100, 4, w(2, 1)), acc(0x100, 4, r(2, 2))}, 0},
	}
	for _, tc := range tests {
		d := New()
		for _, s := range tc.steps {
			s(d)
		}
		if len(d.Reports) != tc.races {
			t.Errorf("%s: %d races %v, want %d", tc.name, len(d.Reports), d.Reports, tc.races)
		}
	}
}
