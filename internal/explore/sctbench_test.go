package explore

import (
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// sctDir holds programs after the SCTBench benchmarks (tests/sctbench): harder cases
// than the corpus, some with many threads.
const sctDir = "../../tests/sctbench"

var sctOnce sync.Once

// sctCases are the programs and arguments the test runs: the benchmarks' smaller
// sizes. (twostage 100, whose bug needs one thread of 101 to run before all others at
// one instant, is beyond 10,000 schedules of every strategy here; the README says so.)
var sctCases = []struct {
	name string
	args []string
}{
	{"bluetooth", nil},
	{"lazy", nil},
	{"stack", nil},
	{"reorder", []string{"5"}},
	{"twostage", []string{"10"}},
	{"wronglock", []string{"3"}},
}

// TestSCTBench runs the default strategy on each program after SCTBench: its bug must
// be found within 10,000 schedules (the budget), and its fixed twin must not
// fail in 100.
func TestSCTBench(t *testing.T) {
	var out []byte
	var err error
	sctOnce.Do(func() { out, err = exec.Command("make", "-s", "-C", sctDir).CombinedOutput() })
	if err != nil {
		t.Fatalf("make -C %s: %v\n%s", sctDir, err, out)
	}
	for _, c := range sctCases {
		t.Run(c.name, func(t *testing.T) {
			argv := append([]string{c.name}, c.args...)
			rep, err := Explore(Options{Path: filepath.Join(sctDir, "bin", c.name+"_bug"), Argv: argv, Runs: 10_000, Seed: 1, MaxInsns: 20_000_000})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failures) != 1 {
				t.Fatalf("found %d failures in %d schedules, want 1", len(rep.Failures), rep.Runs)
			}
			t.Logf("%v: %s at schedule %d", argv, rep.Failures[0].Kind, rep.Failures[0].Schedule)
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
