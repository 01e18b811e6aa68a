package kernel

import (
	"slices"
	"strings"

	"weft/internal/abi/linux"
)

// PID namespaces (pid_namespaces(7)). Every process and thread has one global ID, its
// number in the root namespace (Task.TID, ThreadGroup.PID: what the kernel's tables,
// traces and reports use), and a number in each namespace from its own up to the root.
// The numbers in the namespaces below the root live in Kernel.pidInfo, by global ID,
// and each namespace maps its numbers back to global IDs (PIDNS.byNR). The system
// calls translate at the boundary: what a task passes in is a number in its own
// namespace (FindTask, FindGroup, GlobalPID), what it gets back is a number in its own namespace (PIDOf,
// TIDOf, NR), 0 for a process outside it. The root namespace's numbering is the one
// weft always had (pid.go).
//
// weft keeps the namespace per process, as Linux keeps a task's active namespace
// (every thread of a process is in it); the namespace for children that unshare(2)
// and setns(2) change is per process too in weft, per thread in Linux.

// MaxPIDNSLevel is how deep PID namespaces nest (Linux's MAX_PID_NS_LEVEL).
const MaxPIDNSLevel = 32

// rootPIDNSID is the inode number of the root PID namespace (PROC_PID_INIT_INO).
const rootPIDNSID = 0xEFFFFFFC

// pidNSBytes is what the kernel charges the memory cap for a PID namespace, and
// pidNumBytes for each number a process has in a namespace below the root.
const (
	pidNSBytes  = 256
	pidNumBytes = 48
)

// PIDNS is a PID namespace.
type PIDNS struct {
	// ID is the inode number /proc/PID/ns/pid names it by.
	ID     uint64
	parent *PIDNS
	level  int
	// owner is the user namespace the namespace belongs to: the creator's at its
	// creation (capabilities over it are asked of that one).
	owner *UserNS
	// reaper is the namespace's init: its first process, number 1, which adopts the
	// orphans of the namespace; when it exits, the namespace dies.
	reaper *ThreadGroup
	// byNR maps a number in the namespace to its global ID (levels below the root).
	byNR map[int]int
	// cursor is where the search for the next number starts.
	cursor int
	// dead: the init has exited, and no process can enter (fork fails with ENOMEM,
	// as alloc_pid without PIDNS_ADDING).
	dead bool
}

// pidNums are a global ID's numbers below the root: nrs[i] in the namespace of level
// i+1 on the way from the root to ns, the deepest.
type pidNums struct {
	ns  *PIDNS
	nrs []int
}

// at is ns's ancestor at level (ns itself at its own level).
func (ns *PIDNS) at(level int) *PIDNS {
	for ns != nil && ns.level > level {
		ns = ns.parent
	}
	return ns
}

// contains reports whether o is ns or a namespace below it (nil is the root).
func (ns *PIDNS) contains(o *PIDNS) bool {
	switch {
	case ns == nil || ns.level == 0:
		return true
	case o == nil:
		return false
	}
	return o.level >= ns.level && o.at(ns.level) == ns
}

// newPIDNS makes a PID namespace below parent, owned by owner (create_pid_namespace):
// ENOSPC past MaxPIDNSLevel, ENOMEM past the memory cap.
func (k *Kernel) newPIDNS(parent *PIDNS, owner *UserNS) (*PIDNS, error) {
	if parent.level >= MaxPIDNSLevel {
		return nil, linux.ENOSPC
	}
	if !k.pool.Charge(pidNSBytes) {
		return nil, linux.ENOMEM
	}
	k.lastNSID++
	return &PIDNS{ID: initTimeNSID + k.lastNSID, parent: parent, level: parent.level + 1, owner: owner,
		byNR: map[int]int{}, cursor: 1}, nil
}

// nrIn is the number of global ID g in ns: 0 if g is not in ns or below it.
func (k *Kernel) nrIn(g int, ns *PIDNS) int {
	if ns == nil || ns.level == 0 || g <= 0 {
		return g
	}
	p := k.pidInfo[g]
	if p == nil {
		return 0
	}
	return nrFrom(g, p.ns, p.nrs, ns)
}

// globalIn is the global ID of number nr in ns, 0 if nr names nothing there.
func (k *Kernel) globalIn(nr int, ns *PIDNS) int {
	if ns == nil || ns.level == 0 || nr <= 0 {
		return nr
	}
	return ns.byNR[nr]
}

// NR is global ID g (a process, thread, process group or session) as t's namespace
// numbers it: 0 if it is outside (pid_vnr).
func (t *Task) NR(g int) int { return t.k.nrIn(g, t.TG.PIDNS) }

// PIDOf is tg's process ID as t sees it (0 if tg is outside t's namespace).
// A process reaped a moment ago still has its numbers (wait4 returns one).
func (t *Task) PIDOf(tg *ThreadGroup) int { return nrFrom(tg.PID, tg.PIDNS, tg.nrs, t.TG.PIDNS) }

// TIDOf is o's thread ID as t sees it (0 if o is outside t's namespace).
func (t *Task) TIDOf(o *Task) int { return nrFrom(o.TID, o.TG.PIDNS, o.nrs, t.TG.PIDNS) }

// nrFrom is the number in ns of global ID g, which has the numbers nrs in the
// namespaces from the root's child down to own.
func nrFrom(g int, own *PIDNS, nrs []int, ns *PIDNS) int {
	switch {
	case ns == nil || ns.level == 0:
		return g
	case !ns.contains(own):
		return 0
	}
	return nrs[ns.level-1]
}

// nrsOf are the numbers below the root that allocPIDs gave global ID g (kept by its
// task and process: see PIDOf).
func (k *Kernel) nrsOf(g int) []int {
	if p := k.pidInfo[g]; p != nil {
		return p.nrs
	}
	return nil
}

// NoPID is a global ID no process has: what a number that names nothing in the
// caller's namespace becomes (GlobalPID), so that it matches nothing.
const NoPID = PIDMax + 1

// GlobalPID is the global ID of the process, thread or group number nr names in t's
// namespace; NoPID if it names nothing there (nr > 0).
func (t *Task) GlobalPID(nr int) int {
	if g := t.k.globalIn(nr, t.TG.PIDNS); g != 0 || nr <= 0 {
		return g
	}
	return NoPID
}

// FindTask is the living task number tid names in t's namespace, or nil.
func (t *Task) FindTask(tid int) *Task { return t.k.live[t.k.globalIn(tid, t.TG.PIDNS)] }

// FindGroup is the living or zombie process number pid names in t's namespace, or nil.
func (t *Task) FindGroup(pid int) *ThreadGroup {
	return t.k.procs[t.k.globalIn(pid, t.TG.PIDNS)]
}

// Sees reports whether tg is in t's PID namespace or one below it.
func (t *Task) Sees(tg *ThreadGroup) bool { return t.TG.PIDNS.contains(tg.PIDNS) }

// NSpids are the numbers of global ID g from the root namespace down to the deepest
// one it is in, starting at from's level (/proc/PID/status's NSpid line for a reader
// in from); nil if g is not visible in from.
func (k *Kernel) NSpids(g int, from *PIDNS) []int {
	p := k.pidInfo[g]
	if p == nil {
		if from != nil && from.level > 0 {
			return nil
		}
		return []int{g}
	}
	if !from.contains(p.ns) {
		return nil
	}
	all := append([]int{g}, p.nrs...)
	if from == nil {
		return all
	}
	return all[from.level:]
}

// allocPIDs gives a new process or thread, to be in ns, its numbers: one in ns and in
// each namespace above it, as alloc_pid does. setTID, if not empty, are the numbers
// clone3's set_tid asks for, setTID[0] in ns, setTID[1] in its parent and so on; c
// are the creator's credentials (a chosen number needs CAP_SYS_ADMIN or
// CAP_CHECKPOINT_RESTORE over the namespace). It returns the global ID.
func (k *Kernel) allocPIDs(ns *PIDNS, setTID []int, c *Creds) (int, error) {
	if len(setTID) > ns.level+1 {
		return 0, linux.EINVAL
	}
	nrs := make([]int, ns.level)     // numbers at levels 1..ns.level
	chosen := make([]bool, ns.level) // by set_tid (the cursor stays, as with idr_alloc)
	for lv := ns; lv != nil; lv = lv.parent {
		i := ns.level - lv.level // index into setTID
		nr := 0
		if i < len(setTID) {
			nr = setTID[i]
			switch {
			case nr < 1 || nr >= k.pidMax:
				return 0, linux.EINVAL
			case nr != 1 && lv.reaper == nil && lv.level > 0:
				return 0, linux.EINVAL // a number other than 1 where there is no init yet
			case !c.CapableIn(lv.owner, CAP_SYS_ADMIN) && !c.CapableIn(lv.owner, CAP_CHECKPOINT_RESTORE):
				return 0, linux.EPERM
			case lv.level == 0 && k.pidInUse(nr), lv.level > 0 && k.nrInUse(lv, nr):
				return 0, linux.EEXIST
			}
		}
		if lv.level > 0 {
			chosen[lv.level-1] = nr != 0
			if nr == 0 {
				if nr = k.freeNR(lv); nr == 0 {
					return 0, linux.EAGAIN
				}
			}
			nrs[lv.level-1] = nr
		} else if nr != 0 {
			// A chosen number: the root's numbers from the cursor on are no longer
			// all new (pid.go's freePID must look).
			k.pidWrapped = true
		}
	}
	if ns.dead {
		return 0, linux.ENOMEM
	}
	if ns.level > 0 && !k.pool.Charge(int64(pidNumBytes*ns.level)) {
		return 0, linux.ENOMEM
	}
	var g int
	var err error
	if len(setTID) == ns.level+1 {
		g = setTID[ns.level]
		k.lastPID = g
		k.forks++
	} else {
		g, err = k.allocPID()
	}
	if err != nil {
		if ns.level > 0 {
			k.pool.Uncharge(int64(pidNumBytes * ns.level))
		}
		return 0, err
	}
	k.forgetPID(g) // numbers a reused global ID had below the root
	if ns.level == 0 {
		return g, nil
	}
	for lv := ns; lv.level > 0; lv = lv.parent {
		nr := nrs[lv.level-1]
		lv.byNR[nr] = g
		if !chosen[lv.level-1] {
			lv.cursor = nr + 1
		}
	}
	k.pidInfo[g] = &pidNums{ns: ns, nrs: nrs}
	return g, nil
}

// nrInUse reports whether number nr of ns (below the root) names a global ID in use.
func (k *Kernel) nrInUse(ns *PIDNS, nr int) bool {
	g := ns.byNR[nr]
	return g != 0 && k.pidInUse(g)
}

// freeNR finds the next free number of ns (below the root) from its cursor, as
// allocPID does for the root: up to pid_max, then again from reservedPIDs (or 1).
func (k *Kernel) freeNR(ns *PIDNS) int {
	lo := 1
	if ns.cursor > reservedPIDs {
		lo = reservedPIDs
	}
	for _, from := range []int{max(ns.cursor, lo), lo} {
		for nr := from; nr < k.pidMax; nr++ {
			if !k.nrInUse(ns, nr) {
				return nr
			}
		}
	}
	return 0
}

// forgetPID drops the numbers global ID g had below the root once nothing uses g
// (no task, no unreaped process, no process group or session): its numbers are free
// in every namespace.
func (k *Kernel) forgetPID(g int) {
	p := k.pidInfo[g]
	if p == nil || k.pidInUse(g) {
		return
	}
	for lv := p.ns; lv.level > 0; lv = lv.parent {
		if nr := p.nrs[lv.level-1]; lv.byNR[nr] == g {
			delete(lv.byNR, nr)
		}
	}
	delete(k.pidInfo, g)
	k.pool.Uncharge(int64(pidNumBytes * p.ns.level))
}

// reaperFor is the process that adopts tg's orphans: the init of tg's namespace, the
// kernel's init or the main program in the root one.
func (k *Kernel) reaperFor(tg *ThreadGroup) *ThreadGroup {
	if ns := tg.PIDNS; ns != nil && ns.level > 0 {
		return ns.reaper
	}
	return k.reaper()
}

// killNamespace is what the exit of a namespace's init does (zap_pid_ns_processes):
// no process can enter the namespace any more, every other process in it and below
// it is killed by SIGKILL, and the init reaps them all.
func (k *Kernel) killNamespace(init *ThreadGroup) {
	ns := init.PIDNS
	ns.dead = true
	for _, g := range slices.Clone(k.groups) { // creation order; a reap may drop one
		if g != init && !g.Exited && ns.contains(g.PIDNS) {
			k.exitGroup(g, 0, linux.SIGKILL)
		}
	}
	for _, c := range append([]*ThreadGroup(nil), init.Children...) {
		if c.Exited && !c.Reaped && ns.contains(c.PIDNS) {
			k.reap(init, c)
		}
	}
}

// initIgnores reports whether a signal sig that t sends to target is dropped because
// target is the init of a PID namespace (signal(7), pid_namespaces(7)): a namespace's
// init gets from inside its namespace only the signals it has a handler for, and from
// an ancestor namespace those and SIGKILL and SIGSTOP. A signal it blocks is queued
// all the same (sigwaitinfo may take it); if it is delivered to the default action
// later, deliverSignals discards it.
func (t *Task) initIgnores(target *ThreadGroup, sig Signal) bool {
	ns := target.PIDNS
	if ns == nil || ns.level == 0 || ns.reaper != target || sig <= 0 || sig >= linux.NSIG {
		return false
	}
	if target.SigActions[sig].Handler != SIG_DFL {
		return false
	}
	if lt := target.firstLive(); lt != nil && lt.SigMask&sigBit(sig) != 0 {
		return false // a blocked signal is queued: the handler may change (sig_ignored)
	}
	if ns.contains(t.TG.PIDNS) {
		return true // a sender in the namespace (or below it)
	}
	return sig != linux.SIGKILL && sig != linux.SIGSTOP
}

// isNSInit reports whether tg is the init of a PID namespace below the root.
func (tg *ThreadGroup) isNSInit() bool {
	return tg.PIDNS != nil && tg.PIDNS.level > 0 && tg.PIDNS.reaper == tg
}

// setPIDNS is setns(2) into PID namespace ns (pidns_install): the caller's children
// to come will be in it. The caller needs CAP_SYS_ADMIN over ns and in its own user
// namespace, and ns must be the caller's namespace or one below it (EINVAL).
func (t *Task) setPIDNS(ns *PIDNS) error {
	c := &t.TG.Creds
	if !c.CapableIn(ns.owner, CAP_SYS_ADMIN) || !c.CapableOwn(CAP_SYS_ADMIN) {
		return linux.EPERM
	}
	if !t.TG.PIDNS.contains(ns) {
		return linux.EINVAL
	}
	t.TG.PIDNSChildren = ns
	return nil
}

// viewNS is the PID namespace of the task reading /proc (the root one if none).
func (k *Kernel) viewNS() *PIDNS {
	if k.current != nil {
		return k.current.TG.PIDNS
	}
	return k.rootPIDNS
}

// viewUserNS is the user namespace of the task reading /proc (nil: the root one).
func (k *Kernel) viewUserNS() *UserNS {
	if k.current != nil {
		return k.current.TG.Creds.UserNS
	}
	return nil
}

// nsTab separates the IDs of an NSpid-style line by tabs, as proc(5) shows them.
func nsTab(ids string) string { return strings.ReplaceAll(ids, " ", "\t") }
