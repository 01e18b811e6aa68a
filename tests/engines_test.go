package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
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
	engines := []string{"interp", "block"}
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
