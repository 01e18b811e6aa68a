package mm

// Memory cgroups (cgroup v2's memory controller, Documentation/admin-guide/cgroup-v2.rst)
// count the frames that address spaces allocate: each frame is charged, when it is
// allocated (first touch, or a copy on write), to the counter of the address space that
// allocated it, and to that counter's ancestors; it is uncharged when its last reference
// goes, whoever holds it then. Moving a process to another cgroup moves no charges, as
// on Linux: its new pages are charged to the new one.
//
// A charge that would take a counter past its Max is not made at once: the pool's
// Reclaim, which the kernel sets, may free memory first (MADV_FREE'd clean pages and
// MAP_DROPPABLE mappings, see Reclaim, or a process its OOM killer ends); if the counter
// still has no room, the access faults with CgroupOOM.

// Unlimited is a MemCounter's Max when it has no limit ("max" in memory.max).
const Unlimited = int64(1)<<62 - 1

// MemCounter counts the pages charged to one memory cgroup (Linux's page_counter).
// The kernel owns it; mm changes Pages and Peak as frames come and go.
type MemCounter struct {
	Parent *MemCounter // the parent cgroup's counter; nil for the root
	Pages  int64       // frames charged now, this group's and its descendants'
	Peak   int64       // the most Pages at once (memory.peak)
	Max    int64       // the limit in pages (memory.max); Unlimited if none
	// Faults counts the frames charged to the counter itself (not its descendants):
	// memory.stat's pgfault as weft counts it.
	Faults uint64
	// Owner is what the counter belongs to, for the kernel (its cgroup).
	Owner any
}

// Full returns the first counter from c up that has no room for one more page (the
// group whose limit a charge would pass), or nil.
func (c *MemCounter) Full() *MemCounter {
	for ; c != nil; c = c.Parent {
		if c.Pages+1 > c.Max {
			return c
		}
	}
	return nil
}

// add charges n pages (negative: uncharges) to c and its ancestors.
func (c *MemCounter) add(n int64) {
	for ; c != nil; c = c.Parent {
		c.Pages += n
		c.Peak = max(c.Peak, c.Pages)
	}
}

// maxReclaimTries bounds how often one charge asks the pool's Reclaim for room:
// Linux's MAX_RECLAIM_RETRIES.
const maxReclaimTries = 16

// chargePage charges one page to as's counter, asking the pool's Reclaim for room while
// a counter is at its limit. It reports false if there is still none.
func (as *AddressSpace) chargePage() bool {
	c := as.Memcg
	if c == nil {
		return true
	}
	for try := 0; ; try++ {
		o := c.Full()
		if o == nil {
			c.add(1)
			c.Faults++
			return true
		}
		if try == maxReclaimTries || as.pool.Reclaim == nil || !as.pool.Reclaim(o, as) {
			return false
		}
	}
}

// uncharge gives back one page charged to c (nil: none).
func (c *MemCounter) uncharge() {
	if c != nil {
		c.add(-1)
	}
}

// freeFrame gives a frame whose last reference went back to the pool and its cgroup.
func (as *AddressSpace) freeFrame(f *Frame) {
	f.memcg.uncharge()
	f.memcg = nil
	as.pool.free()
	as.pool.Work.PagesFreed++
}

// needsFrame reports whether an access of kind acc at vpn would allocate a frame: the
// page is not present, or it is a private page that a store must copy (its frame or
// the page-table path to it is shared).
func (as *AddressSpace) needsFrame(vpn uint64, acc Access) bool {
	e, private := as.lookup(vpn)
	if e == nil || e.frame == nil {
		return true
	}
	return acc == Store && !e.shared && (e.frame.refs > 1 || !private)
}

// LazyFree marks the present private anonymous pages of [start, start+length) that no
// one else maps as freeable (madvise(2) MADV_FREE): they keep their contents until
// memory runs short, when Reclaim drops them, unless they were written again since.
func (as *AddressSpace) LazyFree(start, length uint64) (marked int, err error) {
	lo, hi := start>>PageShift, (start+length+PageMask)>>PageShift
	if !as.pool.Fits(as.copyCost(lo, hi)) {
		return 0, ErrOutOfMemory
	}
	for a := start; a < start+length; {
		v := as.Find(a)
		if v == nil {
			a += PageSize
			continue
		}
		if v.privateAnon() {
			as.visit(max(lo, v.Start>>PageShift), min(hi, v.End>>PageShift), true, func(_ uint64, e *pte) {
				// A frame another entry maps too is left alone, as Linux skips folios
				// that may be mapped shared.
				if e.frame != nil && !e.shared && e.frame.refs == 1 && !e.lazy {
					e.lazy = true
					marked++
				}
			})
		}
		a = v.End
	}
	as.Gen++ // cached write translations must fault again, to see that the page was written
	return marked, nil
}

// privateAnon reports whether v is private anonymous memory: what MADV_FREE and
// reclaim act on (hugetlb memory is not: its pages stay until unmapped).
func (v *VMA) privateAnon() bool {
	return !v.Shared && v.File == nil && v.Pager == nil && v.Huge == nil
}

// Reclaim drops what as holds that memory pressure may take without loss: every page
// of a MAP_DROPPABLE mapping, and the pages MADV_FREE marked and no one wrote since
// (Linux's lazyfree folios). Later loads of those pages read zeros. It reports how
// many pages it unmapped; a frame is freed, and uncharged, once no entry maps it.
func (as *AddressSpace) Reclaim() int {
	var drop []uint64
	for _, v := range as.vmas.all() {
		if v.Locked || !v.Droppable && !v.privateAnon() {
			continue
		}
		as.visit(v.Start>>PageShift, v.End>>PageShift, false, func(vpn uint64, e *pte) {
			if e.frame != nil && (v.Droppable || e.lazy) {
				drop = append(drop, vpn)
			}
		})
	}
	for _, vpn := range drop {
		as.clear(vpn, vpn+1)
	}
	if len(drop) > 0 {
		as.Gen++
	}
	return len(drop)
}
