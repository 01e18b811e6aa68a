package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"weft/internal/cpu"
)

// TestEngines runs every test program on each execution engine (WEFT_ENGINE selects
// it; `WEFT_ENGINE=interp go test ./tests/` runs the whole suite on the reference
// interpreter) and requires byte-identical results: output, exit status, the
// per-process summary (instruction counts, switches, faults) and the trace. Two CPUs
// interleaved every 61 instructions make the comparison cover budgets that end inside
// blocks, and the seed makes the schedule the same on both sides.
func TestEngines(t *testing.T) {
	if standIn() {
		t.Skip("WEFT_BIN is the qemu stand-in: it has no engines")
	}
	engines := engineNames()
	for _, p := range programs(t, false) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			var ref result
			var refTrace []byte
			for i, engine := range engines {
				dir := t.TempDir()
				trace := filepath.Join(dir, "trace.json")
				argv := []string{weftBin, "run", "--seed", "3", "--cpus", "2", "--step", "61",
					"--summary", "--trace", trace,
					"--uid", strconv.Itoa(os.Getuid()), "--gid", strconv.Itoa(os.Getgid()), p.path}
				argv = append(argv, p.args...)
				env := append(os.Environ(), "WEFT_ENGINE="+engine)
				got := run(argv, env, p.stdin, dir)
				tr, err := os.ReadFile(trace)
				if err != nil {
					t.Fatalf("%s: no trace: %v (status %s, stderr:\n%s)", engine, err, got.status, got.stderr)
				}
				if strings.HasPrefix(got.status, "timed out") {
					t.Fatalf("%s: %s", engine, got.status)
				}
				if i == 0 {
					ref, refTrace = got, tr
					continue
				}
				compare(t, engines[0], ref, engine, got)
				if !bytes.Equal(refTrace, tr) {
					t.Errorf("the traces differ: %s wrote %d bytes, %s %d", engines[0], len(refTrace), engine, len(tr))
				}
			}
		})
	}
}

// engineNames lists the engines of this host (cpu.Engines): interp, block, and jit on
// amd64.
func engineNames() []string {
	var names []string
	for _, e := range cpu.Engines() {
		names = append(names, e.Name())
	}
	return names
}

// TestEnginesStep1 runs contending threads on 4 CPUs interleaved at every instruction
// (--step 1) on each engine, with and without a trace: without one, the kernel runs the
// CPUs in one loop (cpu.Lockstep); with one, a time slice per instruction, so that the
// trace gets each. All four runs must agree byte for byte (output, status, and the
// summary's instruction counts and virtual CPU times), and the two traces too.
func TestEnginesStep1(t *testing.T) {
	if standIn() {
		t.Skip("WEFT_BIN is the qemu stand-in: it has no engines")
	}
	for _, name := range []string{"thr_atomics", "thr_sem"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			p, err := parseProgram(filepath.Join(cDir, name+".c"))
			if err != nil {
				t.Fatal(err)
			}
			var ref result
			var refName string
			var refTrace []byte
			var refTraceName string
			for _, engine := range engineNames() {
				for _, traced := range []bool{false, true} {
					dir := t.TempDir()
					argv := []string{weftBin, "run", "--seed", "5", "--cpus", "4", "--step", "1", "--summary"}
					trace := filepath.Join(dir, "trace.json")
					if traced {
						argv = append(argv, "--trace", trace)
					}
					argv = append(append(argv, p.path), p.args...)
					got := run(argv, append(os.Environ(), "WEFT_ENGINE="+engine), p.stdin, dir)
					if got.exitCode != 0 {
						t.Fatalf("%s: %s\nstderr:\n%s", engine, got.status, tail(got.stderr, 2000))
					}
					what := engine + " without a trace"
					if traced {
						what = engine + " with a trace"
					}
					if refName == "" {
						ref, refName = got, what
					} else {
						compare(t, refName, ref, what, got)
					}
					if !traced {
						continue
					}
					tr, err := os.ReadFile(trace)
					if err != nil {
						t.Fatalf("%s: no trace: %v", what, err)
					}
					if refTrace == nil {
						refTrace, refTraceName = tr, what
					} else if !bytes.Equal(refTrace, tr) {
						t.Errorf("the traces differ: %d bytes with %s, %d with %s", len(refTrace), refTraceName, len(tr), what)
					}
				}
			}
		})
	}
}

// TestLockstepEveryProgram runs every test program on 3 CPUs interleaved at every
// instruction (--step 1, bounded by --max-insns), with a trace (a kernel slice per
// instruction) and without (lockstep runs): output, status and the summary's counts
// and virtual CPU times must be the same.
func TestLockstepEveryProgram(t *testing.T) {
	for _, p := range programs(t, false) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			acquire(t)
			var ref result
			for i, traced := range []bool{false, true} {
				dir := t.TempDir()
				argv := []string{weftBin, "run", "--seed", "2", "--cpus", "3", "--step", "1", "--summary",
					"--max-insns", "4000000", "--uid", strconv.Itoa(os.Getuid()), "--gid", strconv.Itoa(os.Getgid())}
				if traced {
					argv = append(argv, "--trace", filepath.Join(dir, "trace.json"))
				}
				argv = append(append(argv, p.path), p.args...)
				got := run(argv, os.Environ(), p.stdin, dir)
				if strings.HasPrefix(got.status, "timed out") {
					t.Fatalf("%s", got.status)
				}
				if i == 0 {
					ref = got
					continue
				}
				compare(t, "lockstep runs", ref, "a slice per instruction (traced)", got)
			}
		})
	}
}
