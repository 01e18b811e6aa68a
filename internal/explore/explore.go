// Package explore searches a program's schedules for concurrency bugs: it runs the
// program again and again under a search policy of internal/kernel/sched (random walk,
// PCT, POS, URW, SURW), each run from its own seed, and stops at the first run that fails —
// killed by a signal, deadlocked, exiting non-zero, running past its instruction budget
// (a livelock), or printing other than what was expected. A failing run's decisions are
// minimised to the fewest preemptions that still fail the same way, written to a
// schedule file, and repeat exactly under Replay (weft replay).
//
// Every run is its own kernel on one goroutine, restored from one snapshot of the
// program at its first clone (kernel.Checkpoint; start-up, where one thread runs alone,
// is scheduled by a fixed policy, Startup, in every run and replay), so runs are
// independent and a campaign is a function of its options: schedule i uses a seed derived from the campaign's seed
// and i alone, whichever job runs it and whichever shard it falls in, and with several
// jobs the failure reported is still the one of the lowest schedule number.
package explore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"weft/internal/check"
	"weft/internal/guestprof"
	"weft/internal/kernel"
	"weft/internal/kernel/sched"
	"weft/internal/mm"
	"weft/internal/race"
	"weft/internal/run"
)

// Strategies lists the search strategies, the default first. "mix" alternates SURW
// (even schedules) and PCT (odd ones): SURW finds the bugs that need one thread among
// many to overtake the others, or conflicting events in one of many orders, PCT those
// that need a long run of one thread inside a short window of another (ABA), and each
// misses some of the other's within a small budget. "pctpos" is the mix of weft's
// schedule files of version 1: PCT on even schedules, POS on odd ones.
var Strategies = []string{"mix", "pct", "random", "pos", "urw", "surw", "pctpos"}

// Options configure a campaign.
type Options struct {
	Path string   // the program on the host
	Argv []string // its arguments, argv[0] included
	Env  []string

	Strategy string // one of Strategies
	Depth    int    // PCT's depth (bugs of depth d need d-1 preemptions)
	Runs     int    // schedules to try (this shard's share of them)
	Time     time.Duration
	Jobs     int
	Shard    int // this shard: runs i with i % Shards == Shard
	Shards   int
	Seed     uint64
	All      bool // collect every distinct failure instead of stopping at the first
	// ExpectStdout, if not nil, is the output every run must print.
	ExpectStdout []byte

	CPUs     int    // simulated CPUs (default 1: every interleaving is the policy's)
	MaxInsns uint64 // a run past this is a livelock
	Grain    uint64 // mean instructions between budget points
	// Minimise bounds the replays spent minimising a failure.
	Minimise int
	// AllAccesses makes every plain load and store off the thread's stack a
	// scheduling point. By default, in a program with DWARF line information, only
	// those in code the line table covers are (code built with -g: in a static
	// program, the program's own, not the C library's); atomics, fences and system
	// calls are points everywhere.
	AllAccesses bool
	// Race runs every schedule with the race detector: a data race is a failure.
	Race bool
	// Check runs every schedule with the misuse checker (internal/check): a report
	// is a failure.
	Check bool

	// NoSnapshot runs every schedule from the program's start instead of from a
	// snapshot of the kernel at its first clone. Both give the same runs (start-up,
	// where one thread runs alone, is scheduled by a fixed policy either way); the
	// snapshot only saves the time of loading the program and running its start-up.
	NoSnapshot bool

	// accessPoints is the filter that results (nil: all).
	accessPoints func(pc uint64) bool
	// snap is the snapshot schedules start from (nil: none, each runs from the start).
	snap *snapshot
	// exe is the program, read once.
	exe []byte
	// unwind is exe's unwinder (unwinder).
	unwind     *check.Unwinder
	unwindOnce *sync.Once

	Progress io.Writer // progress lines; nil for none
}

// Failure is one way a run failed, with the schedule that makes it fail.
type Failure struct {
	Kind     string // "killed by SIGABRT", "deadlock", "exit status 1", ...
	Schedule int    // the number of the failing schedule in the campaign
	Seed     uint64 // its policy's seed
	// Found is the number of schedules run (by this process) when it was found.
	Found int
	// Sched is the minimised schedule, verified to fail the same way.
	Sched *Schedule
	// Output is what the failing run wrote (standard output, then weft's notices
	// and standard error).
	Output string
	// Races are the data races of the failing run (Options.Race), in source terms.
	Races []string
	// Checks are the misuse checker's reports of the failing run, in source terms.
	Checks []string
}

// Report is what a campaign found.
type Report struct {
	Runs     int       // schedules run
	Failures []Failure // the first, or with All every distinct kind, by schedule number
	Outcomes map[string]int
	// Choices is the number of choice points (more than one thread ready) of the
	// profiling run: PCT's k.
	Choices uint64
	// Points is the number of distinct code addresses at which a schedule preempted.
	Points   int
	Host     time.Duration // host time of the runs (not the profiling run)
	PerRunMs float64       // mean host milliseconds per schedule
}

// Validate checks the options and fills in the defaults.
func (o *Options) Validate() error {
	if o.Strategy == "" {
		o.Strategy = Strategies[0]
	}
	ok := false
	for _, s := range Strategies {
		ok = ok || s == o.Strategy
	}
	if !ok {
		return fmt.Errorf("unknown strategy %q (valid: %s)", o.Strategy, strings.Join(Strategies, ", "))
	}
	if o.Depth == 0 {
		o.Depth = 3
	}
	if o.Depth < 1 || o.Depth > 20 {
		return fmt.Errorf("--depth %d: must be between 1 and 20", o.Depth)
	}
	if o.Runs == 0 {
		o.Runs = 1000
	}
	if o.Runs < 0 {
		return fmt.Errorf("--runs %d: must be at least 1", o.Runs)
	}
	if o.Jobs <= 0 {
		o.Jobs = 1
	}
	if o.Shards == 0 {
		o.Shards = 1
	}
	if o.Shard < 0 || o.Shard >= o.Shards {
		return fmt.Errorf("--shard %d/%d: want I/N with 0 <= I < N", o.Shard, o.Shards)
	}
	if o.CPUs == 0 {
		o.CPUs = 1
	}
	if o.MaxInsns == 0 {
		o.MaxInsns = 50_000_000
	}
	if o.Grain == 0 {
		o.Grain = 200
	}
	if o.Minimise == 0 {
		o.Minimise = 300
	}
	return nil
}

// outcome is how one run ended.
type outcome struct {
	kind   string // "" when it passed
	output string
	races  []race.Report
	checks []check.Report
	steps  map[int]uint64
	rec    *sched.Recorder
	replay *sched.Replay
}

// Startup is the policy that schedules a run up to the program's first clone, before
// the schedule's own policy takes over (run.Options.Startup): with one thread there is
// nothing to choose, and a fixed policy makes start-up the same in every schedule,
// which is what lets them all start from one snapshot of it. Replays use it too.
func Startup(grain uint64) sched.Policy { return sched.NewReplay(grain, nil) }

// snapshot is the kernel at the program's first clone, which every schedule of a
// campaign restores instead of loading the program and running its start-up.
type snapshot struct {
	ck *kernel.Checkpoint
	// stdout and stderr are what the program printed before it.
	stdout, stderr string
}

// takeSnapshot runs the program to its first clone and checkpoints it there. A program
// that never clones, or a kernel that cannot be checkpointed, gives no snapshot (and
// the error, for the report): its schedules run from the start.
func (o *Options) takeSnapshot(seed uint64) (*snapshot, error) {
	var stdout, stderr bytes.Buffer
	var det *race.Detector
	if o.Race {
		det = race.New()
	}
	var chk *check.Checker
	var unwind func(*[32]uint64, uint64, *mm.AddressSpace) []uint64
	if o.Check {
		var err error
		if chk, err = check.New(o.exe); err != nil {
			return nil, err
		}
	}
	if o.Check || o.Race {
		unwind = o.unwinder().Session().Stack
	}
	res, err := run.Program(o.Path, o.Argv, run.Options{
		Stdout: &stdout, Stderr: &stderr, Env: o.Env, Seed: seed, CPUs: o.CPUs,
		MaxInsns: o.MaxInsns, Init: true, Policy: Startup(o.Grain), PauseAtClone: true,
		AccessPoints: o.accessPoints, Data: o.exe, Race: det, Check: chk, Unwind: unwind,
	})
	if err != nil {
		return nil, err
	}
	if res.Outcome != kernel.Paused {
		return nil, errors.New("the program never clones")
	}
	ck, err := res.Kernel.Checkpoint()
	if err != nil {
		return nil, err
	}
	return &snapshot{ck: ck, stdout: stdout.String(), stderr: stderr.String()}, nil
}

// runWith runs the program once under policy p (from the first clone on).
func (o *Options) runWith(p sched.Policy, seed uint64) (*outcome, error) {
	var stdout, stderr bytes.Buffer
	rec := sched.NewRecorder(p)
	var det *race.Detector
	var chk *check.Checker
	var unwind func(*[32]uint64, uint64, *mm.AddressSpace) []uint64
	if o.Check || o.Race {
		unwind = o.unwinder().Session().Stack
	}
	var res kernel.Result
	if s := o.snap; s != nil && seed == o.kernelSeed() {
		k, err := s.ck.Restore(kernel.RestoreConfig{Stdout: &stdout, Stderr: &stderr, Policy: rec, AccessPoints: o.accessPoints, Unwind: unwind})
		if err != nil {
			return nil, err
		}
		res = k.Run()
		det, chk = k.Race(), k.Check()
		defer s.ck.Recycle(k) // after the outcome is read; nothing keeps k
	} else {
		if o.Race {
			det = race.New()
		}
		if o.Check {
			var err error
			if chk, err = check.New(o.exe); err != nil {
				return nil, err
			}
		}
		r, err := run.Program(o.Path, o.Argv, run.Options{
			Stdout: &stdout, Stderr: &stderr, Env: o.Env, Seed: seed, CPUs: o.CPUs,
			MaxInsns: o.MaxInsns, Init: true, Startup: Startup(o.Grain), Policy: rec, AccessPoints: o.accessPoints, Data: o.exe,
			Race: det, Check: chk, Unwind: unwind,
		})
		if err != nil {
			return nil, err
		}
		res = r.Result
	}
	outStr, errStr := stdout.String(), stderr.String()
	if s := o.snap; s != nil && seed == o.kernelSeed() {
		// What the program printed before the snapshot.
		outStr, errStr = s.stdout+outStr, s.stderr+errStr
	}
	output := outStr + errStr
	out := &outcome{rec: rec, steps: rec.Steps, output: output}
	if r, ok := p.(*sched.Replay); ok {
		out.replay = r
	}
	switch {
	case res.Outcome == kernel.Deadlock:
		out.kind = "deadlock"
	case res.Outcome == kernel.InsnLimit:
		out.kind = fmt.Sprintf("livelock (no exit within %d instructions)", o.MaxInsns)
	case res.Outcome == kernel.Interrupted:
		return nil, errors.New("interrupted")
	case res.Signal != 0:
		out.kind = fmt.Sprintf("killed by %v", res.Signal)
	case res.Status != 0:
		out.kind = fmt.Sprintf("exit status %d", res.Status)
	case o.ExpectStdout != nil && outStr != string(o.ExpectStdout):
		out.kind = "standard output differs from --expect-stdout"
	case det != nil && len(det.Reports) > 0:
		// Named by the first race's code, so that --all collects distinct races.
		r := det.Reports[0]
		out.kind = fmt.Sprintf("data race (pc 0x%x and 0x%x)", min(r.Now.PC, r.Prev.PC), max(r.Now.PC, r.Prev.PC))
	case chk != nil && len(chk.Reports) > 0:
		r := chk.Reports[0]
		out.kind = fmt.Sprintf("%s (pc 0x%x)", r.Kind, first(r.Stack))
	}
	if chk != nil {
		out.checks = chk.Reports
	}
	if det != nil {
		out.races = det.Reports // also those of a run that failed otherwise
	}
	return out, nil
}

// unwinder is the program's call frame information, read once per campaign and
// shared by its runs, each with a session of its own.
func (o *Options) unwinder() *check.Unwinder {
	if o.unwindOnce == nil {
		o.unwindOnce = new(sync.Once)
	}
	o.unwindOnce.Do(func() { o.unwind = check.NewUnwinder(o.exe) })
	return o.unwind
}

func first(s []uint64) uint64 {
	if len(s) == 0 {
		return 0
	}
	return s[0]
}

// kernelSeed is the seed of the kernel's other choices (random bytes): fixed for a
// campaign, so that schedules differ only in their scheduling.
func (o *Options) kernelSeed() uint64 { return o.Seed }

// scheduleSeed is the policy seed of schedule i: a function of the campaign's seed and
// i alone (splitmix64), so shards and jobs agree on it.
func scheduleSeed(seed uint64, i int) uint64 {
	z := seed + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// profile is what the profiling run counted.
type profile struct {
	choices  uint64
	steps    map[int]uint64
	interest map[int]uint64 // interesting events per TID (SURW)
}

// policy makes schedule i's policy, from its seed.
func (o *Options) policy(i int, seed uint64, prof profile) sched.Policy {
	strategy := o.Strategy
	switch strategy {
	case "mix":
		strategy = "surw"
		if i%2 == 1 {
			strategy = "pct"
		}
	case "pctpos":
		strategy = "pct"
		if i%2 == 1 {
			strategy = "pos"
		}
	}
	switch strategy {
	case "random":
		return sched.NewRandom(seed, o.Grain)
	case "pos":
		return sched.NewPOS(seed, o.Grain)
	case "urw":
		return sched.NewURW(seed, o.Grain, prof.steps)
	case "surw":
		return sched.NewSURW(seed, o.Grain, prof.interest)
	}
	return sched.NewPCT(seed, o.Grain, o.Depth, prof.choices)
}

// Explore runs the campaign.
func Explore(o Options) (*Report, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	exe, err := os.ReadFile(o.Path)
	if err != nil {
		return nil, err
	}
	o.setAccessPoints(exe)
	o.exe = exe
	o.unwindOnce = new(sync.Once)
	o.snap = nil
	if !o.NoSnapshot {
		// A program that cannot be snapshot runs every schedule from the start.
		o.snap, _ = o.takeSnapshot(o.kernelSeed())
	}
	// The profiling run: a random walk whose choice points give PCT its k and URW
	// its per-thread counts. Its own failure counts like any other.
	pr, err := o.runWith(sched.NewRandom(scheduleSeed(o.Seed, -1), o.Grain), o.kernelSeed())
	if err != nil {
		return nil, err
	}
	prof := profile{choices: pr.rec.Policy.(*sched.Random).Choices, steps: pr.steps, interest: pr.rec.Interesting}
	rep := &Report{Outcomes: map[string]int{}, Choices: prof.choices}

	var (
		mu      sync.Mutex
		next    = o.Shard
		stopAt  = -1 // the lowest failing schedule found, when not collecting all
		results = map[int]*outcome{}
		runErr  error
		ran     int
		// points are the code addresses at which some schedule preempted a thread:
		// the coverage of scheduling points, for the progress line.
		points = map[uint64]bool{}
	)
	deadline := time.Time{}
	if o.Time > 0 {
		deadline = time.Now().Add(o.Time)
	}
	total := o.Runs * o.Shards // schedule numbers of all shards
	start := time.Now()
	lastProgress := start
	var wg sync.WaitGroup
	for range o.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				if i >= total || (stopAt >= 0 && i > stopAt) || runErr != nil ||
					(!deadline.IsZero() && time.Now().After(deadline)) {
					mu.Unlock()
					return
				}
				next += o.Shards
				mu.Unlock()
				seed := scheduleSeed(o.Seed, i)
				out, err := o.runWith(o.policy(i, seed, prof), o.kernelSeed())
				mu.Lock()
				ran++
				if err != nil {
					runErr = err
				} else if out.kind != "" {
					results[i] = out
					if !o.All && (stopAt < 0 || i < stopAt) {
						stopAt = i
					}
				} else {
					rep.Outcomes["ok"]++
				}
				if out != nil && out.kind != "" {
					rep.Outcomes[out.kind]++
				}
				if out != nil {
					for _, d := range out.rec.Decisions {
						if d.Running {
							points[d.PC] = true
						}
					}
				}
				if o.Progress != nil && time.Since(lastProgress) > time.Second {
					lastProgress = time.Now()
					el := time.Since(start).Seconds()
					fmt.Fprintf(o.Progress, "weft explore: %d schedules, %.0f/s, %d distinct outcomes, %d failing, preemptions at %d distinct points\n",
						ran, float64(ran)/el, len(rep.Outcomes), len(results), len(points))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if runErr != nil {
		return nil, runErr
	}
	rep.Runs = ran
	rep.Points = len(points)
	rep.Host = time.Since(start)
	if ran > 0 {
		rep.PerRunMs = float64(rep.Host.Microseconds()) / 1000 / float64(ran)
	}
	// Failures in schedule order; with All, one per kind.
	seen := map[string]bool{}
	hash := sha256.Sum256(exe)
	for i := o.Shard; i < total; i += o.Shards {
		out := results[i]
		if out == nil || seen[out.kind] || (!o.All && len(rep.Failures) > 0) {
			continue
		}
		seen[out.kind] = true
		f := Failure{Kind: out.kind, Schedule: i, Seed: scheduleSeed(o.Seed, i), Output: out.output,
			Found: (i-o.Shard)/o.Shards + 1, Races: FormatRaces(exe, out.races), Checks: FormatChecks(exe, out.checks)}
		prog := o.Path
		if abs, err := filepath.Abs(prog); err == nil {
			prog = abs // so that the schedule replays from any directory
		}
		s := &Schedule{
			Program: prog, SHA256: hex.EncodeToString(hash[:]), Argv: o.Argv, Env: o.Env,
			CPUs: o.CPUs, KernelSeed: o.kernelSeed(), MaxInsns: o.MaxInsns, Grain: o.Grain,
			AllAccesses: o.AllAccesses, Race: o.Race, Checker: o.Check, Strategy: o.Strategy, Schedule: i, Depth: o.Depth, Seed: f.Seed, K: prof.choices, Profile: prof.steps, Interest: prof.interest,
			Failure: out.kind,
		}
		s.Decisions, err = o.minimise(out.kind, out.rec.Decisions)
		if err != nil {
			return nil, err
		}
		if s.Decisions == nil {
			// The decisions did not repeat the failure (a run whose timing depends on
			// where budgets end): the file regenerates it from the strategy instead.
			s.ByStrategy = true
			s.Decisions = out.rec.Decisions
		}
		s.annotate(exe)
		f.Sched = s
		rep.Failures = append(rep.Failures, f)
	}
	return rep, nil
}

// setAccessPoints sets the filter of plain-access points (Options.AllAccesses).
func (o *Options) setAccessPoints(exe []byte) {
	o.accessPoints = nil
	if z := guestprof.NewSymbolizer(exe); !o.AllAccesses && z.HasLines() {
		o.accessPoints = z.HasSource
	}
}

// minimise returns the fewest decisions, found greedily, under which Replay still
// fails with kind, or nil if the full list does not (a replay that diverged).
func (o *Options) minimise(kind string, ds []sched.Decision) ([]sched.Decision, error) {
	budget := o.Minimise
	fails := func(ds []sched.Decision) (bool, error) {
		budget--
		out, err := o.runWith(sched.NewReplay(o.Grain, ds), o.kernelSeed())
		if err != nil {
			return false, err
		}
		return out.kind == kind, nil
	}
	ok, err := fails(ds)
	if err != nil || !ok {
		return nil, err
	}
	cur := append([]sched.Decision{}, ds...)
	// Delta debugging by complements: drop chunks, halving their size, keeping every
	// drop after which the run still fails the same way.
	for chunk := max(len(cur)/2, 1); budget > 0; chunk /= 2 {
		for start := 0; start < len(cur) && budget > 0; {
			end := min(start+chunk, len(cur))
			cand := append(append([]sched.Decision{}, cur[:start]...), cur[end:]...)
			ok, err := fails(cand)
			if err != nil {
				return nil, err
			}
			if ok {
				cur = cand
			} else {
				start = end
			}
		}
		if chunk == 1 {
			break
		}
	}
	return cur, nil
}

// Preemptions counts the decisions that took the CPU from a thread that could go on.
func Preemptions(ds []sched.Decision) int {
	n := 0
	for _, d := range ds {
		if d.Running {
			n++
		}
	}
	return n
}

// FormatRaces describes races in exe's source terms, as ThreadSanitizer does: each
// access with its thread, its code, and the caller its return address names.
func FormatRaces(exe []byte, rs []race.Report) []string {
	if len(rs) == 0 {
		return nil
	}
	sy := NewSymbols(exe)
	z := sy.z
	var out []string
	for _, r := range rs {
		acc := func(a race.Access) string {
			what := "read"
			if a.Write {
				what = "write"
			}
			if len(a.Stack) > 0 {
				return fmt.Sprintf("%s by tid %d:", what, a.TID) + FormatStack(sy, a.Stack, "      ")
			}
			return fmt.Sprintf("%s by tid %d at %s, return address %s", what, a.TID, z.Where(a.PC), z.Where(a.RA))
		}
		s := fmt.Sprintf("data race on 0x%x:\n    %s\n    previous %s", r.Addr, acc(r.Now), acc(r.Prev))
		s += formatCreated(sy, r.Now.TID, r.NowThread, "    ")
		if r.Prev.TID != r.Now.TID {
			s += formatCreated(sy, r.Prev.TID, r.PrevThread, "    ")
		}
		out = append(out, s)
	}
	return out
}

// formatCreated says where thread tid was created, if known.
func formatCreated(sy *Symbols, tid int, c any, indent string) string {
	var parent int
	var stack []uint64
	switch c := c.(type) {
	case *race.Creation:
		if c == nil {
			return ""
		}
		parent, stack = c.Parent, c.Stack
	case *check.Creation:
		if c == nil {
			return ""
		}
		parent, stack = c.Parent, c.Stack
	default:
		return ""
	}
	return fmt.Sprintf("\n%stid %d was created by tid %d at:", indent, tid, parent) + FormatStack(sy, stack, indent+"  ")
}

// Symbols names a program's addresses for reports: ELF symbols, DWARF lines and
// inlined calls.
type Symbols struct {
	z  *guestprof.Symbolizer
	in *inlines
}

// NewSymbols reads exe's symbols.
func NewSymbols(exe []byte) *Symbols {
	return &Symbols{z: guestprof.NewSymbolizer(exe), in: readInlines(exe)}
}

// FormatStack writes a stack (a pc, then the calls that led to it) one frame a line,
// in exe's source terms; code inlined at a pc shows as frames of its own.
func FormatStack(sy *Symbols, stack []uint64, indent string) string {
	var b strings.Builder
	n := 0
	for _, pc := range stack {
		where := sy.z.Where(pc)
		fn, loc, _ := strings.Cut(where, " (")
		for _, s := range sy.in.at(pc) {
			fmt.Fprintf(&b, "\n%s#%d %s", indent, n, s.name)
			if loc != "" {
				fmt.Fprintf(&b, " (%s, inlined", loc[:len(loc)-1])
				b.WriteString(")")
			} else {
				b.WriteString(" (inlined)")
			}
			n++
			loc = fmt.Sprintf("%s:%d)", s.callFile, s.callLine)
		}
		if loc != "" {
			fmt.Fprintf(&b, "\n%s#%d %s (%s", indent, n, fn, loc)
		} else {
			fmt.Fprintf(&b, "\n%s#%d %s", indent, n, fn)
		}
		n++
	}
	return b.String()
}

// FormatChecks describes the checker's reports in exe's source terms: what went wrong,
// by which thread, where, and the earlier event (the free, the destroy) with its
// thread and stack.
func FormatChecks(exe []byte, rs []check.Report) []string {
	if len(rs) == 0 {
		return nil
	}
	z := NewSymbols(exe)
	var out []string
	for _, r := range rs {
		s := fmt.Sprintf("%s: %s(0x%x) by tid %d", r.Kind, r.Func, r.Addr, r.TID)
		if r.Func == "load" || r.Func == "store" {
			s = fmt.Sprintf("%s: %s at 0x%x by tid %d", r.Kind, r.Func, r.Addr, r.TID)
		}
		if r.Detail != "" {
			s += ", " + r.Detail
		}
		s += FormatStack(z, r.Stack, "    ")
		if r.Prev != nil {
			s += fmt.Sprintf("\n  %s by tid %d:", r.Prev.What, r.Prev.TID) + FormatStack(z, r.Prev.Stack, "    ")
		}
		s += formatCreated(z, r.TID, r.Threads[r.TID], "  ")
		if r.Prev != nil && r.Prev.TID != r.TID {
			s += formatCreated(z, r.Prev.TID, r.Threads[r.Prev.TID], "  ")
		}
		out = append(out, s)
	}
	return out
}
