package mm

import (
	"cmp"
	"errors"
	"sort"
)

// Huge pages (Linux's hugetlb, Documentation/admin-guide/mm/hugetlbpage.rst): a pool of
// 2 MiB pages that the administrator sizes (/proc/sys/vm/nr_hugepages), which
// MAP_HUGETLB mappings and the files of a hugetlbfs mount draw on.
//
// A huge page here is 512 frames, exactly what one leaf node of the page table maps,
// but it behaves as one unit: a fault maps all of it (zeroed whole when new), a
// private copy after fork copies all of it, and it goes back to the pool when no entry
// maps any of its frames and no file keeps it. Its memory is charged to the memory cap
// when the pool grows, as Linux takes the pages from the buddy allocator then, not
// when the pages are used.
//
// Reservations follow mm/hugetlb.c: mmap of a shared mapping reserves the pages of the
// file's range that have none yet (the file keeps them until it is truncated or
// freed); a private mapping reserves all its pages for the process that made it (a
// fork's child has none, and its copy-on-write faults take unreserved pages or get
// SIGBUS). MAP_NORESERVE reserves nothing: a fault that finds the pool empty is a bus
// error.

const (
	HugeShift = 21
	HugeSize  = 1 << HugeShift
	HugeMask  = HugeSize - 1
	// HugeFrames is the number of frames in a huge page: one leaf node's worth.
	HugeFrames = HugeSize / PageSize
)

// ErrHugeAlign: a range splits a hugetlb mapping at an address that is not a multiple
// of the huge page size (munmap, mprotect, MAP_FIXED: EINVAL).
var ErrHugeAlign = errors.New("mm: range splits a huge page")

// HugePool is the pool of 2 MiB huge pages (Linux's hstate). The counters are those
// /proc/meminfo shows: Total (nr_huge_pages), Free, Rsvd (reserved, not yet taken) and
// Surp (surplus: pages in use beyond the persistent pool size, freed when let go).
type HugePool struct {
	mem                        *Pool
	total, free, resv, surplus int64
}

// NewHugePool returns an empty huge page pool charging mem.
func NewHugePool(mem *Pool) *HugePool { return &HugePool{mem: mem} }

// Counts reports HugePages_Total, HugePages_Free, HugePages_Rsvd and HugePages_Surp.
func (h *HugePool) Counts() (total, free, resv, surplus int64) {
	return h.total, h.free, h.resv, h.surplus
}

// Persistent is nr_hugepages: the pool's size less its surplus pages.
func (h *HugePool) Persistent() int64 { return h.total - h.surplus }

// SetPersistent sets the pool's persistent size to n as a write to nr_hugepages does
// (set_max_huge_pages): growing takes surplus pages into the pool first, then new
// pages while the memory cap allows; shrinking frees free pages no reservation needs,
// and turns pages in use past n into surplus. It returns the persistent size reached.
func (h *HugePool) SetPersistent(n int64) int64 {
	n = max(n, 0)
	for h.surplus > 0 && n > h.Persistent() {
		h.surplus--
	}
	for n > h.Persistent() && h.mem.Reserve(HugeFrames) {
		h.total++
		h.free++
	}
	floor := max(n, h.resv+h.total-h.free)
	for floor < h.Persistent() && h.free > 0 {
		h.total--
		h.free--
		h.mem.Unreserve(HugeFrames)
	}
	for n < h.Persistent() && h.total-h.free > h.surplus {
		h.surplus++
	}
	return h.Persistent()
}

// Reserve sets n free pages aside for mappings that will fault them in, false (taking
// nothing) if fewer are free and unreserved (hugetlb_acct_memory).
func (h *HugePool) Reserve(n int64) bool {
	if n > h.free-h.resv {
		return false
	}
	h.resv += n
	return true
}

// Unreserve gives back n reservations no fault used.
func (h *HugePool) Unreserve(n int64) { h.resv -= n }

// alloc takes a free page, zeroed: one set aside by Reserve if reserved, else one no
// reservation needs; nil if there is none.
func (h *HugePool) alloc(reserved bool) *HugePage {
	switch {
	case reserved:
		h.resv--
	case h.free-h.resv <= 0:
		return nil
	}
	h.free--
	hp := &HugePage{pool: h}
	for i := range hp.frames {
		hp.frames[i] = &Frame{external: true, huge: hp}
	}
	return hp
}

// put takes a page no one uses back: a surplus page leaves the pool, others are free
// again (free_huge_folio), reserved again if restore (a hugetlbfs mount's minimum).
func (h *HugePool) put(restore bool) {
	if restore {
		h.resv++
	}
	if h.surplus > 0 && !restore {
		h.surplus--
		h.total--
		h.mem.Unreserve(HugeFrames)
		return
	}
	h.free++
}

// HugePage is one huge page handed out of the pool.
type HugePage struct {
	pool   *HugePool
	frames [HugeFrames]*Frame
	mapped int  // frames that some page-table entry points at
	kept   bool // a file holds the page in its page cache
	gone   bool // back in the pool
	// restore: the page goes back to its mount's minimum reservation when freed.
	restore bool
}

// Frame returns the frame at index i (0..HugeFrames-1) of the page.
func (hp *HugePage) Frame(i int) *Frame { return hp.frames[i] }

// unmapped is called when the last entry pointing at one of hp's frames goes.
func (hp *HugePage) unmapped() {
	hp.mapped--
	hp.maybePut()
}

func (hp *HugePage) maybePut() {
	if hp.mapped == 0 && !hp.kept && !hp.gone {
		hp.gone = true
		hp.pool.put(hp.restore)
	}
}

// HugeFile is the page cache of a hugetlbfs file, or of the unnamed one behind a
// MAP_SHARED|MAP_HUGETLB mapping: its huge pages by index, and the indexes reserved for
// it that no fault has filled yet. Every mapping of it sees the same pages.
type HugeFile struct {
	pool  *HugePool
	spool *HugeSubpool // the hugetlbfs mount's limits (nil: none)
	pages map[uint64]*HugePage
	resv  map[uint64]bool
	// Size is the file's size in bytes: a fault at or past it is a bus error.
	Size int64
	// holds counts the VMAs that map it (Holder).
	holds int
	// Unnamed marks the file behind a MAP_SHARED|MAP_HUGETLB mapping, which lives as
	// long as a mapping maps it: the last one going gives its pages back.
	Unnamed bool
	// Owner, if set, is told when the last mapping goes (a hugetlbfs inode, which
	// may be gone but for its mappings). It is an interface, not a func, so that a
	// checkpoint can copy it.
	Owner interface{ Unheld() }
}

// NewHugeFile returns an empty huge page file drawing on pool, within spool's limits
// if spool is not nil.
func NewHugeFile(pool *HugePool, spool *HugeSubpool) *HugeFile {
	return &HugeFile{pool: pool, spool: spool, pages: map[uint64]*HugePage{}, resv: map[uint64]bool{}}
}

// Hold counts the file's mappings (Holder).
func (hf *HugeFile) Hold(delta int) {
	hf.holds += delta
	if hf.holds == 0 {
		hf.unheld()
	}
}

func (hf *HugeFile) unheld() {
	if hf.Unnamed {
		hf.Truncate(0)
	}
	if hf.Owner != nil {
		hf.Owner.Unheld()
	}
}

// Mapped reports whether a mapping maps the file.
func (hf *HugeFile) Mapped() bool { return hf.holds > 0 }

// Reserve reserves the pages [first, first+count) that have neither a page nor a
// reservation yet (hugetlb_reserve_pages for a shared mapping), false (taking nothing)
// if the pool cannot cover them.
func (hf *HugeFile) Reserve(first, count uint64) bool {
	// At most the pages and reservations the file has need none: past what the pool
	// (and the mount's minimum) could give besides, fail before looking at each.
	if have := uint64(len(hf.pages) + len(hf.resv)); count > have && count-have > uint64(max(hf.pool.free-hf.pool.resv, 0)+hf.spool.reserved()) {
		return false
	}
	var need int64
	for i := first; i < first+count; i++ {
		if hf.pages[i] == nil && !hf.resv[i] {
			need++
		}
	}
	gbl, ok := hf.spool.get(need)
	if !ok {
		return false
	}
	if !hf.pool.Reserve(gbl) {
		hf.pool.Unreserve(hf.spool.put(need) - gbl) // (the mount's own reserve back)
		return false
	}
	for i := first; i < first+count; i++ {
		if hf.pages[i] == nil && !hf.resv[i] {
			hf.resv[i] = true
		}
	}
	return true
}

// Page returns page i, taking it from the pool (its reservation if it has one) when
// the file has none yet; nil if the pool has none to give.
func (hf *HugeFile) Page(i uint64) *HugePage {
	if hp := hf.pages[i]; hp != nil {
		return hp
	}
	reserved, gbl := hf.resv[i], int64(0)
	if !reserved {
		// A page no reservation covers (MAP_NORESERVE, fallocate) counts against
		// the mount's limit now; within the mount's minimum it is reserved already.
		var ok bool
		if gbl, ok = hf.spool.get(1); !ok {
			return nil
		}
		reserved = gbl == 0
	}
	hp := hf.pool.alloc(reserved)
	if hp == nil {
		hf.pool.Unreserve(hf.spool.put(1) - gbl) // undo the get
		return nil
	}
	delete(hf.resv, i)
	hp.kept = true
	hf.pages[i] = hp
	return hp
}

// Lookup returns page i if the file has it, without allocating.
func (hf *HugeFile) Lookup(i uint64) *HugePage { return hf.pages[i] }

// PagesIn returns the indexes in [lo, hi) of the pages the file holds, in order.
func (hf *HugeFile) PagesIn(lo, hi uint64) []uint64 {
	var idx []uint64
	for i := range hf.pages {
		if i >= lo && i < hi {
			idx = append(idx, i)
		}
	}
	sort.Slice(idx, func(a, b int) bool { return idx[a] < idx[b] })
	return idx
}

// Remove lets go of the pages and reservations in [lo, hi) (a hole punched): the
// caller unmaps them first (Pool.ZapHugeRange).
func (hf *HugeFile) Remove(lo, hi uint64) { hf.remove(lo, hi) }

// Pages counts the pages the file holds.
func (hf *HugeFile) Pages() int { return len(hf.pages) }

// Truncate lets go of the pages and reservations from index first on
// (hugetlb_vmtruncate); the caller unmaps them from every mapping first
// (Pool.ZapHuge).
func (hf *HugeFile) Truncate(first uint64) { hf.remove(first, ^uint64(0)) }

// remove lets go of the pages and reservations in [lo, hi), in index order.
func (hf *HugeFile) remove(lo, hi uint64) {
	for _, i := range hf.PagesIn(lo, hi) {
		hp := hf.pages[i]
		delete(hf.pages, i)
		hp.kept = false
		hp.restore = hf.spool.put(1) == 0 // the mount keeps it as part of its minimum
		hp.maybePut()
	}
	var n int64
	for i := range hf.resv {
		if i >= lo && i < hi {
			delete(hf.resv, i)
			n++
		}
	}
	hf.pool.Unreserve(hf.spool.put(n))
}

// HugeSubpool is a hugetlbfs mount's share of the pool (hugepage_subpool): at most Max
// pages reserved or in use by its files (size=; -1: no limit), and Min of them
// reserved from the pool for as long as it is mounted (min_size=).
type HugeSubpool struct {
	pool     *HugePool
	max, min int64
	used     int64 // pages reserved or in use by the mount's files
	rsv      int64 // of the minimum, pages still reserved in the pool for the mount
}

// NewHugeSubpool makes a mount's subpool, reserving its minimum: nil if the pool
// cannot cover it (the mount fails with ENOMEM).
func NewHugeSubpool(pool *HugePool, maxPages, minPages int64) *HugeSubpool {
	if minPages >= 0 && !pool.Reserve(minPages) {
		return nil
	}
	return &HugeSubpool{pool: pool, max: maxPages, min: minPages, rsv: max(minPages, 0)}
}

// reserved is how many of the mount's minimum pages are still reserved for it (0 for
// no mount).
func (sp *HugeSubpool) reserved() int64 {
	if sp == nil {
		return 0
	}
	return sp.rsv
}

// Release gives back the minimum reservation the mount still holds (unmount).
func (sp *HugeSubpool) Release() {
	if sp != nil {
		sp.pool.Unreserve(sp.rsv)
		sp.rsv, sp.min = 0, -1
	}
}

// Limits reports the mount's maximum (-1: none) and the pages reserved or used.
func (sp *HugeSubpool) Limits() (maxPages, used int64) { return sp.max, sp.used }

// get counts delta more pages against the mount (hugepage_subpool_get_pages): false
// past its maximum; else how many must be reserved in the pool beyond what the mount's
// minimum reservation covers.
func (sp *HugeSubpool) get(delta int64) (int64, bool) {
	if sp == nil {
		return delta, true
	}
	if sp.max >= 0 && sp.used+delta > sp.max {
		return 0, false
	}
	sp.used += delta
	from := min(delta, sp.rsv)
	sp.rsv -= from
	return delta - from, true
}

// put gives delta pages back to the mount (hugepage_subpool_put_pages) and reports how
// many of their reservations go back to the pool: those the mount's minimum does not
// keep.
func (sp *HugeSubpool) put(delta int64) int64 {
	if sp == nil {
		return delta
	}
	sp.used -= delta
	used := sp.used
	if sp.max < 0 {
		used = 0 // Linux counts use only against a maximum
	}
	if sp.min < 0 || used >= sp.min {
		return delta
	}
	back := max(sp.rsv+delta-sp.min, 0)
	sp.rsv = min(sp.rsv+delta, sp.min)
	return back
}

// HugeMapping is what a hugetlb VMA maps: a HugeFile's pages (shared), or private
// pages with, for the process that made the mapping, a reservation for each.
type HugeMapping struct {
	pool *HugePool
	File *HugeFile // MAP_SHARED: the file whose pages the mapping maps at VMA.Off
	// Src, for MAP_PRIVATE of a hugetlbfs file, is the file: its pages are mapped
	// copy-on-write where it has them, and private pages are made where it has none.
	Src *HugeFile

	// Private mappings: origin identifies the mapping across fork (a child's copy has
	// a HugeMapping of its own with the same origin); base is where the mapping
	// started and state, for the owner only, says of each huge page from base
	// whether its reservation is still unused (resvHeld), was used by a fault, or was
	// given back with an munmap. A child whose pages the owner took back on an
	// out-of-pages copy-on-write is unmapped (HPAGE_RESV_UNMAPPED): its faults are
	// bus errors from then on.
	origin   *HugeMapping
	base     uint64
	state    []uint8
	unmapped bool
}

const (
	resvHeld uint8 = iota
	resvUsed
	resvGone
)

// NewHugeShared returns the mapping of file's pages.
func NewHugeShared(pool *HugePool, file *HugeFile) *HugeMapping {
	return &HugeMapping{pool: pool, File: file}
}

// NewHugePrivate returns a private mapping of length bytes at start (of file src's
// pages, if not nil), reserving its pages unless noreserve; nil if the pool cannot
// cover them.
func NewHugePrivate(pool *HugePool, src *HugeFile, start, length uint64, noreserve bool) *HugeMapping {
	m := &HugeMapping{pool: pool, Src: src, base: start}
	m.origin = m
	if !noreserve {
		n := int64(length >> HugeShift)
		if !pool.Reserve(n) {
			return nil
		}
		m.state = make([]uint8, n)
	}
	return m
}

// take returns a new page for the private mapping's huge page at base: its
// reservation's if it has one unused, else an unreserved one; nil if there is none.
func (m *HugeMapping) take(base uint64) *HugePage {
	if m.unmapped {
		return nil
	}
	if i := (base - m.base) >> HugeShift; base >= m.base && i < uint64(len(m.state)) && m.state[i] == resvHeld {
		m.state[i] = resvUsed
		return m.pool.alloc(true)
	}
	return m.pool.alloc(false)
}

// release gives back the unused reservations of the private mapping's pages in
// [start, end) (a VMA of it going: hugetlb_vm_op_close).
func (m *HugeMapping) release(start, end uint64) {
	var n int64
	for a := start; a < end; a += HugeSize {
		if i := (a - m.base) >> HugeShift; a >= m.base && i < uint64(len(m.state)) && m.state[i] == resvHeld {
			m.state[i] = resvGone
			n++
		}
	}
	m.pool.Unreserve(n)
}

// childCopy is the mapping a fork's child gets of m: the same pages, copy-on-write
// for a private one, but no reservations.
func (m *HugeMapping) childCopy() *HugeMapping {
	if m.File != nil {
		return m
	}
	return &HugeMapping{pool: m.pool, Src: m.Src, origin: m.origin}
}

// MapHuge maps [start, start+length) with huge pages: hm's file's pages from byte off
// on if it is shared, else private pages. start, length and off must be multiples of
// HugeSize. The mapping replaces whatever was there.
func (as *AddressSpace) MapHuge(start, length uint64, perm Perm, name string, hm *HugeMapping, off uint64) error {
	if start&HugeMask != 0 || length&HugeMask != 0 || off&HugeMask != 0 {
		return ErrHugeAlign
	}
	v := &VMA{Start: start, End: start + length, Perm: perm, Shared: hm.File != nil, Name: name, Off: off, Huge: hm}
	if hm.File != nil {
		v.Holder = hm.File
	}
	if err := as.insertVMA(v); err != nil {
		// What the mapping reserved goes back: a private one's reservations, an
		// unnamed file's with the file.
		if f := hm.File; f == nil {
			hm.release(start, start+length)
		} else if !f.Mapped() {
			f.unheld()
		}
		return err
	}
	return nil
}

// FindFreeHuge returns the highest HugeSize-aligned gap of length bytes below
// MmapBase, or 0.
func (as *AddressSpace) FindFreeHuge(length uint64) uint64 {
	a := as.vmas.highestFree(length+HugeSize-PageSize, PageSize, as.MmapBase)
	if a == 0 {
		return 0
	}
	return (a + HugeSize - PageSize) &^ HugeMask
}

// populateHuge handles a fault in a hugetlb mapping: the whole huge page around vaddr
// is mapped if it is not present, or copied if a store finds it shared since fork.
func (as *AddressSpace) populateHuge(v *VMA, vaddr uint64, acc Access) (*Frame, *Fault) {
	base, sub := vaddr&^HugeMask, (vaddr&HugeMask)>>PageShift
	vpn := vaddr >> PageShift
	if !as.pool.Fits(as.pathCost(vpn)) {
		return nil, &Fault{Addr: vaddr, Access: acc, Kind: OutOfMemory}
	}
	if e, _ := as.lookup(vpn); e != nil && e.marker != 0 {
		return nil, &Fault{Addr: vaddr, Access: acc, Kind: e.marker.fault()}
	}
	if e, _ := as.lookup(vpn); e != nil && e.frame != nil && e.frame.huge != nil {
		// A store to a private page shared with a fork's child (the page fast path
		// took every other access to a present page).
		e = as.mutable(vpn, true)
		if e.shared || e.frame.refs == 1 && !e.cow {
			return e.frame, nil
		}
		return as.hugeCOW(v, base, sub, e.frame.huge, acc)
	}
	hm := v.Huge
	idx := (v.Off + base - v.Start) >> HugeShift
	if f := cmp.Or(hm.File, hm.Src); f != nil && idx >= uint64(f.Size+HugeMask)>>HugeShift {
		return nil, &Fault{Addr: vaddr, Access: acc, Kind: PastEOF} // hugetlb_no_page
	}
	var hp *HugePage
	cow := false
	switch {
	case hm.File != nil:
		hp = hm.File.Page(idx)
	case hm.Src != nil && hm.Src.Lookup(idx) != nil && !hm.unmapped:
		hp, cow = hm.Src.Lookup(idx), true
	default:
		hp = hm.take(base)
	}
	if hp == nil {
		return nil, &Fault{Addr: vaddr, Access: acc, Kind: NoHugePage}
	}
	as.mapHugePage(base, hp, v.Perm, v.Shared, cow)
	if cow && acc == Store {
		return as.populateHuge(v, vaddr, acc) // and copy it at once
	}
	as.Stats.PageFaults++
	as.pool.Work.PagesZeroed += HugeFrames
	return hp.frames[sub], nil
}

// mapHugePage points the entries of the huge page at base at hp's frames; cow marks
// a file's page in a private mapping, which a store must copy.
func (as *AddressSpace) mapHugePage(base uint64, hp *HugePage, perm Perm, shared, cow bool) {
	for i, f := range hp.frames {
		e := as.mutable(base>>PageShift+uint64(i), true)
		old := e.frame
		*e = pte{frame: f, perm: perm, shared: shared, cow: cow}
		f.refs++
		if f.refs == 1 {
			hp.mapped++
		}
		as.Stats.Resident++
		if old != nil { // (after the new reference: old may be f itself)
			as.dropFrame(old)
		}
	}
	as.Stats.PeakResident = max(as.Stats.PeakResident, as.Stats.Resident)
	as.Gen++
}

// hugeCOW gives as its own copy of the private huge page at base, shared since fork
// or a hugetlbfs file's.
// When the pool has no page for it, the process that made the mapping keeps the page
// and takes it from the others, whose later faults there are bus errors
// (unmap_ref_private); anyone else gets the bus error.
func (as *AddressSpace) hugeCOW(v *VMA, base, sub uint64, old *HugePage, acc Access) (*Frame, *Fault) {
	// The copy of a file's page uses the mapping's reservation; the copy of a page
	// shared since fork takes an unreserved one, the reservation being used already.
	hp := v.Huge.take(base)
	if hp == nil {
		if v.Huge.origin != v.Huge {
			return nil, &Fault{Addr: base + sub<<PageShift, Access: acc, Kind: NoHugePage}
		}
		for _, other := range as.pool.spaces {
			if other != as {
				other.unmapHugeCopies(v.Huge, old, base)
			}
		}
		if f := old.frames[sub]; f.refs == 1 && !old.kept {
			return f, nil
		}
		return nil, &Fault{Addr: base + sub<<PageShift, Access: acc, Kind: NoHugePage}
	}
	for i, f := range hp.frames {
		f.Data = old.frames[i].Data
		f.copied = true
	}
	as.mapHugePage(base, hp, v.Perm, false, false) // the old frames lose a reference each
	as.Stats.COWCopies++
	as.pool.Work.PagesCopied += HugeFrames
	as.Gen++
	return hp.frames[sub], nil
}

// unmapHugeCopies unmaps page hp from as's copy, made by fork at the same address
// base, of the private mapping owner, and marks the copy unmapped.
func (as *AddressSpace) unmapHugeCopies(owner *HugeMapping, hp *HugePage, base uint64) {
	v := as.Find(base)
	if v == nil || v.Huge == nil || v.Huge.File != nil || v.Huge.origin != owner || v.Huge == owner {
		return
	}
	if e, _ := as.lookup(base >> PageShift); e != nil && e.frame != nil && e.frame.huge == hp {
		as.clear(base>>PageShift, (base+HugeSize)>>PageShift)
		as.Gen++
	}
	v.Huge.unmapped = true
}

// ZapHuge unmaps, from every mapping of file in every address space, the huge pages
// from index first on (truncation of a hugetlbfs file).
func (p *Pool) ZapHuge(file *HugeFile, first uint64) {
	p.ZapHugeRange(file, first, ^uint64(0)>>HugeShift)
}

// ZapHugeRange unmaps the file's huge pages [first, end) from every mapping of it.
func (p *Pool) ZapHugeRange(file *HugeFile, first, end uint64) {
	for _, as := range p.spaces {
		zapped := false
		for _, v := range as.vmas.all() {
			hm := v.Huge
			if hm == nil || hm.File != file && hm.Src != file {
				continue
			}
			// The mapping's huge pages, by file index: [fp, fp+pages).
			fp, pages := v.Off>>HugeShift, (v.End-v.Start)>>HugeShift
			lo, hi := max(first, fp), min(end, fp+pages)
			if lo >= hi {
				continue
			}
			from, to := v.Start+(lo-fp)<<HugeShift, v.Start+(hi-fp)<<HugeShift
			if hm.Src != nil {
				// A private mapping loses only the file's pages, not its copies.
				for _, i := range file.PagesIn(lo, hi) {
					a := v.Start + (i-fp)<<HugeShift
					if e, _ := as.lookup(a >> PageShift); e != nil && e.frame != nil && e.cow {
						as.clear(a>>PageShift, (a+HugeSize)>>PageShift)
						zapped = true
					}
				}
				continue
			}
			as.clear(from>>PageShift, to>>PageShift)
			zapped = true
		}
		if zapped {
			as.Gen++
		}
	}
}

// IsHuge reports whether v is a hugetlb mapping.
func (v *VMA) IsHuge() bool { return v.Huge != nil }

// PageSize reports the size of the pages that back v (smaps' KernelPageSize).
func (v *VMA) PageSize() uint64 {
	if v.Huge != nil {
		return HugeSize
	}
	return PageSize
}

// CheckHugeSplit reports ErrHugeAlign if start or end falls inside a hugetlb mapping
// at an address that is not a multiple of HugeSize: such a mapping cannot be split
// there (hugetlb_vm_op_split).
func (as *AddressSpace) CheckHugeSplit(start, end uint64) error {
	for _, a := range []uint64{start, end} {
		if v := as.Find(a); v != nil && v.Huge != nil && v.Start != a && a&HugeMask != 0 {
			return ErrHugeAlign
		}
	}
	return nil
}
