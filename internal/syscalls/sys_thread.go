package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

var threadCalls = []entry{
	call(linux.SYS_FUTEX, "futex", Futex, p, fop, u, p, p, x).partial("no priority-inheritance operations (FUTEX_LOCK_PI ...)").restartable().timedRestart(),
	call(linux.SYS_FUTEX_WAITV, "futex_waitv", FutexWaitv, p, u, x, p, i).restartable(),
	call(linux.SYS_CLONE3, "clone3", Clone3, p, u),
	call(linux.SYS_GET_ROBUST_LIST, "get_robust_list", GetRobustList, i, p, p),
}

// futex operations and flags (include/uapi/linux/futex.h).
const (
	FUTEX_WAIT            = 0
	FUTEX_WAKE            = 1
	FUTEX_REQUEUE         = 3
	FUTEX_CMP_REQUEUE     = 4
	FUTEX_WAKE_OP         = 5
	FUTEX_WAIT_BITSET     = 9
	FUTEX_WAKE_BITSET     = 10
	FUTEX_PRIVATE_FLAG    = 128
	FUTEX_CLOCK_REALTIME  = 256
	futexCmdMask          = ^uint64(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
	futexBitsetMatchAnyOp = kernel.FUTEX_BITSET_MATCH_ANY
)

// Futex implements futex(2).
func Futex(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	addr, op, val, addr2, val3 := a[0], a[1], uint32(a[2]), a[4], uint32(a[5])
	private := op&FUTEX_PRIVATE_FLAG != 0
	cmd := op & futexCmdMask
	if op&FUTEX_CLOCK_REALTIME != 0 && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT {
		return 0, linux.ENOSYS
	}
	switch cmd {
	case FUTEX_WAIT, FUTEX_WAIT_BITSET:
		bitset := uint32(futexBitsetMatchAnyOp)
		if cmd == FUTEX_WAIT_BITSET {
			bitset = val3
		}
		if t.Call.Deadline == 0 && a[3] != 0 { // not yet read, nor kept by restart_syscall
			d, err := readTimespec(t, a[3])
			if err != nil {
				return 0, err
			}
			switch {
			case cmd == FUTEX_WAIT:
				t.Call.Deadline = deadlineIn(t, d)
			case op&FUTEX_CLOCK_REALTIME != 0:
				t.Call.Deadline = min(max(d, epoch(t)+1)-epoch(t), maxTime(t))
			default:
				t.Call.Deadline = min(max(t.ClockToVirtual(CLOCK_MONOTONIC, d), 1), maxTime(t)) // moved by the uptime and the time namespace
			}
		}
		return 0, t.FutexWait(addr, val, bitset, private)
	case FUTEX_WAKE, FUTEX_WAKE_BITSET:
		bitset := uint32(futexBitsetMatchAnyOp)
		if cmd == FUTEX_WAKE_BITSET {
			bitset = val3
		}
		n, err := t.FutexWake(addr, int(min(val, 1<<30)), bitset, private)
		return uint64(n), err
	case FUTEX_REQUEUE, FUTEX_CMP_REQUEUE:
		if int32(val) < 0 || int32(a[3]) < 0 {
			return 0, linux.EINVAL // futex_requeue: negative counts to wake or move
		}
		n, err := t.FutexRequeue(addr, addr2, int(min(val, 1<<30)), int(min(uint32(a[3]), 1<<30)), cmd == FUTEX_CMP_REQUEUE, val3, private)
		return uint64(n), err
	case FUTEX_WAKE_OP:
		n, err := t.FutexWakeOp(addr, addr2, int(min(val, 1<<30)), int(min(uint32(a[3]), 1<<30)), val3, private)
		return uint64(n), err
	}
	return 0, linux.ENOSYS
}

// futex_waitv(2) limits and flags (include/uapi/linux/futex.h).
const (
	futexWaitvMax  = 128
	futex2SizeU32  = 0x02
	futex2SizeMask = 0x03
	futex2Private  = FUTEX_PRIVATE_FLAG
)

// FutexWaitv implements futex_waitv(2): wait on up to 128 futexes (struct futex_waitv
// {u64 val; u64 uaddr; u32 flags; u32 __reserved}), until one is woken or the
// absolute timeout on clockid passes; it returns the index of the futex woken.
func FutexWaitv(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if !t.Call.Started {
		if a[2] != 0 {
			return 0, linux.EINVAL
		}
		n := a[1]
		if n == 0 || n > futexWaitvMax || a[0] == 0 {
			return 0, linux.EINVAL
		}
		if a[3] != 0 {
			if a[4] != CLOCK_REALTIME && a[4] != CLOCK_MONOTONIC {
				return 0, linux.EINVAL
			}
			d, err := readTimespec(t, a[3])
			if err != nil {
				return 0, err
			}
			if a[4] == CLOCK_REALTIME {
				t.Call.Deadline = min(max(d, epoch(t)+1)-epoch(t), maxTime(t))
			} else {
				t.Call.Deadline = min(max(t.ClockToVirtual(CLOCK_MONOTONIC, d), 1), maxTime(t)) // moved by the uptime and the time namespace
			}
		}
	}
	b, err := copyIn(t, a[0], a[1]*24)
	if err != nil {
		return 0, err
	}
	ws := make([]kernel.FutexV, a[1])
	for i := range ws {
		e := b[i*24:]
		val, addr := binary.LittleEndian.Uint64(e), binary.LittleEndian.Uint64(e[8:])
		flags, reserved := binary.LittleEndian.Uint32(e[16:]), binary.LittleEndian.Uint32(e[20:])
		// Only 32-bit futexes exist, and the value must fit them.
		if flags&^(futex2SizeMask|futex2Private) != 0 || reserved != 0 ||
			flags&futex2SizeMask != futex2SizeU32 || val > 0xffffffff {
			return 0, linux.EINVAL
		}
		ws[i] = kernel.FutexV{Addr: addr, Val: uint32(val), Private: flags&futex2Private != 0}
	}
	i, err := t.FutexWaitv(ws)
	return uint64(i), err
}

// Clone3 implements clone3(2): struct clone_args {flags, pidfd, child_tid, parent_tid,
// exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup}.
func Clone3(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if t.Call.Started { // a vfork parent, woken when its child let go of its memory
		return t.Call.Value, nil
	}
	size := a[1]
	if size < 64 || size > 4096 {
		return 0, linux.EINVAL
	}
	b, err := copyIn(t, a[0], size)
	if err != nil {
		return 0, err
	}
	if len(b) > 88 {
		for _, c := range b[88:] { // fields weft does not know must be zero (E2BIG)
			if c != 0 {
				return 0, linux.E2BIG
			}
		}
	} else {
		b = append(b, make([]byte, 88-len(b))...) // older, shorter versions of the struct
	}
	le := binary.LittleEndian
	flags := le.Uint64(b[0:])
	sig := le.Uint64(b[32:])
	stack, stackSize := le.Uint64(b[40:]), le.Uint64(b[48:])
	switch {
	case flags&kernel.CSIGNAL&^kernel.CLONE_NEWTIME != 0 || sig >= uint64(linux.NSIG):
		return 0, linux.EINVAL
	case flags&(kernel.CLONE_THREAD|kernel.CLONE_PARENT) != 0 && sig != 0:
		return 0, linux.EINVAL // clone3(2): no exit signal for threads or siblings
	case flags&kernel.CLONE_PIDFD != 0 && flags&kernel.CLONE_THREAD != 0:
		return 0, linux.EINVAL
	case (stack == 0) != (stackSize == 0):
		return 0, linux.EINVAL
	}
	// set_tid and set_tid_size: the numbers the child is to have in its PID
	// namespace and those above it (copy_clone_args_from_user's checks here,
	// alloc_pid's in the kernel).
	setTIDAddr, setTIDSize := le.Uint64(b[64:]), le.Uint64(b[72:])
	var setTID []int
	switch {
	case setTIDSize > kernel.MaxPIDNSLevel, (setTIDAddr != 0) != (setTIDSize != 0):
		return 0, linux.EINVAL
	case setTIDSize > 0:
		tb, err := copyIn(t, setTIDAddr, 4*setTIDSize)
		if err != nil {
			return 0, err
		}
		for i := range setTIDSize {
			setTID = append(setTID, int(int32(le.Uint32(tb[4*i:]))))
		}
	}
	if flags&kernel.CLONE_PIDFD != 0 {
		if err := checkPidfdAddr(t, le.Uint64(b[8:])); err != nil {
			return 0, err
		}
	}
	var into *kernel.Cgroup
	if flags&CLONE_INTO_CGROUP != 0 {
		if into, err = cloneIntoCgroup(t, flags, size, le.Uint64(b[80:])); err != nil {
			return 0, err
		}
	}
	sp := uint64(0)
	if stack != 0 {
		sp = stack + stackSize // clone3 takes the stack's lowest address and size
	}
	child, err := t.Clone(kernel.CloneArgs{
		Flags:      flags,
		ExitSignal: linux.Signal(sig),
		Stack:      sp,
		TLS:        le.Uint64(b[56:]),
		ParentTID:  le.Uint64(b[24:]),
		ChildTID:   le.Uint64(b[16:]),
		Cgroup:     into,
		SetTID:     setTID,
	})
	if err != nil {
		return 0, err
	}
	if flags&kernel.CLONE_PIDFD != 0 {
		if err := clonePidfd(t, child, le.Uint64(b[8:])); err != nil {
			return 0, err
		}
	}
	if flags&kernel.CLONE_VFORK != 0 {
		t.Call.Started = true
		t.Call.Value = uint64(t.TIDOf(child))
		if err := t.WaitVfork(child); err != nil {
			return 0, err
		}
	}
	return uint64(t.TIDOf(child)), nil
}

// CLONE_INTO_CGROUP (clone3 only) starts the child in the cgroup whose directory
// clone_args.cgroup is a descriptor of.
const CLONE_INTO_CGROUP = uint64(linux.CLONE_INTO_CGROUP)

// cloneIntoCgroup finds and checks the cgroup of CLONE_INTO_CGROUP, as Linux's
// copy_clone_args_from_user and cgroup_css_set_fork do: the field must be in the
// structure and fit an int (EINVAL), name an open descriptor (EBADF) of a cgroup2
// directory (EBADF otherwise), of a group that still exists (ENOENT) and that the
// caller may move a process into (CheckCloneInto); a thread cannot start in another
// group than its process's (EOPNOTSUPP).
func cloneIntoCgroup(t *kernel.Task, flags, size, fd uint64) (*kernel.Cgroup, error) {
	if size < 88 || fd > 1<<31-1 {
		return nil, linux.EINVAL
	}
	f, err := file(t, fd)
	if err != nil {
		return nil, err
	}
	cg := kernel.CgroupOf(f.Inode)
	switch {
	case cg == nil:
		return nil, linux.EBADF
	case flags&kernel.CLONE_THREAD != 0 && cg != t.TG.Cgroup:
		return nil, linux.EOPNOTSUPP
	}
	if err := t.CheckCloneInto(cg); err != nil {
		return nil, err
	}
	return cg, nil
}

// GetRobustList implements get_robust_list(2) for the calling thread or another.
func GetRobustList(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	var head uint64
	if tid := int(int32(a[0])); tid != 0 {
		var tc kernel.Creds
		switch o, g := t.FindTask(tid), t.FindGroup(tid); {
		case o != nil:
			head, tc = o.RobustList, o.TG.Creds
		case g != nil && !g.Exited:
			tc = g.Creds // weft's init: a process without a thread of guest code
		default:
			return 0, linux.ESRCH
		}
		// ptrace_may_access(PTRACE_MODE_READ_REALCREDS): the same user and group
		// throughout, or CAP_SYS_PTRACE over the target's user namespace.
		c := t.TG.Creds
		same := c.UID == tc.UID && c.UID == tc.EUID && c.UID == tc.SUID &&
			c.GID == tc.GID && c.GID == tc.EGID && c.GID == tc.SGID
		if !same && !c.CapableIn(tc.UserNS, kernel.CAP_SYS_PTRACE) {
			return 0, linux.EPERM
		}
	} else {
		head = t.RobustList
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], head)
	if err := copyOut(t, a[1], b[:]); err != nil {
		return 0, err
	}
	binary.LittleEndian.PutUint64(b[:], 24)
	return ret0(copyOut(t, a[2], b[:]))
}
