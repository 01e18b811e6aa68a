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
		case e.poisoned:
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
		if src == nil || (src.frame == nil && !src.poisoned) {
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
// memory failure, as Linux's memory_failure does for madvise(MADV_HWPOISON): the frame
// is unmapped (and freed once nothing else maps it) and the entry stays poisoned, so
// that the next access faults with HWPoison; a fork's child inherits the poisoned
// entries, and munmap or MADV_DONTNEED clears them. Linux poisons the physical page,
// and with it every other mapping of a shared one; weft poisons this address space's
// entries only. It returns how many pages it poisoned.
func (as *AddressSpace) Poison(start, length uint64) (int, error) {
	lo, hi := start>>PageShift, (start+length+PageMask)>>PageShift
	if !as.pool.Fits(as.copyCost(lo, hi) + tableBytes(hi-lo)) {
		return 0, ErrOutOfMemory
	}
	n := 0
	for vpn := lo; vpn < hi; vpn++ {
		if as.Find(vpn<<PageShift) == nil {
			continue
		}
		e := as.mutable(vpn, true)
		if e.frame != nil {
			as.dropFrame(e.frame)
		}
		*e = pte{poisoned: true}
		n++
	}
	as.Gen++ // cached translations of the pages must fault
	return n, nil
}

// SoftOffline moves each present page of [start, start+length) to a new frame with the
// same contents (madvise(MADV_SOFT_OFFLINE): Linux migrates a page it no longer
// trusts and takes the old one out of use). Shared pages, and frames other entries
// map too, are left where they are: their contents belong to every sharer. It returns
// how many pages it moved.
func (as *AddressSpace) SoftOffline(start, length uint64) (int, error) {
	lo, hi := start>>PageShift, (start+length+PageMask)>>PageShift
	var todo []uint64
	as.visit(lo, hi, false, func(vpn uint64, e *pte) {
		if e.frame != nil && !e.shared && e.frame.refs == 1 && e.frame.huge == nil { // (a huge page moves whole or not at all)
			todo = append(todo, vpn)
		}
	})
	if !as.pool.Fits(as.copyCost(lo, hi) + int64(len(todo))*FrameBytes) {
		return 0, ErrOutOfMemory
	}
	moved := 0
	for _, vpn := range todo {
		e := as.mutable(vpn, false) // may copy a node shared with a fork's child
		if e.frame.refs != 1 {
			continue // the child's copy of the node maps the frame too now
		}
		f := as.pool.alloc()
		if f == nil {
			return moved, ErrOutOfMemory
		}
		old := e.frame
		f.Data, f.memcg, f.copied = old.Data, old.memcg, old.copied
		old.memcg = nil // the charge moves with the contents
		e.frame = f
		as.freeFrame(old)
		as.pool.Work.PagesCopied++
		moved++
	}
	if moved > 0 {
		as.Gen++
	}
	return moved, nil
}
