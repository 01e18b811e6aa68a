package mm

import "testing"

// TestPoison: a poisoned page faults with HWPoison on every access and frees its
// frame; its neighbours keep their contents; a fork's child inherits the poison;
// Discard (MADV_DONTNEED) and Unmap clear it, and mremap moves it.
func TestPoison(t *testing.T) {
	as, pool := newAS(t)
	as.MmapBase = 0x4000_0000 // where Remap finds room to move to
	mustMap(t, as, 0x10000, 4*PageSize, PermRead|PermWrite, false)
	for i := uint64(0); i < 4; i++ {
		if err := as.WriteAt([]byte{'a' + byte(i)}, 0x10000+i*PageSize); err != nil {
			t.Fatal(err)
		}
	}
	frames := pool.InUse()
	f1, _ := as.Page(0x11000, Load)
	hit, err := as.Poison(0x11000, 2*PageSize)
	if len(hit) != 2 || err != nil || hit[0] != (Offlined{0x11000, f1.PFN()}) {
		t.Fatalf("Poison = %v, %v; want 2 pages, the first {0x11000 %#x}, nil", hit, err, f1.PFN())
	}
	if got := pool.InUse(); got != frames {
		t.Errorf("frames in use after Poison = %d, want %d (the failed ones out of use, still charged)", got, frames)
	}
	for _, h := range hit {
		if err := pool.UnpoisonPFN(h.PFN); err != nil {
			t.Errorf("UnpoisonPFN(%#x) = %v, want nil", h.PFN, err)
		}
	}
	if got := pool.InUse(); got != frames-2 {
		t.Errorf("frames in use after UnpoisonPFN = %d, want %d", got, frames-2)
	}
	for _, acc := range []Access{Load, Store, Fetch} {
		_, f := as.Page(0x11008, acc)
		if f == nil || f.Kind != HWPoison && !(acc == Fetch && f.Kind == Protection) {
			t.Errorf("Page(poisoned, %v) fault = %v, want HWPoison", acc, f)
		}
	}
	if got := read(t, as, 0x10000, 1)[0]; got != 'a' {
		t.Errorf("the page below reads %q, want 'a'", got)
	}
	child, err := as.Fork()
	if err != nil {
		t.Fatal(err)
	}
	if _, f := child.Page(0x11000, Load); f == nil || f.Kind != HWPoison {
		t.Errorf("child's Page(poisoned) fault = %v, want HWPoison", f)
	}
	if err := as.Discard(0x11000, PageSize); err != nil {
		t.Fatal(err)
	}
	if got := read(t, as, 0x11000, 1)[0]; got != 0 {
		t.Errorf("after Discard the page reads %d, want 0", got)
	}
	if _, f := child.Page(0x11000, Load); f == nil || f.Kind != HWPoison {
		t.Errorf("the parent's Discard cleared the child's poison: fault = %v", f)
	}
	dst, err := as.Remap(0x12000, PageSize, 2*PageSize, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, f := as.Page(dst, Load); f == nil || f.Kind != HWPoison {
		t.Errorf("a moved poisoned page: fault = %v, want HWPoison", f)
	}
	if err := as.Unmap(dst, 2*PageSize); err != nil {
		t.Fatal(err)
	}
	mustMap(t, as, dst, PageSize, PermRead|PermWrite, false)
	if got := read(t, as, dst, 1)[0]; got != 0 {
		t.Errorf("a new mapping over an unmapped poisoned page reads %d, want 0", got)
	}
	child.Release()
}

// TestSoftOffline: a page moves to a new frame with its contents, and the old frame
// stays charged, out of use, until UnpoisonPFN; a frame a fork's child shares moves
// for both.
func TestSoftOffline(t *testing.T) {
	as, pool := newAS(t)
	mustMap(t, as, 0x10000, 2*PageSize, PermRead|PermWrite, false)
	if err := as.WriteAt([]byte("xy"), 0x10000); err != nil {
		t.Fatal(err)
	}
	before, _ := as.Page(0x10000, Load)
	frames := pool.InUse()
	moved, err := as.SoftOffline(0x10000, 2*PageSize)
	if len(moved) != 1 || err != nil || moved[0] != (Offlined{0x10000, before.PFN()}) {
		t.Fatalf("SoftOffline = %v, %v; want [{0x10000 %#x}] (one page present), nil", moved, err, before.PFN())
	}
	after, _ := as.Page(0x10000, Load)
	if after == before || after.PFN() == before.PFN() || string(after.Data[:2]) != "xy" {
		t.Errorf("SoftOffline: same frame %v, contents %q; want a new frame holding \"xy\"", after == before, after.Data[:2])
	}
	if got := pool.InUse(); got != frames+1 {
		t.Errorf("frames in use = %d, want %d (the old one out of use)", got, frames+1)
	}
	if err := pool.UnpoisonPFN(before.PFN()); err != nil {
		t.Errorf("UnpoisonPFN(offlined) = %v, want nil", err)
	}
	if got := pool.InUse(); got != frames {
		t.Errorf("frames in use after UnpoisonPFN = %d, want %d", got, frames)
	}
	if err := pool.UnpoisonPFN(before.PFN()); err != ErrNotPoisoned {
		t.Errorf("UnpoisonPFN twice = %v, want ErrNotPoisoned", err)
	}
	if err := pool.UnpoisonPFN(after.PFN()); err != ErrNotPoisoned {
		t.Errorf("UnpoisonPFN(a frame in use) = %v, want ErrNotPoisoned", err)
	}
	child, err := as.Fork()
	if err != nil {
		t.Fatal(err)
	}
	if moved, _ := as.SoftOffline(0x10000, PageSize); len(moved) != 1 {
		t.Errorf("SoftOffline of a frame a child shares moved %d pages, want 1", len(moved))
	}
	p, _ := as.Page(0x10000, Load)
	c, _ := child.Page(0x10000, Load)
	if p != c || p == after || string(c.Data[:2]) != "xy" {
		t.Errorf("after SoftOffline parent and child map %p and %p (old %p), the child reads %q; want one new frame holding \"xy\"", p, c, after, c.Data[:2])
	}
	child.Release()
}

// TestGuard: a guard page drops its frame and faults with Guard on every access;
// Discard (MADV_DONTNEED) leaves the mark, a fork's child inherits it, mremap moves
// it, GuardRemove clears it (the page then reads zeros), and a poisoned page becomes
// a guard page.
func TestGuard(t *testing.T) {
	as, pool := newAS(t)
	as.MmapBase = 0x4000_0000
	mustMap(t, as, 0x10000, 4*PageSize, PermRead|PermWrite, false)
	for i := uint64(0); i < 4; i++ {
		if err := as.WriteAt([]byte{'a' + byte(i)}, 0x10000+i*PageSize); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := as.Poison(0x13000, PageSize); err != nil {
		t.Fatal(err)
	}
	frames := pool.InUse()
	if n, err := as.GuardInstall(0x11000, 3*PageSize); n != 3 || err != nil {
		t.Fatalf("GuardInstall = %d, %v; want 3, nil", n, err)
	}
	if got := pool.InUse(); got != frames-2 {
		t.Errorf("frames in use after GuardInstall = %d, want %d", got, frames-2)
	}
	for _, vaddr := range []uint64{0x11000, 0x12ff8, 0x13000} {
		for _, acc := range []Access{Load, Store} {
			if _, f := as.Page(vaddr, acc); f == nil || f.Kind != Guard {
				t.Errorf("Page(%#x, %v) fault = %v, want Guard", vaddr, acc, f)
			}
		}
	}
	if err := as.Peek(make([]byte, 1), 0x11000); err == nil {
		t.Errorf("Peek(guard page) = nil, want a fault")
	}
	if present, _, _, marked := as.PageState(0x12000); present || !marked {
		t.Errorf("PageState(guard) present %v, marked %v; want false, true", present, marked)
	}
	if !as.Guarded(0x12000) || as.Guarded(0x10000) {
		t.Errorf("Guarded(guard, plain) = %v, %v; want true, false", as.Guarded(0x12000), as.Guarded(0x10000))
	}
	if err := as.Discard(0x10000, 4*PageSize); err != nil {
		t.Fatal(err)
	}
	if _, f := as.Page(0x11000, Load); f == nil || f.Kind != Guard {
		t.Errorf("after Discard: fault = %v, want Guard", f)
	}
	child, err := as.Fork()
	if err != nil {
		t.Fatal(err)
	}
	if _, f := child.Page(0x12000, Store); f == nil || f.Kind != Guard {
		t.Errorf("child's Page(guard) fault = %v, want Guard", f)
	}
	if n, err := as.GuardRemove(0x10000, 3*PageSize); n != 2 || err != nil {
		t.Fatalf("GuardRemove = %d, %v; want 2, nil", n, err)
	}
	if got := read(t, as, 0x11000, 1)[0]; got != 0 {
		t.Errorf("after GuardRemove the page reads %d, want 0", got)
	}
	if _, f := child.Page(0x12000, Load); f == nil || f.Kind != Guard {
		t.Errorf("the parent's GuardRemove cleared the child's guard: fault = %v", f)
	}
	dst, err := as.Remap(0x13000, PageSize, 2*PageSize, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, f := as.Page(dst, Load); f == nil || f.Kind != Guard {
		t.Errorf("a moved guard page: fault = %v, want Guard", f)
	}
	if err := as.Unmap(dst, 2*PageSize); err != nil {
		t.Fatal(err)
	}
	mustMap(t, as, dst, PageSize, PermRead|PermWrite, false)
	if got := read(t, as, dst, 1)[0]; got != 0 {
		t.Errorf("a new mapping over an unmapped guard page reads %d, want 0", got)
	}
	child.Release()
}

// TestPoisonPFN: poisoning a frame by number poisons every entry that maps it, in the
// parent and in a fork's child, keeps its charge until UnpoisonPFN, and refuses a
// frame already out of use.
func TestPoisonPFN(t *testing.T) {
	as, pool := newAS(t)
	mustMap(t, as, 0x10000, 2*PageSize, PermRead|PermWrite, false)
	if err := as.WriteAt([]byte("ab"), 0x10000); err != nil {
		t.Fatal(err)
	}
	f, _ := as.Page(0x10000, Load)
	if !pool.ValidPFN(f.PFN()) || pool.ValidPFN(f.PFN()+100) || pool.ValidPFN(0) {
		t.Errorf("ValidPFN(%#x, %#x, 0) = %v, %v, %v; want true, false, false", f.PFN(), f.PFN()+100,
			pool.ValidPFN(f.PFN()), pool.ValidPFN(f.PFN()+100), pool.ValidPFN(0))
	}
	child, err := as.Fork()
	if err != nil {
		t.Fatal(err)
	}
	frames := pool.InUse()
	if n, err := pool.PoisonPFN(f.PFN()); n != 2 || err != nil {
		t.Fatalf("PoisonPFN = %d, %v; want 2 (parent and child), nil", n, err)
	}
	for _, s := range []*AddressSpace{as, child} {
		if _, fl := s.Page(0x10000, Load); fl == nil || fl.Kind != HWPoison {
			t.Errorf("Page(poisoned frame) fault = %v, want HWPoison", fl)
		}
	}
	if got := pool.InUse(); got != frames {
		t.Errorf("frames in use = %d, want %d (the poisoned one still charged)", got, frames)
	}
	if _, err := pool.PoisonPFN(f.PFN()); err != ErrPoisoned {
		t.Errorf("PoisonPFN twice = %v, want ErrPoisoned", err)
	}
	if err := pool.UnpoisonPFN(f.PFN()); err != nil || pool.InUse() != frames-1 {
		t.Errorf("UnpoisonPFN = %v, frames %d; want nil, %d", err, pool.InUse(), frames-1)
	}
	child.Release()
}
