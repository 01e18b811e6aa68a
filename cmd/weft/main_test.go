package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// guest returns the path of a test program built by `make -C tests/c`.
func guest(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "tests", "c", "bin", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is not built: run `make -C tests/c` (scripts/test.sh does): %v", p, err)
	}
	return p
}

func runWeft(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = weft(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "usage: weft run"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"run"}, "no program given"},
		{[]string{"run", "--no-such-flag", "x"}, "flag provided but not defined: -no-such-flag"},
		{[]string{"run", "--cpus", "0", "x"}, "--cpus 0: must be between 1 and 64"},
		{[]string{"run", "--max-memory", "lots", "x"}, `--max-memory "lots"`},
		{[]string{"run", "--env", "NOEQUALS", "x"}, `"NOEQUALS" is not K=V`},
		{[]string{"run", "/no/such/program"}, "weft: /no/such/program: no such file or directory"},
	}
	for _, tt := range tests {
		code, _, stderr := runWeft(tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("weft %q = exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr, exitUsage, tt.want)
		}
	}
}

func TestHelp(t *testing.T) {
	code, stdout, _ := runWeft("help")
	if code != 0 || !strings.Contains(stdout, "-max-insns") {
		t.Errorf("weft help = exit %d, %q; want 0 and the flag list", code, stdout)
	}
}

func TestMaxInsnsStopsARunawayGuest(t *testing.T) {
	code, _, stderr := runWeft("run", "--max-insns", "200000", guest(t, "_spin"))
	if code != exitInsnLimit || !strings.Contains(stderr, "weft: stopped the guest after 200000 instructions (--max-insns)") {
		t.Errorf("spin under --max-insns = exit %d, stderr %q", code, stderr)
	}
}

func TestFaultKillsWithReport(t *testing.T) {
	code, stdout, stderr := runWeft("run", guest(t, "_segv"))
	if code != 128+11 {
		t.Errorf("exit status = %d, want %d (128+SIGSEGV)", code, 128+11)
	}
	if stdout != "about to fault\n" {
		t.Errorf("stdout = %q, want only the line before the fault", stdout)
	}
	want := "weft: pid 1 killed by SIGSEGV: store to unmapped address 0x10 at pc 0x"
	if !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "(main+0x") {
		t.Errorf("stderr = %q, want it to start with %q and name main", stderr, want)
	}
}

func TestUnimplementedSyscallNoticedOnce(t *testing.T) {
	code, stdout, stderr := runWeft("run", guest(t, "_enosys"))
	if code != 0 {
		t.Fatalf("exit status = %d, want 0", code)
	}
	if strings.Count(stdout, "Function not implemented") != 3 {
		t.Errorf("stdout = %q, want three ENOSYS results", stdout)
	}
	if n := strings.Count(stderr, "system call acct (89) is not implemented"); n != 1 {
		t.Errorf("acct notices = %d, want exactly 1; stderr %q", n, stderr)
	}
	if !strings.Contains(stderr, "syscall_4000 (4000) is not implemented") {
		t.Errorf("stderr = %q, want a notice for syscall 4000", stderr)
	}
}

func TestEnvAndSeed(t *testing.T) {
	hello := guest(t, "env")
	_, a, _ := runWeft("run", "--env", "HOME=/elsewhere", "--env", "EXTRA=1", hello)
	if !strings.Contains(a, "/elsewhere") {
		t.Errorf("--env HOME=/elsewhere did not replace HOME: %q", a)
	}
	_, b, _ := runWeft("run", "--env", "HOME=/elsewhere", "--env", "EXTRA=1", hello)
	if a != b {
		t.Errorf("two identical runs differ")
	}
}

func TestStrace(t *testing.T) {
	code, _, stderr := runWeft("run", "--strace", guest(t, "hello"))
	if code != 0 {
		t.Fatalf("exit status = %d", code)
	}
	for _, want := range []string{"[pid 1] brk(NULL) = 0x", "[pid 1] write(1, \"", "[pid 1] exit_group(0) = ?"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("strace output lacks %q:\n%s", want, stderr)
		}
	}
}

func TestSyscallsList(t *testing.T) {
	code, stdout, _ := runWeft("syscalls")
	if code != 0 {
		t.Fatalf("weft syscalls = exit %d", code)
	}
	for _, want := range []string{"220  clone", "98   futex", "mmap", "partial", "system calls; any other returns ENOSYS"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("weft syscalls lacks %q", want)
		}
	}
}

func TestGuestProfile(t *testing.T) {
	if os.Getenv("WEFT_ENGINE") == "interp" {
		t.Skip("the interpreter does not count instructions by address")
	}
	path := filepath.Join(t.TempDir(), "guest.prof")
	code, _, stderr := runWeft("run", "--guest-profile", path, guest(t, "hello"))
	if code != 0 {
		t.Fatalf("exit status = %d; stderr:\n%s", code, stderr)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("the profile is not gzipped pprof: %v", err)
	}
	raw, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"instructions", "main", "__libc_start_main"} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("the profile names no %q", want)
		}
	}
}
