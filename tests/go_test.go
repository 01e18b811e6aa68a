package tests

// Go programs (tests/go, built by make -C tests/go with the host's Go for
// GOOS=linux GOARCH=riscv64): the Go runtime needs epoll and an eventfd for
// its netpoller, futexes and several threads for its scheduler, signals for
// preemption and os/signal, and clone with CLONE_PIDFD, pidfd_open,
// pidfd_send_signal and waitid(P_PIDFD) for os/exec. Each program runs
// under weft; its output is compared with qemu-riscv64's where qemu can be
// the oracle, and otherwise with tests/go/NAME.out, written from what the
// program does on Linux. qemu-user cannot be the oracle for exec and
// signals: without binfmt_misc it cannot start the riscv64 child those
// programs re-execute (their own binary), and fails with ENOEXEC.
//
// Guest runs are bounded by instructions (--max-insns), never by time.

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var goPrograms = []struct {
	name  string
	flags []string // weft flags
	qemu  bool     // compare with qemu-riscv64; else with tests/go/NAME.out
}{
	{"timers", nil, false}, // qemu sleeps in real time: its wake order is a flaky oracle
	{"fileio", nil, true},
	{"goroutines", []string{"--cpus", "4"}, true},
	{"exec", nil, false},
	{"signals", nil, false},
	{"tcpecho", nil, true},
	{"httplocal", nil, true},
	{"unixsock", nil, true},
	{"ifaces", nil, true},
}

func TestGo(t *testing.T) {
	goDir := filepath.Join(repoRoot, "tests", "go")
	if out, err := exec.Command("make", "-s", "-C", goDir).CombinedOutput(); err != nil {
		t.Fatalf("building the Go test programs failed: %v\n%s", err, out)
	}
	for _, g := range goPrograms {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			bin := filepath.Join(goDir, "bin", g.name)
			argv := append([]string{weftBin, "run", "--max-insns", "4000000000"}, g.flags...)
			argv = append(argv, bin)
			if standIn() {
				argv = []string{weftBin, "run", bin}
			}
			dir := t.TempDir()
			got := run(argv, os.Environ(), "", dir)
			if g.qemu {
				want := run([]string{"qemu-riscv64", bin}, qemuEnv, "", dir)
				compare(t, "qemu", want, "weft", got)
				return
			}
			out, err := os.ReadFile(filepath.Join(goDir, g.name+".out"))
			if err != nil {
				t.Fatal(err)
			}
			want := result{stdout: out, status: "exit 0", exitCode: 0}
			got.stderr = nil // checked through the status: a Go panic exits 2
			compare(t, "expected", want, "weft", got)
		})
	}
}

// TestGoDeterminism runs a Go program that uses the netpoller, timers and several
// threads twice with the same seed: the system calls, their order and results, and
// the signals must be identical (--strace on standard error).
func TestGoDeterminism(t *testing.T) {
	if standIn() {
		t.Skip("checks weft itself")
	}
	goDir := filepath.Join(repoRoot, "tests", "go")
	if out, err := exec.Command("make", "-s", "-C", goDir, "bin/timers").CombinedOutput(); err != nil {
		t.Fatalf("building tests/go/bin/timers failed: %v\n%s", err, out)
	}
	acquire(t)
	argv := []string{weftBin, "run", "--max-insns", "4000000000", "--cpus", "4", "--strace", filepath.Join(goDir, "bin", "timers")}
	first := run(argv, os.Environ(), "", t.TempDir())
	second := run(argv, os.Environ(), "", t.TempDir())
	if first.exitCode != 0 {
		t.Fatalf("weft: %s\nstderr:\n%s", first.status, first.stderr)
	}
	compare(t, "first run", first, "second run", second)
}
