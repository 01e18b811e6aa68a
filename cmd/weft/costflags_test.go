package main

import (
	"strconv"
	"strings"
	"testing"

	"weft/internal/trace"
)

func TestCostFlagErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--cost-model", "cheap", "x"}, `unknown cost model "cheap" (valid: default, zero)`},
		{[]string{"run", "--asid", "maybe", "x"}, `--asid "maybe": must be on or off`},
		{[]string{"bench", "--cost-model", "cheap"}, `unknown cost model "cheap"`},
		{[]string{"demo", "--asid", "2"}, `--asid "2": must be on or off`},
	} {
		code, _, stderr := runWeft(tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("weft %q = exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr, exitUsage, tt.want)
		}
	}
}

// The zero cost model charges guest instructions only, so a program's CPU time is its
// instruction count in nanoseconds; the default model charges its kernel work on top.
func TestCostModelZeroIsInstructions(t *testing.T) {
	prog := guest(t, "exit42")
	cpu := map[string]string{}
	for _, m := range []string{"zero", "default"} {
		code, _, stderr := runWeft("run", "--summary", "--cost-model", m, "--asid", "off", prog)
		if code != 42 {
			t.Fatalf("--cost-model %s: exit %d, want 42; stderr %q", m, code, stderr)
		}
		// "      1     0       exit42  exit 42        1          9351     9.4µs ..."
		for _, line := range strings.Split(stderr, "\n") {
			f := strings.Fields(line)
			if len(f) > 7 && f[0] == "2" && f[2] == "exit42" {
				insns, err := strconv.ParseUint(f[6], 10, 64)
				if err != nil {
					t.Fatalf("summary line %q: %v", line, err)
				}
				cpu[m] = f[7]
				if m == "zero" && f[7] != trace.Duration(insns) {
					t.Errorf("--cost-model zero: cpu time %s for %d instructions, want %s", f[7], insns, trace.Duration(insns))
				}
			}
		}
		if cpu[m] == "" {
			t.Fatalf("--cost-model %s: no summary line for pid 2 in %q", m, stderr)
		}
	}
	if cpu["zero"] == cpu["default"] {
		t.Errorf("cpu time %s with the zero model and the default one; want the default dearer", cpu["zero"])
	}
}
