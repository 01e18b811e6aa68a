package check

import (
	"encoding/binary"
	"fmt"
)

// The heap quarantine.
//
// At free(p)'s entry the checker takes p: it reads the block's size from glibc's chunk
// header (the word at p-8: the chunk's size with flags in the low three bits, bit 1
// set for a chunk glibc mmapped), records the block as freed by this thread with its
// stack, and appends it to a FIFO. It then changes free's argument: to the oldest
// quarantined block when the quarantine holds more than Quarantine bytes (that block
// leaves it and glibc frees it now), else to NULL, which free ignores. glibc never sees
// a quarantined block, so it cannot hand it out again, and no load or store to it is
// legitimate: each one (Access) is a use after free, reported with both stacks. A
// second free of a quarantined block is a double free; realloc of one is a use after
// free (the call becomes realloc(NULL, n), glibc's state stays sound). Blocks glibc
// mmapped, blocks larger than MaxBlock and pointers whose header does not look like a
// chunk go to glibc unchanged.
//
// The allocation functions' returns tell which memory is a live heap block (the
// checker stops at their return address, found at entry in ra, with the entry's
// stack pointer to tell recursion apart): a pthread object inside one must be
// initialised with its *_init function (pthread.go).

const (
	defaultQuarantine = 4 << 20
	defaultMaxBlock   = 64 << 10
	// indexLimit: blocks larger than this are not indexed by page for the uninitialised
	// check (a huge block would add an entry per page); they are still quarantined
	// if not larger than MaxBlock.
	indexLimit = 1 << 20
	blockBytes = 160 // host bytes a block record takes, as charged
	pageShift  = 12
	maxPending = 32 // allocations in progress per thread (they nest when realloc mallocs)
)

// block is a heap block glibc handed out, live or quarantined.
type block struct {
	start, size uint64 // its usable bytes
	chunk       uint64 // glibc's chunk size, what it takes of the quarantine
	freed       bool
	tid         int      // the freeing thread
	stack       []uint64 // where it was freed
	indexed     bool
}

// find returns the block that holds the access [addr, addr+size), if any.
func (s *space) find(addr, size uint64) *block {
	size = max(size, 1)
	for pg := addr >> pageShift; pg <= (addr+size-1)>>pageShift; pg++ {
		for _, b := range s.blocks[pg] {
			if addr < b.start+b.size && b.start < addr+size {
				return b
			}
		}
	}
	return nil
}

func (s *space) add(b *block) {
	s.byStart[b.start] = b
	if b.size > indexLimit {
		return
	}
	b.indexed = true
	for pg := b.start >> pageShift; pg <= (b.start+b.size-1)>>pageShift; pg++ {
		s.blocks[pg] = append(s.blocks[pg], b)
	}
}

func (s *space) remove(b *block) {
	if s.byStart[b.start] == b {
		delete(s.byStart, b.start)
	}
	if !b.indexed {
		return
	}
	for pg := b.start >> pageShift; pg <= (b.start+b.size-1)>>pageShift; pg++ {
		bs := s.blocks[pg]
		for i, x := range bs {
			if x == b {
				bs = append(bs[:i], bs[i+1:]...)
				break
			}
		}
		if len(bs) == 0 {
			delete(s.blocks, pg)
		} else {
			s.blocks[pg] = bs
		}
	}
	b.indexed = false
}

// forget drops the pthread objects in [start, start+size): their memory was freed or
// handed out anew.
func (s *space) forget(c *Checker, start, size uint64) {
	if len(s.objs) == 0 {
		return
	}
	if size <= 256 {
		for a := start &^ 7; a < start+size; a += 8 {
			if _, ok := s.objs[a]; ok {
				delete(s.objs, a)
				c.give(objectBytes)
			}
		}
		return
	}
	for a := range s.objs { // order does not matter: only deletions
		if a >= start && a < start+size {
			delete(s.objs, a)
			c.give(objectBytes)
		}
	}
}

// chunk reads the glibc chunk header of the block at p: its size and whether glibc
// mmapped it. ok is false when p cannot be a chunk's memory.
func chunk(m Memory, p uint64) (size uint64, mmapped, ok bool) {
	if p&15 != 0 || p < 16 {
		return 0, false, false
	}
	var w [8]byte
	if m.Peek(w[:], p-8) != nil {
		return 0, false, false
	}
	v := binary.LittleEndian.Uint64(w[:])
	size = v &^ 7
	if size < 32 || size&15 != 0 || size > 1<<40 {
		return 0, false, false
	}
	return size, v&2 != 0, true
}

// usable is the bytes of a chunk of size the program may use: up to the next chunk's
// size field, or for an mmapped chunk, whose neighbour is no chunk, to its end less
// its own header.
func usable(size uint64, mmapped bool) uint64 {
	if mmapped {
		return size - 16
	}
	return size - 8
}

// free handles free(p)'s entry.
func (c *Checker) free(t *Thread, s *space) {
	p := t.Regs[10]
	if p == 0 {
		return
	}
	if b := s.byStart[p]; b != nil && b.freed {
		c.report(Report{Kind: "double free", Func: "free", Addr: p, TID: t.TID, Stack: c.callerStack(t),
			Detail: fmt.Sprintf("a %d-byte block", b.size), Prev: &Event{What: "first freed", TID: b.tid, Stack: b.stack}})
		t.Regs[10], t.Changed = 0, true
		return
	}
	size, mmapped, ok := chunk(t.Mem, p)
	if !ok {
		return // glibc says what it thinks of the pointer
	}
	b := s.byStart[p]
	if b != nil {
		s.remove(b)
	} else if !c.take(blockBytes) {
		return
	}
	maxBlock := c.MaxBlock
	if maxBlock == 0 {
		maxBlock = defaultMaxBlock
	}
	n := usable(size, mmapped)
	s.forget(c, p, n)
	if mmapped || n > maxBlock {
		c.give(blockBytes)
		return
	}
	if b == nil {
		b = &block{start: p}
	}
	b.size, b.chunk, b.freed, b.tid, b.stack = n, size, true, t.TID, c.callerStack(t)
	s.add(b)
	s.queue = append(s.queue, b)
	s.qbytes += size
	c.Quarantined++
	limit := c.Quarantine
	if limit == 0 {
		limit = defaultQuarantine
	}
	t.Regs[10], t.Changed = 0, true
	if s.qbytes > limit {
		old := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.qbytes -= old.chunk
		s.remove(old)
		c.give(blockBytes)
		c.Released++
		t.Regs[10] = old.start
	}
}

// allocEntry handles the entry of an allocation function: it waits for the return.
func (c *Checker) allocEntry(t *Thread, s *space, f fn) {
	cl := call{ra: t.Regs[1], sp: t.Regs[2], f: f}
	switch f {
	case fnPosixMemalign:
		cl.arg = t.Regs[10]
	case fnRealloc:
		p := t.Regs[10]
		if b := s.byStart[p]; p != 0 && b != nil && b.freed {
			c.report(Report{Kind: "heap use after free", Func: "realloc", Addr: p, TID: t.TID, Stack: c.callerStack(t),
				Detail: fmt.Sprintf("realloc of a freed %d-byte block", b.size),
				Prev:   &Event{What: "freed", TID: b.tid, Stack: b.stack}})
			t.Regs[10], t.Changed = 0, true // realloc(NULL, n): a malloc
			p = 0
		}
		cl.arg = p
	}
	ps := c.pending[t.TID]
	if len(ps) >= maxPending {
		// Calls that never returned (a longjmp out of a signal handler that
		// interrupted malloc...): the oldest is forgotten, so the list stays bounded.
		c.unref(ps[0].ra)
		ps = append(ps[:0], ps[1:]...)
	}
	c.ref(cl.ra)
	c.pending[t.TID] = append(ps, cl)
}

// allocReturn handles the return of the allocation cl: the block it returned is live,
// and anything the checker knew of its memory is stale.
func (c *Checker) allocReturn(t *Thread, s *space, cl call) {
	p := t.Regs[10]
	if cl.f == fnPosixMemalign {
		if p != 0 {
			return // failed: the result is an errno
		}
		var w [8]byte
		if t.Mem.Peek(w[:], cl.arg) != nil {
			return
		}
		p = binary.LittleEndian.Uint64(w[:])
	}
	if cl.f == fnRealloc && cl.arg != 0 && cl.arg != p {
		if old := s.byStart[cl.arg]; old != nil && !old.freed && p != 0 {
			// glibc moved the block and freed the old one itself.
			s.remove(old)
			s.forget(c, old.start, old.size)
			c.give(blockBytes)
		}
	}
	if p == 0 {
		return
	}
	size, mmapped, ok := chunk(t.Mem, p)
	if !ok {
		return
	}
	n := usable(size, mmapped)
	if cl.f != fnRealloc || cl.arg != p {
		s.forget(c, p, n) // new memory; a block realloc grew in place keeps its objects
	}
	if old := s.byStart[p]; old != nil {
		s.remove(old)
	} else if !c.take(blockBytes) {
		return
	}
	s.add(&block{start: p, size: n, chunk: size})
}
