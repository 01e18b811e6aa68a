package kernel_test

import (
	"path/filepath"
	"testing"

	"weft/internal/cpu"
	"weft/internal/run"
)

// TestCheckpointCompilerEngine checkpoints and restores kernels whose harts run on the
// compiler engine, with hot blocks translated when the checkpoint is taken: the copies
// leave the machine code out (cpu.CheckpointSkips) and translate anew, and every run
// agrees with the straight one.
func TestCheckpointCompilerEngine(t *testing.T) {
	jit, ok := cpu.EngineByName("jit")
	if !ok {
		t.Fatal("no jit engine on amd64")
	}
	saved := cpu.DefaultEngine
	cpu.DefaultEngine = jit
	defer func() { cpu.DefaultEngine = saved }()
	for _, p := range []string{"fork_pipe", "thr_mutex", "mmap"} {
		c := checkpointCase{path: "../../tests/c/bin/" + p, opts: run.Options{Seed: 7, CPUs: 2}}
		t.Run(filepath.Base(c.path), func(t *testing.T) { checkCheckpoint(t, c) })
	}
}
