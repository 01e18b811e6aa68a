package mm

import (
	"errors"
	"testing"
)

// touch writes one byte to each page of [start, start+n pages).
func touch(as *AddressSpace, start uint64, n int, b byte) error {
	for i := 0; i < n; i++ {
		if err := as.WriteAt([]byte{b}, start+uint64(i)*PageSize); err != nil {
			return err
		}
	}
	return nil
}

func TestMemcgCharge(t *testing.T) {
	parent := &MemCounter{Max: Unlimited}
	child := &MemCounter{Parent: parent, Max: 4}
	as, _ := newAS(t)
	as.Memcg = child
	mustMap(t, as, 0x10000, 8*PageSize, rw, false)
	if err := touch(as, 0x10000, 4, 1); err != nil {
		t.Fatalf("touching 4 pages under a limit of 4: %v", err)
	}
	if child.Pages != 4 || parent.Pages != 4 || child.Peak != 4 || child.Faults != 4 {
		t.Fatalf("after 4 pages: child %d (peak %d, faults %d), parent %d; want 4, 4, 4, 4", child.Pages, child.Peak, child.Faults, parent.Pages)
	}
	err := touch(as, 0x10000+4*PageSize, 1, 1)
	var f *Fault
	if !errors.As(err, &f) || f.Kind != CgroupOOM {
		t.Fatalf("5th page under a limit of 4: %v, want a CgroupOOM fault", err)
	}
	if child.Pages != 4 || child.Full() != child {
		t.Fatalf("after the refused charge: %d pages, Full() = %p; want 4, the child %p", child.Pages, child.Full(), child)
	}
	// A copy on write is charged to the writer's counter; the last reference going
	// uncharges the frame from the counter it was charged to.
	other := &MemCounter{Max: Unlimited}
	c, err := as.Fork()
	if err != nil {
		t.Fatal(err)
	}
	c.Memcg = other
	if err := touch(c, 0x10000, 1, 2); err != nil {
		t.Fatal(err)
	}
	if other.Pages != 1 || child.Pages != 4 {
		t.Fatalf("after the child's copy: other %d, child %d; want 1, 4", other.Pages, child.Pages)
	}
	as.Release()
	if child.Pages != 3 || parent.Pages != 3 {
		t.Fatalf("after the parent's release: child %d, parent %d; want 3 (the pages the child still shares), 3", child.Pages, parent.Pages)
	}
	c.Release()
	if child.Pages != 0 || other.Pages != 0 || parent.Pages != 0 || parent.Peak != 4 {
		t.Fatalf("after both releases: child %d, other %d, parent %d (peak %d); want 0, 0, 0, 4", child.Pages, other.Pages, parent.Pages, parent.Peak)
	}
}

func TestLazyFreeReclaim(t *testing.T) {
	tests := []struct {
		name    string
		written []int // pages written again after MADV_FREE
		fork    bool  // fork after MADV_FREE
		want    int   // pages Reclaim unmaps in the parent
	}{
		{"all", nil, false, 8},
		{"two written again", []int{0, 5}, false, 6},
		{"shared with a child", nil, true, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cg := &MemCounter{Max: Unlimited}
			as, _ := newAS(t)
			as.Memcg = cg
			mustMap(t, as, 0x10000, 8*PageSize, rw, false)
			if err := touch(as, 0x10000, 8, 'a'); err != nil {
				t.Fatal(err)
			}
			if n, err := as.LazyFree(0x10000, 8*PageSize); n != 8 || err != nil {
				t.Fatalf("LazyFree = %d, %v; want 8, nil", n, err)
			}
			if got := read(t, as, 0x10000+3*PageSize, 1)[0]; got != 'a' {
				t.Fatalf("page 3 right after MADV_FREE = %q, want 'a'", got)
			}
			for _, p := range tc.written {
				if err := touch(as, 0x10000+uint64(p)*PageSize, 1, 'b'); err != nil {
					t.Fatal(err)
				}
			}
			var c *AddressSpace
			if tc.fork {
				var err error
				if c, err = as.Fork(); err != nil {
					t.Fatal(err)
				}
			}
			if got := as.Reclaim(); got != tc.want {
				t.Fatalf("Reclaim = %d, want %d", got, tc.want)
			}
			for p := 0; p < 8; p++ {
				want := byte(0)
				for _, w := range tc.written {
					if w == p {
						want = 'b'
					}
				}
				if got := read(t, as, 0x10000+uint64(p)*PageSize, 1)[0]; got != want {
					t.Errorf("page %d after Reclaim = %q, want %q", p, got, want)
				}
			}
			if c != nil {
				// The child still maps the frames: they are freed, and uncharged,
				// only when its reclaim drops them too.
				if got := read(t, c, 0x10000, 1)[0]; got != 'a' {
					t.Errorf("child's page 0 = %q, want 'a'", got)
				}
				c.Release()
			}
		})
	}
}

func TestReclaimDroppable(t *testing.T) {
	as, pool := newAS(t)
	mustMap(t, as, 0x10000, 4*PageSize, rw, false)
	mustMap(t, as, 0x20000, 4*PageSize, rw, false)
	if err := as.SetForkAdvice(0x20000, 4*PageSize, func(v *VMA) { v.Droppable = true }); err != nil {
		t.Fatal(err)
	}
	if err := touch(as, 0x10000, 4, 'x'); err != nil {
		t.Fatal(err)
	}
	if err := touch(as, 0x20000, 4, 'y'); err != nil {
		t.Fatal(err)
	}
	before := pool.InUse()
	if got := as.Reclaim(); got != 4 {
		t.Fatalf("Reclaim = %d, want 4 (the droppable pages)", got)
	}
	if got := pool.InUse(); got != before-4 {
		t.Fatalf("frames after Reclaim = %d, want %d", got, before-4)
	}
	if got := read(t, as, 0x10000, 1)[0]; got != 'x' {
		t.Fatalf("ordinary page = %q, want 'x'", got)
	}
	if got := read(t, as, 0x20000, 1)[0]; got != 0 {
		t.Fatalf("dropped page = %q, want 0", got)
	}
}

func TestReclaimHook(t *testing.T) {
	cg := &MemCounter{Max: 2}
	as, pool := newAS(t)
	as.Memcg = cg
	mustMap(t, as, 0x10000, 4*PageSize, rw, false)
	if err := touch(as, 0x10000, 2, 'a'); err != nil {
		t.Fatal(err)
	}
	if _, err := as.LazyFree(0x10000, 2*PageSize); err != nil {
		t.Fatal(err)
	}
	calls := 0
	pool.Reclaim = func(over *MemCounter, a *AddressSpace) bool {
		calls++
		if over != cg || a != as {
			t.Errorf("Reclaim(%p, %p), want (%p, %p)", over, a, cg, as)
		}
		return a.Reclaim() > 0
	}
	if err := touch(as, 0x10000+2*PageSize, 2, 'c'); err != nil {
		t.Fatalf("charging past the limit with freeable pages: %v", err)
	}
	if calls != 1 || cg.Pages != 2 {
		t.Fatalf("Reclaim calls %d, pages %d; want 1, 2", calls, cg.Pages)
	}
}
