package mm

import "errors"

// ErrNoSpace is returned when no free range is large enough.
var ErrNoSpace = errors.New("mm: no free address range")

// Discard drops the pages in [start, start+length) but keeps the mappings: the next
// access sees zero-filled memory (madvise(MADV_DONTNEED) on private anonymous memory).
// Shared pages are left alone, as their contents belong to every sharer.
func (as *AddressSpace) Discard(start, length uint64) error {
	lo, hi := start>>PageShift, (start+length+PageMask)>>PageShift
	if !as.pool.Fits(as.copyCost(lo, hi)) {
		return ErrOutOfMemory
	}
	as.visit(lo, hi, true, func(_ uint64, e *pte) {
		switch {
		case e.frame != nil && !e.shared:
			as.dropFrame(e.frame)
			*e = pte{}
		case e.marker == markerPoison:
			*e = pte{} // zapped: the next touch maps a new page (zap_pte_range)
		}
	})
	as.Gen++
	return nil
}

// Remap resizes the mapping at [old, old+oldLen) to newLen bytes, in place when the
// space after it is free, else (with mayMove) at a new address, moving its pages without
// copying them (mremap(2)). All lengths are page-aligned.
func (as *AddressSpace) Remap(old, oldLen, newLen uint64, mayMove bool) (uint64, error) {
	v := as.Find(old)
	if v == nil || v.Start > old || v.End < old+oldLen {
		return 0, errors.New("mm: remap of a range that is not one mapping")
	}
	if newLen <= oldLen {
		if err := as.Unmap(old+newLen, oldLen-newLen); err != nil {
			return 0, err
		}
		return old, nil
	}
	end := old + newLen
	free := end <= AddrLimit && end > old && !as.Overlaps(old+oldLen, newLen-oldLen)
	if free && v.End == old+oldLen {
		as.resize(v, v.Start, end)
		return old, nil
	}
	if !mayMove {
		return 0, ErrNoSpace
	}
	dst := as.FindFree(newLen)
	if dst == 0 {
		return 0, ErrNoSpace
	}
	perm, shared, name := v.Perm, v.Shared, v.Name
	if !as.pool.Fits(as.copyCost(old>>PageShift, (old+oldLen)>>PageShift) + tableBytes(oldLen>>PageShift)) {
		return 0, ErrOutOfMemory
	}
	pager, off := v.Pager, v.Off+(old-v.Start)
	if v.File != nil {
		// A shared file mapping moves as one: the pages not yet touched are the
		// file's, past its end a bus error.
		if err := as.MapFile(dst, newLen, perm, name, v.File, off); err != nil {
			return 0, err
		}
	} else if err := as.Map(dst, newLen, perm, shared, name); err != nil {
		return 0, err
	}
	if w := as.Find(dst); w != nil && w.File == nil {
		w.Pager, w.Off = pager, off // pages not yet touched still come from the file
		if w.Holder = v.Holder; w.Holder != nil {
			w.Holder.Hold(1)
		}
	}
	for a := uint64(0); a < oldLen; a += PageSize {
		src := as.mutable((old+a)>>PageShift, false)
		if src == nil || (src.frame == nil && src.marker == 0) {
			continue
		}
		moved := *src
		*src = pte{}
		d := as.mutable((dst+a)>>PageShift, true)
		if d.frame != nil {
			as.dropFrame(d.frame)
		}
		*d = moved
	}
	as.Unmap(old, oldLen)
	return dst, nil
}

// Poison makes each page of [start, start+length) that a mapping covers a page with a
// memory failure, as Linux's memory_failure does for madvise(MADV_HWPOISON): the entry
// stays poisoned, so that the next access faults with HWPoison; a fork's child
// inherits the poisoned entries, and munmap or MADV_DONTNEED clears them. A frame no
// other entry maps is taken out of use (still charged, until UnpoisonPFN), as Linux
// takes the failed page; Linux poisons the physical page, and with it every other
// mapping of a shared one, where weft poisons this address space's entries only and
// leaves a frame others map in their use. It returns the pages that had a frame, with
// the frame's number.
func (as *AddressSpace) Poison(start, length uint64) ([]Offlined, error) {
	hit, _, err := as.setMarker(start, length, markerPoison)
	return hit, err
}

// setMarker replaces the entry of each page of [start, start+length) that a mapping
// covers with one marked m, dropping its frame (a poisoned frame no one else maps is
// retired, not freed). It returns the pages that had a frame, with the frame's
// number, and how many entries it marked.
func (as *AddressSpace) setMarker(start, length uint64, m marker) ([]Offlined, int, error) {
	lo, hi := start>>PageShift, (start+length+PageMask)>>PageShift
	if !as.pool.Fits(as.copyCost(lo, hi) + tableBytes(hi-lo)) {
		return nil, 0, ErrOutOfMemory
	}
	var hit []Offlined
	n := 0
	for vpn := lo; vpn < hi; vpn++ {
		if as.Find(vpn<<PageShift) == nil {
			continue
		}
		e := as.mutable(vpn, true)
		if f := e.frame; f != nil {
			hit = append(hit, Offlined{Addr: vpn << PageShift, PFN: f.pfn})
			if m == markerPoison && f.refs == 1 && !f.external && f.huge == nil {
				as.retireFrame(f)
			} else {
				as.dropFrame(f)
			}
		}
		*e = pte{marker: m}
		n++
	}
	as.Gen++ // cached translations of the pages must fault
	return hit, n, nil
}

// retireFrame drops the last reference to f and takes it out of use instead of
// freeing it: its memory cgroup no longer pays for it, the pool still does, until
// UnpoisonPFN.
func (as *AddressSpace) retireFrame(f *Frame) {
	as.Stats.Resident--
	f.refs--
	as.pool.Work.Refs++
	f.memcg.uncharge()
	f.memcg = nil
	as.pool.offline(f)
}

// GuardInstall makes each page of [start, start+length) that a mapping covers a
// guard page (madvise(MADV_GUARD_INSTALL), Linux 6.13): its frame is unmapped (and
// freed once nothing else maps it), a poisoned entry is replaced, and any later access
// faults with Guard. The marks stay through MADV_DONTNEED and MADV_FREE, move with
// mremap, are copied to a fork's child, and go with GuardRemove or munmap. The caller
// checks that the mappings allow guards (private anonymous, not locked). It returns
// how many pages it marked.
func (as *AddressSpace) GuardInstall(start, length uint64) (int, error) {
	_, n, err := as.setMarker(start, length, markerGuard)
	return n, err
}

// GuardRemove clears the guard marks of [start, start+length) (madvise
// MADV_GUARD_REMOVE): the next access to such a page maps a new zero-filled one.
// Present pages and other marks are left as they are. It returns how many marks it
// cleared.
func (as *AddressSpace) GuardRemove(start, length uint64) (int, error) {
	lo, hi := start>>PageShift, (start+length+PageMask)>>PageShift
	if !as.pool.Fits(as.copyCost(lo, hi)) {
		return 0, ErrOutOfMemory
	}
	n := 0
	as.visit(lo, hi, true, func(_ uint64, e *pte) {
		if e.marker == markerGuard {
			*e = pte{}
			n++
		}
	})
	return n, nil
}

// Offlined is a page MADV_SOFT_OFFLINE moved: its address and the frame number (PFN)
// it had, which is now out of use.
type Offlined struct{ Addr, PFN uint64 }

// SoftOffline moves each present page of [start, start+length) to a new frame with the
// same contents, as Linux's soft_offline_page migrates a page it no longer trusts for
// madvise(MADV_SOFT_OFFLINE): every entry that maps the old frame, in any address space
// of the pool (a MAP_SHARED page, a page shared copy-on-write with a fork's child), maps
// the new one, and the old frame is taken out of use: it stays charged to the pool
// (as lost memory) until UnpoisonPFN gives it back. Pages of files are left where they
// are. It returns the pages it moved, in address order.
func (as *AddressSpace) SoftOffline(start, length uint64) ([]Offlined, error) {
	lo, hi := start>>PageShift, (start+length+PageMask)>>PageShift
	var todo []uint64
	as.visit(lo, hi, false, func(vpn uint64, e *pte) {
		if e.frame != nil && !e.frame.external && e.frame.huge == nil { // (a huge page moves whole or not at all)
			todo = append(todo, vpn)
		}
	})
	var moved []Offlined
	for _, vpn := range todo {
		e, private := as.lookup(vpn)
		old := e.frame
		f := as.pool.alloc()
		if f == nil {
			return moved, ErrOutOfMemory
		}
		f.Data, f.memcg, f.copied, f.refs = old.Data, old.memcg, old.copied, old.refs
		old.memcg = nil // the charge moves with the contents
		if old.refs == 1 && private {
			e.frame = f // the one entry that maps it, in a node only as has
			as.Gen++
		} else {
			as.pool.replaceFrame(old, f)
		}
		as.pool.offline(old)
		as.pool.Work.PagesCopied++
		moved = append(moved, Offlined{Addr: vpn << PageShift, PFN: old.pfn})
	}
	return moved, nil
}

// replaceFrame makes every page-table entry of the pool's address spaces that maps
// old map f instead. Entries in nodes several address spaces share are changed in
// place: every sharer maps the new frame, as every mapping of a migrated page does.
func (p *Pool) replaceFrame(old, f *Frame) {
	for _, as := range p.spaces {
		changed := false
		as.visit(0, AddrLimit>>PageShift, false, func(_ uint64, e *pte) {
			switch e.frame {
			case old:
				e.frame = f
				changed = true
			case f:
				changed = true // a node shared with a space visited before
			}
		})
		if changed {
			as.Gen++ // cached translations of old must fault
		}
	}
}

// ErrPoisoned is PoisonPFN's answer for a frame already out of use.
var ErrPoisoned = errors.New("mm: the frame is already poisoned")

// PoisonPFN gives the frame numbered pfn a memory failure, as Linux's memory_failure
// does for the hwpoison debugfs's corrupt-pfn: every entry that maps it, in any address
// space of the pool, becomes a poisoned one (the next touch is HWPoison), and the frame
// is taken out of use, its charge kept until UnpoisonPFN. A frame no one maps any more
// (freed) is taken out of use all the same. The caller checks that pfn is valid
// (ValidPFN). It returns how many entries it poisoned.
func (p *Pool) PoisonPFN(pfn uint64) (int, error) {
	if p.offlined[pfn] {
		return 0, ErrPoisoned
	}
	n := 0
	for _, as := range p.spaces {
		var vpns []uint64
		as.visit(0, AddrLimit>>PageShift, false, func(vpn uint64, e *pte) {
			if e.frame != nil && e.frame.pfn == pfn && !e.frame.external {
				vpns = append(vpns, vpn)
			}
		})
		for _, vpn := range vpns {
			// A node shared with another space is copied first, so that each space
			// drops its own reference (charged even past the cap, as unmapping is).
			e := as.mutable(vpn, false)
			if e == nil || e.frame == nil || e.frame.pfn != pfn {
				continue // the space visited before poisoned this shared entry
			}
			if f := e.frame; f.refs == 1 {
				as.retireFrame(f) // the last entry: the frame leaves use
			} else {
				as.dropFrame(f)
			}
			*e = pte{marker: markerPoison}
			n++
		}
		if len(vpns) > 0 {
			as.Gen++
		}
	}
	if n == 0 {
		// A free frame leaves use all the same: the pool pays for it again.
		p.frames++
		p.charge(FrameBytes)
		p.offline(&Frame{pfn: pfn})
	}
	return n, nil
}
