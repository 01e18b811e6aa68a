package kernel

// WorkPs exposes workPs to the external tests.
func (k *Kernel) WorkPs() uint64 { return k.workPs() }

// SetLockstep turns lockstep runs (lockstep.go) on or off.
func (k *Kernel) SetLockstep(on bool) { k.lockst.off = !on }

// LockstepInsns reports the instructions retired in lockstep runs.
func (k *Kernel) LockstepInsns() uint64 { return k.lockst.insns }

// Steps reports the scheduling points at which the policy was asked about t (or kept
// it), and the kind of the last.
func (t *Task) Steps() (uint64, int) { return t.steps, int(t.point) }
