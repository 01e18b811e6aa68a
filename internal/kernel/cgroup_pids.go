package kernel

import "weft/internal/abi/linux"

// The pids controller (cgroup-v2.rst, "PID"): pids.max bounds the tasks (threads
// included) of a group and its descendants; a fork or clone that would pass it in any
// ancestor fails with EAGAIN. Moving a process into a group is never refused for it,
// as on Linux: pids.current can then be above pids.max.

// pidcgState is a group's pids controller.
type pidcgState struct {
	max    int64  // pids.max; -1 for max
	events uint64 // forks refused at this group's limit (pids.events "max")
}

// tasksIn counts the live tasks in cg and below it (pids.current).
func (k *Kernel) tasksIn(cg *Cgroup) int64 {
	var n int64
	for _, tg := range k.subtreeProcs(cg) {
		n += int64(tg.liveTasks)
	}
	return n
}

// pidsCanFork reports EAGAIN if one more task in cg would pass the pids.max of cg or
// of an ancestor, counting the refusal at the group whose limit it is.
func (k *Kernel) pidsCanFork(cg *Cgroup) error {
	for c := cg; c != nil; c = c.parent {
		if c.pid.max >= 0 && k.tasksIn(c)+1 > c.pid.max {
			c.pid.events++
			return linux.EAGAIN
		}
	}
	return nil
}
