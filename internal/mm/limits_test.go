package mm

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"testing"
)

// Every host allocation a guest causes through its address space counts against the
// pool: frames, page-table nodes and VMAs.

func TestSparsePagesChargeTheirTables(t *testing.T) {
	as, pool := newAS(t)
	const n = 64
	mustMap(t, as, 0x1000_0000, n<<21, rw, false)
	before := pool.Used()
	for i := uint64(0); i < n; i++ { // one page every 2 MiB: a leaf node each
		if _, f := as.Page(0x1000_0000+i<<21, Store); f != nil {
			t.Fatal(f)
		}
	}
	got := pool.Used() - before
	if min := int64(n) * (PageSize + leafBytes); got < min {
		t.Errorf("64 sparse pages charged %d bytes, want at least %d (frames and leaf nodes)", got, min)
	}
	as.Release()
	if pool.Used() != 0 || pool.InUse() != 0 {
		t.Errorf("after Release: %d bytes, %d frames in use; want 0, 0", pool.Used(), pool.InUse())
	}
}

func TestCapBoundsPageTableCopies(t *testing.T) {
	as, pool := newAS(t)
	const n = 256
	mustMap(t, as, 0x1000_0000, n<<21, rw, false)
	for i := uint64(0); i < n; i++ {
		as.Page(0x1000_0000+i<<21, Store)
	}
	pool.Limit = pool.Used() + 64*leafBytes
	child, err := as.Fork()
	if err != nil {
		t.Fatal(err)
	}
	// Making the whole range read-only in the child would copy 256 shared leaves.
	if err := child.Protect(0x1000_0000, n<<21, PermRead); !errors.Is(err, ErrOutOfMemory) {
		t.Errorf("Protect copying 256 leaves under a cap of 64 = %v, want ErrOutOfMemory", err)
	}
	if pool.Used() > pool.Limit {
		t.Errorf("pool used %d bytes past its limit of %d", pool.Used(), pool.Limit)
	}
	// Unmapping all of it copies only the nodes at the range's edges: whole shared
	// subtrees inside it are dropped, not copied.
	used := pool.Used()
	if err := child.Unmap(0x1000_0000, n<<21); err != nil {
		t.Fatal(err)
	}
	if grew := pool.Used() - used; grew > 2*(levels-1)*interiorBytes {
		t.Errorf("Unmap of a shared range grew the pool by %d bytes, want at most the edge nodes (%d)", grew, 2*(levels-1)*interiorBytes)
	}
	if child.Stats.Resident != 0 {
		t.Errorf("child resident after unmapping everything = %d, want 0", child.Stats.Resident)
	}
	if got := read(t, as, 0x1000_0000+5<<21, 1); got[0] != 0 {
		t.Errorf("parent's page changed")
	}
}

func TestAdjacentMappingsMerge(t *testing.T) {
	as, _ := newAS(t)
	as.MmapBase = 0x40_0000_0000
	for i := 0; i < 200_000; i++ {
		a := as.FindFree(PageSize)
		if a == 0 {
			t.Fatal("FindFree = 0")
		}
		mustMap(t, as, a, PageSize, rw, false)
	}
	if as.MapCount() != 1 {
		t.Errorf("200000 adjacent anonymous mappings = %d VMAs, want 1", as.MapCount())
	}
}

func TestMaxMapCount(t *testing.T) {
	as, pool := newAS(t)
	as.MmapBase = 0x40_0000_0000
	var err error
	for i := 0; i <= MaxMapCount; i++ {
		a := as.FindFree(PageSize)
		perm := rw
		if i%2 == 0 {
			perm = PermRead // alternate so that nothing merges
		}
		if err = as.Map(a, PageSize, perm, false, ""); err != nil {
			break
		}
	}
	if !errors.Is(err, ErrMapCount) || as.MapCount() != MaxMapCount {
		t.Errorf("mapping past vm.max_map_count: err %v with %d VMAs, want ErrMapCount at %d", err, as.MapCount(), MaxMapCount)
	}
	if pool.Used() < int64(MaxMapCount)*vmaBytes {
		t.Errorf("%d VMAs charged %d bytes, want at least %d", MaxMapCount, pool.Used(), int64(MaxMapCount)*vmaBytes)
	}
	as.Release()
	if pool.Used() != 0 {
		t.Errorf("after Release: %d bytes in use, want 0", pool.Used())
	}
}

// TestFindFreeAgainstScan checks the tree's gap search against a linear scan over
// random mappings.
func TestFindFreeAgainstScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	as, _ := newAS(t)
	as.MmapBase = 0x1000_0000
	for i := 0; i < 3000; i++ {
		start := uint64(r.IntN(0x1000_0000/PageSize)) * PageSize
		length := uint64(1+r.IntN(16)) * PageSize
		if start+length > 0x1200_0000 {
			continue
		}
		if r.IntN(3) == 0 {
			as.Unmap(start, length)
		} else {
			as.Map(start, length, Perm(1+r.IntN(3)), false, "")
		}
		want := uint64(1+r.IntN(64)) * PageSize
		if got, exp := as.FindFree(want), scanFree(as, want); got != exp {
			t.Fatalf("step %d: FindFree(%#x) = %#x, want %#x", i, want, got, exp)
		}
	}
}

func scanFree(as *AddressSpace, length uint64) uint64 {
	top := as.MmapBase
	vs := as.VMAs()
	for i := len(vs) - 1; i >= 0; i-- {
		v := vs[i]
		if v.Start >= top {
			continue
		}
		if v.End <= top && top-v.End >= length {
			return top - length
		}
		top = v.Start
	}
	if top >= length+PageSize {
		return top - length
	}
	return scanLowest(as, length, max(UnmappedBase, as.MmapBase), UserTop)
}

// scanLowest is lowestFree by a linear scan: the lowest a >= floor with [a, a+length)
// free and below top.
func scanLowest(as *AddressSpace, length, floor, top uint64) uint64 {
	a := floor
	for _, v := range as.VMAs() {
		if v.End <= a {
			continue
		}
		if v.Start >= a && v.Start-a >= length {
			break
		}
		a = max(a, v.End)
	}
	if a+length <= top {
		return a
	}
	return 0
}

// TestLowestFreeAgainstScan checks the tree's bottom-up gap search (mmap's fallback
// once nothing below MmapBase is free) against a linear scan over random mappings.
func TestLowestFreeAgainstScan(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	as, _ := newAS(t)
	const span = 0x100_0000
	for i := 0; i < 3000; i++ {
		start := UnmappedBase + uint64(r.IntN(span/PageSize))*PageSize
		length := uint64(1+r.IntN(16)) * PageSize
		if r.IntN(3) == 0 {
			as.Unmap(start, length)
		} else {
			as.Map(start, length, Perm(1+r.IntN(3)), false, "")
		}
		want := uint64(1+r.IntN(64)) * PageSize
		top := UnmappedBase + span + uint64(r.IntN(2))*0x10_0000
		if got, exp := as.vmas.lowestFree(want, UnmappedBase, top), scanLowest(as, want, UnmappedBase, top); got != exp {
			t.Fatalf("step %d: lowestFree(%#x) = %#x, want %#x", i, want, got, exp)
		}
	}
}

// TestFrameBytes measures what a Frame takes from Go's heap, which FrameBytes charges.
func TestFrameBytes(t *testing.T) {
	const n = 256
	var before, after runtime.MemStats
	keep := make([]*Frame, n)
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = new(Frame)
	}
	runtime.ReadMemStats(&after)
	if got := int64(after.TotalAlloc-before.TotalAlloc) / n; got != FrameBytes {
		t.Errorf("a Frame takes %d bytes of heap, FrameBytes = %d", got, FrameBytes)
	}
	runtime.KeepAlive(keep)
}
