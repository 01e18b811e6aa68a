package tests

// Thread and signal tests beyond TestDiff.
//
//   - TestThreadsCPUs runs every tests/c/thr_* program under weft with other
//     CPU counts, --step and --seed settings than TestDiff's default, and
//     compares with qemu-riscv64 (run once per program).
//   - TestThreadsDeterminism: the same seed twice, with --cpus 4 and
//     --strace, gives byte-identical stdout, stderr and status.
//   - The programs in tests/threads are not differential: their expected
//     behaviour is written by hand from Linux/POSIX semantics, either as
//     NAME.expect (TestThreadsExpected) or as properties checked here
//     (TestThreadsRace, TestThreadsLLSC, TestThreadsDeadlock). Some of them
//     exist because qemu-user gets the behaviour wrong (sa_mask, clone3,
//     robust futexes across processes, sigwaitinfo in a dedicated thread,
//     threads in the child of a multithreaded fork).
//
// These tests check weft itself, so they skip when WEFT_BIN is the
// qemu-weft.sh stand-in (which takes no flags).

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

var (
	threadsDir      string // tests/threads
	threadsBuildErr error
	threadsBuilt    sync.Once
)

// buildThreads builds tests/threads once per test binary.
func buildThreads(t *testing.T) {
	t.Helper()
	threadsBuilt.Do(func() {
		threadsDir = filepath.Join(repoRoot, "tests", "threads")
		if out, err := exec.Command("make", "-s", "-C", threadsDir).CombinedOutput(); err != nil {
			threadsBuildErr = fmt.Errorf("building the programs in tests/threads failed: %v\n%s", err, out)
		}
	})
	if threadsBuildErr != nil {
		t.Fatal(threadsBuildErr)
	}
}

func skipStandIn(t *testing.T) {
	t.Helper()
	if standIn() {
		t.Skip("checks weft's own flags and behaviour; qemu-weft.sh cannot stand in for it")
	}
}

// runWeftFlags runs binary path under weft with the given weft flags and
// guest arguments. Like runWeft, it gives the guest the host's user and
// group IDs so that results compare with qemu's.
func runWeftFlags(flags []string, path string, args []string, stdin, dir string) result {
	argv := []string{weftBin, "run", "--uid", strconv.Itoa(os.Getuid()), "--gid", strconv.Itoa(os.Getgid())}
	argv = append(argv, flags...)
	argv = append(argv, path)
	argv = append(argv, args...)
	return run(argv, os.Environ(), stdin, dir)
}

func flagName(flags []string) string {
	if len(flags) == 0 {
		return "default"
	}
	return strings.ReplaceAll(strings.Join(flags, " "), "--", "")
}

// noPanic fails the test if weft's stderr shows a Go panic.
func noPanic(t *testing.T, what string, r result) {
	t.Helper()
	if bytes.Contains(r.stderr, []byte("panic:")) || bytes.Contains(r.stderr, []byte("goroutine ")) {
		t.Errorf("%s: weft panicked:\n%s", what, r.stderr)
	}
}

// threadPrograms lists the tests/c/thr_* differential programs.
func threadPrograms(t *testing.T) []program {
	t.Helper()
	var progs []program
	for _, p := range programs(t, false) {
		if strings.HasPrefix(p.name, "thr_") {
			progs = append(progs, p)
		}
	}
	if len(progs) == 0 {
		t.Fatalf("no thr_*.c programs in %s", cDir)
	}
	return progs
}

// threadConfigs are the weft settings TestThreadsCPUs tries on every thr_*
// program (TestDiff covers the default, 2 CPUs). --step 1 interleaves the
// busy CPUs at every instruction; --step 7 at an odd period, so that
// switches land at varying points of short loops.
var threadConfigs = [][]string{
	{"--cpus", "1"},
	{"--cpus", "4"},
	{"--cpus", "4", "--step", "1"},
	{"--cpus", "3", "--step", "7", "--seed", "5"},
	{"--cpus", "2", "--step", "1", "--seed", "11", "--quantum", "5000"},
}

func TestThreadsCPUs(t *testing.T) {
	skipStandIn(t)
	for _, p := range threadPrograms(t) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			dir := t.TempDir()
			want := runQemu(p, dir)
			if strings.HasPrefix(want.status, "timed out") || strings.HasPrefix(want.status, "failed") {
				t.Fatalf("reference run under qemu-riscv64: %s\nstderr:\n%s", want.status, want.stderr)
			}
			for _, cfg := range threadConfigs {
				t.Run(flagName(cfg), func(t *testing.T) {
					got := runWeftFlags(cfg, p.path, p.args, p.stdin, dir)
					noPanic(t, "weft "+flagName(cfg), got)
					compare(t, "qemu", want, "weft "+flagName(cfg), got)
				})
			}
		})
	}
}

func TestThreadsDeterminism(t *testing.T) {
	skipStandIn(t)
	flags := []string{"--cpus", "4", "--seed", "7", "--strace"}
	for _, p := range threadPrograms(t) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			dir := t.TempDir()
			first := runWeftFlags(flags, p.path, p.args, p.stdin, dir)
			second := runWeftFlags(flags, p.path, p.args, p.stdin, dir)
			if first.exitCode < 0 {
				t.Fatalf("weft: %s\nstderr:\n%s", first.status, tail(first.stderr, 2000))
			}
			compare(t, "first run", first, "second run", second)
		})
	}
	// A finer interleaving, for the programs that contend the most.
	for _, name := range []string{"thr_mutex", "thr_condvar", "thr_sem"} {
		t.Run(name+"/step7", func(t *testing.T) {
			t.Parallel()
			acquire(t)
			p, err := parseProgram(filepath.Join(cDir, name+".c"))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			f := []string{"--cpus", "4", "--seed", "3", "--step", "7", "--strace"}
			first := runWeftFlags(f, p.path, p.args, p.stdin, dir)
			second := runWeftFlags(f, p.path, p.args, p.stdin, dir)
			compare(t, "first run", first, "second run", second)
		})
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// threadsBin is the path of a program built from tests/threads.
func threadsBin(name string) string { return filepath.Join(threadsDir, "bin", name) }

// expectFile reads tests/threads/NAME.expect.
func expectFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(threadsDir, name+".expect"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var finalRE = regexp.MustCompile(`final=(\d+) expected=(\d+)`)

// parseFinal extracts "final=N expected=M" from a race or llsc run.
func parseFinal(t *testing.T, what string, r result) (final, expected int) {
	t.Helper()
	if r.exitCode != 0 {
		t.Fatalf("%s: %s\nstdout:\n%s\nstderr:\n%s", what, r.status, r.stdout, tail(r.stderr, 2000))
	}
	m := finalRE.FindSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("%s: no final=N expected=M in output:\n%s", what, r.stdout)
	}
	final, _ = strconv.Atoi(string(m[1]))
	expected, _ = strconv.Atoi(string(m[2]))
	return final, expected
}

// TestThreadsRace: an unsynchronised counter loses updates when two CPUs
// interleave inside its load/add/store, depending on the seed; the same
// seed gives the same count; a mutex or atomic increments never lose one.
func TestThreadsRace(t *testing.T) {
	skipStandIn(t)
	buildThreads(t)
	dir := t.TempDir()
	seeds := []int{1, 2, 3, 4, 5, 6, 7, 8}
	t.Run("race", func(t *testing.T) {
		t.Parallel()
		acquire(t)
		finals := map[int]int{}
		lost, expected := 0, 0
		for _, s := range seeds {
			r := runWeftFlags([]string{"--cpus", "2", "--seed", strconv.Itoa(s)}, threadsBin("race"), nil, "", dir)
			noPanic(t, "race", r)
			f, e := parseFinal(t, fmt.Sprintf("race seed %d", s), r)
			expected = e
			finals[s] = f
			if f > e || f <= 0 {
				t.Errorf("seed %d: final=%d is impossible (expected at most %d)", s, f, e)
			}
			if f < e {
				lost++
			}
		}
		t.Logf("race finals by seed (expected %d): %v", expected, finals)
		if lost == 0 {
			t.Errorf("no seed lost an update: with 2 CPUs interleaving an unsynchronised load/add/store, some must")
		}
		distinct := map[int]bool{}
		for _, f := range finals {
			distinct[f] = true
		}
		if len(distinct) < 2 {
			// The seed draws where the CPUs hand over to each other, so seeds give
			// different interleavings even with no more threads than CPUs.
			t.Errorf("every seed gave the same final value %v: the seed does not change the interleaving", finals)
		}
		// Determinism: each of two seeds again.
		for _, s := range []int{seeds[0], seeds[len(seeds)-1]} {
			r := runWeftFlags([]string{"--cpus", "2", "--seed", strconv.Itoa(s)}, threadsBin("race"), nil, "", dir)
			f, _ := parseFinal(t, fmt.Sprintf("race seed %d again", s), r)
			if f != finals[s] {
				t.Errorf("seed %d: final=%d the first time, %d the second", s, finals[s], f)
			}
		}
	})
	for _, name := range []string{"race_mutex", "race_atomic"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			want := expectFile(t, name)
			cfgs := [][]string{}
			for _, s := range seeds {
				cfgs = append(cfgs, []string{"--cpus", "2", "--seed", strconv.Itoa(s)})
			}
			cfgs = append(cfgs, []string{"--cpus", "4", "--step", "7"}, []string{"--cpus", "4", "--step", "1", "--seed", "2"})
			for _, cfg := range cfgs {
				r := runWeftFlags(cfg, threadsBin(name), nil, "", dir)
				noPanic(t, name, r)
				if r.exitCode != 0 || string(r.stdout) != want {
					t.Errorf("%s %s: %s, stdout:\n%s\nwant:\n%s\nstderr:\n%s", name, flagName(cfg), r.status, r.stdout,
						want, tail(r.stderr, 2000))
				}
			}
		})
	}
}

// TestThreadsLLSC: lr.w/sc.w increment loops on 4 CPUs interleaved at every
// instruction never lose an update — another CPU's store or AMO to the
// reserved word must make sc.w fail — while lr.w/addi/sw (no sc) does.
func TestThreadsLLSC(t *testing.T) {
	skipStandIn(t)
	buildThreads(t)
	dir := t.TempDir()
	cfgs := [][]string{
		{"--cpus", "4", "--step", "1", "--seed", "1"},
		{"--cpus", "4", "--step", "1", "--seed", "2"},
		{"--cpus", "4", "--step", "1", "--seed", "3"},
		{"--cpus", "2", "--step", "1"},
		{"--cpus", "4", "--step", "7"},
		{"--cpus", "3", "--step", "2"},
	}
	for _, mode := range []string{"sc", "mixed"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			for _, cfg := range cfgs {
				for _, nthreads := range []string{"2", "4"} {
					r := runWeftFlags(cfg, threadsBin("llsc"), []string{mode, nthreads}, "", dir)
					noPanic(t, "llsc", r)
					f, e := parseFinal(t, fmt.Sprintf("llsc %s %s threads, %s", mode, nthreads, flagName(cfg)), r)
					if f != e {
						t.Errorf("llsc %s, %s threads, %s: final=%d, want %d (an update was lost: sc.w succeeded "+
							"although another CPU wrote the reserved word)", mode, nthreads, flagName(cfg), f, e)
					}
				}
			}
		})
	}
	t.Run("sw", func(t *testing.T) {
		t.Parallel()
		acquire(t)
		lost := 0
		var results []string
		for _, cfg := range cfgs[:3] {
			r := runWeftFlags(cfg, threadsBin("llsc"), []string{"sw", "4"}, "", dir)
			noPanic(t, "llsc", r)
			f, e := parseFinal(t, "llsc sw "+flagName(cfg), r)
			results = append(results, fmt.Sprintf("%s: %d/%d", flagName(cfg), f, e))
			if f > e {
				t.Errorf("llsc sw %s: final=%d > %d", flagName(cfg), f, e)
			}
			if f < e {
				lost++
			}
		}
		t.Logf("lr.w/addi/sw finals: %s", strings.Join(results, ", "))
		if lost == 0 {
			t.Errorf("lr.w/addi/sw on 4 CPUs interleaved at every instruction never lost an update: " +
				"are the CPUs really interleaved?")
		}
	})
}

// threadsExpected are tests/threads programs whose stdout is NAME.expect
// and whose exit status is 0. stderr must be empty unless notes lists the
// substrings weft's notes must contain.
var threadsExpected = []struct {
	name  string
	notes []string
}{
	{"fault_isolation", []string{"(thread ", "killed by SIGSEGV", "store to unmapped address 0x0", "faulter"}},
	{"kill_all", nil},
	{"sigmask", nil},
	{"fork_signal", nil},
	{"clone3", nil},
	{"robust_procs", nil},
	{"sigwait", nil},
	{"forkmt", nil},
	{"thr_pause", nil},
}

func TestThreadsExpected(t *testing.T) {
	skipStandIn(t)
	buildThreads(t)
	cfgs := [][]string{nil, {"--cpus", "1"}, {"--cpus", "4", "--step", "7", "--seed", "2"}}
	for _, c := range threadsExpected {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			want := expectFile(t, c.name)
			dir := t.TempDir()
			for _, cfg := range cfgs {
				r := runWeftFlags(cfg, threadsBin(c.name), nil, "", dir)
				noPanic(t, c.name, r)
				what := c.name + " " + flagName(cfg)
				if r.exitCode != 0 {
					t.Errorf("%s: %s, want exit 0", what, r.status)
				}
				if string(r.stdout) != want {
					t.Errorf("%s: stdout differs:\n%s", what, lineDiff("expected", want, "weft", string(r.stdout)))
				}
				stderr := string(r.stderr)
				if c.notes == nil && stderr != "" {
					t.Errorf("%s: unexpected stderr:\n%s", what, tail(r.stderr, 2000))
				}
				for _, n := range c.notes {
					if !strings.Contains(stderr, n) {
						t.Errorf("%s: stderr lacks %q:\n%s", what, n, tail(r.stderr, 2000))
					}
				}
			}
		})
	}
}

// TestThreadsDeadlock: when every task is blocked and nothing can wake one,
// weft reports each blocked thread with what it waits for and exits 123,
// promptly: within deadlockInsns guest instructions (an instruction bound, not
// a wall-clock one, so that a loaded machine cannot fail the test).
const deadlockInsns = 50_000_000

func TestThreadsDeadlock(t *testing.T) {
	skipStandIn(t)
	buildThreads(t)
	cfgs := [][]string{nil, {"--cpus", "1"}, {"--cpus", "4", "--step", "1"}, {"--cpus", "3", "--seed", "9"}}
	check := func(t *testing.T, name string, cfg []string, wantStdout string, wantLines []*regexp.Regexp) {
		t.Helper()
		r := runWeftFlags(append([]string{"--max-insns", strconv.Itoa(deadlockInsns)}, cfg...), threadsBin(name), nil, "", t.TempDir())
		noPanic(t, name, r)
		what := name + " " + flagName(cfg)
		if r.exitCode == 124 {
			t.Errorf("%s: no deadlock report within %d instructions", what, deadlockInsns)
		} else if r.exitCode != 123 {
			t.Errorf("%s: %s, want exit 123 (weft's status for a deadlock)", what, r.status)
		}
		if string(r.stdout) != wantStdout {
			t.Errorf("%s: stdout differs:\n%s", what, lineDiff("expected", wantStdout, "weft", string(r.stdout)))
		}
		stderr := string(r.stderr)
		if !strings.Contains(stderr, "deadlock") {
			t.Errorf("%s: stderr does not mention a deadlock:\n%s", what, stderr)
		}
		lines := strings.Split(stderr, "\n")
		for _, re := range wantLines {
			n := 0
			for _, l := range lines {
				if re.MatchString(l) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s: %d lines of stderr match %q, want 1:\n%s", what, n, re, stderr)
			}
		}
	}
	t.Run("lockorder", func(t *testing.T) {
		t.Parallel()
		acquire(t)
		for _, cfg := range cfgs {
			check(t, "lockorder", cfg, "waiting for the threads\n", []*regexp.Regexp{
				regexp.MustCompile(`tid \d+ .*futex 0x[0-9a-f]+ \(lock_a\)`),
				regexp.MustCompile(`tid \d+ .*futex 0x[0-9a-f]+ \(lock_b\)`),
				regexp.MustCompile(`tid 2 .*futex`), // main, in pthread_join
			})
		}
	})
	t.Run("deadlock_procs", func(t *testing.T) {
		t.Parallel()
		acquire(t)
		for _, cfg := range cfgs {
			check(t, "deadlock_procs", cfg, "sleeping thread joined: 7\nparent holds the mutex\n", []*regexp.Regexp{
				regexp.MustCompile(`pid 2 tid 2 .*wait4`),
				regexp.MustCompile(`pid \d+ tid \d+ .*futex 0x[0-9a-f]+`),
			})
		}
	})
}
