package kernel

import (
	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// System V IPC (sysvipc(7)): shared memory segments, semaphore sets and message
// queues, each named by a key and identified by an ID, with an owner, a creator and
// permission bits checked as for files. weft has one IPC namespace, shared by every
// process of a run. This file has what the three kinds share; ipc_shm.go, ipc_sem.go
// and ipc_msg.go the rest.

// IPC flags and commands (linux/ipc.h).
const (
	IPC_PRIVATE = 0
	IPC_CREAT   = 0o1000
	IPC_EXCL    = 0o2000
	IPC_NOWAIT  = 0o4000

	IPC_RMID = 0
	IPC_SET  = 1
	IPC_STAT = 2
	IPC_INFO = 3
	IPC_64   = 0x100 // the "new" structure layout; the only one riscv64 has
)

// ipcMNI is IPCMNI: the most objects of one kind, and the factor between an ID's
// sequence number and its index (an ID is seq*ipcMNI + index).
const ipcMNI = 32768

// IPCPerm is struct ipc64_perm: who owns and who created an object, and its mode.
type IPCPerm struct {
	Key        int32
	UID, GID   uint32 // owner
	CUID, CGID uint32 // creator
	Mode       uint32 // permission bits, and per-kind state bits (SHM_DEST ...)
	Seq        uint16
}

// ipcObject is what the registry keeps of each object.
type ipcObject interface {
	perm() *IPCPerm
}

// ipcIDs is the registry of one kind of object (Linux's struct ipc_ids): indexes are
// handed out cyclically, and the sequence number goes up each time they wrap, so that a
// removed object's ID is not soon reused.
type ipcIDs struct {
	objs    map[int]ipcObject // by index; looked up, never iterated in map order
	byKey   map[int32]int     // index by key, for objects not IPC_PRIVATE
	lastIdx int
	seq     uint16
	inUse   int
	maxIdx  int // the highest index in use (IPC_INFO's result), -1 if none
}

func newIPCIDs() *ipcIDs {
	return &ipcIDs{objs: map[int]ipcObject{}, byKey: map[int32]int{}, lastIdx: -1, maxIdx: -1}
}

// add registers o and returns its ID, or ENOSPC when limit objects exist.
func (ids *ipcIDs) add(o ipcObject, limit int) (int, error) {
	if ids.inUse >= limit || ids.inUse >= ipcMNI {
		return 0, linux.ENOSPC
	}
	idx := ids.lastIdx + 1
	for ; ; idx++ {
		if idx >= ipcMNI {
			idx = 0
		}
		if ids.objs[idx] == nil {
			break
		}
	}
	if idx <= ids.lastIdx {
		ids.seq++ // wrapped around
	}
	ids.lastIdx = idx
	p := o.perm()
	p.Seq = ids.seq
	ids.objs[idx] = o
	if p.Key != IPC_PRIVATE {
		ids.byKey[p.Key] = idx
	}
	ids.inUse++
	ids.maxIdx = max(ids.maxIdx, idx)
	return int(ids.seq)*ipcMNI + idx, nil
}

// lookup finds the object with ID id (EINVAL if there is none, or its sequence
// number says it is a removed object's ID).
func (ids *ipcIDs) lookup(id int) (ipcObject, int, error) {
	if id < 0 {
		return nil, 0, linux.EINVAL
	}
	idx := id % ipcMNI
	o := ids.objs[idx]
	if o == nil || int(o.perm().Seq) != id/ipcMNI {
		return nil, 0, linux.EINVAL
	}
	return o, idx, nil
}

// byIndex finds the object at an index (the *_STAT commands take one).
func (ids *ipcIDs) byIndex(idx int) (ipcObject, int, error) {
	if idx < 0 || idx >= ipcMNI || ids.objs[idx] == nil {
		return nil, 0, linux.EINVAL
	}
	o := ids.objs[idx]
	return o, int(o.perm().Seq)*ipcMNI + idx, nil
}

// forgetKey makes an object unreachable by its key (it becomes IPC_PRIVATE), as a
// segment marked for removal while still attached is.
func (ids *ipcIDs) forgetKey(idx int) {
	p := ids.objs[idx].perm()
	if p.Key != IPC_PRIVATE && ids.byKey[p.Key] == idx {
		delete(ids.byKey, p.Key)
	}
	p.Key = IPC_PRIVATE
}

// remove takes the object at idx out of the registry.
func (ids *ipcIDs) remove(idx int) {
	ids.forgetKey(idx)
	delete(ids.objs, idx)
	ids.inUse--
	if idx == ids.maxIdx {
		ids.maxIdx = -1
		for i := idx - 1; i >= 0; i-- {
			if ids.objs[i] != nil {
				ids.maxIdx = i
				break
			}
		}
	}
}

// indexes returns the indexes in use, in order (for /proc/sysvipc).
func (ids *ipcIDs) indexes() []int {
	out := make([]int, 0, ids.inUse)
	for i := 0; i <= ids.maxIdx; i++ {
		if ids.objs[i] != nil {
			out = append(out, i)
		}
	}
	return out
}

// ipcGet is the part of shmget, semget and msgget that all three share
// (ipcget_public): a new object for IPC_PRIVATE or an unknown key with IPC_CREAT,
// else the existing one, which check (the kind's own checks, such as a segment's size)
// and the permission bits asked for must accept. create makes and registers a new
// object and returns its ID.
func (ids *ipcIDs) get(c *Creds, key int32, flags uint64, check func(ipcObject) error, create func() (int, error)) (int, error) {
	if key == IPC_PRIVATE {
		return create()
	}
	idx, ok := ids.byKey[key]
	if !ok {
		if flags&IPC_CREAT == 0 {
			return 0, linux.ENOENT
		}
		return create()
	}
	if flags&IPC_CREAT != 0 && flags&IPC_EXCL != 0 {
		return 0, linux.EEXIST
	}
	o := ids.objs[idx]
	if check != nil {
		if err := check(o); err != nil {
			return 0, err
		}
	}
	if !ipcAllowed(c, o.perm(), uint32(flags&0o777)) {
		return 0, linux.EACCES
	}
	return int(o.perm().Seq)*ipcMNI + idx, nil
}

// ipcAllowed implements ipcperms: the owner's, the group's or others' bits must grant
// every bit of want (an rwx-style mask as in a mode, 0o444 for read ...); a process
// with CAP_IPC_OWNER may do anything.
func ipcAllowed(c *Creds, p *IPCPerm, want uint32) bool {
	if c.Capable(CAP_IPC_OWNER) {
		return true
	}
	granted := p.Mode
	switch {
	case c.EUID == p.UID || c.EUID == p.CUID:
		granted >>= 6
	case c.EGID == p.GID || c.EGID == p.CGID || inGroups(c.Groups, p.GID) || inGroups(c.Groups, p.CGID):
		granted >>= 3
	}
	// want is given in any of the three positions (ipcperms folds them together).
	w := (want | want>>3 | want>>6) & 7
	return granted&w == w
}

func inGroups(groups []uint32, g uint32) bool {
	for _, x := range groups {
		if x == g {
			return true
		}
	}
	return false
}

// ipcOwner reports whether c may change or remove an object (IPC_SET, IPC_RMID): its
// owner, its creator, or a privileged process (CAP_SYS_ADMIN).
func ipcOwner(c *Creds, p *IPCPerm) bool {
	return c.Capable(CAP_SYS_ADMIN) || c.EUID == p.UID || c.EUID == p.CUID
}

// setPerm applies IPC_SET's owner and mode to p: the permission bits change, the
// kind's state bits stay.
func setPerm(p *IPCPerm, uid, gid, mode uint32) {
	p.UID, p.GID = uid, gid
	p.Mode = p.Mode&^0o777 | mode&0o777
}

// ipcState is the kernel's IPC namespace, made on first use.
type ipcState struct {
	shm *ipcIDs
	sem *ipcIDs
	msg *ipcIDs
	// shmPages counts the pages of every segment (SHMALL bounds it), semCount the
	// semaphores of every set (SEMMNS).
	shmPages uint64
	semCount int
	// undos are the processes' SEM_UNDO adjustments (ipc_sem.go); looked up, never
	// iterated.
	undos map[*ThreadGroup]*semUndos
}

func (k *Kernel) ipcNS() *ipcState {
	if k.ipc == nil {
		k.ipc = &ipcState{shm: newIPCIDs(), sem: newIPCIDs(), msg: newIPCIDs()}
	}
	return k.ipc
}

// realtimeSeconds is the guest's CLOCK_REALTIME in whole seconds, for the times IPC
// objects keep.
func (k *Kernel) realtimeSeconds() int64 { return k.FS.Now() / 1e9 }

// procSysvipcDir is /proc/sysvipc: the objects of each kind, as ipcs(1) lists them.
func (k *Kernel) procSysvipcDir() *vfs.Inode {
	fs := k.FS
	file := func(gen func() string) func() *vfs.Inode {
		return func() *vfs.Inode {
			return fs.NewGenerated(0o444, 0, 0, func() []byte { return []byte(gen()) })
		}
	}
	return staticDir(fs, map[string]func() *vfs.Inode{
		"shm": file(k.procSysvipcShm),
		"sem": file(k.procSysvipcSem),
		"msg": file(k.procSysvipcMsg),
	})
}
