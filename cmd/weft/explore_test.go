package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestExploreAndReplay runs weft explore on a corpus bug (exit 1, a schedule file) and
// on its fixed twin (exit 0), replays the schedule (the same abort), and checks the
// usage errors (exit 2).
func TestExploreAndReplay(t *testing.T) {
	const corpus = "../../tests/explore"
	if out, err := exec.Command("make", "-s", "-C", corpus).CombinedOutput(); err != nil {
		t.Fatalf("make -C %s: %v\n%s", corpus, err, out)
	}
	dir := t.TempDir()
	code, stdout, stderr := runWeft("explore", "--runs", "50", "--out", dir, corpus+"/bin/order_bug")
	if code != exploreFound || !strings.Contains(stdout, "failure: killed by SIGABRT") {
		t.Fatalf("weft explore order_bug = %d\n%s%s, want %d and a SIGABRT failure", code, stdout, stderr, exploreFound)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.schedule"))
	if len(files) != 1 {
		t.Fatalf("schedule files written: %v, want 1", files)
	}
	if code, _, stderr := runWeft("replay", files[0]); code != 128+6 || !strings.Contains(stderr, "Assertion") {
		t.Errorf("weft replay = %d\n%s, want 134 (SIGABRT) and the assertion", code, stderr)
	}
	if code, stdout, stderr := runWeft("explore", "--runs", "20", corpus+"/bin/order_fixed"); code != 0 || !strings.Contains(stdout, "no failure in 20 schedules") {
		t.Errorf("weft explore order_fixed = %d\n%s%s, want 0", code, stdout, stderr)
	}
	// A schedule whose program changed is refused.
	data, _ := os.ReadFile(files[0])
	prog := filepath.Join(dir, "prog")
	exe, _ := os.ReadFile(corpus + "/bin/order_bug")
	os.WriteFile(prog, append(exe, 0), 0o755)
	abs, _ := filepath.Abs(corpus + "/bin/order_bug")
	os.WriteFile(files[0], []byte(strings.Replace(string(data), abs, prog, 1)), 0o644)
	if code, _, stderr := runWeft("replay", files[0]); code != exitCannotRun || !strings.Contains(stderr, "changed") {
		t.Errorf("weft replay of a changed program = %d\n%s, want %d and 'changed'", code, stderr, exitCannotRun)
	}
	for _, args := range [][]string{
		{"explore"},
		{"explore", "--strategy", "dfs", "x"},
		{"explore", "--shard", "3/2", "x"},
		{"explore", "--no-such", "x"},
	} {
		if code, _, stderr := runWeft(args...); code != exploreUsage || !strings.HasPrefix(stderr, "weft: explore: ") {
			t.Errorf("weft %v = %d, %q; want %d and one line", args, code, stderr, exploreUsage)
		}
	}
}

// TestReplayEveryCorpusBug finds each corpus bug with weft explore (whose schedules
// start from a snapshot of the kernel at the program's first clone) and replays the
// schedule file with weft replay (which runs from the program's start): the replay
// must fail the same way, with every decision applied.
func TestReplayEveryCorpusBug(t *testing.T) {
	if testing.Short() {
		t.Skip("long: explores every corpus bug")
	}
	const corpus = "../../tests/explore"
	if out, err := exec.Command("make", "-s", "-C", corpus).CombinedOutput(); err != nil {
		t.Fatalf("make -C %s: %v\n%s", corpus, err, out)
	}
	bugs, _ := filepath.Glob(corpus + "/bin/*_bug")
	if len(bugs) < 10 {
		t.Fatalf("corpus: %d bug programs, want at least 10", len(bugs))
	}
	for _, bug := range bugs {
		t.Run(filepath.Base(bug), func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"explore", "--runs", "1000", "--max-insns", "5000000", "--out", dir}
			if strings.HasPrefix(filepath.Base(bug), "chk_") {
				args = append(args, "--check") // misuse that only the checker sees
			}
			code, stdout, stderr := runWeft(append(args, bug)...)
			if code != exploreFound {
				t.Fatalf("weft explore %s = %d\n%s%s, want %d", bug, code, stdout, stderr, exploreFound)
			}
			kind := ""
			for _, line := range strings.Split(stdout, "\n") {
				if k, ok := strings.CutPrefix(line, "failure: "); ok {
					kind, _, _ = strings.Cut(k, " (schedule")
				}
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.schedule"))
			if len(files) != 1 || kind == "" {
				t.Fatalf("weft explore %s: schedule files %v, failure %q\n%s", bug, files, kind, stdout)
			}
			code, _, stderr = runWeft("replay", files[0])
			if strings.Contains(stderr, "decisions applied") {
				t.Errorf("weft replay (%s) went another way:\n%s", kind, stderr)
			}
			if misuse, _, _ := strings.Cut(kind, " (pc"); strings.HasPrefix(filepath.Base(bug), "chk_") {
				// The checker reports and keeps the guest's own exit status.
				if !strings.Contains(stderr, "weft: "+misuse+":") {
					t.Errorf("weft replay (%s) did not report it:\n%s", kind, stderr)
				}
			} else if code == 0 {
				t.Errorf("weft replay (%s) = 0\n%s", kind, stderr)
			}
			if sig, ok := strings.CutPrefix(kind, "killed by "); ok && sig == "SIGABRT" && code != 128+6 {
				t.Errorf("weft replay (%s) = %d, want 134", kind, code)
			}
			if st, ok := strings.CutPrefix(kind, "exit status "); ok && st != strconv.Itoa(code) {
				t.Errorf("weft replay (%s) = %d, want %s", kind, code, st)
			}
		})
	}
}

// TestCheckFlag runs weft run --check on a use after free between threads (the report
// with both threads and stacks, the run's own exit status kept), and weft explore
// --check on it: a failure, and a schedule file that replays with the checker.
func TestCheckFlag(t *testing.T) {
	const corpus = "../../tests/explore"
	if out, err := exec.Command("make", "-s", "-C", corpus).CombinedOutput(); err != nil {
		t.Fatalf("make -C %s: %v\n%s", corpus, err, out)
	}
	code, _, stderr := runWeft("run", "--check", corpus+"/bin/chk_uaf_bug")
	for _, w := range []string{"weft: heap use after free: load at 0x", "main+", "chk_uaf.c:45", "freed by tid", "consumer+", "chk_uaf.c:25", "weft: --check: 1 misuses found"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("weft run --check chk_uaf_bug: stderr lacks %q:\n%s", w, stderr)
		}
	}
	if code != 0 {
		t.Errorf("weft run --check chk_uaf_bug = %d, want the guest's 0", code)
	}
	if _, _, stderr := runWeft("run", "--check", corpus+"/bin/chk_uaf_fixed"); !strings.Contains(stderr, "weft: --check: 0 misuses found") {
		t.Errorf("weft run --check chk_uaf_fixed:\n%s", stderr)
	}
	dir := t.TempDir()
	code, stdout, stderr := runWeft("explore", "--check", "--runs", "20", "--out", dir, corpus+"/bin/chk_unlock_bug")
	if code != exploreFound || !strings.Contains(stdout, "failure: unlock of a mutex the thread does not hold (pc 0x") ||
		!strings.Contains(stdout, "chk_unlock.c:22") {
		t.Fatalf("weft explore --check chk_unlock_bug = %d\n%s%s", code, stdout, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.schedule"))
	if len(files) != 1 {
		t.Fatalf("schedule files written: %v, want 1", files)
	}
	if data, _ := os.ReadFile(files[0]); !strings.Contains(string(data), "\ncheck on\n") {
		t.Errorf("the schedule file does not say check on:\n%s", data)
	}
	if _, _, stderr := runWeft("replay", files[0]); !strings.Contains(stderr, "unlock of a mutex the thread does not hold") {
		t.Errorf("weft replay did not check:\n%s", stderr)
	}
}
