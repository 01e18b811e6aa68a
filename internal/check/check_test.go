package check

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// fakeMem is a guest memory of one region.
type fakeMem struct {
	base uint64
	b    []byte
}

func (m *fakeMem) Peek(buf []byte, addr uint64) error {
	if addr < m.base || addr-m.base > uint64(len(m.b)) || addr-m.base+uint64(len(buf)) > uint64(len(m.b)) {
		return errors.New("unmapped")
	}
	copy(buf, m.b[addr-m.base:])
	return nil
}

func (m *fakeMem) put64(addr, v uint64) { binary.LittleEndian.PutUint64(m.b[addr-m.base:], v) }
func (m *fakeMem) put32(addr uint64, v uint32) {
	binary.LittleEndian.PutUint32(m.b[addr-m.base:], v)
}

const (
	heapBase = 0x10000
	pcFree   = 0x1000
	pcMalloc = 0x1100
	pcLock   = 0x1200
	pcUnlock = 0x1300
	pcDestr  = 0x1400
	pcInit   = 0x1500
)

func newTestChecker(quarantine uint64) (*Checker, *fakeMem) {
	c := &Checker{
		entries: map[uint64]fn{pcFree: fnFree, pcMalloc: fnMalloc, pcLock: fnMutexLock, pcUnlock: fnMutexUnlock,
			pcDestr: fnMutexDestroy, pcInit: fnMutexInit},
		CallPoints: map[uint64]bool{}, retRefs: map[uint64]int{}, pending: map[int][]call{},
		spaces: map[any]*space{}, seen: map[seenKey]bool{}, Quarantine: quarantine,
	}
	for pc := range c.entries {
		c.CallPoints[pc] = true
	}
	m := &fakeMem{base: heapBase, b: make([]byte, 1<<16)}
	// Four chunks of 48 bytes (in use: the prev-in-use bit set) at 0x10010, 0x10040...
	for i := uint64(0); i < 4; i++ {
		m.put64(heapBase+8+48*i, 48|1)
	}
	return c, m
}

// stopAt stops thread tid at pc with a0 and ra set, as the kernel would.
func stopAt(c *Checker, m *fakeMem, tid int, pc, a0, ra, sp uint64) *Thread {
	var regs [32]uint64
	regs[10], regs[1], regs[2] = a0, ra, sp
	t := &Thread{TID: tid, Space: m, Mem: m, PC: pc, Regs: &regs}
	c.Call(t)
	return t
}

func TestQuarantine(t *testing.T) {
	c, m := newTestChecker(100) // two 48-byte chunks fit, a third does not
	blk := func(i uint64) uint64 { return heapBase + 16 + 48*i }
	// malloc returns blk(0): at its entry the checker waits for the return address.
	stopAt(c, m, 1, pcMalloc, 40, 0x2000, 0x7000)
	if !c.CallPoints[0x2000] {
		t.Fatal("malloc's return address is not a call point")
	}
	var regs [32]uint64
	regs[10], regs[2] = blk(0), 0x7000
	c.Call(&Thread{TID: 1, Space: m, Mem: m, PC: 0x2000, Regs: &regs})
	if c.CallPoints[0x2000] {
		t.Error("the return address is still a call point after the return")
	}
	if b := c.space(m).byStart[blk(0)]; b == nil || b.size != 40 || b.freed {
		t.Fatalf("block after malloc's return = %+v, want a live 40-byte block", b)
	}
	// free(blk(0)) by tid 2: quarantined; glibc gets free(NULL).
	th := stopAt(c, m, 2, pcFree, blk(0), 0x3004, 0x7000)
	if !th.Changed || th.Regs[10] != 0 {
		t.Fatalf("free: a0 = 0x%x (changed %v), want 0", th.Regs[10], th.Changed)
	}
	// A load by tid 1 of the freed block is reported with the free's thread.
	c.Access(&Thread{TID: 1, Space: m, Mem: m, PC: 0x4000, Regs: &regs}, blk(0)+4, 4, false)
	if len(c.Reports) != 1 || c.Reports[0].Kind != "heap use after free" || c.Reports[0].Prev.TID != 2 ||
		!strings.Contains(c.Reports[0].Detail, "offset 4 of a 40-byte block") {
		t.Fatalf("reports = %v", c.Reports)
	}
	// An access next to it (the next chunk's header) is none.
	c.Access(&Thread{TID: 1, Space: m, Mem: m, PC: 0x4010, Regs: &regs}, blk(1)-8, 8, false)
	if len(c.Reports) != 1 {
		t.Fatalf("an access beside the block was reported: %v", c.Reports[1:])
	}
	// A second free is a double free, and glibc does not see it.
	th = stopAt(c, m, 1, pcFree, blk(0), 0x3008, 0x7000)
	if len(c.Reports) != 2 || c.Reports[1].Kind != "double free" || th.Regs[10] != 0 {
		t.Fatalf("double free: reports %v, a0 0x%x", c.Reports, th.Regs[10])
	}
	// Two more frees pass the bound: the oldest block goes to glibc.
	stopAt(c, m, 1, pcFree, blk(1), 0x3004, 0x7000)
	th = stopAt(c, m, 1, pcFree, blk(2), 0x3004, 0x7000)
	if th.Regs[10] != blk(0) || c.Released != 1 || c.Quarantined != 3 {
		t.Fatalf("third free: a0 = 0x%x, released %d, quarantined %d; want 0x%x, 1, 3", th.Regs[10], c.Released, c.Quarantined, blk(0))
	}
	n := len(c.Reports)
	c.Access(&Thread{TID: 1, Space: m, Mem: m, PC: 0x4020, Regs: &regs}, blk(0), 8, true)
	if len(c.Reports) != n {
		t.Error("an access to a block glibc got back was reported")
	}
	// A pointer that is no chunk goes to glibc unchanged.
	th = stopAt(c, m, 1, pcFree, heapBase+0x1008, 0x3004, 0x7000)
	if th.Changed {
		t.Error("free of a misaligned pointer was changed")
	}
}

func TestMutexChecks(t *testing.T) {
	c, m := newTestChecker(0)
	static := uint64(heapBase + 0x800) // not a heap block: a static initialiser is fine
	stopAt(c, m, 1, pcLock, static, 0x3000, 0x7000)
	m.put32(static+offOwner, 1) // glibc records the owner
	stopAt(c, m, 2, pcUnlock, static, 0x3100, 0x7000)
	if len(c.Reports) != 1 || c.Reports[0].Kind != "unlock of a mutex the thread does not hold" || c.Reports[0].Detail != "tid 1 holds it" {
		t.Fatalf("unlock by tid 2: %v", c.Reports)
	}
	stopAt(c, m, 1, pcUnlock, static, 0x3200, 0x7000) // the owner: fine
	m.put32(static+offOwner, 0)
	// An error-checking mutex: glibc answers EPERM itself.
	m.put32(static+offKind, kindErrorcheck)
	stopAt(c, m, 2, pcUnlock, static, 0x3300, 0x7000)
	if len(c.Reports) != 1 {
		t.Fatalf("errorcheck unlock was reported: %v", c.Reports[1:])
	}
	m.put32(static+offKind, 0)
	// Destroy, then lock: glibc left __kind -1.
	stopAt(c, m, 1, pcDestr, static, 0x3400, 0x7000)
	m.put32(static+offKind, 0xffffffff)
	stopAt(c, m, 2, pcLock, static, 0x3500, 0x7000)
	if len(c.Reports) != 2 || c.Reports[1].Kind != "use of a destroyed mutex" || c.Reports[1].Prev.TID != 1 {
		t.Fatalf("lock after destroy: %v", c.Reports)
	}
	// Written anew (a static initialiser on a reused stack): no longer destroyed.
	m.put32(static+offKind, 0)
	stopAt(c, m, 2, pcLock, static, 0x3600, 0x7000)
	if len(c.Reports) != 2 {
		t.Fatalf("lock of a re-initialised mutex was reported: %v", c.Reports[2:])
	}
	// A mutex in a heap block must be initialised.
	blk := uint64(heapBase + 16)
	stopAt(c, m, 1, pcMalloc, 40, 0x2000, 0x7000)
	var regs [32]uint64
	regs[10], regs[2] = blk, 0x7000
	c.Call(&Thread{TID: 1, Space: m, Mem: m, PC: 0x2000, Regs: &regs})
	stopAt(c, m, 1, pcLock, blk, 0x3700, 0x7000)
	if len(c.Reports) != 3 || c.Reports[2].Kind != "use of an uninitialised mutex" {
		t.Fatalf("lock of a heap mutex never initialised: %v", c.Reports)
	}
	blk2 := uint64(heapBase + 64)
	stopAt(c, m, 1, pcMalloc, 40, 0x2000, 0x7000)
	regs[10] = blk2
	c.Call(&Thread{TID: 1, Space: m, Mem: m, PC: 0x2000, Regs: &regs})
	stopAt(c, m, 1, pcInit, blk2, 0x3800, 0x7000)
	stopAt(c, m, 1, pcLock, blk2, 0x3900, 0x7000)
	if len(c.Reports) != 3 {
		t.Fatalf("lock of an initialised heap mutex was reported: %v", c.Reports[3:])
	}
}
