package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"weft/internal/explore"
	"weft/internal/kernel/sched"
)

// Exit codes of weft explore (as a test runner's: found, not found, could not look).
const (
	exploreFound = 1
	exploreUsage = 2
)

const exploreSynopsis = "weft explore [flags] PROGRAM [ARGS...]"

// cmdExplore searches the program's schedules for a failure (package explore).
func cmdExplore(args []string, stdout, stderr io.Writer) int {
	set := flag.NewFlagSet("weft explore", flag.ContinueOnError)
	set.SetOutput(io.Discard)
	var o explore.Options
	var shard, expect, out string
	var env envList
	set.StringVar(&o.Strategy, "strategy", "mix", "search strategy: mix (SURW and PCT by turns), surw, pct, pos, random, urw or pctpos (PCT and POS by turns)")
	set.IntVar(&o.Depth, "depth", 3, "PCT's depth: bugs that need up to depth-1 preemptions")
	set.IntVar(&o.Runs, "runs", 1000, "schedules to try (per shard)")
	set.DurationVar(&o.Time, "time", 0, "stop after this much host time (0: no limit), as 30s or 5m")
	set.IntVar(&o.Jobs, "jobs", 1, "schedules run in parallel on host cores")
	set.StringVar(&shard, "shard", "0/1", "run shard `I/N` of the campaign: schedules i with i%N == I")
	set.Uint64Var(&o.Seed, "seed", 1, "the campaign's seed: schedule i's policy seed derives from it and i")
	set.StringVar(&out, "out", "", "write each failing schedule to a file in `DIR`")
	set.BoolVar(&o.All, "all", false, "go on after a failure and collect every distinct one")
	set.StringVar(&expect, "expect-stdout", "", "a run whose standard output differs from `FILE` fails")
	set.IntVar(&o.CPUs, "cpus", 1, "simulated CPUs")
	set.Uint64Var(&o.MaxInsns, "max-insns", 50_000_000, "a run that has not exited after `N` instructions is a livelock")
	set.Uint64Var(&o.Grain, "grain", 200, "mean instructions between preemption points outside atomics and system calls")
	set.BoolVar(&o.AllAccesses, "all-accesses", false, "make every load and store off the thread's stack a preemption point, not only those in code with DWARF line information (-g)")
	set.BoolVar(&o.Check, "check", false, "run the misuse checker in every schedule (pthread mutexes and condition variables, heap use after free): a report is a failure")
	set.BoolVar(&o.Race, "race", false, "run the race detector in every schedule: a data race is a failure")
	set.Var(&env, "env", "add `K=V` to the guest's environment (repeatable)")
	if err := set.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, "usage: %s\n\nRuns PROGRAM under many schedules and stops at the first failure: killed by a\nsignal, deadlock, non-zero exit, no exit within --max-insns, or output other than\n--expect-stdout. Exit status 1: a failure was found (its schedule is printed and,\nwith --out, written for weft replay); 0: none within the budget; 2: bad input.\n\nflags:\n", exploreSynopsis)
			printFlags(stdout, set)
			return 0
		}
		fmt.Fprintf(stderr, "weft: explore: %s\n", flagError(set, err))
		return exploreUsage
	}
	rest := set.Args()
	if len(rest) == 0 {
		fmt.Fprintf(stderr, "weft: explore: no program given (usage: %s)\n", exploreSynopsis)
		return exploreUsage
	}
	i, n, ok := strings.Cut(shard, "/")
	var err1, err2 error
	o.Shard, err1 = strconv.Atoi(i)
	o.Shards, err2 = strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || o.Shards < 1 {
		fmt.Fprintf(stderr, "weft: explore: --shard %q: want I/N, as 0/4\n", shard)
		return exploreUsage
	}
	if o.Runs < 1 || o.Jobs < 1 || o.CPUs < 1 || o.CPUs > 64 || o.Grain < 1 || o.MaxInsns < 1 {
		fmt.Fprintln(stderr, "weft: explore: --runs, --jobs, --grain and --max-insns must be at least 1, --cpus between 1 and 64")
		return exploreUsage
	}
	if expect != "" {
		b, err := os.ReadFile(expect)
		if err != nil {
			fmt.Fprintf(stderr, "weft: explore: --expect-stdout: %v\n", err)
			return exploreUsage
		}
		o.ExpectStdout = b
	}
	// The guest's argv[0] is the program's absolute path, so that weft replay, which
	// names the program so, runs it with the same arguments from any directory.
	if abs, err := filepath.Abs(rest[0]); err == nil {
		rest[0] = abs
	}
	o.Path, o.Argv, o.Env = rest[0], rest, env
	o.Progress = stderr
	if err := o.Validate(); err != nil {
		fmt.Fprintf(stderr, "weft: explore: %v\n", err)
		return exploreUsage
	}
	rep, err := explore.Explore(o)
	if err != nil {
		fmt.Fprintf(stderr, "weft: explore: %s: %v\n", rest[0], err)
		return exploreUsage
	}
	fmt.Fprintf(stderr, "weft explore: %d schedules (%s, %d choice points in the profiling run, preemptions at %d distinct points), %.2f ms per schedule\n",
		rep.Runs, o.Strategy, rep.Choices, rep.Points, rep.PerRunMs)
	if len(rep.Failures) == 0 {
		fmt.Fprintf(stdout, "no failure in %d schedules\n", rep.Runs)
		return 0
	}
	for k, f := range rep.Failures {
		s := f.Sched
		fmt.Fprintf(stdout, "failure: %s (schedule %d, policy seed %d)\n", f.Kind, f.Schedule, f.Seed)
		// The end of what the failing run printed: the assertion, weft's report.
		lines := strings.Split(strings.TrimRight(f.Output, "\n"), "\n")
		for _, l := range lines[max(0, len(lines)-6):] {
			if l != "" {
				fmt.Fprintf(stdout, "  | %s\n", l)
			}
		}
		for _, r := range f.Races {
			fmt.Fprintln(stdout, r)
		}
		for _, r := range f.Checks {
			fmt.Fprintln(stdout, r)
		}
		if s.ByStrategy {
			fmt.Fprintf(stdout, "the minimised decisions did not repeat it; the schedule regenerates the %s run (%d decisions)\n", o.Strategy, len(s.Decisions))
		} else {
			fmt.Fprintf(stdout, "minimised to %d decisions, %d preemptions:\n", len(s.Decisions), explore.Preemptions(s.Decisions))
			s.Describe(stdout)
		}
		if out != "" {
			if err := os.MkdirAll(out, 0o755); err != nil {
				fmt.Fprintf(stderr, "weft: explore: --out: %v\n", err)
				return exploreUsage
			}
			name := filepath.Join(out, fmt.Sprintf("%s-%d.schedule", filepath.Base(rest[0]), k+1))
			f, err := os.Create(name)
			if err == nil {
				err = s.Write(f)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				fmt.Fprintf(stderr, "weft: explore: --out: %v\n", err)
				return exploreUsage
			}
			fmt.Fprintf(stdout, "schedule written to %s (weft replay %s; to debug it, weft replay --gdb :0 %s)\n", name, name, name)
		}
	}
	return exploreFound
}

// envList collects repeated --env K=V flags.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }
func (e *envList) Set(s string) error {
	if !strings.Contains(s, "=") {
		return fmt.Errorf("%q is not K=V", s)
	}
	*e = append(*e, s)
	return nil
}

const replaySynopsis = "weft replay [--trace FILE] [--strace] [--summary] [--stats] [--gdb ADDR] SCHEDULE"

// runPolicy and runAccessPoints, when set, are the policy and access-point filter cmdRun
// gives the kernel (weft replay).
// runStartup is the policy of start-up, up to the first clone, that schedule search
// runs every schedule with (explore.Startup).
var (
	runPolicy       sched.Policy
	runStartup      sched.Policy
	runAccessPoints func(pc uint64) bool
	// runNewPolicy makes the policy and the start-up policy afresh, for a run that
	// gdb re-executes.
	runNewPolicy func() (policy, startup sched.Policy)
)

// cmdReplay runs a program under a schedule file's decisions, as weft run would.
func cmdReplay(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	set := flag.NewFlagSet("weft replay", flag.ContinueOnError)
	traceFile := set.String("trace", "", "write a Chrome Trace Event file to `FILE`")
	strace := set.Bool("strace", false, "print every system call on stderr")
	summary := set.Bool("summary", false, "print a table of every process on stderr at the end")
	stats := set.Bool("stats", false, "print instruction count and speed on stderr at the end")
	gdb := set.String("gdb", "", "wait for gdb on `ADDR` (as weft run --gdb), with the guest stopped before its first instruction: the failing run, step by step")
	if status, done := parseSub(set, replaySynopsis, args, stdout, stderr); done {
		return status
	}
	if set.NArg() != 1 {
		fmt.Fprintf(stderr, "weft: replay: want one schedule file (usage: %s)\n", replaySynopsis)
		return exitUsage
	}
	s, err := explore.ReadSchedule(set.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "weft: replay: %s: %v\n", set.Arg(0), err)
		return exitUsage
	}
	exe, err := os.ReadFile(s.Program)
	if err != nil {
		fmt.Fprintf(stderr, "weft: replay: %v\n", err)
		return exitNotFound
	}
	if err := s.Check(exe); err != nil {
		fmt.Fprintf(stderr, "weft: replay: %s: %v\n", s.Program, err)
		return exitCannotRun
	}
	fmt.Fprintf(stderr, "weft replay: %s under %d decisions; expected failure: %s\n", s.Program, len(s.Decisions), s.Failure)
	runArgs := []string{"--cpus", strconv.Itoa(s.CPUs), "--seed", strconv.FormatUint(s.KernelSeed, 10),
		"--max-insns", strconv.FormatUint(s.MaxInsns, 10)}
	for _, e := range s.Env {
		runArgs = append(runArgs, "--env", e)
	}
	if *traceFile != "" {
		runArgs = append(runArgs, "--trace", *traceFile)
	}
	if *strace {
		runArgs = append(runArgs, "--strace")
	}
	if *summary {
		runArgs = append(runArgs, "--summary")
	}
	if *stats {
		runArgs = append(runArgs, "--stats")
	}
	if s.Race {
		runArgs = append(runArgs, "--race")
	}
	if s.Checker {
		runArgs = append(runArgs, "--check")
	}
	if *gdb != "" {
		runArgs = append(runArgs, "--gdb", *gdb)
	}
	// The guest's argv[0] is the one the schedule recorded; the program is its path.
	runArgs = append(runArgs, "--", s.Program)
	runArgs = append(runArgs, s.Argv[1:]...)
	runPolicy, runStartup, runAccessPoints = s.Policy(), explore.Startup(s.Grain), s.AccessPoints(exe)
	runNewPolicy = func() (sched.Policy, sched.Policy) { return s.Policy(), explore.Startup(s.Grain) }
	defer func() { runPolicy, runStartup, runAccessPoints, runNewPolicy = nil, nil, nil, nil }()
	status := cmdRun(runArgs, stdin, stdout, stderr)
	if r, ok := runPolicy.(*sched.Replay); ok && r.Applied < len(s.Decisions) {
		fmt.Fprintf(stderr, "weft replay: only %d of the %d decisions applied: the run went another way than when the schedule was written\n", r.Applied, len(s.Decisions))
	}
	return status
}
