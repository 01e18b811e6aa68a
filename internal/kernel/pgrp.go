package kernel

import "weft/internal/abi/linux"

// Orphaned process groups (POSIX.1 "orphaned process group"; Linux kernel/exit.c).
// A process group is orphaned when no living member has a parent in a different
// group of the same session: nobody with job control is left to continue it. Two
// rules follow. The stop signals a terminal sends (SIGTSTP, SIGTTIN, SIGTTOU) are
// discarded at delivery instead of stopping a process of an orphaned group, and a
// group that becomes orphaned while one of its processes is stopped gets SIGHUP and
// then SIGCONT, so that it is not left stopped for ever.
//
// weft's first process stands for a program started by a job-control shell: it counts
// as tied to a parent outside its group, as the same program is under a shell on Linux.
// Orphans are handed to it, and it is an ordinary parent for the rule (Linux leaves
// out only the host's init, which weft has none of).

// linksOutside reports whether tg ties its process group to a parent in another group
// of the same session.
func (k *Kernel) linksOutside(tg *ThreadGroup) bool {
	if tg == k.main && k.initProc == nil {
		return true // pid 1 stands for a program a job-control shell started
	}
	p := tg.Parent
	return p != nil && p.PGID != tg.PGID && p.SID == tg.SID
}

// orphanedPgrp reports whether no living member of process group pgid links it outside.
func (k *Kernel) orphanedPgrp(pgid int) bool {
	for _, g := range k.procs { // any one will do: the order does not matter
		if g.PGID == pgid && !g.Exited && k.linksOutside(g) {
			return false
		}
	}
	return true
}

// hangUpIfOrphaned sends SIGHUP and then SIGCONT to every process of pgid if the group
// is orphaned and one of its processes is stopped. It runs when a process that may
// have been the group's last link exits, or hands children on to pid 1.
func (k *Kernel) hangUpIfOrphaned(pgid int) {
	if !k.orphanedPgrp(pgid) {
		return
	}
	var members []*ThreadGroup
	stopped := false
	for _, g := range k.groups {
		if g.PGID == pgid && !g.Exited {
			members = append(members, g)
			stopped = stopped || g.Stopped
		}
	}
	if !stopped {
		return
	}
	for _, sig := range []Signal{linux.SIGHUP, linux.SIGCONT} {
		for _, g := range members {
			k.SignalGroup(g, sig)
		}
	}
}
