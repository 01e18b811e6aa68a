// Package explore searches a program's schedules for concurrency bugs: it runs the
// program again and again under a search policy of internal/kernel/sched (random walk,
// PCT, POS, URW), each run from its own seed, and stops at the first run that fails —
// killed by a signal, deadlocked, exiting non-zero, running past its instruction budget
// (a livelock), or printing other than what was expected. A failing run's decisions are
// minimised to the fewest preemptions that still fail the same way, written to a
// schedule file, and repeat exactly under Replay (weft replay).
//
// Every run is a fresh kernel on one goroutine, so runs are independent and a campaign
// is a function of its options: schedule i uses a seed derived from the campaign's seed
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
	"sync"
	"time"

	"weft/internal/guestprof"
	"weft/internal/kernel"
	"weft/internal/kernel/sched"
	"weft/internal/race"
	"weft/internal/run"
)

// Strategies lists the search strategies, the default first. "mix" alternates PCT (even
// schedules) and POS (odd ones): PCT finds bugs that need a few preemptions at exact
// points among many, POS those where conflicting accesses must fall in one order, and
// each misses some of the other's within a small budget.
var Strategies = []string{"mix", "pct", "random", "pos", "urw"}

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
		return fmt.Errorf("unknown strategy %q (valid: mix, pct, random, pos, urw)", o.Strategy)
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
	res, err := run.Program(o.Path, o.Argv, run.Options{
		Stdout: &stdout, Stderr: &stderr, Env: o.Env, Seed: seed, CPUs: o.CPUs,
		MaxInsns: o.MaxInsns, Init: true, Policy: Startup(o.Grain), PauseAtClone: true,
		AccessPoints: o.accessPoints, Data: o.exe, Race: det,
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
	var res kernel.Result
	if s := o.snap; s != nil && seed == o.kernelSeed() {
		k, err := s.ck.Restore(kernel.RestoreConfig{Stdout: &stdout, Stderr: &stderr, Policy: rec, AccessPoints: o.accessPoints})
		if err != nil {
			return nil, err
		}
		res = k.Run()
		det = k.Race()
	} else {
		if o.Race {
			det = race.New()
		}
		r, err := run.Program(o.Path, o.Argv, run.Options{
			Stdout: &stdout, Stderr: &stderr, Env: o.Env, Seed: seed, CPUs: o.CPUs,
			MaxInsns: o.MaxInsns, Init: true, Startup: Startup(o.Grain), Policy: rec, AccessPoints: o.accessPoints, Data: o.exe,
			Race: det,
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
	}
	if det != nil {
		out.races = det.Reports // also those of a run that failed otherwise
	}
	return out, nil
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
	choices uint64
	steps   map[int]uint64
}

// policy makes schedule i's policy, from its seed.
func (o *Options) policy(i int, seed uint64, prof profile) sched.Policy {
	strategy := o.Strategy
	if strategy == "mix" {
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
	prof := profile{choices: pr.rec.Policy.(*sched.Random).Choices, steps: pr.steps}
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
			Found: (i-o.Shard)/o.Shards + 1, Races: FormatRaces(exe, out.races)}
		prog := o.Path
		if abs, err := filepath.Abs(prog); err == nil {
			prog = abs // so that the schedule replays from any directory
		}
		s := &Schedule{
			Program: prog, SHA256: hex.EncodeToString(hash[:]), Argv: o.Argv, Env: o.Env,
			CPUs: o.CPUs, KernelSeed: o.kernelSeed(), MaxInsns: o.MaxInsns, Grain: o.Grain,
			AllAccesses: o.AllAccesses, Race: o.Race, Strategy: o.Strategy, Schedule: i, Depth: o.Depth, Seed: f.Seed, K: prof.choices, Profile: prof.steps,
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
	z := guestprof.NewSymbolizer(exe)
	var out []string
	for _, r := range rs {
		acc := func(a race.Access) string {
			what := "read"
			if a.Write {
				what = "write"
			}
			return fmt.Sprintf("%s by tid %d at %s, return address %s", what, a.TID, z.Where(a.PC), z.Where(a.RA))
		}
		out = append(out, fmt.Sprintf("data race on 0x%x:\n    %s\n    previous %s", r.Addr, acc(r.Now), acc(r.Prev)))
	}
	return out
}
