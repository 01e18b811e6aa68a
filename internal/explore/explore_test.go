package explore

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"weft/internal/kernel/sched"
)

// corpusDir holds the bug programs and their fixed twins (tests/explore).
const corpusDir = "../../tests/explore"

var buildOnce sync.Once

// corpus builds the corpus with its Makefile (the cross compiler is required, as for
// every guest program) and returns the names of its programs.
func corpus(t *testing.T) []string {
	t.Helper()
	var err error
	var out []byte
	buildOnce.Do(func() {
		out, err = exec.Command("make", "-s", "-C", corpusDir).CombinedOutput()
	})
	if err != nil {
		t.Fatalf("make -C %s: %v\n%s", corpusDir, err, out)
	}
	srcs, _ := filepath.Glob(filepath.Join(corpusDir, "*.c"))
	var names []string
	for _, s := range srcs {
		name := strings.TrimSuffix(filepath.Base(s), ".c")
		if strings.HasPrefix(name, "chk_") {
			continue // misuse that only the checker sees (TestCheckCorpus)
		}
		names = append(names, name)
	}
	if len(names) < 10 {
		t.Fatalf("corpus has %d programs, want at least 10", len(names))
	}
	return names
}

// bugBudget is the schedules within which the default strategy must find each bug.
const bugBudget = 1000

// fixedRuns is the schedules each fixed twin runs without a failure being reported.
const fixedRuns = 150

// TestCorpusBugsFound runs the default strategy on every bug program: it must fail
// within bugBudget schedules, and the schedule file written for it must parse and
// replay to the same failure.
func TestCorpusBugsFound(t *testing.T) {
	for _, name := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(corpusDir, "bin", name+"_bug")
			rep, err := Explore(Options{Path: path, Argv: []string{name}, Runs: bugBudget, Seed: 1, Minimise: 60, MaxInsns: 5_000_000})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failures) != 1 {
				t.Fatalf("Explore(%s) found %d failures in %d schedules, want 1", name, len(rep.Failures), rep.Runs)
			}
			f := rep.Failures[0]
			t.Logf("%s: %s at schedule %d, %d decisions (%d preemptions)", name, f.Kind, f.Schedule,
				len(f.Sched.Decisions), Preemptions(f.Sched.Decisions))
			var buf bytes.Buffer
			if err := f.Sched.Write(&buf); err != nil {
				t.Fatal(err)
			}
			s, err := ParseSchedule(buf.String())
			if err != nil {
				t.Fatalf("ParseSchedule(written schedule) = %v\n%s", err, buf.String())
			}
			exe, _ := os.ReadFile(path)
			if err := s.Check(exe); err != nil {
				t.Fatal(err)
			}
			// weft replay runs from the program's start; the campaign ran from a
			// snapshot at the first clone: both must give the same run.
			o := s.Options(exe)
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			out, err := o.runWith(s.Policy(), s.KernelSeed)
			if err != nil {
				t.Fatal(err)
			}
			if out.kind != f.Kind {
				t.Errorf("replay of the schedule file: %q, want %q", out.kind, f.Kind)
			}
			o.exe = exe
			if o.snap, err = o.takeSnapshot(s.KernelSeed); err != nil {
				t.Fatalf("snapshot: %v", err)
			}
			snapOut, err := o.runWith(s.Policy(), s.KernelSeed)
			if err != nil {
				t.Fatal(err)
			}
			if snapOut.kind != out.kind || snapOut.output != out.output || !slices.Equal(snapOut.rec.Decisions, out.rec.Decisions) {
				t.Errorf("replay from the snapshot: %q, %d decisions, output\n%s\nwant %q, %d decisions, output\n%s",
					snapOut.kind, len(snapOut.rec.Decisions), snapOut.output, out.kind, len(out.rec.Decisions), out.output)
			}
		})
	}
}

// TestCorpusFixedTwins runs every fixed twin under the default strategy: no schedule
// may fail (a false alarm).
func TestCorpusFixedTwins(t *testing.T) {
	if testing.Short() {
		t.Skip("long: runs every fixed twin under many schedules")
	}
	for _, name := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(corpusDir, "bin", name+"_fixed")
			rep, err := Explore(Options{Path: path, Argv: []string{name}, Runs: fixedRuns, Seed: 1, All: true, MaxInsns: 5_000_000})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Failures {
				t.Errorf("%s (fixed) failed: %s at schedule %d\n%s", name, f.Kind, f.Schedule, f.Output)
			}
		})
	}
}

// TestScheduleErrors checks that bad schedule files are refused with a reason.
func TestScheduleErrors(t *testing.T) {
	good := "weft-schedule 1\nfailure deadlock\nprogram \"p\"\nsha256 " + strings.Repeat("ab", 32) +
		"\nargv \"p\"\nenv\ncpus 1\nkernel-seed 1\nmax-insns 10\ngrain 5\nstrategy pct schedule 3 depth 3 k 9 seed 7\nreplay decisions\n" +
		"decision 3 120 4 preempt access 0x10a2c\n"
	s, err := ParseSchedule(good)
	if err != nil {
		t.Fatalf("ParseSchedule(good) = %v", err)
	}
	want := sched.Decision{TID: 3, Insns: 120, Next: 4, Running: true, Point: sched.Access, PC: 0x10a2c}
	if len(s.Decisions) != 1 || s.Decisions[0] != want || s.Schedule != 3 {
		t.Errorf("ParseSchedule(good).Decisions = %+v, want [%+v]", s.Decisions, want)
	}
	// Version 1's mix was PCT and POS by turns, today's pctpos; version 2 has SURW's
	// profile on its interest line.
	v1 := strings.Replace(good, "strategy pct", "strategy mix", 1)
	if s, err := ParseSchedule(v1); err != nil || s.Strategy != "pctpos" {
		t.Errorf("ParseSchedule(version 1, mix) = %v, %v; want strategy pctpos", s, err)
	}
	v2 := strings.Replace(strings.Replace(good, "weft-schedule 1", "weft-schedule 2", 1), "replay decisions", "profile 2:40 3:7\ninterest 2:5 3:6\nreplay by-strategy", 1)
	if s, err := ParseSchedule(v2); err != nil || s.Strategy != "pct" || !s.ByStrategy || s.Interest[3] != 6 || s.Profile[2] != 40 {
		t.Errorf("ParseSchedule(version 2, by strategy) = %+v, %v; want interest 3:6, profile 2:40", s, err)
	}
	if s, err := ParseSchedule(strings.Replace(v2, "strategy pct", "strategy mix", 1)); err != nil || s.Strategy != "mix" {
		t.Errorf("ParseSchedule(version 2, mix) = %v, %v; want strategy mix", s, err)
	}
	for _, tc := range []struct{ text, want string }{
		{"weft-schedule 3\n", "version 2"},
		{strings.Replace(good, "cpus 1", "cpus 0", 1), "cpus 0"},
		{strings.Replace(good, "preempt access", "preempt nowhere", 1), "unknown"},
		{strings.Replace(good, "strategy pct", "strategy dfs", 1), "unknown strategy"},
		{strings.Replace(good, "argv \"p\"", "argv p", 1), "argv"},
		{strings.Replace(good, "sha256", "sha1", 1), "unknown item"},
	} {
		if _, err := ParseSchedule(tc.text); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSchedule(%.40q...) = %v, want an error with %q", tc.text, err, tc.want)
		}
	}
	if err := s.Check([]byte("another program")); err == nil || !strings.Contains(err.Error(), "changed") {
		t.Errorf("Check(other program) = %v, want the program changed", err)
	}
}

// BenchmarkSchedule measures the host time of one schedule of a small two-thread
// program (the atomicity twin) under PCT: start-up, both threads, exit; from the
// program's start, and from a snapshot at its first clone (what Explore does).
func BenchmarkSchedule(b *testing.B) {
	if _, err := exec.Command("make", "-s", "-C", corpusDir).CombinedOutput(); err != nil {
		b.Fatal(err)
	}
	o := Options{Path: filepath.Join(corpusDir, "bin", "atomicity_fixed"), Argv: []string{"atomicity"}, Strategy: "pct"}
	if err := o.Validate(); err != nil {
		b.Fatal(err)
	}
	exe, err := os.ReadFile(o.Path)
	if err != nil {
		b.Fatal(err)
	}
	o.setAccessPoints(exe)
	o.exe = exe
	snap, err := o.takeSnapshot(o.kernelSeed())
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"from-start", "from-snapshot"} {
		b.Run(mode, func(b *testing.B) {
			o.snap = nil
			if mode == "from-snapshot" {
				o.snap = snap
			}
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				if _, err := o.runWith(o.policy(i, uint64(i), profile{choices: 150}), o.kernelSeed()); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time, garbage collection included: on a shared machine the wall
			// clock (ns/op) counts the other processes' turns too.
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the CPU time the process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStrategies produces the README's table: for each strategy, the corpus bugs
// found within bugBudget schedules (by at least half of the campaign seeds), the median
// over seeds of the schedules to the first failure, the host milliseconds per schedule,
// and the false alarms on the fixed twins. It runs once whatever b.N is:
//
//	go test ./internal/explore -run XXX -bench Strategies -benchtime 1x
//
// WEFT_TABLE_SEEDS (default 3) sets the number of campaign seeds, WEFT_TABLE_STRATEGIES
// (comma-separated) the strategies.
func BenchmarkStrategies(b *testing.B) {
	if out, err := exec.Command("make", "-s", "-C", corpusDir).CombinedOutput(); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	srcs, _ := filepath.Glob(filepath.Join(corpusDir, "*.c"))
	seeds := 3
	if s := os.Getenv("WEFT_TABLE_SEEDS"); s != "" {
		fmt.Sscan(s, &seeds)
	}
	strategies := Strategies
	if s := os.Getenv("WEFT_TABLE_STRATEGIES"); s != "" {
		strategies = strings.Split(s, ",")
	}
	// WEFT_TABLE_NOSNAPSHOT=1 runs every schedule from the program's start, for the
	// comparison with the snapshot.
	noSnap := os.Getenv("WEFT_TABLE_NOSNAPSHOT") == "1"
	fmt.Printf("| strategy | bugs found (of %d) | median schedules to first failure | ms per schedule | false alarms |\n", len(srcs))
	fmt.Println("| --- | --- | --- | --- | --- |")
	for _, strat := range strategies {
		found, alarms := 0, 0
		var medians []string
		var runs int
		var host time.Duration
		for _, src := range srcs {
			name := strings.TrimSuffix(filepath.Base(src), ".c")
			var firsts []int
			for seed := 1; seed <= seeds; seed++ {
				rep, err := Explore(Options{Path: filepath.Join(corpusDir, "bin", name+"_bug"), Argv: []string{name},
					Strategy: strat, Runs: bugBudget, Seed: uint64(seed), Minimise: 1, MaxInsns: 5_000_000, NoSnapshot: noSnap})
				if err != nil {
					b.Fatal(err)
				}
				runs += rep.Runs
				host += rep.Host
				n := bugBudget + 1 // not found
				if len(rep.Failures) > 0 {
					n = rep.Failures[0].Found
				}
				firsts = append(firsts, n)
			}
			slices.Sort(firsts)
			m := firsts[len(firsts)/2]
			if m <= bugBudget {
				found++
				medians = append(medians, fmt.Sprintf("%s %d", name, m))
			} else {
				medians = append(medians, fmt.Sprintf("%s >%d", name, bugBudget))
			}
			rep, err := Explore(Options{Path: filepath.Join(corpusDir, "bin", name+"_fixed"), Argv: []string{name},
				Strategy: strat, Runs: fixedRuns, Seed: 1, All: true, Minimise: 1, MaxInsns: 5_000_000, NoSnapshot: noSnap})
			if err != nil {
				b.Fatal(err)
			}
			runs += rep.Runs
			host += rep.Host
			alarms += len(rep.Failures)
		}
		fmt.Printf("| %s | %d | %s | %.1f | %d |\n", strat, found, strings.Join(medians, ", "),
			float64(host.Microseconds())/1000/float64(runs), alarms)
	}
}

// TestCampaignDeterministic checks that a campaign's result does not depend on how it
// is run: two jobs find the failure one job finds, and the shards of a campaign split
// its schedules so that the first failure over the shards is the campaign's.
func TestCampaignDeterministic(t *testing.T) {
	corpus(t)
	path := filepath.Join(corpusDir, "bin", "lockorder_bug")
	first := func(o Options) int {
		o.Path, o.Argv, o.Runs, o.Seed, o.Minimise, o.MaxInsns = path, []string{"lockorder"}, 200, 7, 1, 5_000_000
		rep, err := Explore(o)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Failures) == 0 {
			return -1
		}
		return rep.Failures[0].Schedule
	}
	one := first(Options{Jobs: 1})
	if one < 0 {
		t.Fatal("lockorder_bug: no failure in 200 schedules")
	}
	if two := first(Options{Jobs: 2}); two != one {
		t.Errorf("first failing schedule with 2 jobs = %d, with 1 = %d", two, one)
	}
	best := -1
	for i := 0; i < 3; i++ {
		if s := first(Options{Shard: i, Shards: 3}); s >= 0 && (best < 0 || s < best) {
			if s%3 != i {
				t.Errorf("shard %d/3 ran schedule %d", i, s)
			}
			best = s
		}
	}
	if best != one {
		t.Errorf("first failing schedule over 3 shards = %d, unsharded = %d", best, one)
	}
}

// TestRaceCorpus runs the race detector under schedule search: the programs whose bug
// is a data race must show one, and no fixed twin may show any.
func TestRaceCorpus(t *testing.T) {
	for _, name := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			switch name {
			case "atomicity", "checkact", "bank", "dcl":
				// Every distinct failure: the first to fail may do so (an assertion)
				// in a run where some other synchronisation ordered the racing
				// accesses, which the detector then does not report.
				rep, err := Explore(Options{Path: filepath.Join(corpusDir, "bin", name+"_bug"), Argv: []string{name},
					Runs: 200, Seed: 1, Minimise: 1, MaxInsns: 5_000_000, Race: true, All: true})
				if err != nil {
					t.Fatal(err)
				}
				var races []string
				for _, f := range rep.Failures {
					if len(races) == 0 {
						races = f.Races
					}
				}
				if len(races) == 0 {
					t.Errorf("%s_bug: no data race reported in %d schedules", name, rep.Runs)
				} else if r := races[0]; !strings.Contains(r, "start_thread") || !strings.Contains(r, name+".c:") {
					// Both stacks are unwound (DWARF CFI) to the thread's start.
					t.Errorf("%s_bug: the report lacks the stacks:\n%s", name, r)
				} else {
					t.Logf("%s_bug: %s", name, r)
				}
			}
			rep, err := Explore(Options{Path: filepath.Join(corpusDir, "bin", name+"_fixed"), Argv: []string{name},
				Runs: 40, Seed: 1, All: true, Minimise: 1, MaxInsns: 5_000_000, Race: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Failures {
				t.Errorf("%s_fixed: %s at schedule %d\n%s", name, f.Kind, f.Schedule, strings.Join(f.Races, "\n"))
			}
			// The misuse checker has nothing to say of any twin either.
			rep, err = Explore(Options{Path: filepath.Join(corpusDir, "bin", name+"_fixed"), Argv: []string{name},
				Runs: 20, Seed: 1, All: true, Minimise: 1, MaxInsns: 5_000_000, Check: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Failures {
				t.Errorf("%s_fixed --check: %s at schedule %d\n%s", name, f.Kind, f.Schedule, strings.Join(f.Checks, "\n"))
			}
		})
	}
}

// TestCheckCorpus searches schedules of the misuse programs (tests/explore/chk_*) with
// the checker: each misuse is a failure, found within a few schedules, whose schedule
// file replays to the same failure; the fixed twins give none.
func TestCheckCorpus(t *testing.T) {
	corpus(t)
	for _, name := range []string{"chk_unlock", "chk_destroy", "chk_uninit", "chk_uaf"} {
		t.Run(name, func(t *testing.T) {
			o := Options{Path: filepath.Join(corpusDir, "bin", name+"_bug"), Argv: []string{name}, Runs: 50, Check: true}
			rep, err := Explore(o)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failures) == 0 {
				t.Fatalf("%s_bug: no failure in %d schedules", name, rep.Runs)
			}
			f := rep.Failures[0]
			if len(f.Checks) == 0 || !strings.Contains(f.Kind, " (pc 0x") {
				t.Fatalf("%s_bug: failure %q with %d checker reports", name, f.Kind, len(f.Checks))
			}
			if !f.Sched.Checker {
				t.Errorf("%s_bug: the schedule does not say check on", name)
			}
			exe, _ := os.ReadFile(o.Path)
			ro := f.Sched.Options(exe)
			ro.exe = exe
			out, err := ro.runWith(f.Sched.Policy(), ro.kernelSeed())
			if err != nil {
				t.Fatal(err)
			}
			if out.kind != f.Kind {
				t.Errorf("%s_bug: replay failed with %q, want %q", name, out.kind, f.Kind)
			}
			o = Options{Path: filepath.Join(corpusDir, "bin", name+"_fixed"), Argv: []string{name}, Runs: 30, Check: true}
			if rep, err = Explore(o); err != nil {
				t.Fatal(err)
			}
			if len(rep.Failures) != 0 {
				t.Errorf("%s_fixed: %s\n%s", name, rep.Failures[0].Kind, strings.Join(rep.Failures[0].Checks, "\n"))
			}
		})
	}
}
