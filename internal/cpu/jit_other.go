//go:build !amd64

package cpu

// The compiler engine exists on amd64 hosts only (jit_amd64.go); elsewhere these stand
// in for its parts, unused.

func archEngines() []Engine { return nil }

type jitState struct{}

type jitBlock struct{}

type jitPage struct{}

func (p *jitPage) release(c *codeCache) {}

func (e *blockExec) jitRun(bp **block, left, next *uint64) (int, int) { return jitNone, 0 }
