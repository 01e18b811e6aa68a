package tests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestNamespaceDeterminism runs the PID, user and mount namespace programs of tests/expect
// twice with the same seed on four CPUs, with strace: the runs must be identical, and
// what the programs print must still be what Linux's semantics say (the .root.out
// expectation), whatever the interleaving of their processes.
func TestNamespaceDeterminism(t *testing.T) {
	skipStandIn(t)
	dir := filepath.Join(repoRoot, "tests", "expect")
	if out, err := exec.Command("make", "-s", "-C", dir, "bin/pidns", "bin/userns", "bin/mntns").CombinedOutput(); err != nil {
		t.Fatalf("building tests/expect/bin/pidns, userns and mntns failed: %v\n%s", err, out)
	}
	for _, name := range []string{"pidns", "userns", "mntns"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			want, err := os.ReadFile(filepath.Join(dir, name+".root.out"))
			if err != nil {
				t.Fatal(err)
			}
			scratch := t.TempDir()
			flags := []string{"--uid", "0", "--gid", "0", "--cpus", "4", "--seed", "5", "--strace"}
			bin := filepath.Join(dir, "bin", name)
			first := run(append(append([]string{weftBin, "run"}, flags...), bin), os.Environ(), "", scratch)
			second := run(append(append([]string{weftBin, "run"}, flags...), bin), os.Environ(), "", scratch)
			if first.exitCode != 0 {
				t.Fatalf("weft: %s\nstderr:\n%s", first.status, tail(first.stderr, 2000))
			}
			compare(t, "first run", first, "second run", second)
			if !bytes.Equal(first.stdout, want) {
				t.Errorf("stdout with --cpus 4 --seed 5:\n%s", lineDiff(name+".root.out", string(want), "weft", string(first.stdout)))
			}
		})
	}
}
