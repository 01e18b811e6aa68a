package kernel

import (
	"fmt"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/mm"
	"weft/internal/vfs"
)

// System V shared memory (shmget(2), shmat(2), shmctl(2)). A segment's pages are those
// of an unlinked in-memory file, as on Linux (a file on the kernel's internal tmpfs
// named SYSV<key>): they count against the memory cap, and every attachment maps the
// same frames. A segment counts its attachments through its VMAs (mm.Holder), so fork,
// munmap, exit and exec keep the count right; one marked for removal goes when the
// last attachment does.

// shmget and shmat flags, shmctl commands and mode bits (linux/shm.h).
const (
	SHM_HUGETLB = 0o4000
	SHM_RDONLY  = 0o10000
	SHM_RND     = 0o20000
	SHM_REMAP   = 0o40000
	SHM_EXEC    = 0o100000

	SHM_LOCK     = 11
	SHM_UNLOCK   = 12
	SHM_STAT     = 13
	SHM_INFO     = 14
	SHM_STAT_ANY = 15

	SHM_DEST   = 0o1000 // marked for removal: goes with the last detach
	SHM_LOCKED = 0o2000 // SHM_LOCK
)

// Shared memory limits: Linux's defaults (ipc/shm.c, /proc/sys/kernel/shm*). SHMMAX and
// SHMALL are "unlimited"; the memory cap bounds segments long before them.
const (
	SHMMIN = 1
	SHMMAX = ^uint64(0) - 1<<24
	SHMALL = ^uint64(0) - 1<<24
	SHMMNI = 4096
	SHMSEG = SHMMNI // per process; Linux does not enforce it either
	SHMLBA = mm.PageSize
)

// ShmSegment is one shared memory segment (struct shmid_kernel).
type ShmSegment struct {
	Perm                IPCPerm
	Size                uint64 // shm_segsz, as asked for
	Atime, Dtime, Ctime int64  // last attach, last detach, last change (seconds)
	CPID, LPID          int    // creator, last shmat/shmdt
	Nattch              int    // VMAs mapping it

	k    *Kernel
	idx  int
	file *vfs.File // holds the unlinked file with the pages
}

func (s *ShmSegment) perm() *IPCPerm { return &s.Perm }

// Hold implements mm.Holder: a VMA mapping the segment came or went. A segment marked
// for removal is destroyed when the last one goes.
func (s *ShmSegment) Hold(delta int) {
	s.Nattch += delta
	if delta < 0 {
		s.Dtime = s.k.realtimeSeconds()
	}
	if s.Nattch == 0 && s.Perm.Mode&SHM_DEST != 0 {
		s.destroy()
	}
}

// destroy frees the segment: it leaves the registry and its file's pages go back
// (those still mapped stay until unmapped, as any file's).
func (s *ShmSegment) destroy() {
	if s.file == nil {
		return
	}
	ns := s.k.ipcNS()
	ns.shm.remove(s.idx)
	ns.shmPages -= pages(s.Size)
	s.file.DecRef()
	s.file = nil
}

func pages(size uint64) uint64 { return (size + mm.PageMask) / mm.PageSize }

// ShmGet implements shmget(2).
func (k *Kernel) ShmGet(t *Task, key int32, size uint64, flags uint64) (int, error) {
	ns := k.ipcNS()
	c := &t.TG.Creds
	check := func(o ipcObject) error {
		if size > o.(*ShmSegment).Size {
			return linux.EINVAL
		}
		return nil
	}
	return ns.shm.get(c, key, flags, check, func() (int, error) {
		if size < SHMMIN || size > SHMMAX {
			return 0, linux.EINVAL
		}
		if flags&SHM_HUGETLB != 0 {
			// A kernel without hugetlbfs (weft's configuration) fails the
			// setup of a huge page segment so.
			return 0, linux.ENOSYS
		}
		n := pages(size)
		if n > SHMALL-ns.shmPages {
			return 0, linux.ENOSPC
		}
		if ns.shm.inUse >= SHMMNI {
			return 0, linux.ENOSPC
		}
		ino := k.FS.NewFile(nil, 0o600|uint32(flags&0o777), c.EUID, c.EGID)
		ino.Nlink = 0 // on no directory: the open file below keeps it
		f := vfs.Open(ino, vfs.O_RDWR, fmt.Sprintf("/SYSV%08x", uint32(key)))
		if err := ino.Truncate(int64(size)); err != nil {
			f.DecRef()
			return 0, linux.ENOMEM
		}
		s := &ShmSegment{
			Perm: IPCPerm{Key: key, UID: c.EUID, GID: c.EGID, CUID: c.EUID, CGID: c.EGID, Mode: uint32(flags & 0o777)},
			Size: size, Ctime: k.realtimeSeconds(), CPID: t.TG.PID, k: k, file: f,
		}
		id, err := ns.shm.add(s, SHMMNI)
		if err != nil {
			f.DecRef()
			return 0, err
		}
		s.idx = id % ipcMNI
		ns.shmPages += n
		return id, nil
	})
}

// shmByID finds a segment by ID.
func (k *Kernel) shmByID(id int) (*ShmSegment, error) {
	o, _, err := k.ipcNS().shm.lookup(id)
	if err != nil {
		return nil, err
	}
	return o.(*ShmSegment), nil
}

// ShmAt implements shmat(2): it maps the whole segment at addr (0: where there is
// room; rounded down to SHMLBA with SHM_RND), read-only with SHM_RDONLY.
func (k *Kernel) ShmAt(t *Task, id int, addr uint64, flags uint64) (uint64, error) {
	s, err := k.shmByID(id)
	if err != nil {
		return 0, err
	}
	if addr != 0 && addr%SHMLBA != 0 {
		if flags&SHM_RND == 0 {
			return 0, linux.EINVAL
		}
		addr -= addr % SHMLBA
		if addr == 0 && flags&SHM_REMAP != 0 {
			return 0, linux.EINVAL
		}
	}
	if addr == 0 && flags&SHM_REMAP != 0 {
		return 0, linux.EINVAL
	}
	want, perm := uint32(0o444), mm.PermRead
	if flags&SHM_RDONLY == 0 {
		want, perm = 0o666, mm.PermRead|mm.PermWrite
	}
	if flags&SHM_EXEC != 0 {
		want |= 0o111
		perm |= mm.PermExec
	}
	if !ipcAllowed(&t.TG.Creds, &s.Perm, want) {
		return 0, linux.EACCES
	}
	as := t.TG.MM
	length := pages(s.Size) * mm.PageSize
	switch {
	case addr == 0:
		if addr = as.FindFree(length); addr == 0 {
			return 0, linux.ENOMEM
		}
	case addr+length > mm.AddrLimit || addr+length < addr:
		return 0, linux.EINVAL
	case flags&SHM_REMAP == 0 && as.Overlaps(addr, length):
		return 0, linux.EINVAL // shmat(2): a mapping is there already
	}
	frames, err := s.file.Inode.SharePages(0, length/mm.PageSize)
	if err != nil {
		return 0, linux.ENOMEM
	}
	name := fmt.Sprintf("/SYSV%08x (deleted)", uint32(s.Perm.Key))
	if err := as.MapFrames(addr, frames, perm, name); err != nil {
		return 0, linux.ENOMEM
	}
	as.SetHolder(addr, s)
	s.Atime, s.LPID = k.realtimeSeconds(), t.TG.PID
	return addr, nil
}

// ShmDt implements shmdt(2): it unmaps the attachment that starts at addr (every VMA
// of it, should mprotect have split it).
func (k *Kernel) ShmDt(t *Task, addr uint64) error {
	if addr%mm.PageSize != 0 {
		return linux.EINVAL
	}
	as := t.TG.MM
	v := as.Find(addr)
	if v == nil || v.Start != addr || v.Off != 0 {
		return linux.EINVAL
	}
	s, ok := v.Holder.(*ShmSegment)
	if !ok {
		return linux.EINVAL
	}
	end := addr + pages(s.Size)*mm.PageSize
	for a := addr; a < end; {
		w := as.Find(a)
		if w == nil {
			a += mm.PageSize
			continue
		}
		next := w.End
		if w.Holder == s {
			if err := as.Unmap(w.Start, w.End-w.Start); err != nil {
				return linux.ENOMEM
			}
		}
		a = next
	}
	s.LPID = t.TG.PID
	return nil
}

// ShmInfo is struct shm_info (SHM_INFO).
type ShmInfo struct {
	UsedIDs                uint64
	Tot, RSS, Swp          uint64 // pages
	SwapAttempts, SwapSucc uint64
}

// ShmCtlResult is what shmctl hands back to be copied out.
type ShmCtlResult struct {
	Ret  int
	Seg  *ShmSegment // IPC_STAT, SHM_STAT, SHM_STAT_ANY
	Info *ShmInfo    // SHM_INFO
	// Limits is shminfo64 (IPC_INFO): shmmax, shmmin, shmmni, shmseg, shmall.
	Limits []uint64
}

// ShmCtl implements shmctl(2) but for copying structures in and out: for IPC_SET, set
// holds the new uid, gid and mode.
func (k *Kernel) ShmCtl(t *Task, id int, cmd int, set *IPCPerm) (ShmCtlResult, error) {
	ns := k.ipcNS()
	c := &t.TG.Creds
	switch cmd {
	case IPC_INFO:
		return ShmCtlResult{Ret: max(ns.shm.maxIdx, 0), Limits: []uint64{SHMMAX, SHMMIN, SHMMNI, SHMSEG, SHMALL}}, nil
	case SHM_INFO:
		var rss uint64
		for _, i := range ns.shm.indexes() {
			rss += uint64(ns.shm.objs[i].(*ShmSegment).file.Inode.ResidentPages())
		}
		info := &ShmInfo{UsedIDs: uint64(ns.shm.inUse), Tot: ns.shmPages, RSS: rss}
		return ShmCtlResult{Ret: max(ns.shm.maxIdx, 0), Info: info}, nil
	case SHM_STAT, SHM_STAT_ANY:
		o, fullID, err := ns.shm.byIndex(id)
		if err != nil {
			return ShmCtlResult{}, err
		}
		s := o.(*ShmSegment)
		if cmd == SHM_STAT && !ipcAllowed(c, &s.Perm, 0o444) {
			return ShmCtlResult{}, linux.EACCES
		}
		return ShmCtlResult{Ret: fullID, Seg: s}, nil
	case IPC_STAT, IPC_SET, IPC_RMID, SHM_LOCK, SHM_UNLOCK:
	default:
		return ShmCtlResult{}, linux.EINVAL
	}
	s, err := k.shmByID(id)
	if err != nil {
		return ShmCtlResult{}, err
	}
	switch cmd {
	case IPC_STAT:
		if !ipcAllowed(c, &s.Perm, 0o444) {
			return ShmCtlResult{}, linux.EACCES
		}
		return ShmCtlResult{Seg: s}, nil
	case IPC_SET:
		if !ipcOwner(c, &s.Perm) {
			return ShmCtlResult{}, linux.EPERM
		}
		setPerm(&s.Perm, set.UID, set.GID, set.Mode)
		s.Ctime = k.realtimeSeconds()
	case IPC_RMID:
		if !ipcOwner(c, &s.Perm) {
			return ShmCtlResult{}, linux.EPERM
		}
		s.Perm.Mode |= SHM_DEST
		ns.shm.forgetKey(s.idx)
		if s.Nattch == 0 {
			s.destroy()
		}
	case SHM_LOCK, SHM_UNLOCK:
		// shmctl(2): the owner may lock with a non-zero RLIMIT_MEMLOCK, a
		// privileged process always. weft never swaps: the lock is the mode bit.
		if !c.Capable(CAP_IPC_LOCK) && (!ipcOwner(c, &s.Perm) || (cmd == SHM_LOCK && t.TG.Rlimits[RLIMIT_MEMLOCK].Cur == 0)) {
			return ShmCtlResult{}, linux.EPERM
		}
		if cmd == SHM_LOCK {
			s.Perm.Mode |= SHM_LOCKED
		} else {
			s.Perm.Mode &^= SHM_LOCKED
		}
	}
	return ShmCtlResult{}, nil
}

// procSysvipcShm is /proc/sysvipc/shm (as ipcs reads it).
func (k *Kernel) procSysvipcShm() string {
	var b strings.Builder
	b.WriteString("       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n")
	ns := k.ipcNS()
	for _, i := range ns.shm.indexes() {
		s := ns.shm.objs[i].(*ShmSegment)
		p := s.Perm
		fmt.Fprintf(&b, "%10d %10d  %4o %21d %5d %5d  %5d %5d %5d %5d %5d %10d %10d %10d %21d %21d\n",
			p.Key, int(p.Seq)*ipcMNI+i, p.Mode, s.Size, s.CPID, s.LPID, s.Nattch, p.UID, p.GID, p.CUID, p.CGID,
			s.Atime, s.Dtime, s.Ctime, uint64(s.file.Inode.ResidentPages())*mm.PageSize, 0)
	}
	return b.String()
}
