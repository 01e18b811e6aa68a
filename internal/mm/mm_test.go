package mm

import (
	"bytes"
	"errors"
	"testing"
)

const rw = PermRead | PermWrite

func newAS(t *testing.T) (*AddressSpace, *Pool) {
	t.Helper()
	pool := &Pool{}
	return New(pool), pool
}

func mustMap(t *testing.T, as *AddressSpace, start, length uint64, perm Perm, shared bool) {
	t.Helper()
	if err := as.Map(start, length, perm, shared, ""); err != nil {
		t.Fatalf("Map(0x%x, 0x%x) = %v", start, length, err)
	}
}

func read(t *testing.T, as *AddressSpace, addr uint64, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if err := as.ReadAt(b, addr); err != nil {
		t.Fatalf("ReadAt(0x%x) = %v", addr, err)
	}
	return b
}

func TestLazyZeroFill(t *testing.T) {
	as, pool := newAS(t)
	mustMap(t, as, 0x10000, 16*PageSize, rw, false)
	if pool.InUse() != 0 {
		t.Fatalf("frames after Map = %d, want 0 (allocation is lazy)", pool.InUse())
	}
	if got := read(t, as, 0x10000+5*PageSize, 8); !bytes.Equal(got, make([]byte, 8)) {
		t.Fatalf("fresh page = %x, want zeros", got)
	}
	if pool.InUse() != 1 || as.Stats.PageFaults != 1 {
		t.Fatalf("frames, faults = %d, %d; want 1, 1", pool.InUse(), as.Stats.PageFaults)
	}
}

func TestFaults(t *testing.T) {
	as, _ := newAS(t)
	mustMap(t, as, 0x10000, PageSize, PermRead, false)
	tests := []struct {
		addr uint64
		acc  Access
		kind FaultKind
	}{
		{0x10, Store, Unmapped},
		{0x10000, Store, Protection},
		{0x10000, Fetch, Protection},
		{0x11000, Load, Unmapped},
		{AddrLimit + 0x1000, Load, Unmapped},
	}
	for _, tt := range tests {
		_, f := as.Page(tt.addr, tt.acc)
		if f == nil || f.Kind != tt.kind || f.Addr != tt.addr || f.Access != tt.acc {
			t.Errorf("Page(0x%x, %v) = %+v, want %v fault", tt.addr, tt.acc, f, tt.kind)
		}
	}
	if _, f := as.Page(0x10000, Load); f != nil {
		t.Errorf("Page(0x10000, load) = %v, want no fault", f)
	}
}

// A forked child's writes never reach the parent, and the parent's never reach the
// child; each copies only the page it writes.
func TestForkCopyOnWrite(t *testing.T) {
	parent, pool := newAS(t)
	mustMap(t, parent, 0x10000, 64*PageSize, rw, false)
	for i := uint64(0); i < 64; i++ {
		if err := parent.WriteAt([]byte{byte(i)}, 0x10000+i*PageSize); err != nil {
			t.Fatal(err)
		}
	}
	before := pool.InUse()
	child, _ := parent.Fork()
	if pool.InUse() != before {
		t.Fatalf("frames after fork = %d, want %d (fork copies no pages)", pool.InUse(), before)
	}
	if err := child.WriteAt([]byte{0xcc}, 0x10000+3*PageSize); err != nil {
		t.Fatal(err)
	}
	if err := parent.WriteAt([]byte{0xaa}, 0x10000+7*PageSize); err != nil {
		t.Fatal(err)
	}
	if got := read(t, parent, 0x10000+3*PageSize, 1)[0]; got != 3 {
		t.Errorf("parent page 3 = %#x, want 0x03 (child's write leaked)", got)
	}
	if got := read(t, child, 0x10000+3*PageSize, 1)[0]; got != 0xcc {
		t.Errorf("child page 3 = %#x, want 0xcc", got)
	}
	if got := read(t, child, 0x10000+7*PageSize, 1)[0]; got != 7 {
		t.Errorf("child page 7 = %#x, want 0x07 (parent's write leaked)", got)
	}
	if child.Stats.COWCopies != 1 || parent.Stats.COWCopies != 1 {
		t.Errorf("COW copies child, parent = %d, %d; want 1, 1", child.Stats.COWCopies, parent.Stats.COWCopies)
	}
	if got := pool.InUse() - before; got != 2 {
		t.Errorf("frames copied = %d, want 2", got)
	}
	// After the child exits, the parent's pages are its own again: writing copies nothing.
	child.Release()
	copies := parent.Stats.COWCopies
	for i := uint64(0); i < 64; i++ {
		if err := parent.WriteAt([]byte{0x55}, 0x10000+i*PageSize); err != nil {
			t.Fatal(err)
		}
	}
	if parent.Stats.COWCopies != copies {
		t.Errorf("COW copies after the child released = %d, want %d", parent.Stats.COWCopies, copies)
	}
}

func TestSharedMappingSurvivesFork(t *testing.T) {
	parent, _ := newAS(t)
	mustMap(t, parent, 0x20000, 2*PageSize, rw, true)
	child, _ := parent.Fork()
	if err := child.WriteAt([]byte("hello"), 0x20000+PageSize); err != nil {
		t.Fatal(err)
	}
	if got := read(t, parent, 0x20000+PageSize, 5); string(got) != "hello" {
		t.Errorf("parent sees %q in the shared page, want %q", got, "hello")
	}
	if child.Stats.COWCopies != 0 {
		t.Errorf("COW copies of a shared page = %d, want 0", child.Stats.COWCopies)
	}
}

// Fork cost does not depend on the size of the address space: it copies one root node.
func TestForkIsConstantTime(t *testing.T) {
	as, pool := newAS(t)
	mustMap(t, as, 0x1000_0000, 1<<30, rw, false)
	for a := uint64(0x1000_0000); a < 0x1000_0000+64<<20; a += PageSize {
		if _, f := as.Page(a, Store); f != nil {
			t.Fatal(f)
		}
	}
	in := pool.InUse()
	c, _ := as.Fork()
	if pool.InUse() != in {
		t.Errorf("fork of a 64 MiB heap allocated %d frames, want 0", pool.InUse()-in)
	}
	pages, shared := c.Resident()
	if pages != 64<<20/PageSize {
		t.Errorf("child resident pages = %d, want %d", pages, 64<<20/PageSize)
	}
	_ = shared
}

func TestUnmapProtectSplit(t *testing.T) {
	as, pool := newAS(t)
	mustMap(t, as, 0x10000, 8*PageSize, rw, false)
	for a := uint64(0x10000); a < 0x18000; a += PageSize {
		as.WriteAt([]byte{1}, a)
	}
	as.Unmap(0x12000, 2*PageSize)
	if n := len(as.VMAs()); n != 2 {
		t.Fatalf("VMAs after punching a hole = %d, want 2", n)
	}
	if pool.InUse() != 6 {
		t.Errorf("frames after unmapping 2 of 8 pages = %d, want 6", pool.InUse())
	}
	if _, f := as.Page(0x12000, Load); f == nil || f.Kind != Unmapped {
		t.Errorf("load from the hole = %v, want unmapped fault", f)
	}
	if err := as.Protect(0x15000, PageSize, PermRead); err != nil {
		t.Fatal(err)
	}
	if _, f := as.Page(0x15000, Store); f == nil || f.Kind != Protection {
		t.Errorf("store after mprotect(PROT_READ) = %v, want protection fault", f)
	}
	if _, f := as.Page(0x16000, Store); f != nil {
		t.Errorf("store next to the protected page = %v, want none", f)
	}
	if err := as.Protect(0x11000, 2*PageSize, PermRead); err == nil {
		t.Errorf("Protect over a hole succeeded, want an error (ENOMEM)")
	}
}

func TestBrk(t *testing.T) {
	as, _ := newAS(t)
	as.BrkStart, as.Brk = 0x40000, 0x40000
	if got := as.SetBrk(0x40000 + 3*PageSize + 5); got != 0x40000+3*PageSize+5 {
		t.Fatalf("SetBrk(grow) = 0x%x", got)
	}
	if err := as.WriteAt([]byte{9}, 0x40000+3*PageSize+4); err != nil {
		t.Fatalf("write below the new break: %v", err)
	}
	if got := as.SetBrk(0x1000); got != 0x40000+3*PageSize+5 {
		t.Errorf("SetBrk(below start) = 0x%x, want the break unchanged", got)
	}
	as.SetBrk(0x40000 + PageSize)
	if _, f := as.Page(0x40000+2*PageSize, Load); f == nil {
		t.Errorf("load above a shrunk break succeeded")
	}
	// The break cannot grow over another mapping.
	mustMap(t, as, 0x50000, PageSize, rw, false)
	if got := as.SetBrk(0x60000); got != 0x40000+PageSize {
		t.Errorf("SetBrk over a mapping = 0x%x, want 0x%x", got, 0x40000+PageSize)
	}
}

func TestRemapMovesPages(t *testing.T) {
	as, _ := newAS(t)
	as.MmapBase = 0x4000_0000
	mustMap(t, as, 0x10000, 2*PageSize, rw, false)
	mustMap(t, as, 0x12000, PageSize, rw, false) // blocks growth in place
	as.WriteAt([]byte("abc"), 0x10000+PageSize)
	addr, err := as.Remap(0x10000, 2*PageSize, 8*PageSize, true)
	if err != nil {
		t.Fatal(err)
	}
	if addr == 0x10000 {
		t.Fatalf("Remap grew in place over another mapping")
	}
	if got := read(t, as, addr+PageSize, 3); string(got) != "abc" {
		t.Errorf("moved contents = %q, want %q", got, "abc")
	}
	if as.Find(0x10000) != nil {
		t.Errorf("old range still mapped after the move")
	}
	if _, err := as.Remap(0x12000, PageSize, 4*PageSize, false); !errors.Is(err, ErrNoSpace) && err != nil {
		t.Errorf("Remap without MAYMOVE = %v", err)
	}
}

func TestPoolCap(t *testing.T) {
	pool := &Pool{}
	as := New(pool)
	mustMap(t, as, 0x10000, 16*PageSize, rw, false)
	// Room for the page-table path to the first page and four frames.
	pool.Limit = pool.Used() + as.pathCost(0x10) + 4*FrameBytes
	for i := uint64(0); i < 4; i++ {
		if _, f := as.Page(0x10000+i*PageSize, Store); f != nil {
			t.Fatal(f)
		}
	}
	if _, f := as.Page(0x10000+4*PageSize, Store); f == nil || f.Kind != OutOfMemory {
		t.Errorf("fifth frame under a cap of 4 = %v, want out-of-memory fault", f)
	}
}

func TestReadString(t *testing.T) {
	as, _ := newAS(t)
	mustMap(t, as, 0x10000, 2*PageSize, rw, false)
	// A string that crosses a page boundary.
	as.WriteAt([]byte("hello\x00"), 0x10000+PageSize-3)
	s, ok, err := as.ReadString(0x10000+PageSize-3, 100)
	if s != "hello" || !ok || err != nil {
		t.Errorf("ReadString = %q, %v, %v; want \"hello\", true, nil", s, ok, err)
	}
	if _, ok, _ := as.ReadString(0x10000+PageSize-3, 3); ok {
		t.Errorf("ReadString with max 3 found the NUL, want not ok")
	}
	as.WriteAt([]byte("ab"), 0x10000+2*PageSize-2)
	if _, _, err := as.ReadString(0x10000+2*PageSize-2, 100); err == nil {
		t.Errorf("ReadString running off the mapping succeeded")
	}
}

// A file's frames mapped in two address spaces (and at two addresses in one) are the
// same memory, and unmapping them returns nothing to the pool: the file owns them.
func TestMapFramesShared(t *testing.T) {
	as, pool := newAS(t)
	frames := []*Frame{NewFileFrame(), NewFileFrame()}
	if err := as.MapFrames(0x10000, frames, rw, "/tmp/f"); err != nil {
		t.Fatal(err)
	}
	if err := as.MapFrames(0x40000, frames, rw, "/tmp/f"); err != nil {
		t.Fatal(err)
	}
	child, _ := as.Fork()
	if err := child.WriteAt([]byte("shared"), 0x10000+PageSize); err != nil {
		t.Fatal(err)
	}
	if got := read(t, as, 0x40000+PageSize, 6); string(got) != "shared" {
		t.Errorf("the other mapping reads %q, want %q", got, "shared")
	}
	if got := string(frames[1].Data[:6]); got != "shared" {
		t.Errorf("the file's frame holds %q, want %q", got, "shared")
	}
	if child.Stats.COWCopies != 0 {
		t.Errorf("COW copies of a shared file page = %d, want 0", child.Stats.COWCopies)
	}
	child.Release()
	as.Release()
	if pool.InUse() != 0 {
		t.Errorf("frames in the pool after unmapping a file = %d, want 0", pool.InUse())
	}
}

// fakeFile is a file of size pages for MapFile: its pages are made on first use.
type fakeFile struct {
	pages []*Frame
	size  uint64 // in pages
	held  int
	// lazy: pages need room to be written (a file system that gives blocks at the
	// first store); room says whether it has it.
	lazy, room bool
	stores     int // FilePage calls for a store
}

func (f *fakeFile) FilePage(i uint64, write bool) (*Frame, PageState) {
	if i >= f.size {
		return nil, PagePastEOF
	}
	if write {
		f.stores++
	}
	if f.lazy && write && !f.room {
		return nil, PageNoSpace
	}
	for uint64(len(f.pages)) <= i {
		f.pages = append(f.pages, nil)
	}
	if f.pages[i] == nil {
		f.pages[i] = NewFileFrame()
	}
	if f.lazy && !write {
		return f.pages[i], PageReadOnly
	}
	return f.pages[i], PageWritable
}

// TestMapFileMkwrite: a page its file maps read-only until the first store is read
// without asking the file again; the first store asks, and is a NoSpace fault while the
// file has no room; once it has, the store maps the page writable and later stores do
// not ask again.
func TestMapFileMkwrite(t *testing.T) {
	as, _ := newAS(t)
	file := &fakeFile{size: 1, lazy: true}
	const base = 0x40000
	if err := as.MapFile(base, PageSize, rw, "f", file, 0); err != nil {
		t.Fatal(err)
	}
	if _, fault := as.Page(base, Load); fault != nil {
		t.Fatalf("Page(Load) = %v, want the page", fault)
	}
	if _, fault := as.Page(base+8, Store); fault == nil || fault.Kind != NoSpace {
		t.Fatalf("Page(Store) with no room = %v, want a NoSpace fault", fault)
	}
	file.room = true
	for i := 0; i < 2; i++ {
		if _, fault := as.Page(base+8, Store); fault != nil {
			t.Fatalf("Page(Store) with room = %v, want the page", fault)
		}
	}
	if file.stores != 2 {
		t.Errorf("the file was asked for %d stores, want 2 (the refused one and the first)", file.stores)
	}
}

func (f *fakeFile) Hold(delta int) { f.held += delta }

func TestMapFile(t *testing.T) {
	as, pool := newAS(t)
	file := &fakeFile{size: 2}
	const base = 0x40000
	if err := as.MapFile(base, 4*PageSize, rw, "f", file, PageSize); err != nil {
		t.Fatal(err)
	}
	if len(file.pages) != 0 || file.held != 1 {
		t.Fatalf("after MapFile: %d pages made, held %d; want 0, 1 (pages come on first touch)", len(file.pages), file.held)
	}
	// The mapping starts at the file's page 1: page 0 of the mapping is file page 1,
	// page 1 of the mapping is past the end.
	if err := as.WriteAt([]byte("hi"), base); err != nil {
		t.Fatalf("WriteAt(base) = %v", err)
	}
	if got := string(file.pages[1].Data[:2]); got != "hi" {
		t.Fatalf("file page 1 = %q, want the store through the mapping", got)
	}
	_, fault := as.Page(base+PageSize+8, Load)
	if fault == nil || fault.Kind != PastEOF || fault.Addr != base+PageSize+8 {
		t.Fatalf("Page(past the end) = %v, want a PastEOF fault at 0x%x", fault, base+PageSize+8)
	}
	child, err := as.Fork()
	if err != nil {
		t.Fatal(err)
	}
	if file.held != 2 {
		t.Fatalf("held after fork = %d, want 2", file.held)
	}
	if got := read(t, child, base, 2); string(got) != "hi" {
		t.Fatalf("child reads %q, want the file's page", got)
	}
	// Truncating to one page takes page 1 from both.
	file.size = 1
	pool.ZapFile(file, 1)
	for _, s := range []*AddressSpace{as, child} {
		if _, fault := s.Page(base, Load); fault == nil || fault.Kind != PastEOF {
			t.Fatalf("Page(base) after truncation = %v, want PastEOF", fault)
		}
	}
	if file.pages[1].Refs() != 0 {
		t.Fatalf("truncated page has %d references, want 0", file.pages[1].Refs())
	}
	child.Release()
	as.Release()
	if file.held != 0 || len(pool.spaces) != 0 {
		t.Fatalf("after Release: held %d, %d live address spaces; want 0, 0", file.held, len(pool.spaces))
	}
}

func TestStackGrowth(t *testing.T) {
	as, _ := newAS(t)
	const top = 0x800000
	mustMap(t, as, top-4*PageSize, 4*PageSize, rw, false)
	as.Find(top - PageSize).GrowsDown = true
	as.StackLimit = 64 * PageSize
	if _, f := as.Page(top-64*PageSize, Store); f != nil {
		t.Fatalf("Page(64 pages below the top) = %v, want the stack grown to RLIMIT_STACK", f)
	}
	if v := as.Find(top - 64*PageSize); v == nil || v.Start != top-64*PageSize || v.End != top {
		t.Fatalf("stack VMA = %+v, want [0x%x, 0x%x)", v, top-64*PageSize, top)
	}
	if _, f := as.Page(top-65*PageSize, Load); f == nil || f.Kind != Unmapped {
		t.Fatalf("Page(65 pages below) = %v, want Unmapped (past RLIMIT_STACK)", f)
	}
	// A mapping below keeps the stack StackGuardGap away.
	as.StackLimit = 0
	low := uint64(top - 64*PageSize - StackGuardGap - 8*PageSize)
	mustMap(t, as, low, PageSize, rw, false)
	if _, f := as.Page(low+PageSize+StackGuardGap, Load); f != nil {
		t.Fatalf("Page(at the gap's edge) = %v, want growth", f)
	}
	if _, f := as.Page(low+StackGuardGap, Load); f == nil {
		t.Fatalf("Page(inside the gap) succeeded, want Unmapped")
	}
}

func TestGrowsDownPlacement(t *testing.T) {
	as, _ := newAS(t)
	as.MmapBase = 0x10000000
	top := as.MmapBase
	mustMap(t, as, top-4*PageSize, 4*PageSize, rw, false)
	if a := as.FindFree(PageSize); a != top-5*PageSize {
		t.Fatalf("FindFree below a plain mapping = 0x%x, want 0x%x", a, top-5*PageSize)
	}
	if err := as.SetGrowsDown(top-4*PageSize, 4*PageSize); err != nil {
		t.Fatal(err)
	}
	want := top - 4*PageSize - StackGuardGap - PageSize
	if a := as.FindFree(PageSize); a != want {
		t.Fatalf("FindFree below a MAP_GROWSDOWN mapping = 0x%x, want 0x%x (the guard gap kept free)", a, want)
	}
}
