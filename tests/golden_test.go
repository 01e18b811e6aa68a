package tests

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGolden compares weft's --strace and --summary output for fixed programs with
// testdata/*.golden. Both are deterministic (virtual time; the guest finds its program
// at /usr/local/bin/NAME whatever the host path), so nothing needs masking. Refresh with `go test ./tests -run TestGolden -update`.
func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"strace_hello", []string{"--strace", "./hello"}},
		{"strace_forkthreads", []string{"--strace", "--cpus", "2", "./_forkthreads"}},
		{"summary_forkthreads", []string{"--summary", "--cpus", "2", "./_forkthreads"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			acquire(t)
			// Run from the program's directory: argv[0] ends up on the guest's stack, and
			// an absolute path would make the output depend on where the checkout is.
			r := run(append([]string{weftBin, "run"}, c.args...), os.Environ(), "", binDir)
			if r.exitCode != 0 {
				t.Fatalf("weft run %v: %s\n%s", c.args, r.status, r.stderr)
			}
			golden := filepath.Join(repoRoot, "tests", "testdata", c.name+".golden")
			if *expectUpdate {
				if err := os.WriteFile(golden, r.stderr, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if string(want) != string(r.stderr) {
				t.Errorf("stderr differs from %s (rerun with -update if the change is intended):\n%s",
					golden, lineDiff("golden", string(want), "weft", string(r.stderr)))
			}
		})
	}
}
