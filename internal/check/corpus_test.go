package check_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"weft/internal/check"
	"weft/internal/explore"
	"weft/internal/run"
)

// corpusDir holds the misuse programs (chk_*.c) beside the schedule-search corpus.
const corpusDir = "../../tests/explore"

var buildOnce sync.Once

func build(t *testing.T, dir string) {
	t.Helper()
	var out []byte
	var err error
	buildOnce.Do(func() {
		out, err = exec.Command("make", "-s", "-C", corpusDir).CombinedOutput()
		if err == nil {
			out, err = exec.Command("make", "-s", "-C", "../../tests/c").CombinedOutput()
		}
	})
	if err != nil {
		t.Fatalf("make: %v\n%s", err, out)
	}
}

// runChecked runs the program at path under weft with the checker, and returns the
// checker, what the run printed and the reports formatted.
func runChecked(t *testing.T, path string) (*check.Checker, string, []string) {
	t.Helper()
	exe, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := check.New(exe)
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	res, err := run.Program(path, []string{filepath.Base(path)}, run.Options{
		Stdout: &stdout, Stderr: &stdout, Seed: 1, MaxInsns: 500_000_000, Check: c,
		Unwind: check.NewUnwinder(exe).Session().Stack, Data: exe,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 0 || res.Signal != 0 {
		t.Errorf("%s: exit %d, signal %v; want 0\n%s", path, res.Status, res.Signal, stdout.String())
	}
	return c, stdout.String(), explore.FormatChecks(exe, c.Reports)
}

// TestMisuseCorpus runs each misuse program: the checker must report the misuse it
// has, where it is, and nothing on its fixed twin.
func TestMisuseCorpus(t *testing.T) {
	build(t, corpusDir)
	cases := []struct {
		name string
		want []string // in the first report
	}{
		{"chk_unlock", []string{"unlock of a mutex the thread does not hold", "pthread_mutex_unlock", "it is not locked", "finish (chk_unlock.c:22, inlined)", "worker+", "chk_unlock.c:27"}},
		{"chk_destroy", []string{"use of a destroyed mutex", "pthread_mutex_lock", "worker+", "chk_destroy.c:14", "destroyed by tid", "main+", "chk_destroy.c:30"}},
		{"chk_uninit", []string{"use of an uninitialised mutex", "pthread_mutex_lock", "heap block", "chk_uninit.c:34"}},
		{"chk_uaf", []string{"heap use after free: load", "main+", "chk_uaf.c:45", "__libc_start_call_main", "freed by tid", "consumer+", "chk_uaf.c:25", "start_thread", "was created by tid", "main+0x38 (chk_uaf.c:36)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, reps := runChecked(t, filepath.Join(corpusDir, "bin", tc.name+"_bug"))
			if len(reps) == 0 {
				t.Fatalf("%s_bug: no report", tc.name)
			}
			for _, w := range tc.want {
				if !strings.Contains(reps[0], w) {
					t.Errorf("%s_bug: first report lacks %q:\n%s", tc.name, w, reps[0])
				}
			}
			c, _, reps := runChecked(t, filepath.Join(corpusDir, "bin", tc.name+"_fixed"))
			if len(reps) != 0 {
				t.Errorf("%s_fixed: %d reports, want 0:\n%s", tc.name, len(reps), strings.Join(reps, "\n"))
			}
			if c.Calls == 0 {
				t.Errorf("%s_fixed: the checker saw no call", tc.name)
			}
		})
	}
}

// TestCleanPrograms runs correct pthread programs with the checker, glibc's internals
// included: no report, except thr_mutex's one deliberate misuse (it unlocks a normal
// mutex that an exited thread locked, to show that glibc allows it).
func TestCleanPrograms(t *testing.T) {
	build(t, corpusDir)
	var progs []string
	for _, n := range []string{"thr_mutex", "thr_condvar", "thr_barrier", "thr_sem", "thr_rwlock", "thr_join",
		"thr_tls", "thr_cancel", "thr_futex", "thr_robust", "thr_pshared", "hashtable", "structs"} {
		progs = append(progs, filepath.Join("../../tests/c/bin", n))
	}
	fixed, _ := filepath.Glob(filepath.Join(corpusDir, "bin", "*_fixed"))
	progs = append(progs, fixed...)
	for _, p := range progs {
		c, _, reps := runChecked(t, p)
		want := 0
		if filepath.Base(p) == "thr_mutex" {
			want = 1
			if len(reps) == 1 && !strings.Contains(reps[0], "unlock of a mutex the thread does not hold: pthread_mutex_unlock") {
				t.Errorf("thr_mutex: the report is not the unlock:\n%s", reps[0])
			}
		}
		if len(reps) != want {
			t.Errorf("%s: %d reports, want %d:\n%s", p, len(reps), want, strings.Join(reps, "\n"))
		}
		if c.Calls == 0 || c.Accesses == 0 {
			t.Errorf("%s: the checker saw %d calls and %d accesses", p, c.Calls, c.Accesses)
		}
	}
}
