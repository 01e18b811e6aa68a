// Command weft runs static riscv64 Linux programs on weft's user-space kernel.
//
//	weft run [flags] PROGRAM [ARGS...]
//
// See `weft help` for the flags. The guest's standard streams are weft's; weft exits
// with the guest's exit status, or 128+N when signal N killed it.
package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	"unsafe"

	"weft/internal/check"
	"weft/internal/costbench"
	"weft/internal/cpu"
	"weft/internal/demo"
	"weft/internal/explore"
	"weft/internal/gdbstub"
	"weft/internal/guestbin"
	"weft/internal/guestprof"
	"weft/internal/kernel"
	"weft/internal/loader"
	"weft/internal/race"
	"weft/internal/run"
	"weft/internal/syscalls"
	"weft/internal/trace"
)

// Exit codes of weft itself. Otherwise weft exits with the guest's status: pid 1's exit
// code, or 128+N when signal N killed it. weft's own codes follow timeout(1) and env(1)
// (124 to 127), so that they cannot be taken for an ordinary failure of the guest
// (1, 2); a guest can still exit with one of them itself, and weft then says nothing
// on stderr, where weft's own codes always come with a line starting "weft: ".
const (
	exitDeadlock  = 123 // every guest task blocked with nothing to wake one
	exitInsnLimit = 124 // --max-insns reached, as timeout(1) reports a time-out
	exitUsage     = 125 // a bad command line, or weft itself failed
	exitCannotRun = 126 // the program is not one weft can run (not ELF, not riscv64, dynamic)
	exitNotFound  = 127 // the program does not exist
)

// exitInternal is weft's status when weft itself failed (a bug).
const exitInternal = exitUsage

const usage = `usage: weft run [flags] PROGRAM [ARGS...]
       weft demo [--list] [--seed N] [--dir DIR] [LESSON...]
       weft view [--listen ADDR] PROGRAM [ARGS...]
       weft bench [--quick] [--json] [--no-native] [--dir DIR]
       weft explore [flags] PROGRAM [ARGS...]
       weft replay [flags] SCHEDULE
       weft syscalls
       weft --version

weft runs a riscv64 Linux program on a user-space kernel, deterministically: a static
one, or a guest root's dynamically linked programs (scripts/rootfs.sh makes a root).
weft demo is a guided tour of processes and threads, one lesson per property.
weft bench measures what processes and threads cost, in weft and on this machine.
weft explore searches a program's schedules for concurrency bugs; weft replay repeats one.
weft syscalls lists the system calls weft implements and how completely.
'weft run --help' lists the flags of weft run.
`

const runUsage = `usage: weft run [flags] PROGRAM [ARGS...]

Runs PROGRAM, a static riscv64 Linux executable, on weft's kernel with weft's standard
streams, and exits with its exit status (128+N when signal N killed it). With --root
DIR, PROGRAM is a program in that guest root (a path there, or a name on its PATH),
dynamically linked or a #! script, as Debian's programs are.

The guest's clocks are virtual: one instruction is one nanosecond, plus the modelled
cost of kernel work, and sleeping advances the clock without waiting, so sleep(1)
returns at once and a run repeats exactly. CLOCK_REALTIME starts at 2026-01-01
00:00:00 UTC unless --clock-start says otherwise.

Signals sent to weft (Ctrl-C, Ctrl-\, Ctrl-Z, SIGTERM, SIGHUP) go to the guest's
foreground process group. A second Ctrl-C within a second, or 5 s after SIGTERM, SIGHUP
or SIGQUIT without the guest exiting, ends the run; the trace and the summary are
still written.

Exit status: the guest's, else 123 deadlock, 124 --max-insns reached, 125 bad command
line or weft failed, 126 the program cannot be run, 127 the program does not exist.

flags:
`

// asCommand is set when weft runs as the command (not in a test): only then does it
// catch the host's signals and look at its own file descriptors.
var asCommand bool

func main() {
	asCommand = true
	os.Exit(weft(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// weft runs the command line args and returns the exit status. A panic is a bug in weft,
// never the guest's fault: it is reported as one, with the stack for the bug report,
// instead of Go's crash.
func weft(args []string, stdin io.Reader, stdout, stderr io.Writer) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "weft: internal error (a bug in weft, not in the program): %v\n%s", r, debug.Stack())
			status = exitInternal
		}
	}()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	if msg := checkEngineEnv(); msg != "" {
		fmt.Fprintln(stderr, msg)
		return exitUsage
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdin, stdout, stderr)
	case "demo":
		return cmdDemo(args[1:], stdout, stderr)
	case "view":
		return cmdView(args[1:], stdout, stderr)
	case "explore":
		return cmdExplore(args[1:], stdout, stderr)
	case "replay":
		return cmdReplay(args[1:], stdin, stdout, stderr)
	case "bench":
		return cmdBench(args[1:], stdout, stderr)
	case "syscalls":
		return cmdSyscalls(stdout)
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && args[1] == "run" {
			printRunHelp(stdout)
			return 0
		}
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, version())
		return 0
	}
	if strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "weft: %s: flags come after the command, as in weft run %s PROGRAM ('weft help' for the commands)\n", args[0], args[0])
		return exitUsage
	}
	fmt.Fprintf(stderr, "weft: unknown command %q (valid: run, demo, view, bench, explore, replay, syscalls, help, version)\n", args[0])
	return exitUsage
}

// checkEngineEnv returns the error for a WEFT_ENGINE that names no engine of this
// host, or "".
func checkEngineEnv() string {
	name := os.Getenv("WEFT_ENGINE")
	if name == "" {
		return ""
	}
	if _, ok := cpu.EngineByName(name); ok {
		return ""
	}
	var valid []string
	for _, e := range cpu.Engines() {
		valid = append(valid, e.Name())
	}
	why := ""
	if name == "jit" {
		why = ": the compiler engine runs on amd64 hosts only"
	}
	return fmt.Sprintf("weft: WEFT_ENGINE=%s: no such engine on this host%s (valid: %s)", name, why, strings.Join(valid, ", "))
}

type runOptions struct {
	env        []string
	seed       uint64
	maxInsns   uint64
	cpus       int
	quantum    uint64
	step       uint64
	uid, gid   uint
	maxMem     string
	clockStart string
	uptime     time.Duration
	strace     bool
	straceExpr string // --strace-e
	straceOut  string // --strace-o
	rawIDs     bool   // --raw-host-ids
	root       string // --root
	stats      bool
	race       bool // --race
	check      bool // --check
	mounts     []kernel.Mount
	cpuprof    string
	guestprof  string
	trace      string
	summary    bool
	init       bool
	cost       *costFlags
	gdb        string // --gdb
	gdbEvery   uint64 // --gdb-checkpoints
}

var opts runOptions

func runFlags(out io.Writer) *flag.FlagSet {
	set := flag.NewFlagSet("weft run", flag.ContinueOnError)
	set.SetOutput(out)
	set.Func("env", "add `K=V` to the guest's environment (repeatable)", func(s string) error {
		if !strings.Contains(s, "=") {
			return fmt.Errorf("%q is not K=V", s)
		}
		opts.env = append(opts.env, s)
		return nil
	})
	set.Uint64Var(&opts.seed, "seed", 1, "seed for every choice the kernel makes (scheduling, random bytes)")
	set.Uint64Var(&opts.maxInsns, "max-insns", 0, "stop the guest after `N` instructions in all (0: no limit)")
	set.IntVar(&opts.cpus, "cpus", 2, "number of simulated CPUs")
	set.Uint64Var(&opts.quantum, "quantum", 100_000, "time slice in instructions")
	set.Uint64Var(&opts.step, "step", 1000, "while several CPUs are busy, switch between them every `N` instructions (1: interleave every instruction)")
	set.UintVar(&opts.uid, "uid", 1000, "user ID of the first process")
	set.UintVar(&opts.gid, "gid", 1000, "group ID of the first process")
	set.StringVar(&opts.maxMem, "max-memory", "4G", "cap on the guest's memory (`SIZE` in bytes, or with K, M, G, T); past it the guest is killed")
	set.StringVar(&opts.clockStart, "clock-start", "", "the guest's wall-clock time when the program starts: `DATE` as 2026-01-01, 2026-01-01T12:00:00Z or @UNIXSECONDS, or now (default 2026-01-01 00:00:00 UTC)")
	set.DurationVar(&opts.uptime, "uptime", 0, "how long the guest machine has been up when the program starts (`DURATION` as 90s or 2h): CLOCK_MONOTONIC, CLOCK_BOOTTIME and /proc/uptime start there")
	set.Func("mount", "show host directory HOSTDIR in the guest at GUESTDIR (`HOSTDIR:GUESTDIR[:rw]`); read-only unless :rw (repeatable)", func(s string) error {
		parts := strings.Split(s, ":")
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" || (len(parts) == 3 && parts[2] != "rw" && parts[2] != "ro") {
			return fmt.Errorf("%q is not HOSTDIR:GUESTDIR[:rw]", s)
		}
		opts.mounts = append(opts.mounts, kernel.Mount{Host: parts[0], Guest: parts[1], Writable: len(parts) == 3 && parts[2] == "rw"})
		return nil
	})
	set.StringVar(&opts.root, "root", "", "make the host directory `DIR` the guest's root, read-only with an in-memory layer for the guest's changes (scripts/rootfs.sh makes one from Debian's packages); PROGRAM is then a guest path or a name on the guest's PATH")
	set.BoolVar(&opts.rawIDs, "raw-host-ids", false, "show the owners of files under --mount as the host has them, instead of mapping weft's own user to the guest's (--uid, --gid) and other owners to nobody (65534)")
	set.StringVar(&opts.cpuprof, "cpuprofile", "", "write a Go CPU profile of weft itself to `FILE` (for weft's developers)")
	set.StringVar(&opts.guestprof, "guest-profile", "", "write a pprof profile of the guest's instructions by function and line to `FILE` (go tool pprof FILE)")
	set.StringVar(&opts.trace, "trace", "", "write a Chrome Trace Event file to `FILE`, to open in Perfetto (ui.perfetto.dev)")
	set.BoolVar(&opts.summary, "summary", false, "print a table of every process on stderr at the end")
	set.BoolVar(&opts.init, "init", true, "run the program as pid 2, the child of a kernel-owned init (pid 1) that adopts and reaps orphans, as under a shell")
	set.BoolVar(&opts.strace, "strace", false, "print every system call, signal delivery and exit on stderr, as strace -f does")
	set.StringVar(&opts.straceExpr, "strace-e", "", "with --strace, show only the system calls in `trace=SET`: names and classes (%file, %desc, %process, %signal, %memory), ! to invert, as strace -e trace=")
	set.StringVar(&opts.straceOut, "strace-o", "", "write the --strace lines to `FILE` instead of stderr")
	set.BoolVar(&opts.stats, "stats", false, "print instruction count and speed on stderr at the end")
	set.BoolVar(&opts.check, "check", false, "check the use of pthread mutexes and condition variables (destroyed, uninitialised, unlocked by a thread that does not hold them) and of the heap (use after free, through a quarantine of freed blocks); slows the run, which uses the interpreter")
	set.BoolVar(&opts.race, "race", false, "detect data races between the threads of the program's own code (happens-before, as ThreadSanitizer); slows the run, which uses the interpreter")
	set.StringVar(&opts.gdb, "gdb", "", "wait for gdb (gdb-multiarch: set architecture riscv:rv64, target remote ADDR) on `ADDR`, HOST:PORT on the loopback (:0 picks a port) or a Unix socket path, with the guest stopped before its first instruction")
	set.Uint64Var(&opts.gdbEvery, "gdb-checkpoints", 20_000_000, "with --gdb, checkpoint the run every `N` instructions (fewer as the run goes on: at most 8 are kept), so that gdb's reverse moves re-execute from nearby; 0: re-execute from the start")
	opts.cost = addCostFlags(set)
	return set
}

func cmdRun(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts = runOptions{}
	set := runFlags(io.Discard)
	if err := set.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printRunHelp(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "weft: run: %s\n", flagError(set, err))
		return exitUsage
	}
	rest := set.Args()
	if len(rest) == 0 {
		fmt.Fprintln(stderr, "weft: run: no program given (usage: weft run [flags] PROGRAM [ARGS...]; 'weft run --help' lists the flags)")
		return exitUsage
	}
	if opts.cpus < 1 || opts.cpus > 64 {
		fmt.Fprintf(stderr, "weft: --cpus %d: must be between 1 and 64\n", opts.cpus)
		return exitUsage
	}
	if opts.quantum == 0 || opts.step == 0 {
		fmt.Fprintln(stderr, "weft: --quantum and --step must be at least 1")
		return exitUsage
	}
	maxMem, err := parseSize(opts.maxMem)
	if err != nil {
		fmt.Fprintf(stderr, "weft: --max-memory %q: %v\n", opts.maxMem, err)
		return exitUsage
	}
	if os.Getenv("GOMEMLIMIT") == "" && maxMem > 0 && maxMem < 1<<50 {
		// weft's own allocations (decoded code, garbage not yet collected) would
		// otherwise let the Go heap grow to twice the guest's memory before a
		// collection: ask the collector to keep the whole process near the cap.
		debug.SetMemoryLimit(int64(maxMem) + 128<<20)
	}
	model, noASID, ok := opts.cost.parse(stderr)
	if !ok {
		return exitUsage
	}
	clockStart, err := parseClockStart(opts.clockStart, time.Now)
	if err != nil {
		fmt.Fprintf(stderr, "weft: --clock-start %q: %v\n", opts.clockStart, err)
		return exitUsage
	}
	if opts.uptime < 0 || opts.uptime > maxUptime {
		fmt.Fprintf(stderr, "weft: --uptime %v: must be between 0 and %v\n", opts.uptime, maxUptime)
		return exitUsage
	}
	prog := rest[0]
	var closed [3]bool
	if asCommand {
		closed = closedStdio()
	}
	stdinTTY := isTTY(stdin)
	var fwd *forwarder
	if asCommand {
		hr := newHostReader(stdin, stdinTTY)
		stdin = hr
		fwd = startForwarding(stderr, hr)
		defer fwd.stop()
	}
	guestOut := stdout
	if opts.trace == "-" {
		// The trace has weft's standard output to itself, so that it stays JSON; the
		// guest writes its standard output to weft's standard error instead.
		guestOut = stderr
	}
	o := run.Options{
		CostModel: model, NoASID: noASID, Init: opts.init,
		Stdin: stdin, Stdout: guestOut, Stderr: stderr, Closed: closed,
		StdinTTY: stdinTTY, StdoutTTY: isTTY(guestOut), StderrTTY: isTTY(stderr),
		Env: opts.env, Seed: opts.seed, CPUs: opts.cpus, Quantum: opts.quantum, Step: opts.step,
		MaxInsns: opts.maxInsns, MaxMemory: maxMem, ClockStart: clockStart, Uptime: uint64(opts.uptime), UID: uint32(opts.uid), GID: uint32(opts.gid),
		Mounts: opts.mounts, RawHostIDs: opts.rawIDs, Root: opts.root, Policy: runPolicy, Startup: runStartup, AccessPoints: runAccessPoints,
	}
	var det *race.Detector
	var exe []byte
	if opts.race {
		det = race.New()
		o.Race = det
		// With --root, PROGRAM is a guest path: the host's file of that name is another
		// program (reports are then in addresses, and every access is checked).
		if data, err := os.ReadFile(prog); err == nil && opts.root == "" {
			exe = data
			if o.AccessPoints == nil {
				if z := guestprof.NewSymbolizer(data); z.HasLines() {
					o.AccessPoints = z.HasSource
				}
			}
		}
	}
	var chk *check.Checker
	if opts.check {
		if exe == nil && opts.root == "" {
			exe, _ = os.ReadFile(prog)
		}
		switch {
		case opts.root != "":
			fmt.Fprintf(stderr, "weft: --check: not with --root: the checker reads the program's symbols from its file on the host\n")
			return exitUsage
		case exe != nil: // else the run fails: no such program
			c, err := check.New(exe)
			if err != nil {
				fmt.Fprintf(stderr, "weft: --check: %s: %v\n", prog, err)
				return exitUsage
			}
			chk = c
			o.Check = chk
		}
	}
	if (opts.check || opts.race) && exe != nil {
		o.Unwind = check.NewUnwinder(exe).Session().Stack
	}
	if opts.straceExpr != "" || opts.straceOut != "" {
		opts.strace = true // either asks for strace output
	}
	if opts.strace {
		o.Strace = stderr
		if opts.straceExpr != "" {
			calls, err := kernel.StraceFilter(opts.straceExpr, syscalls.Table())
			if err != nil {
				fmt.Fprintf(stderr, "weft: --strace-e %s: %v\n", opts.straceExpr, err)
				return exitUsage
			}
			o.StraceCalls = calls
		}
		if opts.straceOut != "" {
			f, err := os.Create(opts.straceOut)
			if err != nil {
				fmt.Fprintf(stderr, "weft: --strace-o: %v\n", err)
				return exitUsage
			}
			w := bufio.NewWriter(f)
			o.Strace = w
			defer func() {
				if err := w.Flush(); err == nil {
					f.Close()
				} else {
					fmt.Fprintf(stderr, "weft: --strace-o %s: %v\n", opts.straceOut, err)
				}
			}()
		}
	}
	if fwd != nil {
		o.Setup = fwd.attach
		o.HostStopped = stopSelf
	}
	if opts.trace != "" {
		w, closeTrace, err := openTrace(opts.trace, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "weft: --trace: %v\n", err)
			return exitUsage
		}
		chrome := trace.NewChrome(w)
		o.Trace = chrome
		defer func() {
			err := chrome.Close()
			if cerr := closeTrace(); err == nil {
				err = cerr
			}
			if err != nil {
				fmt.Fprintf(stderr, "weft: --trace %s: %v\n", opts.trace, err)
			}
		}()
	}
	if opts.cpuprof != "" {
		f, err := os.Create(opts.cpuprof)
		if err != nil {
			fmt.Fprintf(stderr, "weft: --cpuprofile: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var profile map[uint64]uint64
	if (opts.race || opts.check) && cpu.DefaultEngine != cpu.Interpreter && os.Getenv("WEFT_ENGINE") != "" {
		// Only the interpreter stops at every load and store and at call points.
		fmt.Fprintf(stderr, "weft: --race and --check run on the interpreter, not the %s engine WEFT_ENGINE names\n", cpu.DefaultEngine.Name())
	}
	if opts.guestprof != "" {
		if opts.race || opts.check {
			fmt.Fprintf(stderr, "weft: --guest-profile: not with --race or --check: they run on the interpreter, which does not count instructions by address\n")
			return exitUsage
		}
		if cpu.DefaultEngine == cpu.Interpreter {
			fmt.Fprintf(stderr, "weft: --guest-profile: the %s engine (WEFT_ENGINE) does not count instructions by address; the profile will be empty\n", cpu.DefaultEngine.Name())
		}
		profile = map[uint64]uint64{}
		o.Setup = func(k *kernel.Kernel) { k.CPUs[0].Hart.Bus().Profile = profile }
	}
	var stub *gdbstub.Stub
	if opts.gdb != "" {
		if stub, err = gdbstub.Listen(opts.gdb); err != nil {
			fmt.Fprintf(stderr, "weft: --gdb %s: %v\n", opts.gdb, err)
			return exitUsage
		}
		fmt.Fprintf(stderr, "weft: gdb: listening on %s (target remote %s)\n", stub.Addr(), stub.Addr())
		exePath := ""
		if opts.root == "" {
			exePath, _ = filepath.Abs(prog)
		}
		setup := o.Setup
		o.Setup = func(k *kernel.Kernel) {
			if setup != nil {
				setup(k)
			}
			stub.Attach(k, exePath)
		}
		stub.CheckpointEvery(opts.gdbEvery)
		stub.CheckpointLimit(maxMem)
		gdbReverse(stub, &o)
	}
	res, err := run.Program(prog, rest, o)
	for stub != nil && err == nil {
		if res.Outcome == kernel.Paused {
			// The stub asked for a pause to checkpoint the run, which goes on.
			stub.Paused(res.Kernel)
			start := time.Now()
			res.Result = res.Kernel.Run()
			res.Host += time.Since(start)
			continue
		}
		if !stub.Rewinding() {
			break
		}
		// gdb went back in time (reverse-step, reverse-continue): the same run again,
		// from a checkpoint or from the start, which the stub takes to the instant
		// asked for.
		if k := stub.Restart(kernel.RestoreConfig{
			Stdin: o.Stdin, Stdout: gdbHost.stdout, Stderr: gdbHost.stderr, Strace: gdbHost.strace,
			StraceCalls: o.StraceCalls, HostStopped: o.HostStopped, AccessPoints: o.AccessPoints,
		}); k != nil {
			o.Setup(k)
			start := time.Now()
			r := k.Run()
			res = &run.Result{Result: r, Kernel: k, Host: time.Since(start)}
			continue
		}
		if runNewPolicy != nil {
			o.Policy, o.Startup = runNewPolicy()
			runPolicy = o.Policy
		}
		gdbStreams(stub, &o)
		res, err = run.Program(prog, rest, o)
	}
	if stub != nil {
		if err != nil {
			stub.Exited(exitCannotRun, 0)
		} else {
			stub.Exited(res.Status, int(res.Signal))
		}
	}
	if err == nil && profile != nil {
		if err := writeGuestProfile(opts.guestprof, prog, profile); err != nil {
			fmt.Fprintf(stderr, "weft: --guest-profile: %v\n", err)
		}
	}
	if err != nil {
		var le *loader.Error
		var pe *run.ProgramError
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(stderr, "weft: %s: %v\n", prog, err)
			return exitNotFound
		case errors.As(err, &le), errors.As(err, &pe), errors.Is(err, fs.ErrPermission):
			fmt.Fprintf(stderr, "weft: %s: %v\n", prog, err)
		case strings.Contains(err.Error(), "out of memory"):
			fmt.Fprintf(stderr, "weft: %s: --max-memory %s is too small to load the program (%v)\n", prog, opts.maxMem, err)
		default:
			fmt.Fprintf(stderr, "weft: %s: cannot start: %v\n", prog, err)
		}
		return exitCannotRun
	}
	k := res.Kernel
	if chk != nil {
		for _, r := range explore.FormatChecks(exe, chk.Reports) {
			fmt.Fprintf(stderr, "weft: %s\n", r)
		}
		fmt.Fprintf(stderr, "weft: --check: %d misuses found\n", len(chk.Reports))
		if opts.stats {
			fmt.Fprintf(stderr, "weft: --check: %d calls stopped at, %d loads and stores checked, %d blocks quarantined, %d given back to glibc\n",
				chk.Calls, chk.Accesses, chk.Quarantined, chk.Released)
		}
	}
	if det != nil {
		for _, r := range explore.FormatRaces(exe, det.Reports) {
			fmt.Fprintf(stderr, "weft: %s\n", r)
		}
		fmt.Fprintf(stderr, "weft: --race: %d data races found\n", len(det.Reports))
		if det.Unshadowed > 0 {
			fmt.Fprintf(stderr, "weft: --race: %d accesses to words first touched past --max-memory were not checked\n", det.Unshadowed)
		}
	}
	if opts.summary {
		_, peak := k.Memory()
		trace.WriteSummary(stderr, k.Summary(), peak)
	}
	if opts.stats && stub != nil {
		if b, n := stub.CheckpointBytes(); n > 0 {
			fmt.Fprintf(stderr, "weft: gdb: %d checkpoints kept for reverse execution, holding %d KiB\n", n, b>>10)
		}
	}
	if opts.stats {
		n := k.TotalInsns()
		_, peak := k.Memory()
		fmt.Fprintf(stderr, "weft: %d instructions in %.3f s of host wall-clock time (%.1f MIPS: million guest instructions per wall-clock second), peak guest memory %d KiB, %s engine\n",
			n, res.Host.Seconds(), float64(n)/res.Host.Seconds()/1e6, peak>>10, k.Engine().Name())
	}
	switch res.Outcome {
	case kernel.InsnLimit:
		if steps := k.FS.WalkSteps; steps > 0 {
			// Path components count against the limit too (kernel.Config.MaxInsns).
			fmt.Fprintf(stderr, "weft: stopped the guest at --max-insns %d: %d instructions retired, %d path components looked up\n",
				opts.maxInsns, k.TotalInsns(), steps)
		} else {
			fmt.Fprintf(stderr, "weft: stopped the guest after %d instructions (--max-insns)\n", k.TotalInsns())
		}
		return exitInsnLimit
	case kernel.Deadlock:
		return exitDeadlock
	case kernel.Interrupted:
		fmt.Fprintf(stderr, "weft: run ended by %v after %d instructions\n", res.Signal, k.TotalInsns())
	}
	return res.Status
}

// gdbReverse prepares a --gdb run for reverse execution, which re-executes the run
// (gdbstub.Stub.Rewinding), or says why it cannot be.
func gdbReverse(stub *gdbstub.Stub, o *run.Options) {
	gdbHost.stdout, gdbHost.stderr, gdbHost.strace = nil, nil, nil
	switch {
	case o.Trace != nil, o.Race != nil, opts.guestprof != "":
		stub.NoReverse("a run with --trace, --race or --guest-profile cannot be re-executed")
		return
	}
	for _, m := range o.Mounts {
		if m.Writable {
			stub.NoReverse("a run with a writable --mount cannot be re-executed: it would write the host's files again")
			return
		}
	}
	if runPolicy != nil && runNewPolicy == nil {
		stub.NoReverse("the scheduling policy cannot be started afresh")
		return
	}
	gdbStreams(stub, o)
}

// gdbStreams gives the next run of a --gdb session its host streams through the stub,
// which hides what a re-execution writes again and replays what it reads again.
func gdbStreams(stub *gdbstub.Stub, o *run.Options) {
	if o.Stdin != nil {
		o.Stdin = stub.Input(o.Stdin)
	}
	out, errOut, strace := gdbHost.stdout, gdbHost.stderr, gdbHost.strace
	if out == nil {
		// The first run: remember the host's writers, which the next runs share.
		out, errOut, strace = o.Stdout, o.Stderr, o.Strace
		gdbHost.stdout, gdbHost.stderr, gdbHost.strace = out, errOut, strace
	}
	o.Stdout, o.Stderr = stub.Output(out), stub.Output(errOut)
	switch strace {
	case nil:
	case errOut:
		o.Strace = o.Stderr
	default:
		o.Strace = stub.Output(strace)
	}
}

// gdbHost holds the host writers of a --gdb session's first run.
var gdbHost struct{ stdout, stderr, strace io.Writer }

// openTrace opens where --trace writes: "-" is weft's standard output, a name ending in
// .gz is gzip-compressed (Perfetto opens gzipped JSON as it is).
func openTrace(name string, stdout io.Writer) (io.Writer, func() error, error) {
	if name == "-" {
		return stdout, func() error { return nil }, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, nil, err
	}
	if !strings.HasSuffix(name, ".gz") {
		return f, f.Close, nil
	}
	z := gzip.NewWriter(f)
	return z, func() error {
		err := z.Close()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}, nil
}

// parseSize reads a --max-memory size. The cap is counted in 4 KiB pages, so a size
// below one page would be no cap at all; it is refused, as are sizes that do not fit in
// 64 bits. (A cap too small for the program is reported when it fails to load.)
func parseSize(s string) (uint64, error) {
	mult := uint64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult = 1 << 10
	case strings.HasSuffix(s, "M"):
		mult = 1 << 20
	case strings.HasSuffix(s, "G"):
		mult = 1 << 30
	case strings.HasSuffix(s, "T"):
		mult = 1 << 40
	}
	if mult > 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, errors.New("want a positive size such as 512M or 4G")
	}
	if n > math.MaxUint64/mult {
		return 0, errors.New("too large: does not fit in 64 bits")
	}
	if n*mult < minMemory {
		return 0, fmt.Errorf("too small: the cap is counted in pages, and must be at least %dK", minMemory>>10)
	}
	return n * mult, nil
}

// maxUptime bounds --uptime at 100 years, far from where the clocks' nanoseconds would
// overflow.
const maxUptime = 100 * 365 * 24 * time.Hour

// minMemory is the smallest --max-memory: one page.
const minMemory = 4096

// parseClockStart reads --clock-start: "" is the default (0), "now" the host's time,
// "@N" N seconds since the Unix epoch, else an RFC 3339 date and time or a date (UTC).
func parseClockStart(s string, now func() time.Time) (uint64, error) {
	var t time.Time
	switch {
	case s == "":
		return 0, nil
	case s == "now":
		t = now()
	case strings.HasPrefix(s, "@"):
		n, err := strconv.ParseInt(s[1:], 10, 64)
		if err != nil {
			return 0, errors.New("want @ and a number of seconds since 1970-01-01")
		}
		t = time.Unix(n, 0)
	default:
		var err error
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
			if t, err = time.Parse(layout, s); err == nil {
				break
			}
		}
		if err != nil {
			return 0, errors.New("want now, @SECONDS, a date (2026-01-01) or a date and time (2026-01-01T12:00:00Z)")
		}
	}
	if t.Before(time.Unix(1, 0)) || t.Year() > 2200 {
		return 0, errors.New("must be after 1970 and before 2200")
	}
	return uint64(t.UnixNano()), nil
}

// printRunHelp prints weft run's synopsis and flags.
func printRunHelp(w io.Writer) {
	fmt.Fprint(w, runUsage)
	printFlags(w, runFlags(io.Discard))
}

// printFlags lists a flag set's flags as --name ARG, in the style the README uses.
func printFlags(w io.Writer, set *flag.FlagSet) {
	set.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(f)
		switch arg {
		case "int", "uint", "uint64":
			arg = "N"
		case "string":
			arg = "VALUE"
		}
		line := "  --" + f.Name
		if arg != "" {
			line += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && !strings.Contains(text, "(default") {
			text += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, text)
	})
}

// flagError rewrites an error of the flag package in one line, with flags spelled
// --name, and for an unknown flag the closest known one.
func flagError(set *flag.FlagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		hint := ""
		if near := nearestFlag(set, name); near != "" {
			hint = fmt.Sprintf("did you mean --%s? ", near)
		}
		return fmt.Sprintf("unknown flag --%s (%s'%s --help' lists the flags)", name, hint, set.Name())
	}
	msg = dashFlag.ReplaceAllString(msg, "$1--$2")
	return fmt.Sprintf("%s ('%s --help' lists the flags)", msg, set.Name())
}

// parseSub parses the flags of a subcommand other than run: --help prints synopsis and
// the flags on stdout; a bad flag gets one line on stderr. done reports that the
// command is over, with status.
func parseSub(set *flag.FlagSet, synopsis string, args []string, stdout, stderr io.Writer) (status int, done bool) {
	set.SetOutput(io.Discard)
	err := set.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stdout, "usage: %s\n\nflags:\n", synopsis)
		printFlags(stdout, set)
		return 0, true
	case err != nil:
		fmt.Fprintf(stderr, "%s: %s\n", strings.Replace(set.Name(), "weft ", "weft: ", 1), flagError(set, err))
		return exitUsage, true
	}
	return 0, false
}

var dashFlag = regexp.MustCompile(`(^|\s)-([a-z][a-z-]*)`)

// nearestFlag is the flag whose name is closest to name by edit distance, if any is
// close enough to be a typo of it.
func nearestFlag(set *flag.FlagSet, name string) string {
	best, bestD := "", 3
	set.VisitAll(func(f *flag.Flag) {
		if d := editDistance(name, f.Name); d < bestD || (strings.HasPrefix(f.Name, name) && best == "") {
			best, bestD = f.Name, min(d, bestD)
		}
	})
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// version describes this build of weft: its module version and the VCS revision it was
// built from, as the Go toolchain recorded them.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "weft (no build information)"
	}
	v := "weft " + bi.Main.Version
	var rev, when string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += ", revision " + rev
		if dirty {
			v += " with local changes"
		}
		if when != "" {
			v += " of " + when
		}
	}
	return v + ", " + bi.GoVersion
}

// isTTY reports whether v is a terminal on the host: whether TCGETS succeeds on it, as
// isatty(3) decides. Being a character device is not enough (/dev/null is one).
func isTTY(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	var tio syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&tio)))
	return errno == 0
}

// closedStdio reports which of weft's standard streams were closed when it started
// (`<&-`, `>&-`). Go's runtime opens /dev/null read-write on a closed 0, 1 or 2 before
// main runs, so that is what a closed stream looks like by now: /dev/null open
// O_RDWR. A shell's `</dev/null` or `>/dev/null` opens it read-only or write-only, so
// only `<>/dev/null` is taken for a closed stream, and it is rare.
func closedStdio() (closed [3]bool) {
	var null syscall.Stat_t
	if syscall.Stat("/dev/null", &null) != nil {
		return
	}
	for fd := 0; fd < 3; fd++ {
		var st syscall.Stat_t
		if syscall.Fstat(fd, &st) != nil {
			closed[fd] = true
			continue
		}
		fl, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
		closed[fd] = errno == 0 && st.Mode&syscall.S_IFMT == syscall.S_IFCHR && st.Rdev == null.Rdev &&
			fl&syscall.O_ACCMODE == syscall.O_RDWR
	}
	return
}

// cmdDemo runs the guided tour, or some of its lessons.
func cmdDemo(args []string, stdout, stderr io.Writer) int {
	set := flag.NewFlagSet("weft demo", flag.ContinueOnError)
	list := set.Bool("list", false, "list the lessons")
	seed := set.Uint64("seed", 1, "seed for the runs")
	dir := set.String("dir", "", "run the lesson programs in `DIR` (examples/bin after make -C examples) instead of the ones built into weft")
	verbose := set.Bool("v", false, "show more of the programs' own output")
	viewLesson := set.Bool("view", false, "open the one LESSON named in weft view: its program's run in a browser, with the lesson's text beside it")
	listen := set.String("listen", "127.0.0.1:0", "with --view, serve the page on `ADDR`")
	cf := addCostFlags(set)
	if status, done := parseSub(set, "weft demo [--list] [--seed N] [--dir DIR] [--cost-model zero|default] [--asid on|off] [-v] [--view [--listen ADDR] LESSON] [LESSON...]", args, stdout, stderr); done {
		return status
	}
	model, noASID, ok := cf.parse(stderr)
	if !ok {
		return exitUsage
	}
	if *list {
		demo.List(stdout)
		return 0
	}
	d := *dir
	if d == "" {
		bin, cleanup, err := guestbin.Extract(guestbin.Lessons)
		if err != nil {
			fmt.Fprintf(stderr, "weft: demo: %v\n", err)
			return exitInternal
		}
		defer cleanup()
		d = bin
	}
	if *viewLesson {
		return viewDemo(d, set.Args(), *listen, demo.Options{Seed: *seed, CostModel: model, NoASID: noASID}, stdout, stderr)
	}
	if err := demo.Run(stdout, d, set.Args(), demo.Options{Seed: *seed, Verbose: *verbose, CostModel: model, NoASID: noASID}); err != nil {
		fmt.Fprintf(stderr, "weft: demo: %v\n", err)
		if errors.Is(err, demo.ErrNotBuilt) {
			return 1
		}
		return exitUsage
	}
	return 0
}

// cmdBench runs the process-versus-thread cost suite.
func cmdBench(args []string, stdout, stderr io.Writer) int {
	set := flag.NewFlagSet("weft bench", flag.ContinueOnError)
	quick := set.Bool("quick", false, "fewer iterations and one run of each (about 5 s)")
	asJSON := set.Bool("json", false, "print JSON for scripts instead of the table")
	noNative := set.Bool("no-native", false, "skip the native runs (compiled with the host's C compiler)")
	seed := set.Uint64("seed", 1, "seed for the weft runs")
	dir := set.String("dir", "", "run the cost programs in `DIR` (bench/costs/bin after make -C bench/costs; their sources in DIR/..) instead of the ones built into weft")
	cf := addCostFlags(set)
	if status, done := parseSub(set, "weft bench [--quick] [--json] [--no-native] [--seed N] [--dir DIR] [--cost-model zero|default] [--asid on|off]", args, stdout, stderr); done {
		return status
	}
	model, noASID, ok := cf.parse(stderr)
	if !ok {
		return exitUsage
	}
	if set.NArg() > 0 {
		fmt.Fprintf(stderr, "weft: bench: unexpected argument %q\n", set.Arg(0))
		return exitUsage
	}
	d := *dir
	if d == "" {
		bin, cleanup, err := guestbin.Extract(guestbin.Costs)
		if err != nil {
			fmt.Fprintf(stderr, "weft: bench: %v\n", err)
			return exitInternal
		}
		defer cleanup()
		d = bin
	}
	o := costbench.Options{Dir: d, Quick: *quick, Native: !*noNative, Seed: *seed, CostModel: model, NoASID: noASID}
	if !*asJSON {
		o.Progress = stderr
	}
	rep, err := costbench.Run(o)
	if err != nil {
		fmt.Fprintf(stderr, "weft: bench: %v\n", err)
		return 1
	}
	if *asJSON {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "weft: bench: %v\n", err)
		return 1
	}
	return 0
}

// cmdSyscalls prints the syscall table: number, name, how completely weft implements
// the call, and what is missing. Calls not listed return ENOSYS.
func cmdSyscalls(stdout io.Writer) int {
	table := syscalls.Table()
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "nr\tname\tsupport\tnote")
	nrs := table.Numbers()
	for _, nr := range nrs {
		sc := table.Lookup(nr)
		fmt.Fprintf(tw, "%d\t%s\t%v\t%s\n", nr, sc.Name, sc.Support, sc.Note)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d system calls; any other returns ENOSYS, and weft says so once per call.\n", len(nrs))
	return 0
}

// writeGuestProfile writes the instruction counts of a run as a pprof profile,
// symbolized with the program's ELF symbols and DWARF lines.
func writeGuestProfile(path, prog string, counts map[uint64]uint64) error {
	exe, err := os.ReadFile(prog)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := guestprof.Write(f, exe, counts); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
