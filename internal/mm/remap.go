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
		if e.frame != nil && !e.shared {
			as.dropFrame(e.frame)
			*e = pte{}
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
		if src == nil || src.frame == nil {
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
