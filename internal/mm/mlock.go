package mm

// Memory locks (mlock(2)). weft never swaps, so every page is as resident as a locked
// one; what a lock changes is what Linux shows of it: a locked VMA has its pages made
// present at once (unless locked on fault), counts in VmLck and against
// RLIMIT_MEMLOCK, and is not inherited by a forked child.

// Lock sets or clears the lock on [start, start+length), which must be fully mapped
// (ErrNotMapped otherwise, mlock(2)'s ENOMEM). Locking with populate makes every
// accessible page of the range present now (mlock2 without MLOCK_ONFAULT); if memory
// runs out on the way, the range stays locked as far as it got and ErrOutOfMemory is
// returned (mlock(2)'s EAGAIN).
func (as *AddressSpace) Lock(start, length uint64, lock, populate bool) error {
	end := start + length
	for a := start; a < end; {
		v := as.Find(a)
		if v == nil {
			return ErrNotMapped
		}
		a = v.End
	}
	if err := as.splitAround(start, end); err != nil {
		return err
	}
	as.vmas.overlapping(start, end, func(v *VMA) { v.Locked = lock })
	if lock && populate {
		return as.populateLocked(start, end)
	}
	return nil
}

// LockAll sets or clears the lock on every mapping (mlockall(MCL_CURRENT),
// munlockall), populating as Lock does.
func (as *AddressSpace) LockAll(lock, populate bool) error {
	for _, v := range as.vmas.all() {
		v.Locked = lock
	}
	if lock && populate {
		return as.populateLocked(0, AddrLimit)
	}
	return nil
}

// populateLocked makes the pages of the locked VMAs in [start, end) present: written
// to if writable (so a copy-on-write page becomes the process's own, as Linux's
// populate does), read otherwise; inaccessible pages are left alone.
func (as *AddressSpace) populateLocked(start, end uint64) error {
	for _, v := range as.vmas.all() {
		if !v.Locked || v.End <= start || v.Start >= end || v.Perm == 0 {
			continue
		}
		acc := Load
		if v.Perm&PermWrite != 0 && !v.Shared {
			acc = Store
		}
		for a := max(v.Start, start); a < min(v.End, end); a += PageSize {
			if _, f := as.Page(a, acc); f != nil {
				if f.Kind == OutOfMemory {
					return ErrOutOfMemory
				}
				break
			}
		}
	}
	return nil
}

// LockedBytes is the size of the locked mappings (VmLck, and what RLIMIT_MEMLOCK
// bounds).
func (as *AddressSpace) LockedBytes() uint64 {
	var n uint64
	for _, v := range as.vmas.all() {
		if v.Locked {
			n += v.End - v.Start
		}
	}
	return n
}

// LockedIn is the size of the locked mappings within [start, end).
func (as *AddressSpace) LockedIn(start, end uint64) uint64 {
	var n uint64
	as.vmas.overlapping(start, end, func(v *VMA) {
		if v.Locked {
			n += min(v.End, end) - max(v.Start, start)
		}
	})
	return n
}

// SetForkAdvice applies madvise's MADV_WIPEONFORK (wipe), MADV_KEEPONFORK (!wipe),
// MADV_DONTFORK and MADV_DOFORK (dontFork) to [start, start+length), splitting
// mappings at its edges; holes are skipped (the caller reports them).
func (as *AddressSpace) SetForkAdvice(start, length uint64, set func(v *VMA)) error {
	end := start + length
	if err := as.splitAround(start, end); err != nil {
		return err
	}
	as.vmas.overlapping(start, end, set)
	return nil
}
