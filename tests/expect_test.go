package tests

// Expected-output tests: the programs in tests/expect exercise what
// qemu-riscv64 cannot be the oracle for (execve of guest paths, weft's fixed
// credentials, RLIMIT_NPROC, deadlock reports, /proc, --mount). Each runs
// under weft only, and its output is compared with an expectation written
// by hand from the man pages (each .c file says which rules it checks).
//
// Layout of tests/expect:
//
//	PROG.c            a program; make -C tests/expect builds bin/PROG
//	CASE.out          one test case: the expected standard output and
//	                  standard error, combined in the order weft wrote them
//	CASE.args         optional: weft flags, one per line (blank lines are
//	                  ignored); after a line "--", the guest's extra
//	                  arguments, one per line, taken literally (a blank line
//	                  is an empty argument). $TMP stands for the case's
//	                  scratch directory on the host.
//	CASE.code         optional: the expected exit status of weft (default 0)
//
// CASE is PROG or PROG.VARIANT: creds.out and creds.root.out both run
// bin/creds, the second with creds.root.args.
//
// Before comparing, the output is normalized in two ways, so that the
// expectations do not depend on weft's inode numbering or on where the
// linker put code:
//
//   - pipe:[INODE] becomes pipe:[#1], pipe:[#2], ... numbered in order of
//     first appearance, and socket:[INODE] likewise in the same numbering (so a
//     program printing its pipes' inodes and weft's
//     deadlock report still have to agree about which pipe is which);
//   - in weft's fault notices ("weft: pid N killed by SIG...: ..."), every
//     hexadecimal number becomes 0x?.
//
// go test ./tests -run TestExpect -update rewrites the .out and .code files
// from weft's (normalized) output; review every changed line against the man
// pages before committing it.

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var expectUpdate = flag.Bool("update", false, "TestExpect: rewrite tests/expect/*.out and *.code from weft's output")

// expectCase is one test case in tests/expect.
type expectCase struct {
	name      string   // CASE
	bin       string   // absolute path of bin/PROG
	weftFlags []string // from CASE.args, before "--" ($TMP not yet substituted)
	guestArgs []string // from CASE.args, after "--"
	out       string   // path of CASE.out
	code      int      // from CASE.code
}

// expectHooks prepare a case's scratch directory before the run and check
// it afterwards, for the cases that need host files.
var expectHooks = map[string]struct {
	setup func(t *testing.T, dir string)
	check func(t *testing.T, dir string)
}{
	"mount.ro": {setup: mountSetup, check: mountCheckRO},
	"mount.rw": {setup: mountSetup, check: mountCheckRW},
	// The scratch directory, mode 0700 and owned by whoever runs the tests, is the
	// mount: only an idmapped mount lets the guest (uid 4242) in.
	"mount_ids":     {setup: func(t *testing.T, dir string) { os.Chmod(dir, 0o700) }},
	"mount_ids.raw": {setup: func(t *testing.T, dir string) { os.Chmod(dir, 0o700) }},
	// Programs weft cannot load: a dynamically linked one (no interpreter without a
	// guest root) and the host's own true, an ELF file for another machine.
	"exec_errors": {setup: func(t *testing.T, dir string) {
		hostTrue, err := exec.LookPath("true")
		if err != nil {
			t.Fatal(err)
		}
		for src, dst := range map[string]string{filepath.Join(binDir, "dynamic"): "dynamic", hostTrue: "host-true"} {
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, dst), data, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}},
}

func expectCases(t *testing.T, dir string) []expectCase {
	t.Helper()
	outs, err := filepath.Glob(filepath.Join(dir, "*.out"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(outs)
	var cases []expectCase
	for _, out := range outs {
		name := strings.TrimSuffix(filepath.Base(out), ".out")
		prog, _, _ := strings.Cut(name, ".")
		if _, err := os.Stat(filepath.Join(dir, prog+".c")); err != nil {
			t.Fatalf("%s: no program %s.c for it", out, prog)
		}
		c := expectCase{name: name, bin: filepath.Join(dir, "bin", prog), out: out}
		if data, err := os.ReadFile(filepath.Join(dir, name+".args")); err == nil {
			guest := false
			for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
				switch {
				case guest:
					c.guestArgs = append(c.guestArgs, line)
				case line == "--":
					guest = true
				case strings.TrimSpace(line) != "":
					c.weftFlags = append(c.weftFlags, strings.TrimSpace(line))
				}
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if data, err := os.ReadFile(filepath.Join(dir, name+".code")); err == nil {
			if c.code, err = strconv.Atoi(strings.TrimSpace(string(data))); err != nil {
				t.Fatalf("%s.code: %v", name, err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		t.Fatalf("no test cases (*.out) in %s", dir)
	}
	return cases
}

var (
	pipeInode = regexp.MustCompile(`(pipe|socket):\[(\d+)\]`)
	faultLine = regexp.MustCompile(`(?m)^weft: pid \d+ killed by SIG[A-Z0-9]+: .*$`)
	hexNumber = regexp.MustCompile(`0x[0-9a-f]+`)
)

// normalizeExpect applies the normalizations described at the top of the file.
func normalizeExpect(s string) string {
	seen := map[string]int{}
	s = pipeInode.ReplaceAllStringFunc(s, func(m string) string {
		sm := pipeInode.FindStringSubmatch(m)
		ino := sm[2]
		if _, ok := seen[ino]; !ok {
			seen[ino] = len(seen) + 1
		}
		return fmt.Sprintf("%s:[#%d]", sm[1], seen[ino])
	})
	return faultLine.ReplaceAllStringFunc(s, func(line string) string {
		return hexNumber.ReplaceAllString(line, "0x?")
	})
}

// runExpect runs weft on one case and returns its combined output and exit
// status (-1 with a description if it did not exit normally).
func runExpect(c expectCase, scratch string) (out string, code int, status string) {
	var argv []string
	for _, f := range c.weftFlags {
		argv = append(argv, strings.ReplaceAll(f, "$TMP", scratch))
	}
	argv = append(append([]string{"run"}, argv...), c.bin)
	for _, a := range c.guestArgs {
		argv = append(argv, strings.ReplaceAll(a, "$TMP", scratch))
	}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, weftBin, argv...)
	cmd.Dir = scratch
	cmd.WaitDelay = runTimeout / 6
	var buf bytes.Buffer
	cmd.Stdout = &buf // one pipe for both: the order weft wrote in is kept
	cmd.Stderr = &buf
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return buf.String(), -1, fmt.Sprintf("timed out after %v", runTimeout)
	case err == nil:
		return buf.String(), 0, "exit 0"
	case errors.As(err, &exitErr) && exitErr.ExitCode() >= 0:
		return buf.String(), exitErr.ExitCode(), fmt.Sprintf("exit %d", exitErr.ExitCode())
	}
	return buf.String(), -1, err.Error()
}

func TestExpect(t *testing.T) {
	if standIn() {
		t.Skip("tests/expect checks weft itself; qemu-weft.sh cannot stand in for it")
	}
	dir := filepath.Join(repoRoot, "tests", "expect")
	if out, err := exec.Command("make", "-s", "-j2", "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("building the programs in tests/expect failed: %v\n%s", err, out)
	}
	for _, c := range expectCases(t, dir) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			scratch := t.TempDir()
			hook := expectHooks[c.name]
			if hook.setup != nil {
				hook.setup(t, scratch)
			}
			raw, code, status := runExpect(c, scratch)
			got := normalizeExpect(raw)
			if strings.Contains(got, "panic:") || strings.Contains(got, "goroutine ") {
				t.Errorf("weft panicked:\n%s", got)
			}
			if *expectUpdate {
				if code < 0 {
					t.Fatalf("%s; not updating\n%s", status, got)
				}
				if err := os.WriteFile(c.out, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				codeFile := strings.TrimSuffix(c.out, ".out") + ".code"
				var err error
				if code != 0 {
					err = os.WriteFile(codeFile, []byte(strconv.Itoa(code)+"\n"), 0o644)
				} else if err = os.Remove(codeFile); errors.Is(err, os.ErrNotExist) {
					err = nil
				}
				if err != nil {
					t.Fatal(err)
				}
			} else {
				want, err := os.ReadFile(c.out)
				if err != nil {
					t.Fatal(err)
				}
				if code != c.code {
					t.Errorf("exit status: want %d, got %s", c.code, status)
				}
				if got != string(want) {
					t.Errorf("output (stdout and stderr) differs:\n%s",
						lineDiff("expected", string(want), "weft", got))
				}
			}
			if hook.check != nil {
				hook.check(t, scratch)
			}
		})
	}
}

// The host directory mounted by the mount cases (see tests/expect/mount.c).
// Every mode is spelled out, whatever the umask, so that only the mount's
// read-only flag can make a change fail.
func mountSetup(t *testing.T, dir string) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	file := func(name, data string) {
		p := filepath.Join(dir, name)
		must(os.WriteFile(p, []byte(data), 0o666))
		must(os.Chmod(p, 0o666))
	}
	must(os.Chmod(dir, 0o777))
	must(os.Mkdir(filepath.Join(dir, "sub"), 0o777))
	must(os.Chmod(filepath.Join(dir, "sub"), 0o777))
	file("hello.txt", "hello from the host\n")
	file("delete-me", "")
	file("sub/nested.txt", "nested\n")
	must(os.Symlink("/etc/shadow", filepath.Join(dir, "link")))
	must(os.Symlink("hello.txt", filepath.Join(dir, "rel")))
	must(os.Symlink("../../../../../etc", filepath.Join(dir, "up")))
}

// mountListing describes the host directory: name, kind and contents.
func mountListing(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			fmt.Fprintf(&b, "%s -> %s\n", rel, target)
		case fi.IsDir():
			fmt.Fprintf(&b, "%s/\n", rel)
		default:
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, "%s %q\n", rel, data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func mountCheck(t *testing.T, dir, want string) {
	t.Helper()
	if got := mountListing(t, dir); got != want {
		t.Errorf("host directory afterwards differs:\n%s", lineDiff("expected", want, "host", got))
	}
}

func mountCheckRO(t *testing.T, dir string) {
	mountCheck(t, dir, `./
delete-me ""
hello.txt "hello from the host\n"
link -> /etc/shadow
rel -> hello.txt
sub/
sub/nested.txt "nested\n"
up -> ../../../../../etc
`)
}

func mountCheckRW(t *testing.T, dir string) {
	mountCheck(t, dir, `./
hello.txt "hello from the host\nappended\n"
link -> /etc/shadow
newdir/
newdir/inner ""
newlink -> hello.txt
out.txt "written by the guest\n"
rel -> hello.txt
renamed.txt "nested\n"
trunc.txt "0123\x00\x00Z"
up -> ../../../../../etc
`)
}
