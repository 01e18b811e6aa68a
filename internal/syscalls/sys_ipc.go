package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

// System V IPC calls: the kernel keeps the objects (kernel/ipc*.go); these handlers
// decode arguments and lay out the structures riscv64 has (asm-generic ipcbuf.h,
// shmbuf.h, sembuf.h, msgbuf.h, all with 64-bit words and no time _high halves).

var ipcCalls = []entry{
	call(linux.SYS_SHMGET, "shmget", Shmget, i, u, oct),
	call(linux.SYS_SHMAT, "shmat", Shmat, i, p, x).hex(),
	call(linux.SYS_SHMDT, "shmdt", Shmdt, p),
	call(linux.SYS_SHMCTL, "shmctl", Shmctl, i, i, p),
	call(linux.SYS_SEMGET, "semget", Semget, i, i, oct),
	call(linux.SYS_SEMOP, "semop", Semop, i, p, u),
	call(linux.SYS_SEMTIMEDOP, "semtimedop", Semtimedop, i, p, u, p),
	call(linux.SYS_SEMCTL, "semctl", Semctl, i, i, i, x),
	call(linux.SYS_MSGGET, "msgget", Msgget, i, oct),
	call(linux.SYS_MSGSND, "msgsnd", Msgsnd, i, p, u, x),
	call(linux.SYS_MSGRCV, "msgrcv", Msgrcv, i, p, u, i, x),
	call(linux.SYS_MSGCTL, "msgctl", Msgctl, i, i, p),
}

var ipcLE = binary.LittleEndian

// ipcPermSize is sizeof(struct ipc64_perm): key, uid, gid, cuid, cgid, mode (4 bytes
// each), seq and a pad (2 each), two unused longs.
const ipcPermSize = 48

func putIPCPerm(b []byte, p *kernel.IPCPerm) {
	ipcLE.PutUint32(b[0:], uint32(p.Key))
	ipcLE.PutUint32(b[4:], p.UID)
	ipcLE.PutUint32(b[8:], p.GID)
	ipcLE.PutUint32(b[12:], p.CUID)
	ipcLE.PutUint32(b[16:], p.CGID)
	ipcLE.PutUint32(b[20:], p.Mode)
	ipcLE.PutUint16(b[24:], p.Seq)
}

// getIPCSet reads the uid, gid and mode IPC_SET takes from a struct ipc64_perm.
func getIPCSet(t *kernel.Task, addr uint64) (*kernel.IPCPerm, error) {
	b, err := copyIn(t, addr, ipcPermSize)
	if err != nil {
		return nil, err
	}
	return &kernel.IPCPerm{UID: ipcLE.Uint32(b[4:]), GID: ipcLE.Uint32(b[8:]), Mode: ipcLE.Uint32(b[20:])}, nil
}

// ipcCmd strips IPC_64 from a *ctl command: riscv64 has only the 64-bit layouts, and
// glibc may say so.
func ipcCmd(a uint64) int { return int(int32(a) &^ kernel.IPC_64) }

// Shmget implements shmget(2).
func Shmget(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	id, err := t.Kernel().ShmGet(t, int32(a[0]), a[1], a[2])
	return uint64(id), err
}

// Shmat implements shmat(2).
func Shmat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return t.Kernel().ShmAt(t, int(int32(a[0])), a[1], a[2])
}

// Shmdt implements shmdt(2).
func Shmdt(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return 0, t.Kernel().ShmDt(t, a[0])
}

// shmidDsSize is sizeof(struct shmid64_ds): the perm, segsz, atime, dtime, ctime,
// cpid and lpid (ints), nattch and two unused longs.
const shmidDsSize = ipcPermSize + 64

// Shmctl implements shmctl(2).
func Shmctl(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	cmd := ipcCmd(a[1])
	var set *kernel.IPCPerm
	if cmd == kernel.IPC_SET {
		var err error
		if set, err = getIPCSet(t, a[2]); err != nil {
			return 0, err
		}
	}
	r, err := t.Kernel().ShmCtl(t, int(int32(a[0])), cmd, set)
	if err != nil {
		return 0, err
	}
	switch {
	case r.Seg != nil:
		s := r.Seg
		b := make([]byte, shmidDsSize)
		putIPCPerm(b, &s.Perm)
		o := ipcPermSize
		ipcLE.PutUint64(b[o:], s.Size)
		ipcLE.PutUint64(b[o+8:], uint64(s.Atime))
		ipcLE.PutUint64(b[o+16:], uint64(s.Dtime))
		ipcLE.PutUint64(b[o+24:], uint64(s.Ctime))
		ipcLE.PutUint32(b[o+32:], uint32(s.CPID))
		ipcLE.PutUint32(b[o+36:], uint32(s.LPID))
		ipcLE.PutUint64(b[o+40:], uint64(s.Nattch))
		if err := copyOut(t, a[2], b); err != nil {
			return 0, err
		}
	case r.Info != nil:
		// struct shm_info: int used_ids (padded to 8), then five unsigned longs.
		b := make([]byte, 48)
		ipcLE.PutUint32(b[0:], uint32(r.Info.UsedIDs))
		for j, v := range []uint64{r.Info.Tot, r.Info.RSS, r.Info.Swp, r.Info.SwapAttempts, r.Info.SwapSucc} {
			ipcLE.PutUint64(b[8+8*j:], v)
		}
		if err := copyOut(t, a[2], b); err != nil {
			return 0, err
		}
	case r.Limits != nil:
		// struct shminfo64: shmmax, shmmin, shmmni, shmseg, shmall, four unused.
		b := make([]byte, 72)
		for j, v := range r.Limits {
			ipcLE.PutUint64(b[8*j:], v)
		}
		if err := copyOut(t, a[2], b); err != nil {
			return 0, err
		}
	}
	return uint64(r.Ret), nil
}

// Semget implements semget(2).
func Semget(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	id, err := t.Kernel().SemGet(t, int32(a[0]), int(int32(a[1])), a[2])
	return uint64(id), err
}

// Semop implements semop(2).
func Semop(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return semtimedop(t, a[0], a[1], a[2], 0)
}

// Semtimedop implements semtimedop(2).
func Semtimedop(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return semtimedop(t, a[0], a[1], a[2], a[3])
}

// semtimedop reads the operations (struct sembuf: unsigned short sem_num, short sem_op,
// short sem_flg) and the timeout, in Linux's order of checks, and hands them to the
// kernel; it is called again each time a blocked call wakes.
func semtimedop(t *kernel.Task, id, addr, nsops, timeout uint64) (uint64, error) {
	if int64(nsops) < 1 || int32(id) < 0 {
		return 0, linux.EINVAL
	}
	if nsops > kernel.SEMOPM {
		return 0, linux.E2BIG
	}
	b, err := copyIn(t, addr, 6*nsops)
	if err != nil {
		return 0, err
	}
	if timeout != 0 && t.Call.Deadline == 0 {
		d, err := readTimespec(t, timeout)
		if err != nil {
			return 0, err
		}
		t.Call.Deadline = deadlineIn(t, d)
	}
	ops := make([]kernel.SemOp, nsops)
	for j := range ops {
		ops[j] = kernel.SemOp{Num: ipcLE.Uint16(b[6*j:]), Op: int16(ipcLE.Uint16(b[6*j+2:])), Flag: int16(ipcLE.Uint16(b[6*j+4:]))}
	}
	return 0, t.Kernel().SemOp(t, int(int32(id)), ops)
}

// semidDsSize is sizeof(struct semid64_ds): the perm, otime, ctime, nsems and two
// unused longs.
const semidDsSize = ipcPermSize + 40

// Semctl implements semctl(2). The fourth argument is union semun, passed by value: an
// int for SETVAL, else a pointer.
func Semctl(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	k := t.Kernel()
	id, num, cmd, arg := int(int32(a[0])), int(int32(a[1])), ipcCmd(a[2]), a[3]
	var args kernel.SemCtlArgs
	switch cmd {
	case kernel.SETVAL:
		args.Val = int(int32(arg))
	case kernel.SETALL:
		n, err := k.SemCount(id)
		if err != nil {
			return 0, err
		}
		b, err := copyIn(t, arg, 2*uint64(n))
		if err != nil {
			return 0, err
		}
		args.Vals = make([]uint16, n)
		for j := range args.Vals {
			args.Vals[j] = ipcLE.Uint16(b[2*j:])
		}
	case kernel.IPC_SET:
		set, err := getIPCSet(t, arg)
		if err != nil {
			return 0, err
		}
		args.Set = set
	}
	ret, err := k.SemCtl(t, id, num, cmd, &args)
	if err != nil {
		return 0, err
	}
	switch {
	case args.Stat != nil:
		s := args.Stat
		b := make([]byte, semidDsSize)
		putIPCPerm(b, &s.Perm)
		ipcLE.PutUint64(b[ipcPermSize:], uint64(s.Otime))
		ipcLE.PutUint64(b[ipcPermSize+8:], uint64(s.Ctime))
		ipcLE.PutUint64(b[ipcPermSize+16:], uint64(len(s.Sems)))
		err = copyOut(t, arg, b)
	case args.Out != nil:
		b := make([]byte, 2*len(args.Out))
		for j, v := range args.Out {
			ipcLE.PutUint16(b[2*j:], v)
		}
		err = copyOut(t, arg, b)
	case args.Info != nil:
		b := make([]byte, 40)
		for j, v := range args.Info {
			ipcLE.PutUint32(b[4*j:], uint32(v))
		}
		err = copyOut(t, arg, b)
	}
	return uint64(ret), err
}

// Msgget implements msgget(2).
func Msgget(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	id, err := t.Kernel().MsgGet(t, int32(a[0]), a[1])
	return uint64(id), err
}

// Msgsnd implements msgsnd(2): the message is a long mtype followed by msgsz bytes.
func Msgsnd(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	id, addr, size, flags := int(int32(a[0])), a[1], a[2], a[3]
	if size > kernel.MSGMAX || int64(size) < 0 || id < 0 {
		return 0, linux.EINVAL
	}
	hdr, err := copyIn(t, addr, 8)
	if err != nil {
		return 0, err
	}
	typ := int64(ipcLE.Uint64(hdr))
	if typ < 1 {
		return 0, linux.EINVAL
	}
	text, err := copyIn(t, addr+8, size)
	if err != nil {
		return 0, err
	}
	return 0, t.Kernel().MsgSnd(t, id, kernel.Message{Type: typ, Text: text}, flags)
}

// Msgrcv implements msgrcv(2): it stores the message's type and text at msgp and
// returns the number of bytes of text.
func Msgrcv(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	id, addr, size, typ, flags := int(int32(a[0])), a[1], a[2], int64(a[3]), a[4]
	if id < 0 || int64(size) < 0 {
		return 0, linux.EINVAL
	}
	m, err := t.Kernel().MsgRcv(t, id, size, typ, flags)
	if err != nil {
		return 0, err
	}
	b := make([]byte, 8+len(m.Text))
	ipcLE.PutUint64(b, uint64(m.Type))
	copy(b[8:], m.Text)
	if err := copyOut(t, addr, b); err != nil {
		return 0, err
	}
	return uint64(len(m.Text)), nil
}

// msqidDsSize is sizeof(struct msqid64_ds): the perm, stime, rtime, ctime, cbytes,
// qnum, qbytes, lspid and lrpid (ints), and two unused longs.
const msqidDsSize = ipcPermSize + 72

// Msgctl implements msgctl(2).
func Msgctl(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	id, cmd, addr := int(int32(a[0])), ipcCmd(a[1]), a[2]
	var args kernel.MsgCtlArgs
	if cmd == kernel.IPC_SET {
		b, err := copyIn(t, addr, msqidDsSize)
		if err != nil {
			return 0, err
		}
		args.Set = &kernel.IPCPerm{UID: ipcLE.Uint32(b[4:]), GID: ipcLE.Uint32(b[8:]), Mode: ipcLE.Uint32(b[20:])}
		args.Qbytes = ipcLE.Uint64(b[ipcPermSize+40:])
	}
	ret, err := t.Kernel().MsgCtl(t, id, cmd, &args)
	if err != nil {
		return 0, err
	}
	switch {
	case args.Stat != nil:
		q := args.Stat
		b := make([]byte, msqidDsSize)
		putIPCPerm(b, &q.Perm)
		o := ipcPermSize
		for j, v := range []uint64{uint64(q.Stime), uint64(q.Rtime), uint64(q.Ctime), q.Cbytes, uint64(len(q.Msgs)), q.Qbytes} {
			ipcLE.PutUint64(b[o+8*j:], v)
		}
		ipcLE.PutUint32(b[o+48:], uint32(q.LSPID))
		ipcLE.PutUint32(b[o+52:], uint32(q.LRPID))
		err = copyOut(t, addr, b)
	case args.Info != nil:
		// struct msginfo: seven ints and an unsigned short.
		b := make([]byte, 32)
		for j, v := range args.Info[:7] {
			ipcLE.PutUint32(b[4*j:], uint32(v))
		}
		ipcLE.PutUint16(b[28:], uint16(args.Info[7]))
		err = copyOut(t, addr, b)
	}
	return uint64(ret), err
}
