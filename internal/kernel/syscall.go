package kernel

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/trace"
)

// SyscallArgs are the six argument registers a0-a5.
type SyscallArgs [6]uint64

// SyscallFunc implements one system call for task t. It returns the value for a0, or an
// error: a linux.Errno becomes -errno; ErrNoReturn means the task's registers were
// replaced (execve) or it is gone (exit) and a0 must not be written.
type SyscallFunc func(t *Task, a *SyscallArgs) (uint64, error)

// ErrNoReturn is returned by handlers after which a0 must be left alone.
var ErrNoReturn = errors.New("syscall does not return")

// ArgFormat says how strace shows an argument.
type ArgFormat uint8

const (
	ArgInt         ArgFormat = iota // signed decimal
	ArgUint                         // unsigned decimal
	ArgHex                          // hexadecimal
	ArgPtr                          // pointer: hexadecimal, NULL for 0
	ArgFd                           // file descriptor (AT_FDCWD by name)
	ArgPath                         // NUL-terminated string
	ArgBufIn                        // buffer the call reads; its length is the next argument
	ArgBufOut                       // buffer the call fills; the return value says how much
	ArgOct                          // octal (modes)
	ArgOpenFlags                    // open(2) flags
	ArgProt                         // mmap protection
	ArgMapFlags                     // mmap flags
	ArgSignal                       // signal number
	ArgCloneFlags                   // clone(2) flags and exit signal
	ArgWaitOptions                  // wait4/waitid options
	ArgAtFlags                      // AT_* flags of the *at calls
	ArgFutexOp                      // futex operation
	ArgSigHow                       // rt_sigprocmask's how
	ArgFcntlCmd                     // fcntl command
	ArgClockID                      // clock id
	ArgSigset                       // pointer to a sigset_t: [SIGINT SIGTERM], or NULL
)

// RetFormat says how strace shows a return value.
type RetFormat uint8

const (
	RetInt RetFormat = iota
	RetHex
)

// Support says how completely weft implements a call.
type Support uint8

const (
	Full    Support = iota // as Linux specifies it
	Partial                // the common cases; see the Note
	Stub                   // accepted and answered, with no effect (see the Note)
)

func (s Support) String() string { return [...]string{"full", "partial", "stub"}[s] }

// Syscall is one entry of the syscall table.
type Syscall struct {
	Name    string
	Fn      SyscallFunc
	Args    []ArgFormat
	Ret     RetFormat
	Support Support
	Note    string
	// Restart says the call may be restarted after a handler installed with
	// SA_RESTART interrupts it; otherwise it fails with EINTR.
	Restart bool
	// TimedRestart marks a call that Linux resumes through restart_syscall(2) once it
	// has a deadline (ERESTART_RESTARTBLOCK: nanosleep, clock_nanosleep, timed futex
	// waits), or restarts with the time it had left (ppoll, pselect6). Interrupted with
	// a deadline set, it fails with EINTR whenever a handler runs, SA_RESTART or not,
	// and after a signal that runs no handler it resumes with the deadline it had, not
	// a fresh timeout. weft resumes all of them through restart_syscall.
	TimedRestart bool
	// Interrupted, if set, runs when a signal ends the call with EINTR (nanosleep
	// reports the time left); an error it returns replaces EINTR (EFAULT when the
	// time left cannot be written).
	Interrupted func(t *Task, a *SyscallArgs) error
	// Ready, if set, reports whether the blocked call would complete now: when a
	// signal wakes it, it is tried again first if so, and completes before the signal
	// is delivered (wait4 and waitid: do_wait looks at the children again after every
	// wakeup before it looks at pending signals).
	Ready func(t *Task, a *SyscallArgs) bool
}

// SyscallTable maps syscall numbers to their implementations. Strace output, coverage
// lists and tests all read this one table.
type SyscallTable struct {
	calls map[uint64]*Syscall
}

// NewSyscallTable returns an empty table.
func NewSyscallTable() *SyscallTable { return &SyscallTable{calls: map[uint64]*Syscall{}} }

// Register adds a call.
func (st *SyscallTable) Register(nr uint64, s Syscall) {
	if _, dup := st.calls[nr]; dup {
		panic(fmt.Sprintf("syscall %d (%s) registered twice", nr, s.Name))
	}
	st.calls[nr] = &s
}

// Lookup returns the entry for nr, or nil.
func (st *SyscallTable) Lookup(nr uint64) *Syscall { return st.calls[nr] }

// Numbers returns the registered numbers in ascending order.
func (st *SyscallTable) Numbers() []uint64 {
	var nrs []uint64
	for nr := range st.calls {
		nrs = append(nrs, nr)
	}
	for i := 1; i < len(nrs); i++ { // insertion sort: small table, no map-order leaks
		for j := i; j > 0 && nrs[j] < nrs[j-1]; j-- {
			nrs[j], nrs[j-1] = nrs[j-1], nrs[j]
		}
	}
	return nrs
}

// syscall runs the system call t has just trapped into.
func (k *Kernel) syscall(t *Task) {
	nr := t.Ctx.X[17]
	var a SyscallArgs
	copy(a[:], t.Ctx.X[10:16])
	t.Stats.Syscalls++
	sc := k.table.Lookup(nr)
	if nr == linux.SYS_RESTART_SYSCALL && t.restart.call != nil {
		// restart_syscall(2): resume the call a signal interrupted, with its deadline;
		// a0-a5 still hold its arguments.
		sc = t.restart.call
		t.Call = CallState{Deadline: t.restart.deadline}
		t.restart = restartBlock{}
	}
	if t.SeccompStrict && !seccompStrictAllows(nr) {
		name := linux.SyscallNames[int(nr)]
		if sc != nil {
			name = sc.Name
		}
		sc = &Syscall{Name: name, Fn: seccompKill}
	}
	if sc == nil || sc.Fn == nil {
		name := linux.SyscallNames[int(nr)]
		if name == "" {
			name = "syscall_" + strconv.FormatUint(nr, 10)
		}
		switch {
		case k.noticed[name]:
		case k.unknownCalls < maxUnknownNotices:
			k.unknownCalls++
			k.noticed[name] = true
			k.notice("pid %d: system call %s (%d) is not implemented; it returns ENOSYS", t.TG.PID, name, nr)
		case k.unknownCalls == maxUnknownNotices:
			k.unknownCalls++
			k.notice("pid %d: more system calls that weft does not implement are not reported (they return ENOSYS)", t.TG.PID)
		}
		t.Ctx.X[10] = negErrno(linux.ENOSYS)
		if k.straceOn(name) {
			k.straceLine(t, &Syscall{Name: name}, &a, "", t.Ctx.X[10], linux.ENOSYS)
		}
		return
	}
	if k.straceOn(sc.Name) {
		t.stracePre = k.formatArgs(t, sc, &a, false, 0)
	}
	k.invoke(t, sc, &a)
}

// invoke runs (or, after a wake-up, re-runs) a syscall handler and completes the call
// unless it blocked.
func (k *Kernel) invoke(t *Task, sc *Syscall, a *SyscallArgs) {
	k.current = t
	mm, mem := t.TG.MM, t.TG.MM.Stats
	before := k.Work()
	k.inSyscall = true
	ret, err := sc.Fn(t, a)
	k.inSyscall = false
	k.current = nil
	// The call's work (pages it faulted in or copied, bytes, queue operations, a
	// fork's copies) is charged to the task that made it.
	k.settle(t)
	t.callWork = k.Work().Sub(before)
	if k.tr != nil && t.TG.MM == mm {
		k.traceFaults(t, mem)
	}
	if errors.Is(err, ErrBlocked) {
		t.pending, t.pendingArgs = sc, *a
		return
	}
	t.pending = nil
	t.Call = CallState{}
	var errno linux.Errno
	switch {
	case err == nil:
		t.Ctx.X[10] = ret
	case errors.Is(err, ErrNoReturn):
	case errors.As(err, &errno):
		t.Ctx.X[10] = negErrno(errno)
	default:
		// A handler error that is not an errno is a kernel bug; the guest sees EIO.
		k.notice("pid %d: %s: internal error: %v", t.TG.PID, sc.Name, err)
		errno = linux.EIO
		t.Ctx.X[10] = negErrno(errno)
	}
	if k.tr != nil && t.State != TaskDead {
		k.traceEvent(t, trace.Event{Kind: trace.Syscall, Time: t.syscallStart, Dur: t.Now() - t.syscallStart, Name: sc.Name, Arg: t.Ctx.X[10]})
	}
	if k.cfg.Strace != nil {
		switch {
		case !k.straceOn(sc.Name):
		case errors.Is(err, ErrNoReturn):
			k.straceLine(t, sc, a, t.stracePre, 0, ErrNoReturn)
		default:
			k.straceLine(t, sc, a, t.stracePre, t.Ctx.X[10], errnoOrNil(errno))
		}
		k.straceFlush()
	}
}

func errnoOrNil(e linux.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func (k *Kernel) straceLine(t *Task, sc *Syscall, a *SyscallArgs, pre string, ret uint64, err error) {
	args := pre
	if sc.Fn != nil && !errors.Is(err, ErrNoReturn) {
		args = k.formatArgs(t, sc, a, true, ret)
	}
	var res string
	var errno linux.Errno
	switch {
	case errors.Is(err, ErrNoReturn):
		res = "?"
	case errors.As(err, &errno):
		res = fmt.Sprintf("-1 %v", errno)
	case sc.Ret == RetHex:
		res = fmt.Sprintf("0x%x", ret)
	default:
		res = strconv.FormatInt(int64(ret), 10)
	}
	fmt.Fprintf(k.cfg.Strace, "[pid %d] %s(%s) = %s\n", t.TID, sc.Name, args, res)
}

// formatArgs renders a call's arguments. Before the call (after=false) out-buffers are
// shown as pointers; after it, with the bytes the call returned.
func (k *Kernel) formatArgs(t *Task, sc *Syscall, a *SyscallArgs, after bool, ret uint64) string {
	parts := make([]string, len(sc.Args))
	for i, f := range sc.Args {
		v := a[i]
		switch f {
		case ArgInt:
			parts[i] = strconv.FormatInt(int64(v), 10)
		case ArgUint:
			parts[i] = strconv.FormatUint(v, 10)
		case ArgHex:
			parts[i] = fmtHex(v)
		case ArgPtr:
			parts[i] = fmtPtr(v)
		case ArgFd:
			if int32(v) == AT_FDCWD {
				parts[i] = "AT_FDCWD"
			} else {
				parts[i] = strconv.Itoa(int(int32(v)))
			}
		case ArgPath:
			s, ok, err := t.TG.MM.ReadString(v, 4096)
			if err != nil {
				parts[i] = fmtPtr(v)
			} else {
				parts[i] = quote([]byte(s), !ok)
			}
		case ArgBufIn, ArgBufOut:
			n := a[i+1]
			if f == ArgBufOut {
				if !after || int64(ret) < 0 {
					parts[i] = fmtPtr(v)
					continue
				}
				n = ret
			}
			const show = 32
			buf := make([]byte, min(n, show))
			if t.TG.MM.ReadAt(buf, v) != nil {
				parts[i] = fmtPtr(v)
			} else {
				parts[i] = quote(buf, n > show)
			}
		case ArgOct:
			parts[i] = fmt.Sprintf("0%o", v)
		case ArgOpenFlags:
			parts[i] = linux.OpenFlag(v).String()
		case ArgProt:
			parts[i] = linux.ProtFlag(v).String()
		case ArgMapFlags:
			parts[i] = linux.MapFlag(v).String()
		case ArgSignal:
			parts[i] = signalArg(v)
		case ArgCloneFlags:
			parts[i] = linux.CloneFlag(v).String()
		case ArgWaitOptions:
			parts[i] = linux.WaitOption(uint32(v)).String()
		case ArgAtFlags:
			parts[i] = linux.AtFlag(uint32(v)).String()
		case ArgFutexOp:
			parts[i] = linux.FutexOp(uint32(v)).String()
		case ArgSigHow:
			parts[i] = linux.SigHow(v).String()
		case ArgFcntlCmd:
			parts[i] = linux.FcntlCmd(uint32(v)).String()
		case ArgClockID:
			parts[i] = linux.ClockID(uint32(v)).String()
		case ArgSigset:
			parts[i] = sigsetArg(t, v)
		}
	}
	return strings.Join(parts, ", ")
}

// fmtHex shows a number in hexadecimal, and 0 as strace does, as 0.
func fmtHex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("0x%x", v)
}

func fmtPtr(v uint64) string {
	if v == 0 {
		return "NULL"
	}
	return fmt.Sprintf("0x%x", v)
}

// quote renders bytes as a C string literal, as strace does.
func quote(b []byte, more bool) string {
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\t':
			s.WriteString(`\t`)
		case c >= 0x20 && c < 0x7f:
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, `\%o`, c)
		}
	}
	s.WriteByte('"')
	if more {
		s.WriteString("...")
	}
	return s.String()
}

// signalArg shows a signal number as strace does: SIGTERM, 0 for "no signal" (kill's
// probe), or the number.
func signalArg(v uint64) string {
	if s := Signal(int32(v)); s > 0 && s < linux.NSIG {
		return "SIG" + straceSigName(s)
	}
	return strconv.FormatInt(int64(int32(v)), 10)
}

// sigsetArg shows the sigset_t at addr as strace does: [INT TERM], ~[RTMIN RT_1] for a
// set with most signals in it, [] for none.
func sigsetArg(t *Task, addr uint64) string {
	if addr == 0 {
		return "NULL"
	}
	var b [8]byte
	if t.TG.MM.ReadAt(b[:], addr) != nil {
		return fmtPtr(addr)
	}
	set := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
	prefix := "["
	if bitsSet(set) > 32 {
		prefix, set = "~[", ^set
	}
	var names []string
	for s := Signal(1); s < linux.NSIG; s++ {
		if set&sigBit(s) != 0 {
			names = append(names, straceSigName(s))
		}
	}
	return prefix + strings.Join(names, " ") + "]"
}

// straceSigName is a signal's name without SIG, real-time ones as strace names them:
// RTMIN, RT_1, RT_2, ...
func straceSigName(s Signal) string {
	switch {
	case s == linux.SIGRTMIN:
		return "RTMIN"
	case s > linux.SIGRTMIN:
		return "RT_" + strconv.Itoa(int(s-linux.SIGRTMIN))
	}
	return strings.TrimPrefix(s.String(), "SIG")
}

func bitsSet(v uint64) int {
	n := 0
	for ; v != 0; v &= v - 1 {
		n++
	}
	return n
}

// AT_FDCWD is the dirfd meaning "the working directory".
const AT_FDCWD = -100

// maxUnknownNotices bounds the notices naming unimplemented system calls in one run.
const maxUnknownNotices = 32

// negErrno is the a0 value that reports e: -e as a 64-bit two's-complement number.
func negErrno(e linux.Errno) uint64 { return -uint64(e) }

// seccompStrictAllows reports whether a task in seccomp strict mode may make system
// call nr: read, write, exit and rt_sigreturn only (seccomp(2)).
func seccompStrictAllows(nr uint64) bool {
	switch nr {
	case linux.SYS_READ, linux.SYS_WRITE, linux.SYS_EXIT, linux.SYS_RT_SIGRETURN:
		return true
	}
	return false
}

// seccompKill is what any other call does in strict mode: the kernel kills the task
// with SIGKILL (__secure_computing_strict). weft kills its process: a weft thread
// cannot end by a signal on its own.
func seccompKill(t *Task, _ *SyscallArgs) (uint64, error) {
	t.k.notice("pid %d killed by SIGKILL: a system call other than read, write, exit and rt_sigreturn in seccomp strict mode", t.TG.PID)
	t.k.exitGroup(t.TG, 0, linux.SIGKILL)
	return 0, ErrNoReturn
}
