// Command weft runs static riscv64 Linux programs on weft's user-space kernel.
//
//	weft run [flags] PROGRAM [ARGS...]
//
// See `weft help` for the flags. The guest's standard streams are weft's; weft exits
// with the guest's exit status, or 128+N when signal N killed it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"

	"weft/internal/costbench"
	"weft/internal/cpu"
	"weft/internal/demo"
	"weft/internal/guestprof"
	"weft/internal/kernel"
	"weft/internal/loader"
	"weft/internal/run"
	"weft/internal/syscalls"
	"weft/internal/trace"
)

// Exit codes of weft itself (the guest's own status passes through otherwise).
const (
	exitUsage     = 2   // bad command line, or a program weft cannot run
	exitInsnLimit = 124 // --max-insns reached, as timeout(1) reports a time-out
)

const usage = `usage: weft run [flags] PROGRAM [ARGS...]
       weft demo [--list] [--seed N] [--dir DIR] [LESSON...]
       weft bench [--quick] [--json] [--no-native] [--dir DIR]
       weft syscalls

weft runs a static riscv64 Linux program on a user-space kernel, deterministically.
weft demo is a guided tour of processes and threads, one lesson per property.
weft bench measures what processes and threads cost, in weft and on this machine.
weft syscalls lists the system calls weft implements and how completely.

flags:
`

// exitInternal is weft's status when weft itself failed (EX_SOFTWARE).
const exitInternal = 70

func main() {
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
		runFlags(stderr).PrintDefaults()
		return exitUsage
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdin, stdout, stderr)
	case "demo":
		return cmdDemo(args[1:], stdout, stderr)
	case "bench":
		return cmdBench(args[1:], stdout, stderr)
	case "syscalls":
		return cmdSyscalls(stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		runFlags(stdout).PrintDefaults()
		return 0
	}
	fmt.Fprintf(stderr, "weft: unknown command %q (valid: run, demo, bench, syscalls, help)\n", args[0])
	return exitUsage
}

type runOptions struct {
	env       []string
	seed      uint64
	maxInsns  uint64
	cpus      int
	quantum   uint64
	step      uint64
	uid, gid  uint
	maxMem    string
	strace    bool
	stats     bool
	mounts    []kernel.Mount
	cpuprof   string
	guestprof string
	trace     string
	summary   bool
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
	set.StringVar(&opts.maxMem, "max-memory", "4G", "cap on the guest's memory (`SIZE` in bytes, or with K, M, G)")
	set.Func("mount", "show host directory HOSTDIR in the guest at GUESTDIR (`HOSTDIR:GUESTDIR[:rw]`); read-only unless :rw (repeatable)", func(s string) error {
		parts := strings.Split(s, ":")
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" || (len(parts) == 3 && parts[2] != "rw" && parts[2] != "ro") {
			return fmt.Errorf("%q is not HOSTDIR:GUESTDIR[:rw]", s)
		}
		opts.mounts = append(opts.mounts, kernel.Mount{Host: parts[0], Guest: parts[1], Writable: len(parts) == 3 && parts[2] == "rw"})
		return nil
	})
	set.StringVar(&opts.cpuprof, "cpuprofile", "", "write a Go CPU profile of weft itself to `FILE` (for weft's developers)")
	set.StringVar(&opts.guestprof, "guest-profile", "", "write a pprof profile of the guest's instructions by function and line to `FILE` (go tool pprof FILE)")
	set.StringVar(&opts.trace, "trace", "", "write a Chrome Trace Event file to `FILE`, to open in Perfetto (ui.perfetto.dev)")
	set.BoolVar(&opts.summary, "summary", false, "print a table of every process on stderr at the end")
	set.BoolVar(&opts.strace, "strace", false, "print every system call on stderr")
	set.BoolVar(&opts.stats, "stats", false, "print instruction count and speed on stderr at the end")
	return set
}

func cmdRun(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts = runOptions{}
	set := runFlags(stderr)
	if err := set.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	rest := set.Args()
	if len(rest) == 0 {
		fmt.Fprintln(stderr, "weft: run: no program given\n"+strings.TrimSuffix(usage, "\nflags:\n"))
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
	prog := rest[0]
	o := run.Options{
		Stdin: stdin, Stdout: stdout, Stderr: stderr,
		StdinTTY: isTTY(stdin), StdoutTTY: isTTY(stdout), StderrTTY: isTTY(stderr),
		Env: opts.env, Seed: opts.seed, CPUs: opts.cpus, Quantum: opts.quantum, Step: opts.step,
		MaxInsns: opts.maxInsns, MaxMemory: maxMem, UID: uint32(opts.uid), GID: uint32(opts.gid),
		Mounts: opts.mounts,
	}
	if opts.strace {
		o.Strace = stderr
	}
	if opts.trace != "" {
		f, err := os.Create(opts.trace)
		if err != nil {
			fmt.Fprintf(stderr, "weft: --trace: %v\n", err)
			return exitUsage
		}
		chrome := trace.NewChrome(f)
		o.Trace = chrome
		defer func() {
			if err := chrome.Close(); err != nil {
				fmt.Fprintf(stderr, "weft: --trace %s: %v\n", opts.trace, err)
			}
			f.Close()
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
	if opts.guestprof != "" {
		if cpu.DefaultEngine != cpu.Blocks {
			fmt.Fprintf(stderr, "weft: --guest-profile: the %s engine (WEFT_ENGINE) does not count instructions by address; the profile will be empty\n", cpu.DefaultEngine.Name())
		}
		profile = map[uint64]uint64{}
		o.Setup = func(k *kernel.Kernel) { k.CPUs[0].Hart.Bus().Profile = profile }
	}
	res, err := run.Program(prog, rest, o)
	if err == nil && profile != nil {
		if err := writeGuestProfile(opts.guestprof, prog, profile); err != nil {
			fmt.Fprintf(stderr, "weft: --guest-profile: %v\n", err)
		}
	}
	if err != nil {
		var le *loader.Error
		switch {
		case errors.As(err, &le), errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
			fmt.Fprintf(stderr, "weft: %s: %v\n", prog, err)
		default:
			fmt.Fprintf(stderr, "weft: %s: cannot start: %v\n", prog, err)
		}
		return exitUsage
	}
	k := res.Kernel
	if opts.summary {
		trace.WriteSummary(stderr, k.Summary())
	}
	if opts.stats {
		n := k.TotalInsns()
		_, peak := k.Memory()
		fmt.Fprintf(stderr, "weft: %d instructions in %.3f s (%.1f MIPS), peak guest memory %d KiB\n",
			n, res.Host.Seconds(), float64(n)/res.Host.Seconds()/1e6, peak>>10)
	}
	switch res.Outcome {
	case kernel.InsnLimit:
		fmt.Fprintf(stderr, "weft: stopped the guest after %d instructions (--max-insns)\n", k.TotalInsns())
		return exitInsnLimit
	case kernel.Deadlock:
		return 1
	}
	return res.Status
}

func parseSize(s string) (uint64, error) {
	mult := uint64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult = 1 << 10
	case strings.HasSuffix(s, "M"):
		mult = 1 << 20
	case strings.HasSuffix(s, "G"):
		mult = 1 << 30
	}
	if mult > 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, errors.New("want a positive size such as 512M or 4G")
	}
	return n * mult, nil
}

func isTTY(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// cmdDemo runs the guided tour, or some of its lessons.
func cmdDemo(args []string, stdout, stderr io.Writer) int {
	set := flag.NewFlagSet("weft demo", flag.ContinueOnError)
	set.SetOutput(stderr)
	list := set.Bool("list", false, "list the lessons")
	seed := set.Uint64("seed", 1, "seed for the runs")
	dir := set.String("dir", "", "where the lesson programs are (default: examples/bin here or beside weft)")
	verbose := set.Bool("v", false, "show more of the programs' own output")
	if err := set.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	if *list {
		demo.List(stdout)
		return 0
	}
	d := *dir
	if d == "" {
		d = findDir("examples/bin")
	}
	if err := demo.Run(stdout, d, set.Args(), demo.Options{Seed: *seed, Verbose: *verbose}); err != nil {
		fmt.Fprintf(stderr, "weft: demo: %v\n", err)
		if errors.Is(err, demo.ErrNotBuilt) {
			return 1
		}
		return exitUsage
	}
	return 0
}

// findDir finds a directory of programs built from the repository (examples/bin,
// bench/costs/bin): in the working directory, else beside the weft executable, which
// scripts/demo.sh builds at the repository's root.
func findDir(rel string) string {
	if st, err := os.Stat(rel); err == nil && st.IsDir() {
		return rel
	}
	if exe, err := os.Executable(); err == nil {
		for _, d := range []string{filepath.Dir(exe), filepath.Dir(filepath.Dir(exe))} {
			if st, err := os.Stat(filepath.Join(d, rel)); err == nil && st.IsDir() {
				return filepath.Join(d, rel)
			}
		}
	}
	return rel
}

// cmdBench runs the process-versus-thread cost suite.
func cmdBench(args []string, stdout, stderr io.Writer) int {
	set := flag.NewFlagSet("weft bench", flag.ContinueOnError)
	set.SetOutput(stderr)
	quick := set.Bool("quick", false, "fewer iterations and one run of each (about 5 s)")
	asJSON := set.Bool("json", false, "print JSON for scripts instead of the table")
	noNative := set.Bool("no-native", false, "skip the native runs (compiled with the host's C compiler)")
	seed := set.Uint64("seed", 1, "seed for the weft runs")
	dir := set.String("dir", "", "where the benchmark programs are (default: bench/costs/bin here or beside weft)")
	if err := set.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
	if set.NArg() > 0 {
		fmt.Fprintf(stderr, "weft: bench: unexpected argument %q\n", set.Arg(0))
		return exitUsage
	}
	d := *dir
	if d == "" {
		d = findDir("bench/costs/bin")
	}
	o := costbench.Options{Dir: d, Quick: *quick, Native: !*noNative, Seed: *seed}
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
