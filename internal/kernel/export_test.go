package kernel

// WorkPs exposes workPs to the external tests.
func (k *Kernel) WorkPs() uint64 { return k.workPs() }
