package syscalls

import (
	"encoding/binary"
	"math"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/loader"
	"weft/internal/vfs"
)

var processCalls = []entry{
	call(linux.SYS_EXIT, "exit", Exit, i),
	call(linux.SYS_EXIT_GROUP, "exit_group", ExitGroup, i),
	call(linux.SYS_SET_TID_ADDRESS, "set_tid_address", SetTidAddress, p),
	call(linux.SYS_SET_ROBUST_LIST, "set_robust_list", SetRobustList, p, u),
	call(linux.SYS_RSEQ, "rseq", Rseq, p, u, x, x).stub("restartable sequences are not offered: ENOSYS, which glibc handles"),
	call(linux.SYS_GETPID, "getpid", Getpid),
	call(linux.SYS_GETTID, "gettid", Gettid),
	call(linux.SYS_GETPPID, "getppid", Getppid),
	call(linux.SYS_GETUID, "getuid", Getuid),
	call(linux.SYS_GETEUID, "geteuid", Geteuid),
	call(linux.SYS_GETGID, "getgid", Getgid),
	call(linux.SYS_GETEGID, "getegid", Getegid),
	call(linux.SYS_SCHED_YIELD, "sched_yield", SchedYield),
	call(linux.SYS_CLONE, "clone", Clone, clf, p, p, p, p),
	call(linux.SYS_EXECVE, "execve", Execve, path, p, p),
	call(linux.SYS_WAIT4, "wait4", Wait4, i, p, wopt, p).restartable().ready(wait4Ready),
	call(linux.SYS_WAITID, "waitid", Waitid, i, i, p, wopt, p).restartable().ready(waitidReady),
	call(linux.SYS_KILL, "kill", Kill, i, sig),
	call(linux.SYS_TKILL, "tkill", Tkill, i, sig),
	call(linux.SYS_TGKILL, "tgkill", Tgkill, i, i, sig),
	call(linux.SYS_PRCTL, "prctl", Prctl, i, x, x, x, x).partial("PR_SET_NAME, PR_GET_NAME, PR_SET_PDEATHSIG, PR_GET_PDEATHSIG, PR_SET_DUMPABLE, PR_GET_DUMPABLE, PR_SET_TIMERSLACK, PR_GET_TIMERSLACK, PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER, PR_GET/SET_KEEPCAPS, PR_GET/SET_SECUREBITS, PR_CAPBSET_READ/DROP, PR_CAP_AMBIENT, PR_GET/SET_NO_NEW_PRIVS, PR_GET/SET_THP_DISABLE, PR_GET/SET_SECCOMP (strict mode; no filters: EINVAL)"),
	call(linux.SYS_SECCOMP, "seccomp", Seccomp, i, x, p).partial("SECCOMP_SET_MODE_STRICT; no filters (EINVAL, as without CONFIG_SECCOMP_FILTER)"),
	call(linux.SYS_SETPGID, "setpgid", Setpgid, i, i),
	call(linux.SYS_GETPGID, "getpgid", Getpgid, i),
	call(linux.SYS_SETSID, "setsid", Setsid),
	call(linux.SYS_GETSID, "getsid", Getsid, i),
}

// Exit implements exit(2): the calling thread ends.
func Exit(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	t.Exit(int(a[0] & 0xff))
	return 0, kernel.ErrNoReturn
}

// ExitGroup implements exit_group(2): every thread of the process ends.
func ExitGroup(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	t.ExitGroup(int(a[0] & 0xff))
	return 0, kernel.ErrNoReturn
}

// SetTidAddress implements set_tid_address(2).
func SetTidAddress(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	t.ClearTID = a[0]
	return uint64(t.TIDOf(t)), nil
}

// SetRobustList implements set_robust_list(2).
func SetRobustList(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if a[1] != 24 { // sizeof(struct robust_list_head)
		return 0, linux.EINVAL
	}
	t.RobustList = a[0]
	return 0, nil
}

// Rseq implements rseq(2) by declining it.
func Rseq(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) { return 0, linux.ENOSYS }

// Getpid implements getpid(2).
func Getpid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return uint64(t.PIDOf(t.TG)), nil
}

// Gettid implements gettid(2).
func Gettid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) { return uint64(t.TIDOf(t)), nil }

// Getppid implements getppid(2).
func Getppid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if t.TG.Parent == nil {
		return 0, nil
	}
	return uint64(t.PIDOf(t.TG.Parent)), nil // 0 for a parent outside t's PID namespace
}

// Getuid implements getuid(2).
func Getuid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return uint64(t.TG.Creds.UserNS.UIDSeen(t.TG.Creds.UID)), nil
}

// Geteuid implements geteuid(2).
func Geteuid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return uint64(t.TG.Creds.UserNS.UIDSeen(t.TG.Creds.EUID)), nil
}

// Getgid implements getgid(2).
func Getgid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return uint64(t.TG.Creds.UserNS.GIDSeen(t.TG.Creds.GID)), nil
}

// Getegid implements getegid(2).
func Getegid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return uint64(t.TG.Creds.UserNS.GIDSeen(t.TG.Creds.EGID)), nil
}

// SchedYield implements sched_yield(2).
func SchedYield(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	t.Yield()
	return 0, nil
}

// Clone implements clone(2). riscv64 passes (flags, newsp, parent_tid, tls, child_tid).
func Clone(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if t.Call.Started { // a vfork parent, woken when its child let go of its memory
		return t.Call.Value, nil
	}
	if a[0]&kernel.CLONE_PIDFD != 0 && a[0]&(kernel.CLONE_THREAD|kernel.CLONE_PARENT_SETTID) != 0 {
		return 0, linux.EINVAL // the pidfd goes where the parent's TID would (clone(2))
	}
	if a[0]&kernel.CLONE_PIDFD != 0 {
		if err := checkPidfdAddr(t, a[2]); err != nil {
			return 0, err
		}
	}
	child, err := t.Clone(kernel.CloneArgs{
		Flags:      a[0] &^ kernel.CSIGNAL,
		ExitSignal: linux.Signal(a[0] & kernel.CSIGNAL),
		Stack:      a[1],
		ParentTID:  a[2],
		TLS:        a[3],
		ChildTID:   a[4],
	})
	if err != nil {
		return 0, err
	}
	if a[0]&kernel.CLONE_PIDFD != 0 {
		if err := clonePidfd(t, child, a[2]); err != nil {
			return 0, err
		}
	}
	if a[0]&kernel.CLONE_VFORK != 0 {
		t.Call.Started = true
		t.Call.Value = uint64(t.TIDOf(child))
		if err := t.WaitVfork(child); err != nil {
			return 0, err
		}
	}
	return uint64(t.TIDOf(child)), nil
}

// stringArray reads a NULL-terminated array of string pointers.
func stringArray(t *kernel.Task, addr uint64, budget *int) ([]string, error) {
	var out []string
	if addr == 0 {
		return nil, nil
	}
	for i := uint64(0); ; i++ {
		ptr, err := t.TG.MM.ReadU64(addr + 8*i)
		if err != nil {
			return nil, linux.EFAULT
		}
		if ptr == 0 {
			return out, nil
		}
		s, ok, err := t.TG.MM.ReadString(ptr, min(*budget, loader.MaxArgString))
		if err != nil {
			return nil, linux.EFAULT
		}
		if !ok {
			return nil, linux.E2BIG
		}
		*budget -= len(s) + 1
		out = append(out, s)
	}
}

// Execve implements execve(2) for static riscv64 programs in the guest file system,
// and for "#!" scripts whose interpreter is one.
func Execve(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	path, err := pathArg(t, a[0])
	if err != nil {
		return 0, err
	}
	budget := loader.MaxArgs
	argv, err := stringArray(t, a[1], &budget)
	if err != nil {
		return 0, err
	}
	envp, err := stringArray(t, a[2], &budget)
	if err != nil {
		return 0, err
	}
	if len(argv) == 0 {
		// Linux 5.18 on: an empty argv becomes one empty string, so that no program
		// starts with argc 0 (fs/exec.c, do_execveat_common).
		argv = []string{""}
	}
	return 0, execFile(t, path, path, argv, envp, 0)
}

// execFile runs the program at path; execfn is the name the caller passed to execve.
func execFile(t *kernel.Task, path, execfn string, argv, envp []string, depth int) error {
	n, exe, err := t.Kernel().FS.Realpath(t.TG.FSCred(), t.TG.Cwd, t.TG.CwdPath, path)
	if err != nil {
		return err
	}
	switch {
	case n.Mode&vfs.S_IFMT != vfs.S_IFREG:
		return linux.EACCES
	case !vfs.Check(t.TG.FSCred(), n, vfs.MayExec):
		return linux.EACCES
	case n.OpenForWriting():
		return linux.ETXTBSY // execve(2): "the file is open for writing"
	}
	// The whole file is read into host memory to load it: bounded, and counted
	// against the memory cap while it is held.
	size := n.Size()
	if size > loader.MaxProgramSize {
		return linux.ENOMEM
	}
	fs := t.Kernel().FS
	if !fs.Charge(size) {
		return linux.ENOMEM
	}
	defer fs.Uncharge(size)
	data, err := n.Contents(size)
	if err != nil {
		return err
	}
	if interp, nargv, ok, err := loader.Script(data, path, argv); ok {
		if err != nil {
			return linux.ENOEXEC
		}
		if depth >= loader.MaxInterp {
			return linux.ELOOP
		}
		return execFile(t, interp, execfn, nargv, envp, depth+1)
	}
	if err := t.Exec(data, execfn, exe, argv, envp); err != nil {
		return err
	}
	return kernel.ErrNoReturn
}

// wait options (include/uapi/linux/wait.h).
const (
	WNOHANG    = 0x00000001
	WUNTRACED  = 0x00000002
	WSTOPPED   = WUNTRACED // waitid's name for it
	WEXITED    = 0x00000004
	WCONTINUED = 0x00000008
	WNOWAIT    = 0x01000000
	WNOTHREAD  = 0x20000000
	WALL       = 0x40000000
	WCLONE     = 0x80000000
)

func waitTarget(t *kernel.Task, pid int) (kernel.WaitTarget, error) {
	switch {
	case pid < -1:
		return kernel.WaitTarget{PGID: t.GlobalPID(-pid)}, nil
	case pid == 0:
		return kernel.WaitTarget{PGID: t.TG.PGID}, nil
	case pid > 0:
		return kernel.WaitTarget{PID: t.GlobalPID(pid)}, nil
	}
	return kernel.WaitTarget{}, nil
}

// wait4Args decodes wait4's pid and options.
func wait4Args(t *kernel.Task, a *kernel.SyscallArgs) (kernel.WaitTarget, kernel.WaitOpts, error) {
	opts := a[2]
	if opts&^(WNOHANG|WUNTRACED|WCONTINUED|WNOTHREAD|WALL|WCLONE) != 0 {
		return kernel.WaitTarget{}, kernel.WaitOpts{}, linux.EINVAL
	}
	if int32(a[0]) == math.MinInt32 {
		return kernel.WaitTarget{}, kernel.WaitOpts{}, linux.ESRCH // -INT_MIN names no process group (kernel_wait4)
	}
	target, _ := waitTarget(t, int(int32(a[0])))
	target.Clone, target.All = opts&WCLONE != 0, opts&WALL != 0
	return target, kernel.WaitOpts{
		Exited: true, Stopped: opts&WUNTRACED != 0, Continued: opts&WCONTINUED != 0,
		NoHang: opts&WNOHANG != 0,
	}, nil
}

// childReady reports whether a wait for target with o would find a child now.
func childReady(t *kernel.Task, target kernel.WaitTarget, o kernel.WaitOpts) bool {
	o.NoHang, o.Keep = true, true
	c, _, err := t.WaitChild(target, o)
	return err == nil && c != nil
}

// wait4Ready is wait4's Syscall.Ready.
func wait4Ready(t *kernel.Task, a *kernel.SyscallArgs) bool {
	target, o, err := wait4Args(t, a)
	return err == nil && childReady(t, target, o)
}

// Wait4 implements wait4(2).
func Wait4(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	target, o, err := wait4Args(t, a)
	if err != nil {
		return 0, err
	}
	c, ev, err := t.WaitChild(target, o)
	if err != nil || c == nil {
		return 0, err
	}
	if a[1] != 0 {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], c.WaitStatus(ev))
		if err := copyOut(t, a[1], b[:]); err != nil {
			return 0, err
		}
	}
	if a[3] != 0 {
		if err := copyOut(t, a[3], rusage(c.Stats(), c.ChildStats, c.MemAtExit, true)); err != nil {
			return 0, err
		}
	}
	return uint64(t.PIDOf(c)), nil
}

// waitid idtypes and siginfo codes for SIGCHLD.
const (
	P_ALL  = 0
	P_PID  = 1
	P_PGID = 2

	CLD_EXITED    = 1
	CLD_KILLED    = 2
	CLD_DUMPED    = 3
	CLD_STOPPED   = 5
	CLD_CONTINUED = 6
)

// waitidArgs decodes waitid's idtype, id and options; pidfdNonblock says a
// PIDFD_NONBLOCK pidfd turned the wait into WNOHANG (EAGAIN instead of waiting).
func waitidArgs(t *kernel.Task, a *kernel.SyscallArgs) (target kernel.WaitTarget, o kernel.WaitOpts, pidfdNonblock bool, err error) {
	opts := a[3]
	if opts&^(WNOHANG|WEXITED|WUNTRACED|WCONTINUED|WNOWAIT|WNOTHREAD|WALL|WCLONE) != 0 || opts&(WEXITED|WUNTRACED|WCONTINUED) == 0 {
		return target, o, false, linux.EINVAL
	}
	switch a[0] {
	case P_ALL:
	case P_PID:
		if int32(a[1]) <= 0 {
			return target, o, false, linux.EINVAL
		}
		target.PID = t.GlobalPID(int(int32(a[1])))
	case P_PGID:
		target.PGID = t.GlobalPID(int(int32(a[1])))
		if target.PGID == 0 {
			target.PGID = t.TG.PGID
		}
	case linux.P_PIDFD:
		tg, f, ferr := pidfdTarget(t, a[1])
		if ferr != nil {
			return target, o, false, ferr
		}
		target.PID = tg.PID
		if f.Flags&vfs.O_NONBLOCK != 0 && opts&WNOHANG == 0 {
			opts |= WNOHANG
			pidfdNonblock = true
		}
	default:
		return target, o, false, linux.EINVAL
	}
	target.Clone, target.All = opts&WCLONE != 0, opts&WALL != 0
	return target, kernel.WaitOpts{
		Exited: opts&WEXITED != 0, Stopped: opts&WSTOPPED != 0, Continued: opts&WCONTINUED != 0,
		NoHang: opts&WNOHANG != 0, Keep: opts&WNOWAIT != 0,
	}, pidfdNonblock, nil
}

// waitidReady is waitid's Syscall.Ready.
func waitidReady(t *kernel.Task, a *kernel.SyscallArgs) bool {
	target, o, _, err := waitidArgs(t, a)
	return err == nil && childReady(t, target, o)
}

// Waitid implements waitid(2) (and, as Linux does, its fifth rusage argument).
func Waitid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	target, o, pidfdNonblock, err := waitidArgs(t, a)
	if err != nil {
		return 0, err
	}
	c, ev, err := t.WaitChild(target, o)
	if err != nil {
		return 0, err
	}
	if c == nil && pidfdNonblock {
		return 0, linux.EAGAIN // waitid(2): a PIDFD_NONBLOCK pidfd's child still runs
	}
	// siginfo_t: si_signo, si_errno, si_code, then for SIGCHLD: si_pid, si_uid,
	// si_status (int at offset 24), with the rest zero (128 bytes).
	info := make([]byte, 128)
	if c != nil {
		binary.LittleEndian.PutUint32(info[0:], uint32(linux.SIGCHLD))
		code, status := uint32(CLD_EXITED), uint32(c.ExitCode)
		switch {
		case ev == kernel.ChildStopped:
			code, status = CLD_STOPPED, uint32(c.StopSignal)
		case ev == kernel.ChildContinued:
			code, status = CLD_CONTINUED, uint32(linux.SIGCONT)
		case c.KillSignal != 0 && c.CoreDumped:
			code, status = CLD_DUMPED, uint32(c.KillSignal)
		case c.KillSignal != 0:
			code, status = CLD_KILLED, uint32(c.KillSignal)
		}
		binary.LittleEndian.PutUint32(info[8:], code)
		binary.LittleEndian.PutUint32(info[16:], uint32(t.PIDOf(c)))
		binary.LittleEndian.PutUint32(info[20:], t.TG.Creds.UserNS.UIDSeen(c.Creds.UID))
		binary.LittleEndian.PutUint32(info[24:], status)
	}
	if a[2] != 0 {
		if err := copyOut(t, a[2], info); err != nil {
			return 0, err
		}
	}
	if a[4] != 0 && c != nil {
		if err := copyOut(t, a[4], rusage(c.Stats(), c.ChildStats, c.MemAtExit, true)); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Kill implements kill(2).
func Kill(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	pid := int(int32(a[0]))
	sig := linux.Signal(a[1]) // checked once a target is found, as Linux does
	k := t.Kernel()
	var targets []*kernel.ThreadGroup
	switch {
	case pid > 0:
		if g := t.FindGroup(pid); g != nil {
			targets = append(targets, g)
		}
	default: // 0: own group; -1: everyone but init and self; < -1: group -pid
		pgid := t.TG.PGID
		if pid < -1 {
			pgid = t.GlobalPID(-pid)
		}
		for _, g := range k.Groups() {
			if g.Reaped || g.Exited || !t.Sees(g) {
				continue
			}
			// -1: all but the caller and the init of its PID namespace.
			if (pid == -1 && t.PIDOf(g) > 1 && g != t.TG) || (pid != -1 && g.PGID == pgid) {
				targets = append(targets, g)
			}
		}
	}
	if len(targets) == 0 {
		return 0, linux.ESRCH
	}
	var firstErr error
	sent := false
	for _, g := range targets {
		if err := t.Kill(g, sig); err != nil {
			firstErr = err
		} else {
			sent = true
		}
	}
	if !sent {
		return 0, firstErr
	}
	return 0, nil
}

// Setpgid implements setpgid(2).
func Setpgid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	pid, pgid := int(int32(a[0])), int(int32(a[1]))
	if pgid < 0 {
		return 0, linux.EINVAL
	}
	target := t.TG
	pgid = t.GlobalPID(pgid)
	if pid != 0 && pid != t.PIDOf(t.TG) {
		target = t.FindGroup(pid)
		if target == nil || target.Parent != t.TG {
			return 0, linux.ESRCH
		}
		if target.SID != t.TG.SID {
			return 0, linux.EPERM
		}
		if target.Execed {
			return 0, linux.EACCES // a child that has called execve keeps its group
		}
	}
	if target.SID == target.PID { // a session leader cannot move
		return 0, linux.EPERM
	}
	if pgid == 0 {
		pgid = target.PID
	}
	if pgid != target.PID {
		ok := false
		for _, g := range t.Kernel().Groups() {
			if !g.Reaped && g.PGID == pgid && g.SID == target.SID {
				ok = true
			}
		}
		if !ok {
			return 0, linux.EPERM
		}
	}
	target.PGID = pgid
	return 0, nil
}

// pidOrSelf is the process a pid argument names, 0 meaning the caller (getpgid, getsid).
func pidOrSelf(t *kernel.Task, arg uint64) (*kernel.ThreadGroup, error) {
	pid := int(int32(arg))
	if pid == 0 {
		return t.TG, nil
	}
	if g := t.FindGroup(pid); g != nil {
		return g, nil
	}
	return nil, linux.ESRCH
}

// Getpgid implements getpgid(2).
func Getpgid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	g, err := pidOrSelf(t, a[0])
	if err != nil {
		return 0, err
	}
	return uint64(t.NR(g.PGID)), nil
}

// Setsid implements setsid(2).
func Setsid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	for _, g := range t.Kernel().Groups() {
		if !g.Reaped && g.PGID == t.TG.PID {
			return 0, linux.EPERM // already a process group leader
		}
	}
	t.TG.SID, t.TG.PGID = t.TG.PID, t.TG.PID
	return uint64(t.PIDOf(t.TG)), nil
}

// Getsid implements getsid(2).
func Getsid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	g, err := pidOrSelf(t, a[0])
	if err != nil {
		return 0, err
	}
	return uint64(t.NR(g.SID)), nil
}

// Tkill implements tkill(2).
func Tkill(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if int32(a[0]) <= 0 {
		return 0, linux.EINVAL
	}
	target := t.FindTask(int(int32(a[0])))
	if target == nil {
		return 0, linux.ESRCH
	}
	return ret0(t.KillTask(target, linux.Signal(a[1])))
}

// Tgkill implements tgkill(2).
func Tgkill(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	if int32(a[0]) <= 0 || int32(a[1]) <= 0 {
		return 0, linux.EINVAL
	}
	target := t.FindTask(int(int32(a[1])))
	if target == nil || t.PIDOf(target.TG) != int(int32(a[0])) {
		return 0, linux.ESRCH
	}
	return ret0(t.KillTask(target, linux.Signal(a[2])))
}

// prctl options (include/uapi/linux/prctl.h).
const (
	PR_SET_PDEATHSIG = 1
	PR_GET_PDEATHSIG = 2
	PR_GET_DUMPABLE  = 3
	PR_SET_DUMPABLE  = 4
	PR_SET_NAME      = 15
	PR_GET_NAME      = 16

	PR_SET_TIMERSLACK      = 29
	PR_SET_CHILD_SUBREAPER = 36
	PR_GET_CHILD_SUBREAPER = 37
	PR_GET_TIMERSLACK      = 30

	PR_GET_KEEPCAPS     = 7
	PR_SET_KEEPCAPS     = 8
	PR_GET_SECCOMP      = 21
	PR_SET_SECCOMP      = 22
	PR_CAPBSET_READ     = 23
	PR_CAPBSET_DROP     = 24
	PR_GET_SECUREBITS   = 27
	PR_SET_SECUREBITS   = 28
	PR_SET_NO_NEW_PRIVS = 38
	PR_GET_NO_NEW_PRIVS = 39
	PR_SET_THP_DISABLE  = 41
	PR_GET_THP_DISABLE  = 42
	PR_CAP_AMBIENT      = 47

	PR_CAP_AMBIENT_IS_SET    = 1
	PR_CAP_AMBIENT_RAISE     = 2
	PR_CAP_AMBIENT_LOWER     = 3
	PR_CAP_AMBIENT_CLEAR_ALL = 4

	SECCOMP_MODE_STRICT = 1
	SECCOMP_MODE_FILTER = 2
)

// Prctl implements the prctl(2) options C libraries use.
func Prctl(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	switch a[0] {
	case PR_SET_NAME:
		name, _, err := t.TG.MM.ReadString(a[1], 16)
		if err != nil {
			return 0, linux.EFAULT
		}
		if len(name) > 15 {
			name = name[:15]
		}
		t.SetName(name)
		return 0, nil
	case PR_GET_NAME:
		b := make([]byte, 16)
		copy(b, t.Name())
		return ret0(copyOut(t, a[1], b))
	case PR_SET_PDEATHSIG:
		if a[1] >= uint64(linux.NSIG) {
			return 0, linux.EINVAL
		}
		t.PdeathSig = linux.Signal(a[1])
		return 0, nil
	case PR_GET_PDEATHSIG:
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], uint32(t.PdeathSig))
		return ret0(copyOut(t, a[1], b[:]))
	case PR_GET_DUMPABLE:
		if t.TG.NotDumpable {
			return 0, nil
		}
		return 1, nil
	case PR_SET_DUMPABLE:
		if a[1] > 1 {
			return 0, linux.EINVAL
		}
		t.TG.NotDumpable = a[1] == 0
		return 0, nil
	case PR_SET_TIMERSLACK:
		t.SetTimerSlack(a[1])
		return 0, nil
	case PR_SET_CHILD_SUBREAPER:
		t.TG.ChildSubreaper = a[1] != 0
		return 0, nil
	case PR_GET_CHILD_SUBREAPER:
		var b [4]byte
		if t.TG.ChildSubreaper {
			b[0] = 1
		}
		return ret0(copyOut(t, a[1], b[:]))
	case PR_GET_TIMERSLACK:
		return t.TimerSlack(), nil
	case PR_GET_KEEPCAPS:
		return boolRet(t.TG.Creds.Securebits&kernel.SECBIT_KEEP_CAPS != 0), nil
	case PR_SET_KEEPCAPS:
		if a[1] > 1 {
			return 0, linux.EINVAL
		}
		if !t.TG.Creds.SetKeepCaps(a[1] == 1) {
			return 0, linux.EPERM
		}
		return 0, nil
	case PR_GET_SECUREBITS:
		return uint64(t.TG.Creds.Securebits), nil
	case PR_SET_SECUREBITS:
		if !t.TG.Creds.SetSecurebits(a[1]) {
			return 0, linux.EPERM
		}
		return 0, nil
	case PR_CAPBSET_READ:
		if !kernel.ValidCap(a[1]) {
			return 0, linux.EINVAL
		}
		return boolRet(t.TG.Creds.Caps.Bnd&(1<<a[1]) != 0), nil
	case PR_CAPBSET_DROP:
		// cap_prctl_drop: privilege is checked first.
		if !t.TG.Creds.Capable(kernel.CAP_SETPCAP) {
			return 0, linux.EPERM
		}
		if !kernel.ValidCap(a[1]) {
			return 0, linux.EINVAL
		}
		t.TG.Creds.Caps.Bnd &^= 1 << a[1]
		return 0, nil
	case PR_CAP_AMBIENT:
		return capAmbient(t, a)
	case PR_SET_NO_NEW_PRIVS:
		if a[1] != 1 || a[2]|a[3]|a[4] != 0 {
			return 0, linux.EINVAL
		}
		t.NoNewPrivs = true
		return 0, nil
	case PR_GET_NO_NEW_PRIVS:
		if a[1]|a[2]|a[3]|a[4] != 0 {
			return 0, linux.EINVAL
		}
		return boolRet(t.NoNewPrivs), nil
	case PR_SET_THP_DISABLE:
		if a[2]|a[3]|a[4] != 0 {
			return 0, linux.EINVAL
		}
		t.TG.THPDisabled = a[1] != 0
		return 0, nil
	case PR_GET_THP_DISABLE:
		if a[1]|a[2]|a[3]|a[4] != 0 {
			return 0, linux.EINVAL
		}
		return boolRet(t.TG.THPDisabled), nil
	case PR_GET_SECCOMP:
		if t.SeccompStrict {
			return SECCOMP_MODE_STRICT, nil
		}
		return 0, nil
	case PR_SET_SECCOMP:
		if a[1] == SECCOMP_MODE_STRICT {
			t.SeccompStrict = true
			return 0, nil
		}
		// SECCOMP_MODE_FILTER too: weft's kernel is one built without
		// CONFIG_SECCOMP_FILTER, whose seccomp_set_mode_filter is EINVAL.
		return 0, linux.EINVAL
	}
	return 0, linux.EINVAL
}

// capAmbient implements prctl(PR_CAP_AMBIENT) (cap_task_prctl): the ambient
// capability set, which a program keeps across execve (capabilities(7)).
func capAmbient(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	c := &t.TG.Creds
	if a[1] == PR_CAP_AMBIENT_CLEAR_ALL {
		if a[2]|a[3]|a[4] != 0 {
			return 0, linux.EINVAL
		}
		c.Caps.Amb = 0
		return 0, nil
	}
	if !kernel.ValidCap(a[2]) || a[3]|a[4] != 0 {
		return 0, linux.EINVAL
	}
	switch a[1] {
	case PR_CAP_AMBIENT_IS_SET:
		return boolRet(c.Caps.Amb&(1<<a[2]) != 0), nil
	case PR_CAP_AMBIENT_RAISE:
		if !c.RaiseAmbient(a[2]) {
			return 0, linux.EPERM
		}
		return 0, nil
	case PR_CAP_AMBIENT_LOWER:
		c.Caps.Amb &^= 1 << a[2]
		return 0, nil
	}
	return 0, linux.EINVAL
}

func boolRet(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// Seccomp implements seccomp(2) for strict mode (SECCOMP_SET_MODE_STRICT: only read,
// write, exit and rt_sigreturn from then on). weft's kernel is one built without
// CONFIG_SECCOMP_FILTER: every other operation is EINVAL (do_seccomp).
func Seccomp(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	const SECCOMP_SET_MODE_STRICT = 0
	if a[0] != SECCOMP_SET_MODE_STRICT || a[1] != 0 || a[2] != 0 {
		return 0, linux.EINVAL
	}
	t.SeccompStrict = true
	return 0, nil
}
