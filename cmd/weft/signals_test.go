package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	builtOnce sync.Once
	builtBin  string
	builtErr  error
)

// weftBinary builds weft once per test binary, for the tests that need a real process
// (signals, file descriptors).
func weftBinary(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "weft-cmd-test-")
		if err != nil {
			builtErr = err
			return
		}
		builtBin = filepath.Join(dir, "weft")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			builtErr = err
			builtBin = string(out)
		}
	})
	if builtErr != nil {
		t.Fatalf("go build: %v\n%s", builtErr, builtBin)
	}
	return builtBin
}

// startGuest starts weft on args and waits until the guest says "ready" on stdout.
func startGuest(t *testing.T, args ...string) (*exec.Cmd, *strings.Builder, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(weftBinary(t), args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(out)
	line, err := r.ReadString('\n')
	if line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("guest's first line %q (%v), want ready; stderr:\n%s", line, err, stderr.String())
	}
	go func() {
		rest := new(strings.Builder)
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			rest.Write(buf[:n])
			if err != nil {
				break
			}
		}
		stdout.WriteString(rest.String())
	}()
	return cmd, &stdout, &stderr
}

func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0
}

func validJSON(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Errorf("%s is not valid JSON after the run was interrupted: %v", path, err)
	}
}

// A SIGINT to weft reaches the guest's handler, which decides the exit status.
func TestSignalForwardedToGuest(t *testing.T) {
	cmd, _, stderr := startGuest(t, "run", guest(t, "_sigint"))
	cmd.Process.Signal(syscall.SIGINT)
	if code := exitCode(t, cmd); code != 3 {
		t.Errorf("exit %d, want 3 (the guest's handler exits 3); stderr:\n%s", code, stderr)
	}
}

// A guest that ignores SIGINT is ended by a second Ctrl-C within a second; the trace
// is finished and the summary printed, and weft exits 128+SIGINT.
func TestDoubleInterruptEndsRun(t *testing.T) {
	trace := filepath.Join(t.TempDir(), "t.json")
	cmd, _, stderr := startGuest(t, "run", "--summary", "--trace", trace, guest(t, "_sigint"), "ignore")
	// Two signals sent at once may merge into one (standard signals do not queue), so
	// keep interrupting, a fifth of a second apart, until weft ends the run.
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(200 * time.Millisecond):
				cmd.Process.Signal(syscall.SIGINT)
			}
		}
	}()
	code := exitCode(t, cmd)
	close(done)
	if code != 130 {
		t.Errorf("exit %d, want 130; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"interrupted twice", "total", "run ended by SIGINT"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	validJSON(t, trace)
}

// A guest killed by the forwarded signal: 128+N, and the trace is valid JSON.
func TestSignalKillsGuest(t *testing.T) {
	trace := filepath.Join(t.TempDir(), "t.json")
	cmd, _, stderr := startGuest(t, "run", "--trace", trace, guest(t, "_sigint"), "ignore")
	cmd.Process.Signal(syscall.SIGHUP)
	if code := exitCode(t, cmd); code != 128+int(syscall.SIGHUP) {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, 128+int(syscall.SIGHUP), stderr)
	}
	validJSON(t, trace)
}

// A standard stream closed on the host is a closed descriptor in the guest; one
// redirected from /dev/null is open.
func TestClosedHostStreams(t *testing.T) {
	weft, prog := weftBinary(t), guest(t, "_fds")
	for _, c := range []struct{ redirect, want string }{
		{"<&- >&-", "fd 0: EBADF\nfd 1: EBADF\nread(0): -1 EBADF\nwrite(1): -1 EBADF\n"},
		{"</dev/null >/dev/null", "fd 0: open\nfd 1: open\nread(0): 0 \nwrite(1): 1 \n"},
	} {
		out, err := exec.Command("sh", "-c", "exec "+weft+" run "+prog+" "+c.redirect).CombinedOutput()
		if err != nil || string(out) != c.want {
			t.Errorf("weft run _fds %s: %v, output:\n%s\nwant:\n%s", c.redirect, err, out, c.want)
		}
	}
}

// weft demo and weft bench need no programs on disk: they are built into weft.
func TestDemoRunsAnywhere(t *testing.T) {
	cmd := exec.Command(weftBinary(t), "demo", "races")
	cmd.Dir = t.TempDir() // no examples/bin here
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "races") {
		t.Errorf("weft demo races in an empty directory: %v\n%s", err, out)
	}
}

// On a real terminal (a pseudo-terminal that script(1) makes) the guest's streams are
// ttys, and TIOCGPGRP answers; elsewhere they are not (tests/c/devfd.c, under TestDiff).
func TestTerminal(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("script(1) from util-linux is needed to run weft on a pseudo-terminal")
	}
	out, err := exec.Command("script", "-qec", weftBinary(t)+" run "+guest(t, "devfd"), "/dev/null").CombinedOutput()
	for _, want := range []string{"isatty(0) = 1", "isatty(1) = 1", "TIOCGPGRP on stdin: 0 "} {
		if err != nil || !strings.Contains(string(out), want) {
			t.Errorf("weft run devfd on a terminal: %v; output lacks %q:\n%s", err, want, out)
		}
	}
}
