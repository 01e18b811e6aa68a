package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
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
		code int
	}{
		{nil, "usage: weft run", exitUsage},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`, exitUsage},
		{[]string{"run"}, "no program given", exitUsage},
		{[]string{"run", "--no-such-flag", "x"}, "weft: run: unknown flag --no-such-flag ('weft run --help' lists the flags)\n", exitUsage},
		{[]string{"run", "--max-insn", "5", "x"}, "unknown flag --max-insn (did you mean --max-insns?", exitUsage},
		{[]string{"run", "--cpus", "x", "y"}, `invalid value "x" for flag --cpus`, exitUsage},
		{[]string{"run", "--cpus", "0", "x"}, "--cpus 0: must be between 1 and 64", exitUsage},
		{[]string{"run", "--max-memory", "lots", "x"}, `--max-memory "lots"`, exitUsage},
		{[]string{"run", "--max-memory", "17179869184G", "x"}, "too large", exitUsage},
		{[]string{"run", "--max-memory", "1K", "x"}, "too small", exitUsage},
		{[]string{"run", "--clock-start", "yesterday", "x"}, `--clock-start "yesterday"`, exitUsage},
		{[]string{"run", "--env", "NOEQUALS", "x"}, `"NOEQUALS" is not K=V`, exitUsage},
		{[]string{"run", "/no/such/program"}, "weft: /no/such/program: no such file or directory", exitNotFound},
		{[]string{"run", "--max-memory", "64K", "../../tests/c/bin/hello"}, "--max-memory 64K is too small to load the program", exitCannotRun},
	}
	for _, tt := range tests {
		code, _, stderr := runWeft(tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("weft %q = exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
		if tt.args != nil && strings.Count(stderr, "\n") > 1 {
			t.Errorf("weft %q: %d lines on stderr, want one:\n%s", tt.args, strings.Count(stderr, "\n"), stderr)
		}
	}
}

// TestEngineEnv: a WEFT_ENGINE that names no engine of this host is a usage error that
// lists the valid ones (and on a host other than amd64, says why jit is not one).
func TestEngineEnv(t *testing.T) {
	t.Setenv("WEFT_ENGINE", "turbo")
	code, _, stderr := runWeft("run", "../../tests/c/bin/hello")
	if code != exitUsage || !strings.Contains(stderr, "weft: WEFT_ENGINE=turbo: no such engine on this host (valid: interp, block") {
		t.Errorf("WEFT_ENGINE=turbo: exit %d, stderr %q; want a usage error naming the engines", code, stderr)
	}
	t.Setenv("WEFT_ENGINE", "jit")
	code, _, stderr = runWeft("version")
	if runtime.GOARCH == "amd64" && (code != 0 || stderr != "") {
		t.Errorf("WEFT_ENGINE=jit on amd64: exit %d, stderr %q; want 0", code, stderr)
	}
	if runtime.GOARCH != "amd64" && (code != exitUsage || !strings.Contains(stderr, "amd64 hosts only")) {
		t.Errorf("WEFT_ENGINE=jit on %s: exit %d, stderr %q; want a usage error", runtime.GOARCH, code, stderr)
	}
}

func TestHelp(t *testing.T) {
	code, stdout, _ := runWeft("help")
	if code != 0 || !strings.Contains(stdout, "weft run --help") {
		t.Errorf("weft help = exit %d, %q; want 0 and the commands", code, stdout)
	}
	for _, args := range [][]string{{"run", "--help"}, {"run", "-h"}, {"help", "run"}} {
		code, stdout, stderr := runWeft(args...)
		if code != 0 || stderr != "" || !strings.Contains(stdout, "usage: weft run") ||
			!strings.Contains(stdout, "\n  --max-insns N\n") || !strings.Contains(stdout, "virtual") {
			t.Errorf("weft %q = exit %d, stdout %q, stderr %q; want the run synopsis and --flags on stdout", args, code, stdout, stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runWeft("--version")
	if code != 0 || !strings.HasPrefix(stdout, "weft ") || !strings.Contains(stdout, "go1.") {
		t.Errorf("weft --version = exit %d, %q; want weft's version and Go's", code, stdout)
	}
}

func TestClockStart(t *testing.T) {
	fixed := func() time.Time { return time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC) }
	for _, tt := range []struct {
		in   string
		want uint64
	}{
		{"", 0},
		{"now", uint64(fixed().UnixNano())},
		{"@86400", 86400e9},
		{"2026-01-01", 1767225600e9},
		{"2000-02-03T04:05:06Z", uint64(time.Date(2000, 2, 3, 4, 5, 6, 0, time.UTC).UnixNano())},
	} {
		got, err := parseClockStart(tt.in, fixed)
		if err != nil || got != tt.want {
			t.Errorf("parseClockStart(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"tomorrow", "@x", "1969-12-31", "2500-01-01"} {
		if _, err := parseClockStart(bad, fixed); err == nil {
			t.Errorf("parseClockStart(%q) accepted", bad)
		}
	}
}

func TestMaxInsnsStopsARunawayGuest(t *testing.T) {
	code, _, stderr := runWeft("run", "--max-insns", "200000", guest(t, "_spin"))
	if code != exitInsnLimit || !strings.Contains(stderr, "weft: stopped the guest at --max-insns 200000: ") {
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
	want := "weft: pid 2 killed by SIGSEGV: store to unmapped address 0x10 at pc 0x"
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
	for _, want := range []string{"[pid 2] brk(NULL) = 0x", "[pid 2] write(1, \"", "[pid 2] exit_group(0) = ?"} {
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

// strace(1)'s conventions: signal deliveries, task ends, filters, -o.
func TestStraceConventions(t *testing.T) {
	code, _, stderr := runWeft("run", "--strace", guest(t, "_segv"))
	if code != 128+11 {
		t.Errorf("exit %d", code)
	}
	for _, want := range []string{"[pid 2] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---\n",
		"[pid 2] +++ killed by SIGSEGV +++\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("--strace of _segv lacks %q:\n%s", want, stderr)
		}
	}
	_, _, stderr = runWeft("run", "--strace-e", "trace=write,%memory", guest(t, "thr_signals"))
	for _, want := range []string{"] write(1, ", "] brk(NULL) = 0x", "] mmap(NULL, ", "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x",
		"--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=", "+++ exited with 0 +++"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("--strace-e trace=write,%%memory lacks %q:\n%s", want, stderr)
		}
	}
	for _, not := range []string{"] clone(", "] wait4(", "] exit_group("} {
		if strings.Contains(stderr, not) {
			t.Errorf("--strace-e trace=write,%%memory shows %q:\n%s", not, stderr)
		}
	}
	_, _, stderr = runWeft("run", "--strace-e", "!%memory,%signal", guest(t, "hello"))
	if strings.Contains(stderr, "] brk(") || !strings.Contains(stderr, "] write(1, ") {
		t.Errorf("--strace-e '!%%memory,%%signal':\n%s", stderr)
	}
	code, _, stderr = runWeft("run", "--strace-e", "trace=frobnicate", guest(t, "hello"))
	if code != exitUsage || !strings.Contains(stderr, `unknown system call "frobnicate"`) {
		t.Errorf("unknown name: exit %d, %q", code, stderr)
	}
	out := filepath.Join(t.TempDir(), "strace.txt")
	code, _, stderr = runWeft("run", "--strace-o", out, guest(t, "hello"))
	data, err := os.ReadFile(out)
	if code != 0 || err != nil || strings.Contains(stderr, "write(1") || !strings.Contains(string(data), "[pid 2] write(1, \"hello, world\\n\", 13) = 13\n") {
		t.Errorf("--strace-o: exit %d, %v, stderr %q, file:\n%s", code, err, stderr, data)
	}
}

// TestInterpreterOnly checks that the options that need the interpreter say so: a
// guest profile, which only the block engine counts, is refused with --race and
// --check (it was written empty), and --stats names the engine a run used.
func TestInterpreterOnly(t *testing.T) {
	for _, flag := range []string{"--race", "--check"} {
		path := filepath.Join(t.TempDir(), "guest.prof")
		code, _, stderr := runWeft("run", flag, "--guest-profile", path, guest(t, "hello"))
		if code != exitUsage || !strings.Contains(stderr, "not with --race or --check") {
			t.Errorf("weft run %s --guest-profile = %d, stderr:\n%s\nwant %d and the reason", flag, code, stderr, exitUsage)
		}
		if _, err := os.Stat(path); err == nil {
			t.Errorf("weft run %s --guest-profile wrote %s", flag, path)
		}
	}
	code, _, stderr := runWeft("run", "--race", "--stats", guest(t, "hello"))
	if code != 0 || !strings.Contains(stderr, ", interp engine\n") {
		t.Errorf("weft run --race --stats = %d, stderr:\n%s\nwant the interp engine named", code, stderr)
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
