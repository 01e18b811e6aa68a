package kernel

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/cpu"
	"weft/internal/kernel/cost"
	"weft/internal/kernel/sched"
	"weft/internal/loader"
	"weft/internal/mm"
	wnet "weft/internal/net"
	"weft/internal/vfs"
)

// TaskState is where a task is in its life.
type TaskState uint8

const (
	TaskRunnable TaskState = iota // on a run queue or running on a CPU
	TaskBlocked                   // waiting for something (see Task.waitingFor)
	TaskDead                      // exited; its thread group may be a zombie
	TaskStopped                   // stopped by a job-control signal until SIGCONT
)

// Creds is a process's security context (credentials(7)).
type Creds struct {
	UID, EUID, SUID uint32
	GID, EGID, SGID uint32
	// FSUID and FSGID are what file permission checks use (setfsuid(2)): they
	// follow the effective IDs, which every change of those resets them to.
	FSUID, FSGID uint32
	Groups       []uint32
	Caps         Caps // capabilities (caps.go)
	// Securebits are the SECBIT_ flags of prctl(2) PR_SET_SECUREBITS (caps.go).
	Securebits uint32
	// UserNS is the user namespace the credentials belong to (userns.go), nil for
	// the root one: the IDs above are kernel IDs, the capabilities are in UserNS.
	UserNS *UserNS
}

// VFS returns the credentials that file permission checks use.
func (c *Creds) VFS() vfs.Cred {
	return c.vfsAs(c.FSUID, c.FSGID, c.Caps.Eff)
}

// VFSReal returns the credentials access(2) checks with: the real IDs, and the
// permitted capabilities if the real user ID is the namespace's root, none otherwise
// (do_faccessat's access_override_creds).
func (c *Creds) VFSReal() vfs.Cred {
	caps := uint64(0)
	if r, ok := c.rootUID(); ok && c.UID == r && c.Securebits&SECBIT_NO_SETUID_FIXUP == 0 {
		caps = c.Caps.Prm
	} else if c.Securebits&SECBIT_NO_SETUID_FIXUP != 0 {
		caps = c.Caps.Eff
	}
	return c.vfsAs(c.UID, c.GID, caps)
}

// vfsAs returns file credentials with user uid, group gid and capabilities caps.
func (c *Creds) vfsAs(uid, gid uint32, caps uint64) vfs.Cred {
	v := vfs.Cred{UID: uid, GID: gid, Groups: c.Groups}
	for _, p := range [...]struct {
		cap  int
		priv vfs.Priv
	}{{CAP_DAC_OVERRIDE, vfs.PrivDACOverride}, {CAP_DAC_READ_SEARCH, vfs.PrivDACReadSearch},
		{CAP_FOWNER, vfs.PrivFowner}, {CAP_FSETID, vfs.PrivFsetid}} {
		if caps&(1<<p.cap) != 0 {
			v.Priv |= p.priv
		}
	}
	if ns := c.UserNS; ns != nil {
		v.Maps = ns.maps
	} else if caps&(1<<CAP_SYS_ADMIN) != 0 {
		v.Priv |= vfs.PrivSysAdmin
	}
	return v
}

// FSCred returns who resolves tg's paths: its credentials and its root directory.
func (tg *ThreadGroup) FSCred() vfs.Cred {
	c := tg.Creds.VFS()
	c.Root, c.MntNS = tg.Root, tg.MntNS
	return c
}

// Rlimit is one resource limit (getrlimit(2)).
type Rlimit struct{ Cur, Max uint64 }

// RLIM_INFINITY is the "no limit" value.
const RLIM_INFINITY = ^uint64(0)

// Resource numbers for getrlimit(2).
const (
	RLIMIT_CPU        = 0
	RLIMIT_FSIZE      = 1
	RLIMIT_DATA       = 2
	RLIMIT_STACK      = 3
	RLIMIT_CORE       = 4
	RLIMIT_RSS        = 5
	RLIMIT_NPROC      = 6
	RLIMIT_NOFILE     = 7
	RLIMIT_MEMLOCK    = 8
	RLIMIT_AS         = 9
	RLIMIT_LOCKS      = 10
	RLIMIT_SIGPENDING = 11
	RLIMIT_MSGQUEUE   = 12
	RLIMIT_NICE       = 13
	RLIMIT_RTPRIO     = 14
	RLIMIT_RTTIME     = 15
	RLIM_NLIMITS      = 16
)

func defaultRlimits() [RLIM_NLIMITS]Rlimit {
	var r [RLIM_NLIMITS]Rlimit
	for i := range r {
		r[i] = Rlimit{RLIM_INFINITY, RLIM_INFINITY}
	}
	r[RLIMIT_STACK] = Rlimit{loader.StackSize, RLIM_INFINITY}
	r[RLIMIT_CORE] = Rlimit{0, RLIM_INFINITY}
	r[RLIMIT_NPROC] = Rlimit{4096, 4096}
	r[RLIMIT_NOFILE] = Rlimit{1024, 4096}
	r[RLIMIT_MEMLOCK] = Rlimit{8 << 20, 8 << 20}
	r[RLIMIT_SIGPENDING] = Rlimit{15000, 15000}
	r[RLIMIT_MSGQUEUE] = Rlimit{819200, 819200}
	r[RLIMIT_NICE] = Rlimit{0, 0}
	r[RLIMIT_RTPRIO] = Rlimit{0, 0}
	return r
}

// ThreadGroup is a process: an address space, open files, a working directory,
// credentials and limits, shared by its tasks (threads).
type ThreadGroup struct {
	PID    int
	Parent *ThreadGroup
	// Cgroup is the control group the process is in (cgroup.go); a fork's child
	// starts in its parent's.
	Cgroup *Cgroup
	// OOMScoreAdj is /proc/PID/oom_score_adj, oomScoreAdjMin the lowest value a
	// privileged writer set, below which others may not go (oom.go).
	OOMScoreAdj, oomScoreAdjMin int
	// Net is the process's network namespace (the kernel's Net unless clone or
	// unshare made a new one with CLONE_NEWNET). weft keeps it per process: a thread
	// cannot have a namespace of its own.
	Net *wnet.Stack
	// TimeNS is the process's time namespace, TimeNSChildren the one its children
	// will be in (they differ after unshare(CLONE_NEWTIME)); per process, as Net.
	TimeNS, TimeNSChildren *TimeNS
	// PIDNS is the process's PID namespace, PIDNSChildren the one its children will
	// be in (they differ after unshare(CLONE_NEWPID) or setns); see pidns.go. nrs are
	// its numbers in PIDNS and the namespaces above it but the root.
	PIDNS, PIDNSChildren *PIDNS
	nrs                  []int
	// MntNS is the process's mount namespace (nil: the first one): the guest's
	// mounts its paths cross (vfs/mount.go). Per process, as the others.
	MntNS *vfs.MountNS
	// THPDisabled is prctl(2)'s PR_SET_THP_DISABLE flag (Linux's MMF_DISABLE_THP):
	// inherited by fork and kept across execve. weft has no transparent huge pages
	// for it to turn off.
	THPDisabled bool
	Children    []*ThreadGroup // living and zombie children, in creation order
	// Tasks are the group's tasks that have not exited. A task that exits leaves it,
	// its accounting added to deadStats, so that a process that creates and joins a
	// million threads holds no more than the threads alive.
	Tasks []*Task
	// liveTasks counts the tasks of Tasks that have not exited.
	liveTasks int
	// threads counts the tasks the group ever had; deadStats adds up the accounting
	// of those that exited.
	threads   int
	deadStats TaskStats
	// exitedKept are the group's exited tasks among the kernel's exitedKept.
	exitedKept []*Task
	PGID       int // process group
	SID        int // session
	// ExitSignal is sent to the parent when the group exits (SIGCHLD for fork).
	ExitSignal Signal
	// ChildEvents wakes the group's tasks waiting in wait4/waitid.
	ChildEvents WaitQueue
	// vforkDone wakes a vfork parent when the child execs or exits.
	vforkDone  WaitQueue
	vforkChild bool
	// vforkParent is the task that vforked this process, while vforkChild is set.
	vforkParent *Task

	MM *mm.AddressSpace
	// sharesMM is set when MM belongs to another group too (vfork, CLONE_VM).
	sharesMM bool
	FDs      *FDTable
	Cwd      *vfs.Inode
	CwdPath  string
	// Root is the process's root directory (chroot(2)), nil for the file system's.
	// Paths starting with "/" and ".." climbing above it resolve to it.
	Root    *vfs.Inode
	Umask   uint32
	Creds   Creds
	Rlimits [RLIM_NLIMITS]Rlimit
	// SigActions are the signal dispositions, indexed by signal number.
	SigActions [linux.NSIG]SigAction

	// StartTime is the virtual time the process was created (/proc/PID/stat).
	StartTime uint64
	// cpuTime is the virtual CPU time of all the group's tasks (RLIMIT_CPU), and
	// xcpuAt the whole second of it at which the next SIGXCPU is due.
	cpuTime, xcpuAt uint64
	// cpuTimers are ITIMER_VIRTUAL and ITIMER_PROF (itimer_cpu.go).
	cpuTimers [2]cpuTimer
	// Execed is set once the process has called execve (setpgid(2)'s EACCES).
	Execed bool

	// Exe is the guest path of the program image; Comm the short command name.
	Exe    string
	Comm   string
	Binary *loader.Binary
	Args   []string // argv of the running image (/proc/PID/cmdline)
	// envStart and envEnd bound the environment strings on the initial stack
	// (/proc/PID/environ reads them from memory, as the program may change them).
	envStart, envEnd uint64
	// Auxv is the auxiliary vector of the program the process runs (loader.Image),
	// tag and value words ending with AT_NULL.
	Auxv []uint64

	// sigPending holds process-directed signals until a thread takes one.
	sigPending sigQueue
	// sigEvents wakes signalfd readers and pollers when a signal is queued for the
	// process or one of its threads (Linux's sighand->signalfd_wqh).
	sigEvents vfs.Queue
	// timers are the process's POSIX timers (timer_create(2)), by id.
	timers []*posixTimer
	// PidfdEvents wakes pollers of the process's pidfds when it exits or is reaped.
	PidfdEvents vfs.Queue
	// sigreturnAddr is the code that returns from a signal handler (rt_sigreturn).
	sigreturnAddr uint64

	// Exit state: set once the group has exited.
	Exited     bool
	ExitCode   int    // exit status when it exited normally
	KillSignal Signal // the signal that killed it, or 0
	CoreDumped bool   // it wrote a core file as it died (coredump.go)
	// ChildSubreaper is prctl's PR_SET_CHILD_SUBREAPER: orphaned descendants are
	// given to it rather than to init.
	ChildSubreaper bool
	// NotDumpable is PR_SET_DUMPABLE 0: no core file. CoreFilter is
	// /proc/PID/coredump_filter once written (coreFilterSet).
	NotDumpable   bool
	CoreFilter    uint32
	coreFilterSet bool
	Reaped        bool   // its parent has waited for it (no longer a zombie)
	ExitTime      uint64 // virtual time of the exit
	MemAtExit     mm.Stats

	lastMemTrace uint64 // virtual time of the last memory counter in the trace

	// Job control: Stopped is set while a stop signal (StopSignal) holds the group;
	// the parent learns of a stop or a continue once, through wait (WUNTRACED,
	// WCONTINUED).
	Stopped    bool
	StopSignal Signal
	stopReport bool   // a stop waits to be reported
	contReport bool   // a continue waits to be reported
	itimer     itimer // ITIMER_REAL

	// ExecPeak is the largest resident set of the images this process had before its
	// last execve, in pages: ru_maxrss counts them too.
	ExecPeak uint64
	// ChildStats and ChildMem add up the reaped children (RUSAGE_CHILDREN).
	ChildStats TaskStats
	ChildMem   mm.Stats
}

// Task is a thread: registers, and the thread group it belongs to.
type Task struct {
	k   *Kernel
	TID int
	// nrs are the task's numbers in its process's PID namespace and those above it
	// but the root (pidns.go).
	nrs   []int
	TG    *ThreadGroup
	Ctx   cpu.Context
	State TaskState

	// ClearTID is set_tid_address's pointer (cleared and woken on exit).
	ClearTID uint64
	// RobustList is set_robust_list's head.
	RobustList uint64

	// Nice is the nice value, -20..19; it weights the task's time slices.
	Nice int
	// Affinity is the set of CPUs the task may run on (sched_setaffinity(2)), one
	// bit per CPU; 0 means all of them. Inherited by clone.
	Affinity uint64
	// name is the thread's name (prctl PR_SET_NAME); empty means the process's.
	name string
	// PdeathSig is sent to the task when its parent process dies (PR_SET_PDEATHSIG).
	PdeathSig Signal
	// NoNewPrivs (PR_SET_NO_NEW_PRIVS) is never cleared once set, and passes to the
	// threads and processes the task creates and across execve.
	NoNewPrivs bool
	// SeccompStrict (seccomp(2) SECCOMP_SET_MODE_STRICT, PR_SET_SECCOMP 1): the
	// task may make no system call but read, write, exit and rt_sigreturn; any other
	// kills it with SIGKILL. It passes to new tasks and across execve.
	SeccompStrict bool
	// timerSlack and slackDefault are the thread's current and default timer slack
	// in ns (PR_SET_TIMERSLACK), 0 standing for Linux's 50 µs; see timerslack.go.
	timerSlack, slackDefault uint64

	// SigMask is the blocked-signal mask (rt_sigprocmask).
	SigMask uint64
	// sigPending holds signals directed at this task (tgkill, faults).
	sigPending sigQueue
	// savedMask is rt_sigsuspend's original mask, restored after the handler.
	savedMask *uint64
	// sigWaitSet is the set rt_sigtimedwait waits for.
	sigWaitSet uint64
	// interrupted is set when a signal wakes the task from a blocking syscall.
	interrupted bool
	// futexKey is the futex the task waits on; futexWoken says a FUTEX_WAKE woke it.
	futexKey   futexKey
	futexWoken bool
	// futexVKeys are the futexes a futex_waitv waits on (nil otherwise), and
	// futexWokenIndex the one whose wake ended the wait.
	futexVKeys      []futexKey
	futexWokenIndex int
	// lockWait is the record lock the task waits to take in F_SETLKW, on lockInode
	// (for deadlock detection).
	lockWait  *recordLock
	lockInode *vfs.Inode
	// AltStack is the alternate signal stack (sigaltstack).
	AltStack SigAltStack

	// Call is the state of a blocking syscall between its attempts.
	Call CallState
	// pending is the syscall to retry when the task is woken.
	pending     *Syscall
	pendingArgs SyscallArgs
	// restart is what restart_syscall(2) resumes (see Syscall.TimedRestart).
	restart    restartBlock
	stracePre  string
	exitCode   int // the status it gave exit(2), when it ended alone
	waitingFor string
	waitQueues []*WaitQueue

	// cpu is the CPU the task is running on while it runs (nil otherwise).
	cpu *CPU
	// onHart is the hart that still holds the task's registers, if Ctx is not newer.
	onHart *cpu.Hart
	// sliceLeft counts the instructions left in the task's time slice.
	sliceLeft uint64
	// steps counts the scheduling points at which the policy was asked about the task
	// while it ran; point and pointAddr say where it stopped last (sched.Thread).
	steps      uint64
	point      sched.Point
	pointAddr  uint64
	pointWrite bool
	// raceResume: the race detector is to see the task synchronise when it runs again
	// (it made a system call).
	raceResume bool
	// racePending: the task stopped at raceStop, an access or synchronisation the
	// race detector is to see when the task executes it.
	racePending bool
	raceStop    cpu.Stop
	// syncAt is the pc of the scheduling point (StopSync) the task stopped at, which
	// its next run executes (cpu.Hart.PassPoint); 0 if none.
	syncAt uint64
	// atEcall: the task was preempted at the ecall at its pc, before the system call;
	// when it runs again the call is made without running the hart.
	atEcall bool
	// syscallStart is when the current syscall trapped, for the trace.
	syscallStart uint64
	exitTraced   bool
	// readyAt is the virtual time at which the task became runnable.
	readyAt uint64
	// callWork is the work the kernel counted in the task's last system call.
	callWork cost.Work

	Stats TaskStats
}

// TaskStats is what weft accounts per task.
type TaskStats struct {
	Insns         uint64 // instructions retired
	CPUTime       uint64 // virtual nanoseconds on a CPU, including modelled costs
	Syscalls      uint64
	VolSwitches   uint64 // gave up the CPU by blocking or yielding
	InvolSwitches uint64 // preempted at the end of a time slice
}

// Now returns the virtual time in nanoseconds as the task sees it.
func (t *Task) Now() uint64 {
	if t.cpu != nil {
		return t.cpu.Clock
	}
	return t.readyAt
}

// CallWork is the work the kernel counted in the task's last system call handler
// (its last attempt, if the call blocked), not counting the trap into it. A trace sink
// can read it when the call's Syscall event arrives.
func (t *Task) CallWork() cost.Work { return t.callWork }

// Kernel returns the kernel the task runs in.
func (t *Task) Kernel() *Kernel { return t.k }

// Exit ends the calling thread (exit(2)). When it is the last thread, the process exits
// with code.
func (t *Task) Exit(code int) {
	if t.TG.liveTasks <= 1 {
		t.k.exitGroup(t.TG, code, 0)
		return
	}
	t.exitCode = code
	t.k.exitRobustList(t)
	t.k.exitClearTID(t)
	t.k.settle(t) // while the thread still holds its CPU
	t.k.exitTask(t)
}

// ExitGroup ends every thread of the process (exit_group(2)).
func (t *Task) ExitGroup(code int) { t.k.exitGroup(t.TG, code, 0) }

// Yield gives up the CPU to the next runnable task, if there is one (sched_yield(2)).
func (t *Task) Yield() {
	k := t.k
	if len(k.runq) == 0 {
		return
	}
	t.Stats.VolSwitches++
	now := t.Now()
	k.deschedule(t)
	k.makeRunnable(t, now)
	k.yielder = t
}

// SigAction is a signal's disposition (the kernel's struct sigaction).
type SigAction struct {
	Handler uint64 // SIG_DFL (0), SIG_IGN (1) or the handler's address
	Flags   uint64
	Mask    uint64
}

// Name is the thread's name: what PR_SET_NAME set, or the process's command.
func (t *Task) Name() string {
	if t.name != "" {
		return t.name
	}
	return t.TG.Comm
}

// SetName names the thread (and, for the main thread, the process, as Linux's comm).
func (t *Task) SetName(name string) {
	t.name = name
	if t.TID == t.TG.PID {
		t.TG.Comm = name
	}
	if t.k.tr != nil {
		t.k.traceNames(t)
	}
}

// restartBlock is Linux's restart_block: the interrupted call restart_syscall(2)
// resumes, and the deadline it keeps.
type restartBlock struct {
	call     *Syscall
	deadline uint64
}

// allowedOn reports whether t's affinity lets it run on c.
func (t *Task) allowedOn(c *CPU) bool { return t.Affinity == 0 || t.Affinity&(1<<c.ID) != 0 }

// SetAffinity restricts t to the CPUs in set (0: all), and moves it off the CPU it
// runs on if that is not one of them (sched_setaffinity(2) migrates at once).
func (t *Task) SetAffinity(set uint64) {
	t.Affinity = set
	if c := t.cpu; c != nil && !t.allowedOn(c) {
		t.Stats.VolSwitches++
		now := t.Now()
		t.k.deschedule(t)
		t.k.makeRunnable(t, now)
	}
}

// CPUID is the simulated CPU t runs on (getcpu(2)), or 0 when it runs on none.
func (t *Task) CPUID() int {
	if t.cpu == nil {
		return 0
	}
	return t.cpu.ID
}

// ProcessPending reports the signals pending for the process, any thread to take.
func (tg *ThreadGroup) ProcessPending() uint64 { return tg.sigPending.set }

// OnCPU is the simulated CPU t is running on, or -1.
func (t *Task) OnCPU() int {
	if t.cpu == nil || t.cpu.cur != t {
		return -1
	}
	return t.cpu.ID
}

// MemStats is the process's memory counters for getrusage(2): its address space's, with
// the peak resident set taken over every image it had since fork (ExecPeak).
func (tg *ThreadGroup) MemStats() mm.Stats {
	s := tg.MM.Stats
	s.PeakResident = max(s.PeakResident, tg.ExecPeak)
	return s
}

// AuxvBytes is the process's auxiliary vector as /proc/PID/auxv gives it: each tag and
// value as a little-endian 64-bit word.
func (tg *ThreadGroup) AuxvBytes() []byte {
	b := make([]byte, 8*len(tg.Auxv))
	for i, w := range tg.Auxv {
		binary.LittleEndian.PutUint64(b[8*i:], w)
	}
	return b
}
