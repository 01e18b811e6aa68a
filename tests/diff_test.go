// Package tests holds weft's differential test suite: every C program in
// tests/c is cross-compiled to a static riscv64 binary and run both under
// weft and under qemu-riscv64; stdout, stderr and the exit status must be
// identical.
//
// Requirements: make, riscv64-linux-gnu-gcc and qemu-riscv64
// (apt-get install -y gcc-riscv64-linux-gnu qemu-user). Missing tools fail
// the run; nothing is skipped.
//
// Set WEFT_BIN to an existing weft binary to test it instead of building
// weft/cmd/weft. tests/qemu-weft.sh is a stand-in that runs programs under
// qemu, useful for checking the suite itself.
//
// Per-program options live in the leading // comment lines of the C file:
//
//	// args: one "two words" "" 'single'   extra argv entries
//	// stdin: FILENAME                     file in tests/c fed to stdin
//
// Arguments are separated by spaces or tabs; double quotes group (and may
// be empty), and inside double quotes \" and \\ are escapes. Everything
// else, single quotes included, is literal.
package tests

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"weft/internal/kernel"
)

// guestEnv is the environment weft gives every guest (it does not pass the host's
// through), in order; qemu runs with the same (and a current directory of /home/user).
var guestEnv = kernel.DefaultEnv

const (
	// runTimeout only catches a hung run (a qemu that never returns, a weft bug): no
	// test's verdict depends on how fast the machine is, so the margin is large enough
	// for --step 1 runs on two cores shared with other work. Guest runs that must be
	// bounded are bounded by --max-insns.
	runTimeout  = 10 * time.Minute
	maxParallel = 2 // the test machine has two cores
)

var (
	repoRoot string // the weft module root
	cDir     string // tests/c
	binDir   string // tests/c/bin
	weftBin  string // absolute path of the weft binary under test
	qemuEnv  []string
	slots    = make(chan struct{}, maxParallel)
)

var requiredTools = []string{"make", "riscv64-linux-gnu-gcc", "qemu-riscv64"}

func TestMain(m *testing.M) {
	os.Exit(setupAndRun(m))
}

func setupAndRun(m *testing.M) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "tests: "+format+"\n", args...)
		return 1
	}
	var missing []string
	for _, tool := range requiredTools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		return fail("missing required tools: %s\n"+
			"install them with: apt-get install -y make gcc-riscv64-linux-gnu qemu-user",
			strings.Join(missing, ", "))
	}

	wd, err := os.Getwd()
	if err != nil {
		return fail("%v", err)
	}
	repoRoot = filepath.Dir(wd) // go test runs in the package directory, tests/
	cDir = filepath.Join(repoRoot, "tests", "c")
	binDir = filepath.Join(cDir, "bin")

	if out, err := exec.Command("make", "-s", "-C", cDir).CombinedOutput(); err != nil {
		return fail("building the C test programs failed: %v\n%s", err, out)
	}

	tmp, err := os.MkdirTemp("", "weft-tests-")
	if err != nil {
		return fail("%v", err)
	}
	defer os.RemoveAll(tmp)

	if env := os.Getenv("WEFT_BIN"); env != "" {
		weftBin, err = filepath.Abs(env)
		if err != nil {
			return fail("WEFT_BIN: %v", err)
		}
		if _, err := os.Stat(weftBin); err != nil {
			return fail("WEFT_BIN: %v", err)
		}
	} else {
		weftBin = filepath.Join(tmp, "weft")
		cmd := exec.Command("go", "build", "-o", weftBin, "weft/cmd/weft")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			return fail("go build weft/cmd/weft failed: %v\n%s", err, out)
		}
	}

	if qemuEnv, err = probeQemuEnv(); err != nil {
		return fail("%v", err)
	}
	return m.Run()
}

// probeQemuEnv works out how to launch qemu-riscv64 so that the guest sees
// guestEnv in exactly weft's order. qemu-user copies its own environment to
// the guest, but version 7.2 reverses the order on the way.
func probeQemuEnv() ([]string, error) {
	probe := []string{"WEFT_PROBE_1=a", "WEFT_PROBE_2=b", "WEFT_PROBE_3=c"}
	cmd := exec.Command("qemu-riscv64", filepath.Join(binDir, "_envprobe"))
	cmd.Env = probe
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("running the environment probe under qemu: %v", err)
	}
	var got []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "WEFT_PROBE_") {
			got = append(got, line)
		}
	}
	switch {
	case equalStrings(got, probe):
		return guestEnv, nil
	case equalStrings(got, reversed(probe)):
		return reversed(guestEnv), nil
	}
	return nil, fmt.Errorf("qemu-riscv64 passed the environment %q as %q; cannot reproduce weft's order", probe, got)
}

func reversed(s []string) []string {
	r := make([]string, len(s))
	for i, v := range s {
		r[len(s)-1-i] = v
	}
	return r
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// program is one differential test: a C file in tests/c and its options.
type program struct {
	name  string   // file name without .c
	path  string   // absolute path of the built binary
	args  []string // extra argv, after argv[0]
	stdin string   // absolute path of a file for stdin, or ""
}

// programs lists the test programs in tests/c; helpers whose names start
// with '_' are left out unless withHelpers is set.
func programs(t *testing.T, withHelpers bool) []program {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(cDir, "*.c"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var progs []program
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".c")
		if strings.HasPrefix(name, "_") && !withHelpers {
			continue
		}
		p, err := parseProgram(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		progs = append(progs, p)
	}
	if len(progs) == 0 {
		t.Fatalf("no test programs found in %s", cDir)
	}
	return progs
}

func parseProgram(file string) (program, error) {
	name := strings.TrimSuffix(filepath.Base(file), ".c")
	p := program{name: name, path: filepath.Join(binDir, name)}
	f, err := os.Open(file)
	if err != nil {
		return p, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "//") {
			break // options only appear in the leading comment block
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "//"))
		switch {
		case strings.HasPrefix(line, "args:"):
			args, err := splitArgs(strings.TrimPrefix(line, "args:"))
			if err != nil {
				return p, fmt.Errorf("args: %v", err)
			}
			p.args = append(p.args, args...)
		case strings.HasPrefix(line, "stdin:"):
			in := strings.TrimSpace(strings.TrimPrefix(line, "stdin:"))
			if in == "" {
				return p, errors.New("stdin: missing file name")
			}
			p.stdin = filepath.Join(cDir, in)
			if _, err := os.Stat(p.stdin); err != nil {
				return p, fmt.Errorf("stdin: %v", err)
			}
		}
	}
	return p, sc.Err()
}

// splitArgs splits an "// args:" line; see the package comment.
func splitArgs(s string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inArg, inQuote := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			i++
			cur.WriteByte(s[i])
		case c == '"':
			inQuote = !inQuote
			inArg = true
		case !inQuote && (c == ' ' || c == '\t'):
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inQuote {
		return nil, errors.New("unterminated double quote")
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}

// result is what one run of a program produced.
type result struct {
	stdout, stderr []byte
	status         string // "exit N", "signal: ...", or a description of a failure to run
	exitCode       int    // -1 unless the process exited normally
}

// run executes argv with the given environment, stdin file and working
// directory, bounded by runTimeout.
func run(argv, env []string, stdin, dir string) result {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if stdin != "" {
		f, err := os.Open(stdin)
		if err != nil {
			return result{status: "cannot open stdin: " + err.Error(), exitCode: -1}
		}
		defer f.Close()
		cmd.Stdin = f
	}
	err := cmd.Run()
	r := result{stdout: stdout.Bytes(), stderr: stderr.Bytes(), exitCode: -1}
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		r.status = fmt.Sprintf("timed out after %v", runTimeout)
	case err == nil:
		r.exitCode = 0
		r.status = "exit 0"
	case errors.As(err, &exitErr):
		r.exitCode = exitErr.ExitCode()
		if r.exitCode >= 0 {
			r.status = fmt.Sprintf("exit %d", r.exitCode)
		} else {
			r.status = exitErr.ProcessState.String() // e.g. "signal: segmentation fault"
		}
	default:
		r.status = "failed to run: " + err.Error()
	}
	return r
}

// runWeft runs p under weft with the host's user and group IDs (weft's
// default is uid/gid 1000). qemu-riscv64 runs programs with the host's
// credentials, which are root in CI and a normal user on a developer's
// machine; with the same IDs on both sides, permission checks (access(2)
// on a mode 000 file, lowering a nice value, setuid to another user) give
// the same answers whoever runs the suite. Programs still never print ID
// values, and never the supplementary groups, which weft does not copy
// from the host. weft's behaviour as a fixed non-root user is checked by
// tests/expect (expect_test.go).
func runWeft(p program, dir string) result {
	argv := []string{weftBin, "run",
		"--uid", strconv.Itoa(os.Getuid()), "--gid", strconv.Itoa(os.Getgid()), p.path}
	if standIn() {
		argv = []string{weftBin, "run", p.path} // qemu-weft.sh takes no flags
	}
	argv = append(argv, p.args...)
	return run(argv, os.Environ(), p.stdin, dir)
}

func runQemu(p program, dir string) result {
	argv := append([]string{"qemu-riscv64", p.path}, p.args...)
	return run(argv, qemuEnv, p.stdin, dir)
}

// standIn reports whether WEFT_BIN is tests/qemu-weft.sh, the stand-in that
// runs programs under qemu (with the host's IDs already).
func standIn() bool { return filepath.Base(weftBin) == "qemu-weft.sh" }

// acquire limits how many programs run at once, whatever -parallel says.
func acquire(t *testing.T) {
	slots <- struct{}{}
	t.Cleanup(func() { <-slots })
}

func TestDiff(t *testing.T) {
	for _, p := range programs(t, false) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			dir := t.TempDir()
			want := runQemu(p, dir)
			got := runWeft(p, dir)
			if strings.HasPrefix(want.status, "timed out") || strings.HasPrefix(want.status, "failed") {
				t.Fatalf("reference run under qemu-riscv64: %s\nstderr:\n%s", want.status, want.stderr)
			}
			compare(t, "qemu", want, "weft", got)
		})
	}
}

// determinismPrograms are run twice under weft and must produce
// byte-identical results. _layout prints addresses, which a deterministic
// kernel must reproduce exactly.
var determinismPrograms = []string{"hello", "malloc", "mmap", "brk", "fenv", "atomics", "env", "_layout"}

func TestDeterminism(t *testing.T) {
	all := map[string]program{}
	for _, p := range programs(t, true) {
		all[p.name] = p
	}
	for _, name := range determinismPrograms {
		p, ok := all[name]
		if !ok {
			t.Errorf("determinism program %s.c not found in %s", name, cDir)
			continue
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			dir := t.TempDir()
			first := runWeft(p, dir)
			second := runWeft(p, dir)
			if first.exitCode < 0 {
				t.Fatalf("weft: %s\nstderr:\n%s", first.status, first.stderr)
			}
			compare(t, "first run", first, "second run", second)
		})
	}
}

// compare reports every difference between two results.
func compare(t *testing.T, aName string, a result, bName string, b result) {
	t.Helper()
	var msgs []string
	if a.status != b.status {
		msgs = append(msgs, fmt.Sprintf("exit status differs: %s: %s, %s: %s", aName, a.status, bName, b.status))
	}
	for _, s := range []struct {
		name string
		a, b []byte
	}{{"stdout", a.stdout, b.stdout}, {"stderr", a.stderr, b.stderr}} {
		if !bytes.Equal(s.a, s.b) {
			msgs = append(msgs, fmt.Sprintf("%s differs (%d bytes from %s, %d bytes from %s):\n%s",
				s.name, len(s.a), aName, len(s.b), bName,
				lineDiff(aName, string(s.a), bName, string(s.b))))
		}
	}
	if len(msgs) > 0 {
		if a.status == b.status {
			msgs = append(msgs, fmt.Sprintf("exit status (same): %s", a.status))
		}
		t.Error(strings.Join(msgs, "\n"))
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	hello, err := os.ReadFile(filepath.Join(binDir, "hello"))
	if err != nil {
		t.Fatal(err)
	}
	// A 32-bit RISC-V ELF: the toolchain has no rv32 libraries, so take the
	// 64-bit binary and change e_ident[EI_CLASS] to ELFCLASS32.
	elf32 := bytes.Clone(hello)
	elf32[4] = 1
	hostTrue, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name string
		path string
		want []string // substrings of stderr, compared case-insensitively
	}{
		{"missing file", filepath.Join(dir, "does-not-exist"), []string{"no such file"}},
		{"text file", write("script.txt", []byte("#!/bin/sh\necho this is not an ELF file\n")), []string{"not an ELF"}},
		{"empty file", write("empty", nil), []string{"not an ELF"}},
		{"dynamically linked", filepath.Join(binDir, "dynamic"), []string{"dynamically linked", "-static"}},
		{"wrong machine", hostTrue, []string{"RISC-V"}},
		{"32-bit", write("elf32", elf32), []string{"64-bit"}},
		{"truncated ELF", write("truncated", hello[:100]), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run([]string{weftBin, "run", c.path}, os.Environ(), "", dir)
			stderr := string(r.stderr)
			want := 126 // weft cannot run it
			if c.name == "missing file" {
				want = 127
			}
			if r.exitCode != want {
				t.Errorf("want exit status %d, got %s", want, r.status)
			}
			if strings.Contains(stderr, "panic:") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("weft panicked")
			}
			if !strings.HasPrefix(stderr, "weft: ") {
				t.Errorf(`stderr does not start with "weft: "`)
			}
			for _, w := range c.want {
				if !strings.Contains(strings.ToLower(stderr), strings.ToLower(w)) {
					t.Errorf("stderr does not mention %q", w)
				}
			}
			if t.Failed() {
				t.Logf("%s: stderr:\n%s", r.status, stderr)
			}
		})
	}
}
