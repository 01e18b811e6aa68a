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
	"testing"
	"time"
)

// sctDir holds programs after the SCTBench benchmarks (tests/sctbench): harder cases
// than the corpus, some with many threads.
const sctDir = "../../tests/sctbench"

var sctOnce sync.Once

// sctCases are the programs and arguments the test runs: the benchmarks' smaller
// sizes, and twostage 50 and reorder 20, which the default strategy finds within a few
// hundred schedules where PCT alone needs thousands or more (long: twostage 100, in
// the test only without -short).
var sctCases = []struct {
	name string
	args []string
	long bool
}{
	{"bluetooth", nil, false},
	{"lazy", nil, false},
	{"stack", nil, false},
	{"reorder", []string{"5"}, false},
	{"reorder", []string{"20"}, false},
	{"twostage", []string{"10"}, false},
	{"twostage", []string{"50"}, false},
	{"twostage", []string{"100"}, true},
	{"wronglock", []string{"3"}, false},
}

// TestSCTBench runs the default strategy on each program after SCTBench: its bug must
// be found within 10,000 schedules (the budget), the failing schedule must
// replay to the same failure both from its minimised decisions and regenerated from
// its strategy and seed (the schedule file's two ways), and its fixed twin must not
// fail in 100 schedules.
func TestSCTBench(t *testing.T) {
	var out []byte
	var err error
	sctOnce.Do(func() { out, err = exec.Command("make", "-s", "-C", sctDir).CombinedOutput() })
	if err != nil {
		t.Fatalf("make -C %s: %v\n%s", sctDir, err, out)
	}
	for _, c := range sctCases {
		argv := append([]string{c.name}, c.args...)
		t.Run(strings.Join(argv, "_"), func(t *testing.T) {
			if c.long && testing.Short() {
				t.Skip("long")
			}
			path := filepath.Join(sctDir, "bin", c.name+"_bug")
			rep, err := Explore(Options{Path: path, Argv: argv, Runs: 10_000, Seed: 1, MaxInsns: 20_000_000, Minimise: 60})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failures) != 1 {
				t.Fatalf("found %d failures in %d schedules, want 1", len(rep.Failures), rep.Runs)
			}
			f := rep.Failures[0]
			t.Logf("%v: %s at schedule %d", argv, f.Kind, f.Schedule)
			exe, _ := os.ReadFile(path)
			for _, byStrategy := range []bool{false, true} {
				s := *f.Sched
				s.ByStrategy = s.ByStrategy || byStrategy
				var buf bytes.Buffer
				if err := s.Write(&buf); err != nil {
					t.Fatal(err)
				}
				p, err := ParseSchedule(buf.String())
				if err != nil {
					t.Fatalf("ParseSchedule(written schedule) = %v\n%s", err, buf.String())
				}
				o := p.Options(exe)
				if err := o.Validate(); err != nil {
					t.Fatal(err)
				}
				out, err := o.runWith(p.Policy(), p.KernelSeed)
				if err != nil {
					t.Fatal(err)
				}
				if out.kind != f.Kind {
					t.Errorf("replay (by strategy %v) of the schedule file: %q, want %q", p.ByStrategy, out.kind, f.Kind)
				}
			}
			if testing.Short() {
				return
			}
			rep, err = Explore(Options{Path: filepath.Join(sctDir, "bin", c.name+"_fixed"), Argv: argv, Runs: 100, Seed: 1, All: true, MaxInsns: 20_000_000})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range rep.Failures {
				t.Errorf("%v (fixed) failed: %s at schedule %d\n%s", argv, f.Kind, f.Schedule, f.Output)
			}
		})
	}
}

// BenchmarkTable produces the README's comparison of the strategies on every program
// of tests/explore and tests/sctbench (at several sizes): for each program and
// strategy, the schedules run up to and including the first failing one, for each
// campaign seed ("-" when none failed within the budget), the CPU
// milliseconds per schedule (over these campaigns and 100 schedules of the fixed twin,
// their profiling runs, snapshots and one minimising replay included), and the
// failures of the fixed twin in those 100 schedules (false alarms). It
// runs once whatever b.N is:
//
//	go test ./internal/explore -run XXX -bench Table -benchtime 1x -timeout 0
//
// WEFT_TABLE_STRATEGIES (comma-separated; default pct, pos, random, urw, surw, mix),
// WEFT_TABLE_SEEDS (default 3), WEFT_TABLE_PROGRAMS (comma-separated names such as
// "twostage 50"; default all) and WEFT_TABLE_BUDGET (default 10,000 schedules)
// narrow it.
func BenchmarkTable(b *testing.B) {
	for _, dir := range []string{corpusDir, sctDir} {
		if out, err := exec.Command("make", "-s", "-C", dir).CombinedOutput(); err != nil {
			b.Fatalf("make -C %s: %v\n%s", dir, err, out)
		}
	}
	type prog struct {
		dir, name string
		args      []string
	}
	var progs []prog
	srcs, _ := filepath.Glob(filepath.Join(corpusDir, "*.c"))
	for _, s := range srcs {
		if name := strings.TrimSuffix(filepath.Base(s), ".c"); !strings.HasPrefix(name, "chk_") {
			progs = append(progs, prog{corpusDir, name, nil})
		}
	}
	for _, p := range []string{"bluetooth", "lazy", "stack", "reorder 5", "reorder 10", "reorder 20", "reorder 50",
		"wronglock 3", "wronglock 10", "twostage 10", "twostage 20", "twostage 50", "twostage 100"} {
		f := strings.Fields(p)
		progs = append(progs, prog{sctDir, f[0], f[1:]})
	}
	if s := os.Getenv("WEFT_TABLE_PROGRAMS"); s != "" {
		want := strings.Split(s, ",")
		progs = slices.DeleteFunc(progs, func(p prog) bool {
			return !slices.Contains(want, strings.Join(append([]string{p.name}, p.args...), " "))
		})
	}
	strategies := []string{"pct", "pos", "random", "urw", "surw", "mix"}
	if s := os.Getenv("WEFT_TABLE_STRATEGIES"); s != "" {
		strategies = strings.Split(s, ",")
	}
	seeds := 3
	if s := os.Getenv("WEFT_TABLE_SEEDS"); s != "" {
		fmt.Sscan(s, &seeds)
	}
	const fixedBudget = 100
	budget := 10_000
	if s := os.Getenv("WEFT_TABLE_BUDGET"); s != "" {
		fmt.Sscan(s, &budget)
	}
	fmt.Printf("| program | %s |\n", strings.Join(strategies, " | "))
	fmt.Printf("|---%s\n", strings.Repeat("|---", len(strategies))+"|")
	for _, p := range progs {
		argv := append([]string{p.name}, p.args...)
		row := []string{strings.Join(argv, " ")}
		for _, strat := range strategies {
			var firsts []string
			runs, cpu := 0, time.Duration(0)
			for seed := 1; seed <= seeds; seed++ {
				c := cpuTime()
				rep, err := Explore(Options{Path: filepath.Join(p.dir, "bin", p.name+"_bug"), Argv: argv,
					Strategy: strat, Runs: budget, Seed: uint64(seed), Minimise: 1, MaxInsns: 20_000_000})
				if err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - c
				runs += rep.Runs
				if len(rep.Failures) > 0 {
					firsts = append(firsts, fmt.Sprint(rep.Failures[0].Found))
				} else {
					firsts = append(firsts, "-")
				}
			}
			c := cpuTime()
			rep, err := Explore(Options{Path: filepath.Join(p.dir, "bin", p.name+"_fixed"), Argv: argv,
				Strategy: strat, Runs: fixedBudget, Seed: 1, All: true, Minimise: 1, MaxInsns: 20_000_000})
			if err != nil {
				b.Fatal(err)
			}
			cpu += cpuTime() - c
			runs += rep.Runs
			cell := fmt.Sprintf("%s (%.1f ms)", strings.Join(firsts, ", "), float64(cpu.Microseconds())/1000/float64(runs))
			if len(rep.Failures) > 0 {
				cell += fmt.Sprintf(" FIXED TWIN FAILED: %s", rep.Failures[0].Kind)
			}
			row = append(row, cell)
		}
		fmt.Printf("| %s |\n", strings.Join(row, " | "))
	}
}
