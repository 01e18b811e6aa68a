// Package kernel is weft's operating system: processes (thread groups) and threads
// (tasks), their address spaces, files and credentials, and a deterministic scheduler
// that runs them on simulated CPUs.
//
// The whole guest runs as a discrete-event simulation on the caller's goroutine. Each
// simulated CPU has a virtual clock (nanoseconds: one per instruction retired, plus the
// modelled cost of kernel work); the CPU with the smallest clock runs next, ties going
// to the lower CPU number. Every choice that could differ between runs comes from one
// PRNG seeded by Config.Seed, so a run is a function of the program, its inputs and the
// seed.
package kernel

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"weft/internal/abi/linux"
	"weft/internal/check"
	"weft/internal/cpu"
	"weft/internal/kernel/cost"
	"weft/internal/kernel/sched"
	"weft/internal/loader"
	"weft/internal/mm"
	wnet "weft/internal/net"
	"weft/internal/race"
	"weft/internal/trace"
	"weft/internal/vfs"
)

// Signal is a signal number.
type Signal = linux.Signal

// DefaultEnv is the environment the first process gets: the guest never inherits the
// host's environment.
var DefaultEnv = []string{
	"PATH=/usr/local/bin:/usr/bin:/bin",
	"HOME=/home/user",
	"USER=user",
	"LOGNAME=user",
	"SHELL=/bin/sh",
	"TERM=dumb",
	"LANG=C.UTF-8",
	"PWD=/home/user",
}

// Config sets up a kernel.
type Config struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	StdinTTY       bool // whether the host's standard input is a terminal
	StdoutTTY      bool
	StderrTTY      bool

	Seed    uint64
	CPUs    int    // simulated CPUs (default 2)
	Quantum uint64 // instructions per time slice (default 100000)
	// Step is how many instructions a CPU runs before the simulation moves to the CPU
	// with the smallest clock, while more than one CPU is busy: the granularity at
	// which threads on different CPUs interleave (default 1000; 1 is finest).
	Step uint64
	// MaxInsns stops the run once the guest has retired this many instructions in
	// all (0: no limit). Path components the kernel looked up for the guest count as
	// instructions here, so that a guest walking long paths in a loop, which retires
	// few instructions per walk, still reaches the limit (see budgetUsed).
	MaxInsns uint64
	// MaxMemory caps the guest's memory in bytes (0: no cap).
	MaxMemory uint64
	// ClockStart is CLOCK_REALTIME at boot, in nanoseconds since the Unix epoch
	// (0: DefaultClockStart). Every clock of the guest is virtual from there on.
	ClockStart uint64
	// Uptime is how long the machine has been up when the program starts, in
	// nanoseconds (--uptime; 0: the program starts at boot). CLOCK_MONOTONIC,
	// CLOCK_BOOTTIME, /proc/uptime, sysinfo and the boot time in /proc/stat count
	// from the boot; CLOCK_REALTIME is ClockStart when the program starts either way.
	// Nothing ran before the program: the CPUs were idle for that time.
	Uptime uint64

	UID, GID uint32

	// PauseAt, if set, is a virtual time (ns) at which Run returns with Outcome
	// Paused and the machine's state intact, once every busy CPU has reached it.
	PauseAt uint64
	// PauseAtClone makes Run return Paused once, at the first instant at which more
	// than one task is live (after the first clone, fork or vfork, before anything
	// else runs): where schedule search takes its snapshot and hands over to the
	// schedule's policy (SetPolicy).
	PauseAtClone bool
	// Handover, if set, takes over from Policy at that same instant (whether or not
	// the run pauses there): schedule search runs start-up, where one thread runs
	// alone, under a fixed policy, so that every schedule shares it (and a snapshot of
	// it), and the schedule's own policy decides from the first clone on. It must
	// agree with Policy on Points.
	Handover sched.Policy
	// Root, if set, is a host directory that is the guest's root: read-only on the
	// host, with an in-memory layer above it (vfs.NewRoot). Programs, their
	// interpreters and libraries are then found in it.
	Root string
	// Mounts make host directories visible to the guest.
	Mounts []Mount
	// RawHostIDs shows the owners of files on host mounts as the host has them. By
	// default the mounts are idmapped (vfs.IDMap): the host user running weft appears
	// as the guest's user (UID, GID), any other owner as nobody (65534).
	RawHostIDs bool

	Syscalls *SyscallTable
	// Strace, when set, receives one line per system call, signal delivery and task
	// exit, in strace(1)'s conventions.
	Strace io.Writer
	// StraceCalls, if not nil, limits the syscall lines to these calls (StraceFilter).
	StraceCalls map[string]bool
	// Trace, when set, receives the kernel's events (see package trace).
	Trace trace.Sink
	// Notices receives weft's own remarks about the run (unimplemented syscalls).
	Notices io.Writer
	// Init gives the program a kernel-owned init as its parent (pid 1, see spawnInit):
	// the program is pid 2, in its own process group of init's session, as under a
	// shell. Without it the program is pid 1 and adopts orphans itself.
	Init bool
	// HostStopped, if set, is called when nothing can run because a stop signal from
	// the host (PostHostSignal) stopped the foreground group; weft stops itself there,
	// and the run goes on when the host posts SIGCONT.
	HostStopped func()
	// Closed lists the standard streams (0, 1, 2) that were closed on the host: the
	// guest starts without those descriptors, and gets EBADF for them.
	Closed [3]bool

	// CostModel prices the kernel's counted work (nil: cost.Default).
	CostModel *cost.Model
	// NoASID makes every CPU flush its TLB when it switches address space, instead of
	// keeping the translations of recent address spaces tagged (--asid off).
	NoASID bool
	// Policy decides who runs and for how long (nil: sched.NewTimeSlice(Seed)).
	Policy sched.Policy
	// AccessPoints, if set, says which code is the program's own, by pc: only its
	// plain loads and stores are scheduling points when the policy asks for points
	// (nil: all of them off the thread's stack), and the policy learns which points
	// are in it or in functions it called directly (sched.Thread.User).
	AccessPoints func(pc uint64) bool
	// Race, if set, is told every load and store of the program's code (AccessPoints)
	// off the thread's stack, and every synchronising event: the run then uses the
	// interpreter and stops at every access.
	Race *race.Detector
	// Check, if set, is the misuse checker (weft run --check): the harts stop at its
	// call points and at every load and store, in the interpreter (check.go).
	Check *check.Checker
	// Unwind, if set, gives a stopped thread's stack (pc, then the calls that led to
	// it) for the race detector's and the checker's reports; the slice may be reused
	// by the next call (check.Session.Stack).
	Unwind func(regs *[32]uint64, pc uint64, mem *mm.AddressSpace) []uint64
}

// DefaultClockStart is the guest's wall-clock time at boot unless Config.ClockStart
// says otherwise: 2026-01-01 00:00:00 UTC, so that runs repeat.
const DefaultClockStart = 1767225600 * 1e9

// ClockStart is CLOCK_REALTIME at boot, in Unix nanoseconds.
func (k *Kernel) ClockStart() uint64 {
	k.ntpAdvance(k.now()) // a leap second may be due (ntp.go)
	return uint64(k.realtimeBase())
}

// SetRealtime sets the guest's CLOCK_REALTIME to ns (clock_settime(2)): ClockStart
// moves so that CLOCK_REALTIME - CLOCK_MONOTONIC is ns - now. Like Linux, weft refuses
// a time before the boot (EINVAL): CLOCK_REALTIME never goes below CLOCK_MONOTONIC.
func (k *Kernel) SetRealtime(ns uint64) error {
	now := k.now()
	if ns < now+k.cfg.Uptime || ns-now > math.MaxInt64/2 {
		return linux.EINVAL
	}
	k.ntpAdvance(now)
	base := k.realtimeBase() - k.realtimeShift
	k.realtimeShift = int64(ns-now) - base
	k.ntpClear()
	return nil
}

// Mount is a host directory shown in the guest.
type Mount struct {
	Host, Guest string
	Writable    bool
}

// CPU is one simulated processor.
type CPU struct {
	ID    int
	Hart  *cpu.Hart
	Clock uint64 // virtual nanoseconds
	cur   *Task  // the task it runs, or nil when idle
	last  *Task  // the task whose state the hart holds

	Busy            uint64 // virtual time spent running tasks (instructions and their kernel work)
	ThreadSwitches  uint64 // switches between tasks of one address space
	ProcessSwitches uint64 // switches that changed the address space
}

// Kernel is one weft machine: its processes, CPUs and file system.
type Kernel struct {
	checkTh  check.Thread   // the thread the checker is told of (check.go)
	checkBin *loader.Binary // the program the checker checks: its first Spawn
	cfg      Config
	// debug is the attached debugger (SetDebugger), nil when none: see debug.go.
	debug Debugger
	// debugSlices counts the slices run with the debugger attached (DebugInstant).
	debugSlices uint64
	// debugKills are the processes the debugger asked to kill (DebugKill).
	debugKills []int
	tr         trace.Sink // cfg.Trace: nil when tracing is off
	// rng feeds the guest's random bytes; the policy makes the scheduling choices,
	// from a PRNG of its own, so that changing how a run is scheduled does not change
	// the random bytes a program sees.
	rng    *rand.Rand
	policy sched.Policy
	// points is policy.Points(): threads stop at every scheduling point.
	points bool
	// ready is the policy's question, reused (pickNext), and readyAt the run-queue
	// index of each of its threads (-1: the running one).
	ready   []sched.Thread
	readyAt []int
	// yielder is the task that just called sched_yield: the next pick passes it over
	// when another task is ready.
	yielder *Task
	pool    mm.Pool
	klog    kernelLog  // the kernel log (klog.go)
	debugfs *vfs.Inode // debugfs's root, once made (debugfs.go)
	// Huge is the huge page pool (/proc/sys/vm/nr_hugepages), charged to pool;
	// hugepagesRoot is /sys/kernel/mm/hugepages (hugetlb.go).
	Huge          *mm.HugePool
	hugepagesRoot *vfs.Inode
	bus           cpu.Bus
	CPUs          []*CPU
	FS            *vfs.FS
	Net           *wnet.Stack // sockets: Unix names, the loopback network's ports
	table         *SyscallTable

	// pidCursor is where the search for the next PID starts (the last one handed
	// out, plus one), pidMax /proc/sys/kernel/pid_max, and pidWrapped whether the
	// search has ever gone past pidMax and started again from reservedPIDs (pid.go).
	// lastPID is the last PID handed out; forks counts the tasks ever created.
	pidCursor, pidMax, lastPID int
	// lastNSID numbers the namespaces (time, PID, user) made after the first ones:
	// their inode numbers in /proc/PID/ns.
	lastNSID uint64
	// rootPIDNS is the root PID namespace; pidInfo holds the numbers in the
	// namespaces below it of the global IDs that have some (pidns.go).
	rootPIDNS *PIDNS
	pidInfo   map[int]*pidNums
	// TimeNS is the first time namespace, with zero offsets.
	TimeNS     *TimeNS
	pidWrapped bool
	forks      uint64
	// corePattern (once written: corePatternSet) and coreUsesPID are
	// /proc/sys/kernel/core_pattern and core_uses_pid (coredump.go).
	corePattern    string
	corePatternSet bool
	coreUsesPID    bool
	tasks          []*Task // the tasks that have not exited, in TID order
	// exitedKept are the first keptTasks tasks that exited, kept whole for reports
	// (the lessons look at every thread of a run); later ones are dropped.
	exitedKept []*Task
	// groups are the processes not yet reaped and the first keptReaped reaped ones,
	// in PID order; forgotten adds up the reaped processes past those.
	groups         []*ThreadGroup
	reapedKept     int
	forgotten      trace.ProcessRow
	forgottenCount int
	// live indexes the tasks that have not exited by TID, and procs the processes
	// not yet reaped by PID. They are only looked up, or counted, never iterated in
	// an order that matters.
	live  map[int]*Task
	procs map[int]*ThreadGroup
	runq  []*Task
	// main is the program weft was asked to run: its exit ends the run. initProc, with
	// Config.Init, is the kernel-owned init that is its parent (pid 1), which adopts
	// orphans and reaps them at once; without it the main program is pid 1 and adopts
	// them itself.
	main     *ThreadGroup
	initProc *ThreadGroup

	timers   []timer
	firing   uint64 // the time of the timer whose signal is being sent, or 0
	timerSeq uint64
	futexes  map[futexKey][]futexWaiter
	// sigQueued counts the signals queued for each real user (RLIMIT_SIGPENDING).
	sigQueued map[uint32]int
	// fileLocks holds the record locks of each file that has any (locks.go); it is
	// only looked up, never iterated.
	fileLocks map[*vfs.Inode]*fileLocks
	flocks    map[*vfs.Inode]*flockState // BSD locks (flock.go)
	// avenrun are the load averages, and loadNext the virtual time of the next
	// sample (loadavg.go).
	avenrun  [3]uint64
	loadNext uint64
	// pauseAt is Config.PauseAt, which PauseAt moves on.
	pauseAt uint64
	// ipc is the System V IPC namespace (ipc.go), made on first use.
	ipc *ipcState
	// realtimeShift is how far clock_settime has moved CLOCK_REALTIME from
	// Config.ClockStart (ClockStart).
	realtimeShift int64
	// ntp is the NTP state adjtimex reads and sets, leap seconds included (ntp.go).
	ntp ntpState
	// current is the task whose syscall the kernel is executing, if any.
	current *Task

	totalInsns uint64
	// work is what the kernel counted itself (see Work for the rest); charged is the
	// virtual time of the work already charged (workPs), and psLeft the picoseconds
	// short of a nanosecond not yet charged.
	model   *cost.Model
	work    cost.Work
	charged uint64
	psLeft  uint64
	// lockst is reused by lockstep runs (lockstep.go).
	lockst lockstepState

	host       hostSignals
	straceHeld []string // strace lines waiting for the end of the current syscall's line
	inSyscall  bool     // a syscall handler is running (invoke)
	noticed    map[string]bool
	// unknownCalls counts the unimplemented system calls noticed; past
	// maxUnknownNotices they are no longer named, so that a guest making random
	// calls neither floods stderr nor grows the noticed set.
	unknownCalls int
	stdio        [3]*vfs.Inode
	// procRoot is /proc's root, whose entries are closures over the kernel: a
	// restored checkpoint gives them anew (checkpoint.go).
	procRoot *vfs.Inode
	// cgroups is the cgroup v2 hierarchy (cgroup.go).
	cgroups cgroupTree
	// pausedClone is set once Run has paused at the first clone (Config.PauseAtClone).
	pausedClone bool
	// inCheck is set while the debugger's Check runs, in the middle of a slice.
	inCheck bool
	// made lists the large objects Restore allocated for this kernel (Recycle).
	made []madeObj
}

// New returns a kernel with no processes. It fails only when a mount cannot be made.
func New(cfg Config) (*Kernel, error) {
	if cfg.CPUs <= 0 {
		cfg.CPUs = 2
	}
	if cfg.Quantum == 0 {
		cfg.Quantum = 100_000
	}
	if cfg.Step == 0 {
		cfg.Step = 1000
	}
	if cfg.Notices == nil {
		cfg.Notices = io.Discard
	}
	if cfg.CostModel == nil {
		cfg.CostModel = &cost.Default
	}
	k := &Kernel{
		cfg:       cfg,
		rng:       rand.New(rand.NewPCG(cfg.Seed, 0x77656674)), // "weft"
		policy:    cfg.Policy,
		table:     cfg.Syscalls,
		pidCursor: 1,
		pidMax:    PIDMax,
		noticed:   map[string]bool{},
		futexes:   map[futexKey][]futexWaiter{},
		sigQueued: map[uint32]int{},
		fileLocks: map[*vfs.Inode]*fileLocks{},
		loadNext:  loadFreq,
		pauseAt:   cfg.PauseAt,
		live:      map[int]*Task{},
		procs:     map[int]*ThreadGroup{},
		rootPIDNS: &PIDNS{ID: rootPIDNSID},
		pidInfo:   map[int]*pidNums{},
		tr:        cfg.Trace,
		model:     cfg.CostModel,
	}
	k.host.wake = make(chan struct{}, 1)
	k.initNTP()
	if cfg.MaxMemory > 0 {
		k.pool.Limit = int64(min(cfg.MaxMemory, 1<<62))
	}
	if k.policy == nil {
		k.policy = sched.NewTimeSlice(cfg.Seed)
	}
	k.points = k.policy.Points()
	if cfg.Handover != nil && cfg.Handover.Points() != k.points {
		return nil, fmt.Errorf("policy %s stops at scheduling points (%v) where the start-up policy %s does not (%v)", cfg.Handover.Name(), cfg.Handover.Points(), k.policy.Name(), k.points)
	}
	if cfg.Race != nil {
		// The detector's shadow state grows with what the guest touches: it counts
		// against --max-memory like any other host memory the guest causes.
		cfg.Race.Charge, cfg.Race.Uncharge = k.pool.Charge, k.pool.Uncharge
	}
	k.setupCheck()
	if k.points || cfg.Race != nil || cfg.Check != nil {
		// Only the interpreter stops at plain loads and stores (cpu.Hart.MemPoints)
		// and at call points.
		k.bus.Engine = cpu.Interpreter
	}
	for i := 0; i < cfg.CPUs; i++ {
		h := k.bus.NewHart()
		h.NoASID = cfg.NoASID
		h.SyncPoints = k.points || cfg.Race != nil
		if cfg.Check != nil {
			h.CallPoints = cfg.Check.CallPoints
		}
		k.CPUs = append(k.CPUs, &CPU{ID: i, Hart: h})
	}
	now := func() int64 { return int64(k.ClockStart() + k.now()) }
	if cfg.Root != "" {
		fs, err := vfs.NewRoot(cfg.Root, cfg.UID, cfg.GID, k.Random, &k.pool, now)
		if err != nil {
			return nil, fmt.Errorf("root %s: %w", vfs.Quote(cfg.Root), err)
		}
		k.FS = fs
	} else {
		k.FS = vfs.New(cfg.UID, cfg.GID, k.Random)
		k.FS.Mem = &k.pool // the guest's files count against --max-memory
		k.FS.Now = now
	}
	k.Huge = mm.NewHugePool(&k.pool)
	k.FS.Huge = k.Huge
	k.Net = wnet.NewStack(k.FS)
	k.TimeNS = &TimeNS{ID: initTimeNSID, frozen: true}
	k.FS.Notify = k.sendIO // signal-driven I/O (sigio.go)
	k.FS.DirNotify = k.sendDirNotify
	k.makeEtc()
	k.makeBootConfig()
	k.makeKmsg()
	k.mountProc()
	k.initCgroups()
	k.mountDebugfs()
	k.initHugepages()
	if term := k.makeTerminal(); term != nil {
		// One terminal, as a login has: standard input and output (and error, if it
		// is the terminal too) are the same device, /dev/pts/0, so that ttyname(3)
		// finds it.
		k.stdio[0], k.stdio[1], k.stdio[2] = term, term, term
		if !cfg.StderrTTY {
			k.stdio[2] = k.FS.NewStream(&vfs.Stream{W: cfg.Stderr})
		}
	} else {
		k.stdio[0] = k.FS.NewStream(&vfs.Stream{R: cfg.Stdin, TTY: cfg.StdinTTY})
		k.stdio[1] = k.FS.NewStream(&vfs.Stream{W: cfg.Stdout, TTY: cfg.StdoutTTY})
		k.stdio[2] = k.FS.NewStream(&vfs.Stream{W: cfg.Stderr, TTY: cfg.StderrTTY})
	}
	k.linkDevFD() // after the streams, whose inode numbers the guest may print
	k.makeHostConf()
	for _, n := range k.stdio {
		// The guest's user owns its terminal or pipes, as a login owns its tty, so that
		// it can reopen them through /dev/stdout or /proc/self/fd/N.
		n.UID, n.GID = cfg.UID, cfg.GID
	}
	for _, m := range cfg.Mounts {
		if strings.HasPrefix(m.Guest, "/") {
			m.Guest = path.Clean(m.Guest) // "/tmp/../proc" is /proc, not a ".." entry
		}
		if !strings.HasPrefix(m.Guest, "/") || m.Guest == "/" || m.Guest == "/proc" || strings.HasPrefix(m.Guest, "/proc/") {
			return nil, fmt.Errorf("mount %s: the guest path must be absolute, not / and not under /proc", vfs.Quote(m.Guest))
		}
		var ids *vfs.IDMap
		if !cfg.RawHostIDs {
			ids = &vfs.IDMap{HostUID: uint32(os.Getuid()), HostGID: uint32(os.Getgid()), GuestUID: cfg.UID, GuestGID: cfg.GID}
		}
		if err := k.FS.MountHostMapped(m.Host, m.Guest, m.Writable, ids); err != nil {
			return nil, fmt.Errorf("mount %s: %w", vfs.Quote(m.Host), err)
		}
	}
	return k, nil
}

// PauseAt sets the virtual time at which Run next returns Paused (0: never), so that a
// paused kernel can go on to a later instant.
func (k *Kernel) PauseAt(t uint64) { k.pauseAt = t }

// Random fills p from the kernel's seeded PRNG (getrandom, AT_RANDOM, /dev/urandom).
func (k *Kernel) Random(p []byte) {
	for i := 0; i < len(p); i += 8 {
		v := k.rng.Uint64()
		for j := i; j < len(p) && j < i+8; j++ {
			p[j] = byte(v)
			v >>= 8
		}
	}
}

// Memory reports the guest memory in use and its peak, in bytes.
func (k *Kernel) Memory() (inUse, peak uint64) {
	return uint64(k.pool.Used()), uint64(k.pool.Peak())
}

// TotalInsns reports the instructions retired by every task so far.
func (k *Kernel) TotalInsns() uint64 { return k.totalInsns }

// Engine is the execution engine the kernel's harts run on: the interpreter whenever
// the run stops at plain loads and stores or at call points (schedule search, --race,
// --check), whatever cpu.DefaultEngine is.
func (k *Kernel) Engine() cpu.Engine { return k.bus.Engine }

// Groups returns the processes not yet reaped and the first keptReaped reaped ones, in
// PID order.
func (k *Kernel) Groups() []*ThreadGroup { return k.groups }

// Tasks returns the tasks that have not exited and the exited ones the kernel keeps
// for reports (the first keptTasks), in TID order.
func (k *Kernel) Tasks() []*Task { return mergeTasks(k.exitedKept, k.tasks) }

// Spawn creates the first process from an executable file's contents. path is the guest
// path the program is known by (AT_EXECFN, /proc/self/exe); argv and envp are passed
// as they are.
func (k *Kernel) Spawn(data []byte, path string, argv, envp []string) (*ThreadGroup, error) {
	tg, err := k.spawn(data, path, path, argv, envp)
	if err == nil && k.checkBin == nil {
		k.checkBin = tg.Binary // the image the checker's call points belong to
	}
	return tg, err
}

// spawn is Spawn with the name the program is executed by (AT_EXECFN) apart from its
// file's canonical path (/proc/self/exe).
func (k *Kernel) spawn(data []byte, execfn, path string, argv, envp []string) (*ThreadGroup, error) {
	bin, err := loader.Parse(data)
	if err != nil {
		return nil, err
	}
	if k.cfg.Root == "" && strings.HasPrefix(path, "/") {
		k.FS.AddFile(path, data, 0o555) // the program from the host, where the guest finds it
	}
	if k.cfg.Init && k.initProc == nil && k.main == nil {
		if err := k.spawnInit(); err != nil {
			return nil, err
		}
	}
	pid, err := k.allocPID()
	if err != nil {
		return nil, err
	}
	sid := pid
	if k.initProc != nil {
		sid = k.initProc.SID // a program a shell started: its own group, the shell's session
	}
	tg := &ThreadGroup{
		PID:            pid,
		PGID:           pid,
		SID:            sid,
		MM:             mm.New(&k.pool),
		FDs:            &FDTable{pool: &k.pool, k: k},
		Umask:          0o022,
		Creds:          k.firstCreds(),
		Rlimits:        defaultRlimits(),
		Net:            k.Net,
		TimeNS:         k.TimeNS,
		TimeNSChildren: k.TimeNS,
		PIDNS:          k.rootPIDNS,
		PIDNSChildren:  k.rootPIDNS,
	}
	tg.MM.StackLimit = tg.stackLimit()
	tg.Cwd, err = k.FS.Lookup(tg.FSCred(), k.FS.Root, "/home/user", true)
	if err != nil {
		return nil, fmt.Errorf("no home directory: %w", err)
	}
	tg.CwdPath = "/home/user"
	for fd, n := range k.stdio {
		if k.cfg.Closed[fd] {
			continue
		}
		mode := uint32(vfs.O_RDONLY)
		if fd > 0 {
			mode = vfs.O_WRONLY
		}
		name := "/dev/pts/0" // a terminal, or else a pipe, as the host has it
		if n.Mode&vfs.S_IFMT == vfs.S_IFIFO {
			name = "pipe:[" + strconv.FormatUint(n.Ino, 10) + "]"
		}
		if err := tg.FDs.InstallAt(fd, vfs.Open(n, mode, name), false); err != nil {
			return nil, fmt.Errorf("standard file descriptors: out of memory (%w)", err)
		}
	}
	t := &Task{k: k, TG: tg}
	if err := k.execImage(t, bin, execfn, path, argv, envp); err != nil {
		var ie *InterpError
		if errors.As(err, &ie) && ie.Errno == linux.ENOENT {
			return nil, fmt.Errorf("dynamically linked, and its interpreter %s is not in the guest's file system: run it in a guest root that has its libraries (--root DIR; scripts/rootfs.sh makes one from Debian's packages), or rebuild it with -static", vfs.Quote(ie.Path))
		}
		return nil, err
	}
	// Loading the first program happens before the run's time 0, on no CPU: its work
	// is counted (Work) but charged to no one.
	k.charged = k.workPs()
	t.TID = tg.PID
	tg.Tasks = []*Task{t}
	tg.liveTasks, tg.threads = 1, 1
	k.addTask(t)
	k.addGroup(tg)
	if k.main == nil {
		k.main = tg
	}
	if k.initProc != nil && tg.Parent == nil {
		tg.Parent = k.initProc
		k.initProc.Children = append(k.initProc.Children, tg)
	}
	k.runq = append(k.runq, t)
	k.traceNames(t)
	return tg, nil
}

// firstCreds are the credentials of the guest's first program: the configured user and
// group, with root's capabilities if the user is root.
func (k *Kernel) firstCreds() Creds {
	u, g := k.cfg.UID, k.cfg.GID
	return Creds{UID: u, EUID: u, SUID: u, FSUID: u, GID: g, EGID: g, SGID: g, FSGID: g, Caps: initialCaps(u)}
}

// ProgramFile finds the first program in the guest's file system (a guest root): name
// is a path (a relative one from /, as chroot(1) runs it) or, without a slash, a name
// looked up in the colon-separated directories of pathVar, as execvp(3) does. It
// returns the file's contents and its absolute guest path. A missing program is
// ENOENT; one the guest's user may not execute, EACCES.
func (k *Kernel) ProgramFile(name, pathVar string) (data []byte, execfn, exe string, err error) {
	first := k.firstCreds()
	cred := first.VFS()
	var candidates []string
	if strings.Contains(name, "/") {
		candidates = []string{path.Join("/", name)}
	} else if name != "" {
		for _, dir := range strings.Split(pathVar, ":") {
			if dir == "" {
				dir = "."
			}
			candidates = append(candidates, path.Join("/", dir, name))
		}
	}
	err = linux.ENOENT
	for _, p := range candidates {
		n, exe, lerr := k.FS.Realpath(cred, k.FS.Root, "/", p)
		switch {
		case lerr != nil:
			continue
		case n.Mode&vfs.S_IFMT != vfs.S_IFREG || !vfs.Check(cred, n, vfs.MayExec):
			err = linux.EACCES // execvp goes on looking, and reports EACCES if nothing else
			continue
		case n.Size() > loader.MaxProgramSize:
			return nil, "", "", fmt.Errorf("%s: %d bytes: larger than the %d MiB weft reads as a program", exe, n.Size(), loader.MaxProgramSize>>20)
		}
		data, err := n.Contents(loader.MaxProgramSize)
		return data, p, exe, err
	}
	return nil, "", "", err
}

// SpawnGuest creates the first process from a program in the guest's file system (a
// guest root), found as ProgramFile finds it with envp's PATH.
func (k *Kernel) SpawnGuest(name string, argv, envp []string) (*ThreadGroup, error) {
	pathVar := ""
	for _, kv := range envp {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathVar = v
		}
	}
	data, execfn, exe, err := k.ProgramFile(name, pathVar)
	for depth := 0; err == nil; depth++ {
		interp, nargv, ok, serr := loader.Script(data, execfn, argv)
		switch {
		case !ok:
			return k.spawn(data, execfn, exe, argv, envp)
		case serr != nil:
			return nil, fmt.Errorf("%s: %w", exe, serr)
		case depth >= loader.MaxInterp:
			return nil, fmt.Errorf("%s: more than %d levels of #! interpreters", exe, loader.MaxInterp)
		}
		argv = nargv
		data, _, exe, err = k.ProgramFile(interp, "")
		if errors.Is(err, linux.ENOENT) {
			return nil, fmt.Errorf("interpreter %s of %s: not in the guest's file system", vfs.Quote(interp), execfn)
		}
	}
	return nil, err
}

// spawnInit creates the kernel-owned init (Config.Init): pid 1, root, with no thread
// and an empty address space. It never runs guest code; it adopts orphans and reaps
// each at once, as a container's init does, so that the program it parents sees a
// parent that is alive (getppid() != 1) as under a shell on Linux.
func (k *Kernel) spawnInit() error {
	pid, err := k.allocPID()
	if err != nil {
		return err
	}
	tg := &ThreadGroup{
		PID: pid, PGID: pid, SID: pid,
		MM:             mm.New(&k.pool),
		FDs:            &FDTable{pool: &k.pool, k: k},
		Umask:          0o022,
		Creds:          Creds{Caps: initialCaps(0)},
		Rlimits:        defaultRlimits(),
		Net:            k.Net,
		TimeNS:         k.TimeNS,
		TimeNSChildren: k.TimeNS,
		PIDNS:          k.rootPIDNS,
		PIDNSChildren:  k.rootPIDNS,
		Exe:            "/sbin/init",
		Comm:           "init",
		Args:           []string{"init"},
	}
	tg.Cwd, tg.CwdPath = k.FS.Root, "/"
	k.addGroup(tg)
	k.initProc = tg
	return nil
}

// reaper is the process that adopts orphans: the kernel's init, or else the main
// program (pid 1).
func (k *Kernel) reaper() *ThreadGroup {
	if k.initProc != nil {
		return k.initProc
	}
	return k.main
}

// traceNames tells the trace what a task and its process are called.
func (k *Kernel) traceNames(t *Task) {
	if k.tr == nil {
		return
	}
	if t.TID == t.TG.PID {
		k.tr.Event(&trace.Event{Kind: trace.ProcessName, Time: t.Now(), PID: t.TG.PID, TID: t.TID, Name: t.TG.Comm})
	}
	k.tr.Event(&trace.Event{Kind: trace.ThreadName, Time: t.Now(), PID: t.TG.PID, TID: t.TID, Name: t.Name()})
}

// traceEvent sends e, filled in with t's identity and CPU, to the trace.
func (k *Kernel) traceEvent(t *Task, e trace.Event) {
	e.PID, e.TID = t.TG.PID, t.TID
	if t.cpu != nil {
		e.CPU = t.cpu.ID
	}
	k.tr.Event(&e)
}

// traceMemory reports a process's resident and shared pages, at most once per
// 100 µs of virtual time unless forced.
func (k *Kernel) traceMemory(t *Task, force bool) {
	tg := t.TG
	now := t.Now()
	if !force && tg.lastMemTrace != 0 && now-tg.lastMemTrace < 100_000 {
		return
	}
	tg.lastMemTrace = now
	pages, shared := tg.MM.Resident()
	k.traceEvent(t, trace.Event{Time: t.Now(), Kind: trace.Memory, Arg: pages, Arg2: shared})
}

// execImage loads bin into t's thread group's (fresh) address space and sets t up to
// start at its entry point. execfn is the name it was executed by (AT_EXECFN, and the
// command name), exe the file's canonical path (/proc/PID/exe).
func (k *Kernel) execImage(t *Task, bin *loader.Binary, execfn, exe string, argv, envp []string) error {
	tg := t.TG
	var interp *loader.Binary
	if bin.Interp != "" {
		var err error
		if interp, err = k.readInterp(tg, bin.Interp); err != nil {
			return err
		}
	}
	img, err := bin.Load(tg.MM, exe)
	if err != nil {
		return err
	}
	sa := &loader.StackArgs{
		Argv: argv, Envp: envp, ExecFn: execfn,
		UID: uint64(tg.Creds.UID), EUID: uint64(tg.Creds.EUID),
		GID: uint64(tg.Creds.GID), EGID: uint64(tg.Creds.EGID),
	}
	entry := img.Entry
	if interp != nil {
		iimg, err := interp.LoadInterp(tg.MM, bin.Interp)
		if err != nil {
			return err
		}
		sa.Base, entry = iimg.Bias, iimg.Entry
	}
	if err := k.mapSigreturn(tg); err != nil {
		return err
	}
	k.Random(sa.Random[:])
	sp, err := loader.SetupStack(tg.MM, img, sa)
	if err != nil {
		return err
	}
	tg.Exe = exe
	tg.envStart, tg.envEnd = img.EnvStart, img.EnvEnd
	tg.Auxv = img.Auxv
	tg.Comm = comm(execfn)
	tg.Binary = bin
	tg.Args = argv
	t.Ctx = cpu.Context{PC: entry}
	t.Ctx.X[2] = sp
	return nil
}

// InterpError says why a dynamically linked program's interpreter cannot be used: the
// guest's errno (ENOENT when the file is missing, EACCES, ELIBBAD when it is not a
// riscv64 shared object, as binfmt_elf answers) and the detail for the first program's
// error message.
type InterpError struct {
	Path   string
	Errno  linux.Errno
	Detail string
}

func (e *InterpError) Error() string {
	return fmt.Sprintf("interpreter %s: %s", vfs.Quote(e.Path), e.Detail)
}

// Unwrap lets errors.Is(err, linux.ENOENT) see the errno.
func (e *InterpError) Unwrap() error { return e.Errno }

// readInterp finds a program's interpreter in the guest's file system, as tg sees it,
// and parses it. The file is read whole (bounded, and charged while it is held).
func (k *Kernel) readInterp(tg *ThreadGroup, path string) (*loader.Binary, error) {
	fail := func(errno linux.Errno, detail string) error {
		return &InterpError{Path: path, Errno: errno, Detail: detail}
	}
	n, err := k.FS.Lookup(tg.FSCred(), tg.Cwd, path, true)
	if err != nil {
		errno, _ := err.(linux.Errno)
		if errno == 0 {
			errno = linux.ENOENT
		}
		return nil, fail(errno, "not found in the guest's file system ("+errno.Error()+")")
	}
	switch {
	case n.Mode&vfs.S_IFMT != vfs.S_IFREG:
		return nil, fail(linux.EACCES, "not a regular file")
	case !vfs.Check(tg.FSCred(), n, vfs.MayExec):
		return nil, fail(linux.EACCES, "not executable")
	}
	size := n.Size()
	if size > loader.MaxProgramSize || !k.FS.Charge(size) {
		return nil, fail(linux.ENOMEM, "too large")
	}
	defer k.FS.Uncharge(size)
	data, err := n.Contents(size)
	if err != nil {
		errno, _ := err.(linux.Errno)
		return nil, fail(errno, "cannot be read")
	}
	b, err := loader.Parse(data)
	if err != nil {
		return nil, fail(linux.ELIBBAD, err.Error())
	}
	return b, nil
}

// comm is the command name: the last path element, cut to 15 bytes (TASK_COMM_LEN).
func comm(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		path = path[i+1:]
	}
	if len(path) > 15 {
		path = path[:15]
	}
	return path
}

// SymbolAt names the function or object at addr in tg's executable, as "name+0xoff".
func (tg *ThreadGroup) SymbolAt(addr uint64) string {
	if tg.Binary == nil {
		return ""
	}
	syms := tg.Binary.Symbols
	i := sort.Search(len(syms), func(i int) bool { return syms[i].Addr > addr }) - 1
	if i < 0 {
		return ""
	}
	s := syms[i]
	if addr >= s.Addr+max(s.Size, 1) {
		return ""
	}
	if addr == s.Addr {
		return s.Name
	}
	return fmt.Sprintf("%s+0x%x", s.Name, addr-s.Addr)
}

// Notice prints one of weft's own remarks about the run, for what the guest sees only
// as an errno (a mount weft refuses).
func (k *Kernel) Notice(format string, args ...any) { k.notice(format, args...) }

// notice prints one of weft's remarks about the run.
func (k *Kernel) notice(format string, args ...any) {
	fmt.Fprintf(k.cfg.Notices, "weft: "+format+"\n", args...)
}

// FlushDecodeCaches makes every CPU fetch instructions afresh.
func (k *Kernel) FlushDecodeCaches() {
	for _, c := range k.CPUs {
		c.Hart.FlushDecodeCache()
	}
}

// MemoryCap is the guest memory limit in bytes (Config.MaxMemory, or 4 GiB if unset).
func (k *Kernel) MemoryCap() uint64 {
	if k.cfg.MaxMemory > 0 {
		return k.cfg.MaxMemory
	}
	return 4 << 30
}

// LiveTasks counts the tasks that have not exited.
func (k *Kernel) LiveTasks() int { return len(k.live) }

// What the kernel's records of a task and of a process cost the host. They count
// against the memory cap while the kernel holds them.
const (
	taskBytes  = int64(unsafe.Sizeof(Task{}))
	groupBytes = int64(unsafe.Sizeof(ThreadGroup{}))
)

// groupsBytes is what a list of supplementary groups costs the host.
func groupsBytes(gs []uint32) int64 { return int64(4 * len(gs)) }

// keptReaped is how many reaped processes the kernel keeps whole for --summary, and
// keptTasks how many exited tasks it keeps for reports.
const (
	keptReaped = 1024
	keptTasks  = 1024
)

func (k *Kernel) addTask(t *Task) {
	k.pool.Charge(taskBytes) // checked by Clone (canCreate)
	k.tasks = append(k.tasks, t)
	k.live[t.TID] = t
}

func (k *Kernel) addGroup(tg *ThreadGroup) {
	tg.StartTime = k.now()
	k.pool.Charge(groupBytes) // checked by Clone (canCreate)
	k.groups = append(k.groups, tg)
	k.procs[tg.PID] = tg
	k.joinCgroup(tg)
}

// ReserveMemory takes n pages of the guest memory cap for kernel-held memory (the
// pages of a file mapped MAP_SHARED) and reports whether the cap allowed it.
func (k *Kernel) ReserveMemory(pages int64) bool { return k.pool.Reserve(pages) }
