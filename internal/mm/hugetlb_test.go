package mm

import (
	"errors"
	"testing"
)

// hugeSetup returns an address space and a huge page pool of n pages.
func hugeSetup(t *testing.T, n int64) (*AddressSpace, *Pool, *HugePool) {
	t.Helper()
	as, pool := newAS(t)
	h := NewHugePool(pool)
	if got := h.SetPersistent(n); got != n {
		t.Fatalf("SetPersistent(%d) = %d", n, got)
	}
	return as, pool, h
}

type counts struct{ total, free, resv, surplus int64 }

func hugeCounts(h *HugePool) counts {
	t, f, r, s := h.Counts()
	return counts{t, f, r, s}
}

func wantCounts(t *testing.T, what string, h *HugePool, want counts) {
	t.Helper()
	if got := hugeCounts(h); got != want {
		t.Errorf("%s: pool = %+v, want %+v", what, got, want)
	}
}

func TestHugePoolSize(t *testing.T) {
	hugeBytes := int64(HugeFrames * FrameBytes)
	tests := []struct {
		name    string
		limit   int64 // the memory cap (0: none)
		inUse   int64 // pages taken before the resize
		set     int64
		want    int64 // what SetPersistent returns
		counts  counts
		charged int64 // bytes of the cap the pool holds
	}{
		{"grow", 0, 0, 3, 3, counts{3, 3, 0, 0}, 3 * hugeBytes},
		{"grow past the cap", 2*hugeBytes + 100, 0, 5, 2, counts{2, 2, 0, 0}, 2 * hugeBytes},
		{"shrink free pages", 0, 0, 1, 1, counts{1, 1, 0, 0}, hugeBytes},
		{"shrink below use: surplus", 0, 2, 0, 0, counts{2, 0, 0, 2}, 2 * hugeBytes},
		{"shrink to use", 0, 2, 2, 2, counts{2, 0, 0, 0}, 2 * hugeBytes},
		{"negative is zero", 0, 0, -4, 0, counts{0, 0, 0, 0}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pool := &Pool{Limit: tc.limit}
			h := NewHugePool(pool)
			h.SetPersistent(2)
			var taken []*HugePage
			for i := int64(0); i < tc.inUse; i++ {
				taken = append(taken, h.alloc(false))
			}
			if got := h.SetPersistent(tc.set); got != tc.want {
				t.Errorf("SetPersistent(%d) = %d, want %d", tc.set, got, tc.want)
			}
			wantCounts(t, "after", h, tc.counts)
			if pool.Used() != tc.charged {
				t.Errorf("charged %d bytes, want %d", pool.Used(), tc.charged)
			}
			// Pages in use going back: surplus ones leave the pool.
			for _, hp := range taken {
				hp.maybePut()
			}
			if _, _, _, s := h.Counts(); s != 0 {
				t.Errorf("surplus after the pages went back = %d, want 0", s)
			}
		})
	}
}

func TestHugeFaultWhole(t *testing.T) {
	as, _, h := hugeSetup(t, 2)
	const base = 0x40000000
	hm := NewHugePrivate(h, nil, base, HugeSize, false)
	if hm == nil {
		t.Fatal("NewHugePrivate of one page with two free = nil")
	}
	if err := as.MapHuge(base, HugeSize, rw, "", hm, 0); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, "mapped", h, counts{2, 2, 1, 0})
	f, fault := as.Page(base+5*PageSize+12, Store)
	if fault != nil {
		t.Fatalf("Page = %v", fault)
	}
	if f.huge == nil || f.Data[12] != 0 {
		t.Fatalf("frame of a huge page = %p (zero %v)", f.huge, f.Data[12] == 0)
	}
	if as.Stats.Resident != HugeFrames {
		t.Errorf("resident after one fault = %d, want %d (the whole page)", as.Stats.Resident, HugeFrames)
	}
	wantCounts(t, "faulted", h, counts{2, 1, 0, 0})
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"munmap 4 KiB", as.Unmap(base, PageSize)},
		{"munmap from inside", as.Unmap(base+PageSize, HugeSize-PageSize)},
		{"mprotect inside", as.Protect(base+PageSize, PageSize, PermRead)},
		{"MAP_FIXED over part", as.Map(base+HugeSize-PageSize, PageSize, rw, false, "")},
	} {
		if !errors.Is(tc.err, ErrHugeAlign) {
			t.Errorf("%s = %v, want ErrHugeAlign", tc.name, tc.err)
		}
	}
	if err := as.MapHuge(base+PageSize, HugeSize, rw, "", hm, 0); !errors.Is(err, ErrHugeAlign) {
		t.Errorf("MapHuge at an unaligned address = %v, want ErrHugeAlign", err)
	}
	if err := as.Unmap(base, HugeSize); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, "unmapped", h, counts{2, 2, 0, 0})
	if as.Stats.Resident != 0 {
		t.Errorf("resident after munmap = %d", as.Stats.Resident)
	}
}

func TestHugeReservations(t *testing.T) {
	as, _, h := hugeSetup(t, 3)
	if NewHugePrivate(h, nil, 0, 4*HugeSize, false) != nil {
		t.Error("a private reservation of 4 pages from 3 succeeded")
	}
	wantCounts(t, "refused", h, counts{3, 3, 0, 0})
	hm := NewHugePrivate(h, nil, 0x40000000, 3*HugeSize, false)
	as.MapHuge(0x40000000, 3*HugeSize, rw, "", hm, 0)
	// Unmapping the middle page gives its reservation back at once.
	if err := as.Unmap(0x40000000+HugeSize, HugeSize); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, "middle unmapped", h, counts{3, 3, 2, 0})
	nr := NewHugePrivate(h, nil, 0x80000000, 2*HugeSize, true)
	as.MapHuge(0x80000000, 2*HugeSize, rw, "", nr, 0)
	if _, f := as.Page(0x80000000, Store); f != nil {
		t.Fatalf("MAP_NORESERVE fault with one unreserved page = %v", f)
	}
	if _, f := as.Page(0x80000000+HugeSize, Store); f == nil || f.Kind != NoHugePage {
		t.Errorf("MAP_NORESERVE fault with none = %v, want NoHugePage", f)
	}
	// The reserved mapping still gets its pages.
	for _, a := range []uint64{0x40000000, 0x40000000 + 2*HugeSize} {
		if _, f := as.Page(a, Load); f != nil {
			t.Errorf("reserved fault at 0x%x = %v", a, f)
		}
	}
	wantCounts(t, "all taken", h, counts{3, 0, 0, 0})
	as.Release()
	wantCounts(t, "released", h, counts{3, 3, 0, 0})
}

func TestHugeForkCOW(t *testing.T) {
	as, _, h := hugeSetup(t, 2)
	const base = 0x40000000
	as.MapHuge(base, HugeSize, rw, "", NewHugePrivate(h, nil, base, HugeSize, false), 0)
	as.WriteAt([]byte("parent"), base+HugeSize-6)
	child, err := as.Fork()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.WriteAt([]byte("child"), base); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, "child copied", h, counts{2, 0, 0, 0})
	if got := string(read(t, child, base+HugeSize-6, 6)); got != "parent" {
		t.Errorf("child's copy ends with %q, want the parent's bytes", got)
	}
	if got := read(t, as, base, 5); string(got) == "child" {
		t.Error("the child's write reached the parent")
	}
	child.Release()
	wantCounts(t, "child gone", h, counts{2, 1, 0, 0})

	// With the pool empty, the owner's copy-on-write takes the page back from the
	// child, whose next touch is a bus error.
	h.SetPersistent(1)
	child, _ = as.Fork()
	if err := as.WriteAt([]byte("owner"), base); err != nil {
		t.Fatalf("owner's write with the pool empty = %v", err)
	}
	if _, f := child.Page(base, Load); f == nil || f.Kind != NoHugePage {
		t.Errorf("child's touch after losing the page = %v, want NoHugePage", f)
	}
	child.Release()
	as.Release()
	wantCounts(t, "all gone", h, counts{1, 1, 0, 0})
}

func TestHugeSharedFile(t *testing.T) {
	as, _, h := hugeSetup(t, 2)
	hf := NewHugeFile(h, nil)
	hf.Size = 2 * HugeSize
	if !hf.Reserve(0, 2) {
		t.Fatal("Reserve(0, 2) with 2 free = false")
	}
	if hf.Reserve(0, 2) != true || hugeCounts(h).resv != 2 {
		t.Errorf("reserving the same pages again: resv = %d, want 2", hugeCounts(h).resv)
	}
	const a, b = 0x40000000, 0x80000000
	as.MapHuge(a, 2*HugeSize, rw, "", NewHugeShared(h, hf), 0)
	other, _ := as.Fork()
	other.Unmap(a, 2*HugeSize)
	other.MapHuge(b, HugeSize, rw, "", NewHugeShared(h, hf), HugeSize)
	as.WriteAt([]byte("shared"), a+HugeSize+8)
	if got := string(read(t, other, b+8, 6)); got != "shared" {
		t.Errorf("the other mapping reads %q", got)
	}
	wantCounts(t, "one faulted", h, counts{2, 1, 1, 0})
	h.mem.ZapHuge(hf, 1)
	hf.Truncate(1)
	hf.Size = HugeSize
	if _, f := other.Page(b, Load); f == nil || f.Kind != PastEOF {
		t.Errorf("touching a truncated page = %v, want PastEOF", f)
	}
	wantCounts(t, "truncated", h, counts{2, 2, 1, 0})
	as.Release()
	other.Release()
	hf.Truncate(0)
	wantCounts(t, "file gone", h, counts{2, 2, 0, 0})
}

func TestHugeSubpool(t *testing.T) {
	_, _, h := hugeSetup(t, 4)
	// size=3 pages, min_size=2 pages: 2 reserved at mount.
	sp := NewHugeSubpool(h, 3, 2)
	wantCounts(t, "mounted", h, counts{4, 4, 2, 0})
	hf := NewHugeFile(h, sp)
	hf.Size = 4 * HugeSize
	if !hf.Reserve(0, 3) {
		t.Fatal("Reserve(0, 3) within size=3 = false")
	}
	wantCounts(t, "3 reserved, 2 from the minimum", h, counts{4, 4, 3, 0})
	if hf.Reserve(3, 1) {
		t.Error("Reserve past size= succeeded")
	}
	if hf.Page(3) != nil {
		t.Error("a page past size= was handed out")
	}
	hf.Truncate(0)
	wantCounts(t, "file emptied: the minimum stays reserved", h, counts{4, 4, 2, 0})
	sp.Release()
	wantCounts(t, "unmounted", h, counts{4, 4, 0, 0})
	if NewHugeSubpool(h, -1, 5) != nil {
		t.Error("a min_size the pool cannot cover was accepted")
	}
}

func TestUsage(t *testing.T) {
	as, _, h := hugeSetup(t, 1)
	mustMap(t, as, 0x10000, 4*PageSize, rw, false)
	as.WriteAt([]byte{1}, 0x10000)
	as.WriteAt([]byte{1}, 0x11000)
	hm := NewHugePrivate(h, nil, 0x40000000, HugeSize, false)
	as.MapHuge(0x40000000, HugeSize, rw, "", hm, 0)
	as.WriteAt([]byte{1}, 0x40000000)
	anon, huge := as.Find(0x10000), as.Find(0x40000000)
	if got, want := as.Usage(anon), (VMAUsage{Rss: 2 * PageSize, Pss: 2 * PageSize, Private: 2 * PageSize, Anonymous: 2 * PageSize}); got != want {
		t.Errorf("Usage before fork = %+v, want %+v", got, want)
	}
	child, _ := as.Fork()
	child.WriteAt([]byte{2}, 0x11000) // the child's own copy of one page
	if got, want := as.Usage(anon), (VMAUsage{Rss: 2 * PageSize, Pss: PageSize + PageSize/2, Shared: PageSize, Private: PageSize, Anonymous: 2 * PageSize}); got != want {
		t.Errorf("Usage after fork = %+v, want %+v", got, want)
	}
	if got, want := as.Usage(huge), (VMAUsage{SharedHugetlb: HugeSize}); got != want {
		t.Errorf("Usage of a huge page shared with the child = %+v, want %+v", got, want)
	}
	child.Release()
	if got, want := as.Usage(huge), (VMAUsage{PrivateHugetlb: HugeSize}); got != want {
		t.Errorf("Usage of a huge page of one process = %+v, want %+v", got, want)
	}
}
