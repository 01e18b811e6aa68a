package costbench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// nativeSet is the cost programs built for the host, in a temporary directory.
type nativeSet struct {
	dir string
	cc  string // the compiler's version line
}

// buildNative compiles srcDir/PROG.c for the host with $CC or cc (or gcc), as the
// Makefile's native target does. Its error says why there are no native numbers.
func buildNative(srcDir string, progs []string) (*nativeSet, error) {
	cc := os.Getenv("CC")
	if cc == "" {
		for _, c := range []string{"cc", "gcc", "clang"} {
			if _, err := exec.LookPath(c); err == nil {
				cc = c
				break
			}
		}
	}
	if cc == "" {
		return nil, errors.New("no host C compiler (cc, gcc or clang on PATH, or $CC)")
	}
	dir, err := os.MkdirTemp("", "weft-costs-")
	if err != nil {
		return nil, err
	}
	n := &nativeSet{dir: dir}
	if v, err := exec.Command(cc, "--version").Output(); err == nil {
		n.cc, _, _ = strings.Cut(string(v), "\n")
	}
	for _, p := range progs {
		src := filepath.Join(srcDir, p+".c")
		if _, err := os.Stat(src); err != nil {
			n.cleanup()
			return nil, fmt.Errorf("no C source for the native build: %v", err)
		}
		out, err := exec.Command(cc, "-O2", "-pthread", "-o", filepath.Join(dir, p), src).CombinedOutput()
		if err != nil {
			n.cleanup()
			return nil, fmt.Errorf("%s cannot build %s for the host: %v: %s", cc, src, err, tail(string(out)))
		}
	}
	return n, nil
}

func (n *nativeSet) cleanup() { os.RemoveAll(n.dir) }

// run runs one native program and returns its result line.
func (n *nativeSet) run(prog string, argv []string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(n.dir, prog), argv...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	gc()
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s %s: %v: %s", prog, strings.Join(argv, " "), err, tail(stderr.String()))
	}
	return parseResult(stdout.String())
}
