package kernel

import (
	"fmt"
	"strings"

	"weft/internal/abi/linux"
)

// System V semaphores (semget(2), semop(2), semctl(2)). A semop applies all of its
// operations or none; one that cannot proceed blocks (or fails with IPC_NOWAIT) and is
// tried again whenever the set changes. SEM_UNDO adjustments are kept per process and
// applied when it exits.

// semop flags and semctl commands (linux/sem.h).
const (
	SEM_UNDO = 0x1000

	GETPID       = 11
	GETVAL       = 12
	GETALL       = 13
	GETNCNT      = 14
	GETZCNT      = 15
	SETVAL       = 16
	SETALL       = 17
	SEM_STAT     = 18
	SEM_INFO     = 19
	SEM_STAT_ANY = 20
)

// Semaphore limits: Linux's defaults (/proc/sys/kernel/sem: SEMMSL, SEMMNS, SEMOPM,
// SEMMNI), and the largest value and undo adjustment.
const (
	SEMMSL = 32000
	SEMMNS = SEMMSL * SEMMNI
	SEMOPM = 500
	SEMMNI = 32000
	SEMVMX = 32767
	SEMAEM = SEMVMX
)

// Semaphore is one semaphore of a set.
type Semaphore struct {
	Val int
	PID int // the process of the last operation on it (GETPID)
}

// SemSet is a semaphore set (struct sem_array).
type SemSet struct {
	Perm         IPCPerm
	Sems         []Semaphore
	Otime, Ctime int64 // last semop, last change (seconds)

	idx     int
	changed WaitQueue // semops waiting for the set to change
	waiters []semWaiter
}

// semWaiter is a blocked semop, for GETNCNT and GETZCNT: the semaphore its first
// operation that cannot proceed waits on, and whether it waits for zero.
type semWaiter struct {
	task *Task
	num  int
	zero bool
}

func (s *SemSet) perm() *IPCPerm { return &s.Perm }

// SemOp is one struct sembuf.
type SemOp struct {
	Num  uint16
	Op   int16
	Flag int16
}

// semUndo is one process's SEM_UNDO adjustments for one set.
type semUndo struct {
	id  int // the set's ID (a set removed meanwhile is skipped)
	adj []int
}

// semUndos are a process's adjustments, in the order the sets were first used.
type semUndos struct{ sets []*semUndo }

func (u *semUndos) forSet(id, n int) *semUndo {
	for _, s := range u.sets {
		if s.id == id {
			return s
		}
	}
	s := &semUndo{id: id, adj: make([]int, n)}
	u.sets = append(u.sets, s)
	return s
}

// SemGet implements semget(2).
func (k *Kernel) SemGet(t *Task, key int32, nsems int, flags uint64) (int, error) {
	ns := k.ipcNS()
	if nsems < 0 || nsems > SEMMSL {
		return 0, linux.EINVAL
	}
	check := func(o ipcObject) error {
		if nsems > len(o.(*SemSet).Sems) {
			return linux.EINVAL
		}
		return nil
	}
	c := &t.TG.Creds
	return ns.sem.get(c, key, flags, check, func() (int, error) {
		if nsems == 0 {
			return 0, linux.EINVAL
		}
		if ns.semCount+nsems > SEMMNS {
			return 0, linux.ENOSPC
		}
		// A set's semaphores are kernel memory the guest asks for: they count
		// against the cap.
		if !k.FS.Charge(int64(nsems) * 16) {
			return 0, linux.ENOMEM
		}
		s := &SemSet{
			Perm:  IPCPerm{Key: key, UID: c.EUID, GID: c.EGID, CUID: c.EUID, CGID: c.EGID, Mode: uint32(flags & 0o777)},
			Sems:  make([]Semaphore, nsems),
			Ctime: k.realtimeSeconds(),
		}
		id, err := ns.sem.add(s, SEMMNI)
		if err != nil {
			k.FS.Uncharge(int64(nsems) * 16)
			return 0, err
		}
		s.idx = id % ipcMNI
		ns.semCount += nsems
		return id, nil
	})
}

func (k *Kernel) semByID(id int) (*SemSet, error) {
	o, _, err := k.ipcNS().sem.lookup(id)
	if err != nil {
		return nil, err
	}
	return o.(*SemSet), nil
}

// SemOp implements semop(2) and semtimedop(2) once the operations are read: the
// deadline, if any, is in t.Call.Deadline. A timed-out wait is EAGAIN, a signal EINTR
// (semop is never restarted, signal(7)), a set removed while waiting EIDRM.
func (k *Kernel) SemOp(t *Task, id int, ops []SemOp) error {
	s, err := k.semByID(id)
	if err != nil {
		if t.Call.Started {
			return linux.EIDRM // the set this call waited on went away
		}
		return err
	}
	s.dropWaiter(t)
	maxNum, alter, undo := 0, false, false
	for _, op := range ops {
		maxNum = max(maxNum, int(op.Num))
		alter = alter || op.Op != 0
		undo = undo || op.Flag&SEM_UNDO != 0
	}
	if maxNum >= len(s.Sems) {
		return linux.EFBIG
	}
	want := uint32(0o444)
	if alter {
		want = 0o222
	}
	if !ipcAllowed(&t.TG.Creds, &s.Perm, want) {
		return linux.EACCES
	}
	var u *semUndo
	if undo {
		u = k.semUndosOf(t.TG).forSet(id, len(s.Sems))
	}
	// Try the operations on a copy of the values: all of them apply, or none.
	vals := make([]int, len(s.Sems))
	for i, sem := range s.Sems {
		vals[i] = sem.Val
	}
	for _, op := range ops {
		n := int(op.Num)
		v := vals[n] + int(op.Op)
		switch {
		case op.Op == 0 && vals[n] != 0, v < 0:
			if op.Flag&IPC_NOWAIT != 0 {
				return linux.EAGAIN
			}
			return k.semWait(t, s, n, op.Op == 0)
		case v > SEMVMX:
			return linux.ERANGE
		case op.Flag&SEM_UNDO != 0 && (u.adj[n]-int(op.Op) < -SEMAEM || u.adj[n]-int(op.Op) > SEMAEM):
			return linux.ERANGE
		}
		vals[n] = v
	}
	pid := t.TG.PID
	for _, op := range ops {
		n := int(op.Num)
		s.Sems[n].PID = pid
		if op.Flag&SEM_UNDO != 0 {
			u.adj[n] -= int(op.Op)
		}
	}
	for i := range vals {
		s.Sems[i].Val = vals[i]
	}
	s.Otime = k.realtimeSeconds()
	if alter {
		s.changed.WakeAll()
	}
	return nil
}

// semWait blocks a semop until the set changes, its deadline passes (EAGAIN) or a
// signal comes (EINTR).
func (k *Kernel) semWait(t *Task, s *SemSet, num int, zero bool) error {
	if t.Call.Deadline != 0 && t.Now() >= t.Call.Deadline {
		return linux.EAGAIN
	}
	if t.Interrupted() {
		return linux.EINTR
	}
	t.Call.Started = true
	s.waiters = append(s.waiters, semWaiter{task: t, num: num, zero: zero})
	return t.Block(fmt.Sprintf("semop on semaphore %d of set %d", num, int(s.Perm.Seq)*ipcMNI+s.idx), &s.changed)
}

// dropWaiter forgets t's earlier wait on s, if any.
func (s *SemSet) dropWaiter(t *Task) {
	for i, w := range s.waiters {
		if w.task == t {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			return
		}
	}
}

// waitCount is GETNCNT (zero false) or GETZCNT (zero true) for semaphore num: the
// tasks still blocked on it (one that died waiting no longer counts).
func (s *SemSet) waitCount(num int, zero bool) int {
	n := 0
	for _, w := range s.waiters {
		if w.num == num && w.zero == zero && w.task.State == TaskBlocked {
			n++
		}
	}
	return n
}

func (k *Kernel) semUndosOf(tg *ThreadGroup) *semUndos {
	ns := k.ipcNS()
	if ns.undos == nil {
		ns.undos = map[*ThreadGroup]*semUndos{}
	}
	u := ns.undos[tg]
	if u == nil {
		u = &semUndos{}
		ns.undos[tg] = u
	}
	return u
}

// semExit applies a process's SEM_UNDO adjustments as it exits (each value kept
// within 0 and SEMVMX, as Linux's exit_sem does).
func (k *Kernel) semExit(tg *ThreadGroup) {
	if k.ipc == nil || k.ipc.undos[tg] == nil {
		return
	}
	u := k.ipc.undos[tg]
	delete(k.ipc.undos, tg)
	for _, su := range u.sets {
		s, err := k.semByID(su.id)
		if err != nil {
			continue
		}
		changed := false
		for n, adj := range su.adj {
			if adj == 0 || n >= len(s.Sems) {
				continue
			}
			s.Sems[n].Val = min(max(s.Sems[n].Val+adj, 0), SEMVMX)
			s.Sems[n].PID = tg.PID
			changed = true
		}
		if changed {
			s.Otime = k.realtimeSeconds()
			s.changed.WakeAll()
		}
	}
}

// clearUndos drops every process's adjustments for semaphore num of set id (all of
// them for num < 0), as SETVAL and SETALL do.
func (k *Kernel) clearUndos(id, num int) {
	for _, tg := range k.groups {
		u := k.ipc.undos[tg]
		if u == nil {
			continue
		}
		for _, su := range u.sets {
			if su.id != id {
				continue
			}
			for n := range su.adj {
				if num < 0 || n == num {
					su.adj[n] = 0
				}
			}
		}
	}
}

// SemCtlArgs is what semctl's fourth argument carries for the command.
type SemCtlArgs struct {
	Val  int        // SETVAL
	Vals []uint16   // SETALL
	Set  *IPCPerm   // IPC_SET
	Out  []uint16   // GETALL's result
	Stat *SemSet    // IPC_STAT, SEM_STAT, SEM_STAT_ANY
	Info *[10]int32 // IPC_INFO, SEM_INFO: struct seminfo
}

// SemCtl implements semctl(2) but for copying arguments in and results out.
func (k *Kernel) SemCtl(t *Task, id, num, cmd int, arg *SemCtlArgs) (int, error) {
	ns := k.ipcNS()
	c := &t.TG.Creds
	switch cmd {
	case IPC_INFO, SEM_INFO:
		info := [10]int32{SEMMNI, SEMMNI, SEMMNS, SEMMNS, SEMMSL, SEMOPM, SEMOPM, 0, SEMVMX, SEMAEM}
		if cmd == SEM_INFO {
			info[7], info[9] = int32(ns.sem.inUse), int32(ns.semCount) // semusz, semaem
		} else {
			info[7] = 20 // semusz: sizeof(struct sem_undo)
		}
		arg.Info = &info
		return max(ns.sem.maxIdx, 0), nil
	case SEM_STAT, SEM_STAT_ANY:
		o, full, err := ns.sem.byIndex(id)
		if err != nil {
			return 0, err
		}
		s := o.(*SemSet)
		if cmd == SEM_STAT && !ipcAllowed(c, &s.Perm, 0o444) {
			return 0, linux.EACCES
		}
		arg.Stat = s
		return full, nil
	}
	s, err := k.semByID(id)
	if err != nil {
		return 0, err
	}
	inRange := num >= 0 && num < len(s.Sems)
	readable := func() error {
		if !ipcAllowed(c, &s.Perm, 0o444) {
			return linux.EACCES
		}
		return nil
	}
	switch cmd {
	case IPC_STAT:
		if err := readable(); err != nil {
			return 0, err
		}
		arg.Stat = s
		return 0, nil
	case GETVAL, GETPID, GETNCNT, GETZCNT:
		if err := readable(); err != nil {
			return 0, err
		}
		if !inRange {
			return 0, linux.EINVAL
		}
		switch cmd {
		case GETVAL:
			return s.Sems[num].Val, nil
		case GETPID:
			return s.Sems[num].PID, nil
		case GETNCNT:
			return s.waitCount(num, false), nil
		}
		return s.waitCount(num, true), nil
	case GETALL:
		if err := readable(); err != nil {
			return 0, err
		}
		arg.Out = make([]uint16, len(s.Sems))
		for i, sem := range s.Sems {
			arg.Out[i] = uint16(sem.Val)
		}
		return 0, nil
	case SETVAL, SETALL:
		if !ipcAllowed(c, &s.Perm, 0o222) {
			return 0, linux.EACCES
		}
		if cmd == SETVAL {
			if !inRange {
				return 0, linux.EINVAL
			}
			if arg.Val < 0 || arg.Val > SEMVMX {
				return 0, linux.ERANGE
			}
			s.Sems[num] = Semaphore{Val: arg.Val, PID: t.TG.PID}
			k.clearUndos(id, num)
		} else {
			for _, v := range arg.Vals {
				if v > SEMVMX {
					return 0, linux.ERANGE
				}
			}
			for i, v := range arg.Vals {
				s.Sems[i] = Semaphore{Val: int(v), PID: t.TG.PID}
			}
			k.clearUndos(id, -1)
		}
		s.Ctime = k.realtimeSeconds()
		s.changed.WakeAll()
		return 0, nil
	case IPC_SET:
		if !ipcOwner(c, &s.Perm) {
			return 0, linux.EPERM
		}
		setPerm(&s.Perm, arg.Set.UID, arg.Set.GID, arg.Set.Mode)
		s.Ctime = k.realtimeSeconds()
		return 0, nil
	case IPC_RMID:
		if !ipcOwner(c, &s.Perm) {
			return 0, linux.EPERM
		}
		ns.sem.remove(s.idx)
		ns.semCount -= len(s.Sems)
		k.FS.Uncharge(int64(len(s.Sems)) * 16)
		s.changed.WakeAll() // their retry finds the set gone: EIDRM
		return 0, nil
	}
	return 0, linux.EINVAL
}

// SemCount is the number of semaphores in the set with ID id (for SETALL's copy-in).
func (k *Kernel) SemCount(id int) (int, error) {
	s, err := k.semByID(id)
	if err != nil {
		return 0, err
	}
	return len(s.Sems), nil
}

// procSysvipcSem is /proc/sysvipc/sem.
func (k *Kernel) procSysvipcSem() string {
	var b strings.Builder
	b.WriteString("       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n")
	ns := k.ipcNS()
	for _, i := range ns.sem.indexes() {
		s := ns.sem.objs[i].(*SemSet)
		p := s.Perm
		fmt.Fprintf(&b, "%10d %10d  %4o %10d %5d %5d %5d %5d %10d %10d\n",
			p.Key, int(p.Seq)*ipcMNI+i, p.Mode, len(s.Sems), p.UID, p.GID, p.CUID, p.CGID, s.Otime, s.Ctime)
	}
	return b.String()
}
