package syscalls

import (
	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/mm"
	"weft/internal/vfs"
)

var memCalls = []entry{
	call(linux.SYS_BRK, "brk", Brk, p).hex(),
	call(linux.SYS_MMAP, "mmap", Mmap, p, u, prot, mfl, fd, x).hex().partial("MAP_SHARED mappings of files on a host mount are private copies, paged in on first touch"),
	call(linux.SYS_MSYNC, "msync", Msync, p, u, x),
	call(linux.SYS_MUNMAP, "munmap", Munmap, p, u),
	call(linux.SYS_MPROTECT, "mprotect", Mprotect, p, u, prot),
	call(linux.SYS_MREMAP, "mremap", Mremap, p, u, u, x, p).hex().partial("MREMAP_MAYMOVE; not MREMAP_FIXED"),
	call(linux.SYS_MADVISE, "madvise", Madvise, p, u, i).partial("MADV_DONTNEED discards pages, MADV_FREE lets memory-cgroup reclaim take them, MADV_WIPEONFORK/KEEPONFORK and MADV_DONTFORK/DOFORK act on fork, MADV_HWPOISON poisons and MADV_SOFT_OFFLINE moves pages, MADV_GUARD_INSTALL/REMOVE set and clear guard pages; other known advice is accepted"),
	call(linux.SYS_MINCORE, "mincore", Mincore, p, u, p).partial("a page counts as resident when its mapping has it present: the page cache of an unmapped file page is not looked at"),
	call(linux.SYS_RISCV_FLUSH_ICACHE, "riscv_flush_icache", FlushIcache, p, p, x),
}

// Mmap protection and flags (asm-generic/mman-common.h).
const (
	PROT_READ  = 0x1
	PROT_WRITE = 0x2
	PROT_EXEC  = 0x4

	MAP_SHARED          = 0x01
	MAP_PRIVATE         = 0x02
	MAP_SHARED_VALIDATE = 0x03
	// MAP_DROPPABLE (Linux 6.11) is private anonymous memory the kernel may drop
	// under memory pressure; dropped pages read as zeros.
	MAP_DROPPABLE = 0x08
	MAP_TYPE      = 0x0f
	MAP_FIXED     = 0x10
	MAP_ANONYMOUS = 0x20
	MAP_GROWSDOWN = 0x100
	MAP_NORESERVE = 0x4000
	MAP_HUGETLB   = 0x40000
	// MAP_HUGE_SHIFT and MAP_HUGE_MASK: with MAP_HUGETLB, bits 26-31 may give the
	// huge page size as its log2 (MAP_HUGE_2MB is 21 << MAP_HUGE_SHIFT).
	MAP_HUGE_SHIFT      = 26
	MAP_HUGE_MASK       = 0x3f
	MAP_FIXED_NOREPLACE = 0x100000

	// mapValidFlags are the flags MAP_SHARED_VALIDATE accepts for a file without
	// DAX: Linux's LEGACY_MAP_MASK (MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANONYMOUS,
	// MAP_DENYWRITE, MAP_EXECUTABLE, MAP_UNINITIALIZED, MAP_GROWSDOWN, MAP_LOCKED,
	// MAP_NORESERVE, MAP_POPULATE, MAP_NONBLOCK, MAP_STACK, MAP_HUGETLB), and
	// MAP_FIXED_NOREPLACE.
	mapValidFlags = 0x03 | MAP_FIXED | MAP_ANONYMOUS | 0x0800 | 0x1000 | 0x4000000 | 0x0100 |
		0x2000 | 0x4000 | 0x8000 | 0x10000 | 0x20000 | 0x40000 | MAP_FIXED_NOREPLACE

	MREMAP_MAYMOVE = 1
	MREMAP_FIXED   = 2

	MADV_DONTNEED = 4
	MADV_FREE     = 8
)

func pageAlign(n uint64) uint64 { return (n + mm.PageMask) &^ mm.PageMask }

func protPerm(prot uint64) mm.Perm {
	var p mm.Perm
	if prot&PROT_READ != 0 {
		p |= mm.PermRead
	}
	if prot&PROT_WRITE != 0 {
		p |= mm.PermRead | mm.PermWrite // RISC-V has no write-only pages
	}
	if prot&PROT_EXEC != 0 {
		p |= mm.PermExec | mm.PermRead
	}
	return p
}

// Brk implements brk(2): it returns the new break, or the old one on failure.
func Brk(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return t.TG.MM.SetBrk(a[0]), nil
}

// mmapRegion implements mmap(2) but for memory locks (Mmap, in sys_mlock.go).
func mmapRegion(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	addr, length, prot, flags, off := a[0], a[1], a[2], a[3], a[5]
	as := t.TG.MM
	typ := flags & MAP_TYPE
	if off&mm.PageMask != 0 {
		return 0, linux.EINVAL
	}
	// As Linux's ksys_mmap_pgoff, the descriptor is looked up (EBADF) before the
	// mapping's other arguments are checked.
	var f *vfs.File
	if flags&MAP_ANONYMOUS == 0 {
		var err error
		if f, err = file(t, a[4]); err != nil {
			return 0, err
		}
	}
	switch {
	case length == 0:
		return 0, linux.EINVAL
	case typ != MAP_SHARED && typ != MAP_PRIVATE && typ != MAP_SHARED_VALIDATE && typ != MAP_DROPPABLE:
		return 0, linux.EINVAL
	case typ == MAP_DROPPABLE && (f != nil || flags&(MAP_LOCKED|MAP_HUGETLB|MAP_GROWSDOWN) != 0):
		// do_mmap: anonymous memory only, never locked, huge or a growing stack.
		return 0, linux.EINVAL
	case prot&^(PROT_READ|PROT_WRITE|PROT_EXEC) != 0:
		return 0, linux.EINVAL
	case f == nil && typ != MAP_PRIVATE && flags&MAP_GROWSDOWN != 0:
		return 0, linux.EINVAL // shared anonymous memory cannot grow (do_mmap)
	case f != nil && typ == MAP_SHARED_VALIDATE && flags&^mapValidFlags != 0:
		// mmap(2): MAP_SHARED_VALIDATE refuses flags the kernel does not know, or
		// that the file does not support (MAP_SYNC: no DAX here).
		return 0, linux.EOPNOTSUPP
	}
	huge := flags&MAP_HUGETLB != 0 && f == nil || f != nil && f.Inode.HugeFile() != nil
	if huge {
		// Only the 2 MiB size exists (or the default, 0); for a file the flag's
		// size bits are ignored, as ksys_mmap_pgoff does.
		if size := flags >> MAP_HUGE_SHIFT & MAP_HUGE_MASK; f == nil && size != 0 && size != mm.HugeShift {
			return 0, linux.EINVAL
		}
		if off&mm.HugeMask != 0 {
			return 0, linux.EINVAL
		}
		length = (length + mm.HugeMask) &^ mm.HugeMask
	} else {
		length = pageAlign(length)
	}
	if length == 0 || length >= mm.AddrLimit {
		return 0, linux.ENOMEM
	}
	zero := false
	if f != nil {
		zero = f.Inode.IsZeroDevice()
		if f.Inode.Mode&vfs.S_IFMT != vfs.S_IFREG && !zero {
			return 0, linux.ENODEV
		}
		if !f.Readable() || (typ != MAP_PRIVATE && prot&PROT_WRITE != 0 && !f.Writable()) {
			return 0, linux.EACCES
		}
	}
	// A shared mapping of a file open read-only can never become writable.
	noMayWrite := f != nil && typ != MAP_PRIVATE && !f.Writable()
	if zero {
		// /dev/zero maps as anonymous memory, private or shared (mmap_zero).
		f = nil
	}
	if rl := t.TG.Rlimits[kernel.RLIMIT_AS].Cur; rl != kernel.RLIM_INFINITY && as.Mapped()+length > rl {
		return 0, linux.ENOMEM
	}
	fixed := flags&(MAP_FIXED|MAP_FIXED_NOREPLACE) != 0
	align := uint64(mm.PageMask)
	if huge {
		align = mm.HugeMask
	}
	switch {
	case fixed:
		if addr&align != 0 || addr+length > mm.AddrLimit || addr+length < addr {
			return 0, linux.EINVAL
		}
		if flags&MAP_FIXED_NOREPLACE != 0 && flags&MAP_FIXED == 0 && as.Overlaps(addr, length) {
			return 0, linux.EEXIST
		}
		if as.CheckHugeSplit(addr, addr+length) != nil {
			return 0, linux.EINVAL // it would split a huge page of a mapping there
		}
	case addr != 0 && addr&align == 0 && addr+length <= mm.AddrLimit && !as.Overlaps(addr, length):
		// the hint is usable
	case huge:
		if addr = as.FindFreeHuge(length); addr == 0 {
			return 0, linux.ENOMEM
		}
	default:
		addr = as.FindFree(length)
		if addr == 0 {
			return 0, linux.ENOMEM
		}
	}
	if huge {
		return mmapHuge(t, f, addr, length, prot, typ != MAP_PRIVATE, flags&MAP_NORESERVE != 0, off)
	}
	name := ""
	if f != nil {
		name = f.Path
	}
	if f != nil && typ != MAP_PRIVATE && f.Inode.CanSharePages() {
		// A shared file mapping maps the file's own pages as they are touched; they
		// count against the memory cap like any other (the file charges the holes it
		// fills), and a page wholly past the file's end is a bus error.
		if off > vfs.MaxFileSize || length > vfs.MaxFileSize-off {
			return 0, linux.ENOMEM
		}
		if err := as.MapFile(addr, length, protPerm(prot), name, f.Inode, off); err != nil {
			return 0, linux.ENOMEM
		}
		if noMayWrite {
			as.SetForkAdvice(addr, length, func(v *mm.VMA) { v.NoMayWrite = true })
		}
		return addr, nil
	}
	if f != nil {
		// A host file is paged in as the guest touches it: mapping a file larger
		// than the memory cap costs nothing until its pages are used, and each page
		// then is one frame counted against the cap.
		pager, err := f.Inode.HostPager()
		if err != nil {
			return 0, err
		}
		if pager != nil {
			if err := as.MapPaged(addr, length, protPerm(prot), name, pager, off); err != nil {
				return 0, linux.ENOMEM
			}
			return addr, nil
		}
	}
	shared := typ != MAP_PRIVATE && typ != MAP_DROPPABLE && f == nil
	if err := as.Map(addr, length, protPerm(prot), shared, name); err != nil {
		return 0, linux.ENOMEM
	}
	if typ == MAP_DROPPABLE {
		// Droppable pages may be gone at any time, so a fork's child gets none of
		// them and a core dump leaves them out (VM_WIPEONFORK | VM_DONTDUMP).
		as.SetForkAdvice(addr, length, func(v *mm.VMA) { v.Droppable, v.WipeOnFork, v.DontDump = true, true, true })
	}
	if noMayWrite && shared {
		as.SetForkAdvice(addr, length, func(v *mm.VMA) { v.NoMayWrite = true })
	}
	if flags&MAP_GROWSDOWN != 0 && f == nil && !shared {
		// A stack that grows down into the free space below it as it is touched
		// (mmap(2) MAP_GROWSDOWN), keeping StackGuardGap from the mapping below.
		as.SetGrowsDown(addr, length)
	}
	if f != nil {
		// A private copy of a file in memory (bounded by the cap, as the file is):
		// copied a page at a time, into frames the cap counts; what lies past the
		// file's end stays zero.
		size := uint64(max(f.Inode.Size(), 0))
		var page [mm.PageSize]byte
		for pos := uint64(0); pos < length && off+pos < size; pos += mm.PageSize {
			n, _ := f.PRead(page[:min(mm.PageSize, size-off-pos)], int64(off+pos))
			if err := as.Poke(addr+pos, page[:n]); err != nil {
				as.Unmap(addr, length)
				return 0, linux.ENOMEM
			}
		}
	}
	return addr, nil
}

// mmapHuge makes a hugetlb mapping at addr (mmap(2) MAP_HUGETLB, or a file on
// hugetlbfs): shared, it maps the file's pages (a new unnamed file's for anonymous
// memory), reserving those it has none for yet; private, it reserves a page for each of
// its own. Without pages enough in the pool for the reservation, mmap fails with
// ENOMEM; with MAP_NORESERVE nothing is reserved and a fault the pool cannot serve is a
// bus error.
func mmapHuge(t *kernel.Task, f *vfs.File, addr, length, prot uint64, shared, noreserve bool, off uint64) (uint64, error) {
	pool := t.Kernel().Huge
	as := t.TG.MM
	var hf *mm.HugeFile
	name := "/anon_hugepage (deleted)" // what Linux's maps shows for MAP_HUGETLB memory
	if f != nil {
		hf, name = f.Inode.HugeFile(), f.Path
		if off > vfs.MaxFileSize || length > vfs.MaxFileSize-off {
			return 0, linux.EOVERFLOW
		}
	} else if shared {
		// An unnamed file of the mapping's size, which lives as long as a mapping
		// maps it (hugetlb_file_setup).
		hf = mm.NewHugeFile(pool, nil)
		hf.Size, hf.Unnamed = int64(length), true
	}
	var hm *mm.HugeMapping
	if shared {
		if !noreserve && !hf.Reserve(off>>mm.HugeShift, length>>mm.HugeShift) {
			return 0, linux.ENOMEM
		}
		hm = mm.NewHugeShared(pool, hf)
	} else if hm = mm.NewHugePrivate(pool, hf, addr, length, noreserve); hm == nil {
		return 0, linux.ENOMEM
	}
	if err := as.MapHuge(addr, length, protPerm(prot), name, hm, off); err != nil {
		return 0, linux.ENOMEM
	}
	if f != nil && prot&PROT_WRITE != 0 && hf.Size < int64(off+length) {
		hf.Size = int64(off + length) // hugetlbfs_file_mmap: a writable mapping grows the file
	}
	if f != nil && shared && !f.Writable() {
		as.SetForkAdvice(addr, length, func(v *mm.VMA) { v.NoMayWrite = true })
	}
	return addr, nil
}

// Munmap implements munmap(2).
func Munmap(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[0]&mm.PageMask != 0 || a[1] == 0 || a[0]+a[1] < a[0] {
		return 0, linux.EINVAL
	}
	switch err := t.TG.MM.Unmap(a[0], pageAlign(a[1])); {
	case err == mm.ErrHugeAlign:
		return 0, linux.EINVAL // it would split a huge page (mmap(2): hugetlb mappings)
	case err != nil:
		return 0, linux.ENOMEM // splitting a mapping would pass vm.max_map_count or the cap
	}
	return 0, nil
}

// Mprotect implements mprotect(2).
func Mprotect(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[0]&mm.PageMask != 0 || a[2]&^(PROT_READ|PROT_WRITE|PROT_EXEC|0x01000000|0x02000000) != 0 {
		return 0, linux.EINVAL
	}
	if a[1] == 0 {
		return 0, nil
	}
	if a[2]&PROT_WRITE != 0 {
		// mprotect_fixup: write permission the mapping may never have is EACCES.
		as := t.TG.MM
		for addr, end := a[0], a[0]+pageAlign(a[1]); addr < end; {
			v := as.Find(addr)
			if v == nil {
				break // the hole is ENOMEM, below
			}
			if v.NoMayWrite {
				return 0, linux.EACCES
			}
			addr = v.End
		}
	}
	switch err := t.TG.MM.Protect(a[0], pageAlign(a[1]), protPerm(a[2])); {
	case err == mm.ErrHugeAlign:
		return 0, linux.EINVAL
	case err != nil:
		return 0, linux.ENOMEM
	}
	markUnreadable(t.TG.MM, a[0], pageAlign(a[1]), a[2])
	return 0, nil
}

// markUnreadable records on the mappings in [addr, addr+length) whether prot lacked
// PROT_READ, for /proc/PID/maps (the hardware permissions include read anyway).
func markUnreadable(as *mm.AddressSpace, addr, length, prot uint64) {
	want := prot&PROT_READ == 0 && prot&(PROT_WRITE|PROT_EXEC) != 0
	differs := false
	for a := addr; a < addr+length; {
		v := as.Find(a)
		if v == nil {
			a += mm.PageSize
			continue
		}
		differs = differs || v.Unreadable != want
		a = v.End
	}
	if differs {
		as.SetForkAdvice(addr, length, func(v *mm.VMA) { v.Unreadable = want })
	}
}

// Mremap implements mremap(2).
func Mremap(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	old, oldLen, newLen, flags := a[0], pageAlign(a[1]), pageAlign(a[2]), a[3]
	switch {
	case old&mm.PageMask != 0 || flags&^(MREMAP_MAYMOVE|MREMAP_FIXED) != 0 || newLen == 0:
		return 0, linux.EINVAL
	case flags&MREMAP_FIXED != 0:
		return 0, linux.EINVAL
	case oldLen == 0:
		return 0, linux.EINVAL // duplicating shared mappings is not supported
	}
	if v := t.TG.MM.Find(old); v != nil && v.IsHuge() {
		return 0, linux.EINVAL // hugetlb mappings are not moved or resized here
	}
	addr, err := t.TG.MM.Remap(old, oldLen, newLen, flags&MREMAP_MAYMOVE != 0)
	switch {
	case err == mm.ErrNoSpace:
		return 0, linux.ENOMEM
	case err != nil:
		return 0, linux.EFAULT
	}
	return addr, nil
}

// Mincore implements mincore(2): one byte per page of [addr, addr+length), bit 0 set
// when the page is present in memory. addr must be page-aligned (EINVAL); every page
// of the range must be mapped (ENOMEM); vec must be writable (EFAULT).
func Mincore(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	addr, length, vec := a[0], a[1], a[2]
	if addr&mm.PageMask != 0 {
		return 0, linux.EINVAL
	}
	end := addr + pageAlign(length)
	if end < addr || end > mm.AddrLimit || (length != 0 && end == addr) {
		return 0, linux.ENOMEM
	}
	as := t.TG.MM
	for a := addr; a < end; {
		v := as.Find(a)
		if v == nil {
			return 0, linux.ENOMEM
		}
		a = v.End
	}
	// One page of the answer at a time: the range may be as large as the address
	// space, the buffer that holds it is not.
	var buf [mm.PageSize]byte
	for a, out := addr, vec; a < end; {
		n := 0
		for ; n < len(buf) && a < end; n, a = n+1, a+mm.PageSize {
			present, _, _, _ := as.PageState(a)
			buf[n] = 0
			if present {
				buf[n] = 1
			}
		}
		if err := copyOut(t, out, buf[:n]); err != nil {
			return 0, err
		}
		out += uint64(n)
	}
	return 0, nil
}

// Madvise implements madvise(2).
func Madvise(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	advice := a[2]
	if !madviseValid(advice) || a[0]&mm.PageMask != 0 {
		return 0, linux.EINVAL
	}
	length := pageAlign(a[1])
	start, end := a[0], a[0]+length
	switch {
	case a[1] != 0 && length == 0, end < start:
		return 0, linux.EINVAL
	case end == start:
		return 0, nil
	}
	if advice == MADV_HWPOISON || advice == MADV_SOFT_OFFLINE {
		return madviseInjectError(t, advice, start, end)
	}
	// As Linux's madvise_walk_vmas: each mapping in the range is checked (the first
	// refusal is the result), and a hole anywhere makes the call ENOMEM at the end.
	as := t.TG.MM
	hole := false
	for addr := start; addr < end; {
		v := as.Find(addr)
		if v == nil {
			hole = true
			addr += mm.PageSize
			continue
		}
		file := vmaIsFile(v)
		if v.IsHuge() && (advice == MADV_DONTNEED || advice == MADV_DONTNEED_LOCKED) {
			// madvise_dontneed_free_valid_vma: whole huge pages only, from an
			// aligned start; an end inside a huge page is rounded down to it.
			if max(addr, start)&mm.HugeMask != 0 {
				return 0, linux.EINVAL
			}
			if end < v.End {
				end = max(start, end&^mm.HugeMask)
				length = end - start
			}
		}
		switch advice {
		case MADV_DONTNEED, MADV_FREE, MADV_COLD, MADV_PAGEOUT:
			if v.Locked {
				return 0, linux.EINVAL // locked pages cannot be released
			}
			if advice == MADV_FREE && (file || v.Shared) {
				return 0, linux.EINVAL // private anonymous memory only
			}
		case MADV_DONTNEED_LOCKED:
		case MADV_REMOVE:
			if v.Locked || !file {
				return 0, linux.EINVAL
			}
			if !v.Shared || v.Perm&mm.PermWrite == 0 {
				return 0, linux.EACCES
			}
		case MADV_WILLNEED:
			if !file && v.Shared {
				return 0, linux.EBADF
			}
		case MADV_WIPEONFORK:
			if file || v.Shared {
				return 0, linux.EINVAL
			}
		case MADV_GUARD_INSTALL, MADV_GUARD_REMOVE:
			// Linux 6.13's is_valid_guard_vma: private anonymous memory only (not
			// the vDSO, a special mapping, nor hugetlb memory), and for install not
			// locked, as that would discard locked pages.
			if file || v.Shared || v.IsHuge() || v.Name == "[vdso]" || (advice == MADV_GUARD_INSTALL && v.Locked) {
				return 0, linux.EINVAL
			}
		}
		addr = v.End
	}
	switch advice {
	case MADV_DONTNEED, MADV_DONTNEED_LOCKED:
		if as.Discard(start, length) != nil && !hole {
			return 0, linux.ENOMEM
		}
	case MADV_FREE:
		// The pages stay, contents and all, until memory runs short in their memory
		// cgroup, which then takes those not written since (mm's LazyFree, Reclaim).
		n, err := as.LazyFree(start, length)
		if err != nil && !hole {
			return 0, linux.ENOMEM
		}
		t.TG.CountLazyFree(n)
	case MADV_GUARD_INSTALL:
		if _, err := as.GuardInstall(start, length); err != nil {
			return 0, linux.ENOMEM
		}
	case MADV_GUARD_REMOVE:
		if _, err := as.GuardRemove(start, length); err != nil {
			return 0, linux.ENOMEM
		}
	case MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_DONTFORK, MADV_DOFORK, MADV_DONTDUMP, MADV_DODUMP:
		err := as.SetForkAdvice(start, length, func(v *mm.VMA) {
			switch advice {
			case MADV_WIPEONFORK, MADV_KEEPONFORK:
				v.WipeOnFork = advice == MADV_WIPEONFORK
			case MADV_DONTDUMP, MADV_DODUMP:
				v.DontDump = advice == MADV_DONTDUMP
			default:
				v.DontFork = advice == MADV_DONTFORK
			}
		})
		if err != nil {
			return 0, linux.EAGAIN // splitting a mapping ran out of VMAs or memory
		}
	}
	if hole {
		return 0, linux.ENOMEM
	}
	return 0, nil
}

// madvise advice values (asm-generic/mman-common.h) beyond those above.
const (
	MADV_NORMAL          = 0
	MADV_RANDOM          = 1
	MADV_SEQUENTIAL      = 2
	MADV_WILLNEED        = 3
	MADV_REMOVE          = 9
	MADV_DONTFORK        = 10
	MADV_DOFORK          = 11
	MADV_DONTDUMP        = 16
	MADV_DODUMP          = 17
	MADV_WIPEONFORK      = 18
	MADV_KEEPONFORK      = 19
	MADV_COLD            = 20
	MADV_PAGEOUT         = 21
	MADV_POPULATE_READ   = 22
	MADV_POPULATE_WRITE  = 23
	MADV_DONTNEED_LOCKED = 24
	MADV_HWPOISON        = 100
	MADV_SOFT_OFFLINE    = 101
	MADV_GUARD_INSTALL   = 102 // Linux 6.13
	MADV_GUARD_REMOVE    = 103
)

// madviseInjectError is madvise's memory failure injection (CONFIG_MEMORY_FAILURE,
// Linux's madvise_inject_error), for CAP_SYS_ADMIN only (EPERM): MADV_HWPOISON makes
// the pages of [start, end) poisoned, so that touching one again raises SIGBUS
// (BUS_MCEERR_AR), and takes their frames out of use; MADV_SOFT_OFFLINE moves their
// contents to other frames, taking the old ones out of use. The hwpoison debugfs puts
// either back. Each page must be mapped, readable and not a guard page, as
// get_user_pages_fast asks (EFAULT). The kernel log names each frame, as Linux's does.
func madviseInjectError(t *kernel.Task, advice, start, end uint64) (uint64, error) {
	if !t.TG.Creds.Capable(kernel.CAP_SYS_ADMIN) {
		return 0, linux.EPERM
	}
	as := t.TG.MM
	for a := start; a < end; {
		v := as.Find(a)
		if v == nil || v.Perm&mm.PermRead == 0 {
			return 0, linux.EFAULT
		}
		a = v.End
	}
	for a := start; a < end; a += mm.PageSize {
		if as.Guarded(a) {
			return 0, linux.EFAULT
		}
	}
	k := t.Kernel()
	if advice == MADV_HWPOISON {
		hit, err := as.Poison(start, end-start)
		if err != nil {
			return 0, linux.ENOMEM
		}
		for _, h := range hit {
			if h.PFN == 0 {
				continue // a file's page: weft does not number those
			}
			// madvise_inject_error's message, then memory_failure's.
			k.Logf(kernel.KERN_INFO, "Injecting memory failure for pfn %#x at process virtual address %#x", h.PFN, h.Addr)
			k.Logf(kernel.KERN_ERR, "Memory failure: %#x: recovery action for dirty LRU page: Recovered", h.PFN)
		}
		return 0, nil
	}
	moved, err := as.SoftOffline(start, end-start)
	for _, m := range moved {
		// Linux's madvise_inject_error logs each page it offlines (pr_info); madvise11
		// finds the frames there to put them back through the hwpoison debugfs.
		k.Logf(kernel.KERN_INFO, "Soft offlining pfn %#x at process virtual address %#x", m.PFN, m.Addr)
	}
	if err != nil {
		return 0, linux.ENOMEM
	}
	return 0, nil
}

// madviseValid reports whether advice is one this kernel knows (madvise(2)); those of
// features weft's configuration does not have (KSM's MADV_MERGEABLE, transparent huge
// pages) are EINVAL, as on a kernel built without them.
func madviseValid(advice uint64) bool {
	switch advice {
	case MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED, MADV_FREE,
		MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK,
		MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
		MADV_DONTNEED_LOCKED, MADV_HWPOISON, MADV_SOFT_OFFLINE, MADV_GUARD_INSTALL, MADV_GUARD_REMOVE:
		return true
	}
	return false
}

// vmaIsFile reports whether a mapping maps a file: mmapRegion names file mappings by
// the file's path, while anonymous memory is unnamed or bracketed ("[heap]").
func vmaIsFile(v *mm.VMA) bool {
	return v.Pager != nil || (v.Name != "" && v.Name[0] != '[')
}

// FlushIcache implements riscv_flush_icache(2): later fetches see stored instructions.
func FlushIcache(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	t.TG.MM.Gen++ // every hart re-validates its translations and decoded pages
	t.Kernel().FlushDecodeCaches()
	return 0, nil
}

// msync flags.
const (
	MS_ASYNC      = 1
	MS_INVALIDATE = 2
	MS_SYNC       = 4
)

// Msync implements msync(2): shared mappings of in-memory files already are the file.
func Msync(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[0]&mm.PageMask != 0 || a[2]&^(MS_ASYNC|MS_INVALIDATE|MS_SYNC) != 0 || a[2]&(MS_ASYNC|MS_SYNC) == MS_ASYNC|MS_SYNC {
		return 0, linux.EINVAL
	}
	for addr := a[0]; addr < a[0]+pageAlign(a[1]); {
		v := t.TG.MM.Find(addr)
		if v == nil {
			return 0, linux.ENOMEM
		}
		addr = v.End
	}
	return 0, nil
}
