package kernel

import (
	"errors"
	"fmt"
	"slices"

	"weft/internal/abi/linux"
	"weft/internal/kernel/cost"
	"weft/internal/loader"
	"weft/internal/mm"
	"weft/internal/trace"
)

// Clone flags (include/uapi/linux/sched.h).
const (
	CSIGNAL              = 0x000000ff
	CLONE_VM             = 0x00000100
	CLONE_FS             = 0x00000200
	CLONE_FILES          = 0x00000400
	CLONE_SIGHAND        = 0x00000800
	CLONE_PIDFD          = 0x00001000
	CLONE_PTRACE         = 0x00002000
	CLONE_VFORK          = 0x00004000
	CLONE_PARENT         = 0x00008000
	CLONE_THREAD         = 0x00010000
	CLONE_NEWNS          = 0x00020000
	CLONE_SYSVSEM        = 0x00040000
	CLONE_SETTLS         = 0x00080000
	CLONE_PARENT_SETTID  = 0x00100000
	CLONE_CHILD_CLEARTID = 0x00200000
	CLONE_DETACHED       = 0x00400000
	CLONE_UNTRACED       = 0x00800000
	CLONE_CHILD_SETTID   = 0x01000000
	CLONE_NEWCGROUP      = 0x02000000
	CLONE_NEWUTS         = 0x04000000
	CLONE_NEWIPC         = 0x08000000
	CLONE_NEWUSER        = 0x10000000
	CLONE_NEWPID         = 0x20000000
	CLONE_NEWNET         = 0x40000000
	CLONE_IO             = 0x80000000
	// CLONE_NEWTIME shares its bit with CSIGNAL: only clone3 and unshare take it.
	CLONE_NEWTIME = 0x00000080

	cloneNamespaces = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
		CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET
)

// CloneArgs are clone(2)'s arguments (clone3's struct clone_args, decoded).
type CloneArgs struct {
	Flags      uint64
	ExitSignal Signal
	Stack      uint64 // new stack pointer, or 0 to keep the parent's
	TLS        uint64
	ParentTID  uint64 // where CLONE_PARENT_SETTID writes the new TID
	ChildTID   uint64 // CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID
	// Cgroup, if set, is the group the new process starts in (clone3(2)'s
	// CLONE_INTO_CGROUP, checked by CheckCloneInto); else it starts in its parent's.
	Cgroup *Cgroup
	// SetTID are clone3's set_tid: the numbers the child is to have, in its own PID
	// namespace first, then in each one above it (pidns.go's allocPIDs).
	SetTID []int
}

// MaxTasks caps the tasks alive at once in one weft run, whatever the guest's limits
// say, so that no guest can exhaust the host.
const MaxTasks = 4096

// Clone creates a new task as clone(2) does: a new process (fork, vfork) or a thread in
// t's process (CLONE_THREAD), sharing or copying each resource as the flags say. It
// returns the new task; the caller returns its TID to t.
func (t *Task) Clone(a CloneArgs) (*Task, error) {
	k := t.k
	f := a.Flags
	switch {
	case f&CLONE_SIGHAND != 0 && f&CLONE_VM == 0,
		f&CLONE_THREAD != 0 && f&CLONE_SIGHAND == 0,
		f&(CLONE_FS|CLONE_NEWNS) == CLONE_FS|CLONE_NEWNS:
		return nil, linux.EINVAL
	case f&CLONE_NEWUSER != 0 && f&(CLONE_THREAD|CLONE_FS) != 0,
		f&CLONE_NEWPID != 0 && f&CLONE_THREAD != 0,
		f&CLONE_THREAD != 0 && t.TG.PIDNSChildren != t.TG.PIDNS,
		f&CLONE_PARENT != 0 && t.TG.isNSInit():
		return nil, linux.EINVAL // copy_process: no thread in another namespace; no sibling of an init
	case f&(CLONE_NEWNET|CLONE_NEWTIME) != 0 && f&CLONE_THREAD != 0:
		return nil, linux.EINVAL // a weft thread cannot have a namespace of its own
	}
	// The child's credentials: in a new user namespace with CLONE_NEWUSER, where
	// they have every capability (copy_creds); the other namespaces the clone makes
	// belong to it and need CAP_SYS_ADMIN in it (copy_namespaces).
	creds := t.TG.Creds
	// What new namespaces were charged for goes back if the clone fails.
	var nsCharged int64
	defer func() { k.pool.Uncharge(nsCharged) }()
	if f&CLONE_NEWUSER != 0 {
		if err := k.newUserNS(t.TG, &creds); err != nil {
			return nil, err
		}
		nsCharged += userNSBytes
	}
	switch {
	case f&(cloneNamespaces&^(CLONE_NEWNET|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNS)) != 0:
		return nil, linux.EPERM // weft has one UTS, IPC and cgroup namespace
	case f&(CLONE_NEWNET|CLONE_NEWTIME|CLONE_NEWPID|CLONE_NEWNS) != 0 && !creds.CapableOwn(CAP_SYS_ADMIN):
		return nil, linux.EPERM
	case f&CLONE_NEWPID != 0 && t.TG.PIDNSChildren != t.TG.PIDNS:
		return nil, linux.EINVAL // copy_pid_ns: after unshare(CLONE_NEWPID), not before the first child
	}
	pidNS := t.TG.PIDNSChildren
	if f&CLONE_NEWPID != 0 {
		var err error
		if pidNS, err = k.newPIDNS(pidNS, creds.UserNS); err != nil {
			return nil, err
		}
		nsCharged += pidNSBytes
	}
	var mntCharged int64
	if f&CLONE_NEWNS != 0 {
		n, err := k.chargeMountNS(t.TG.MntNS)
		if err != nil {
			return nil, err
		}
		nsCharged += n
		mntCharged = n
	}
	if k.LiveTasks() >= MaxTasks {
		return nil, linux.EAGAIN
	}
	parent := t.TG
	into := parent.Cgroup
	if a.Cgroup != nil && f&CLONE_THREAD == 0 {
		into = a.Cgroup
	}
	if err := k.pidsCanFork(into); err != nil {
		return nil, err // pids.max (cgroup_pids.go)
	}
	if !k.pool.Fits(taskBytes + groupBytes + groupsBytes(parent.Creds.Groups)) {
		return nil, linux.ENOMEM // no room under the memory cap for the kernel's records
	}
	// RLIMIT_NPROC counts the tasks of the real user ID, threads included and zombies
	// until they are reaped; root (kernel user 0), and a process with CAP_SYS_RESOURCE
	// or CAP_SYS_ADMIN, is exempt (getrlimit(2), copy_process).
	if c := &parent.Creds; c.UID != 0 && !c.Capable(CAP_SYS_RESOURCE) && !c.Capable(CAP_SYS_ADMIN) {
		if k.userTasks(parent.Creds.UID) >= parent.Rlimits[RLIMIT_NPROC].Cur {
			return nil, linux.EAGAIN
		}
	}
	if f&CLONE_THREAD != 0 {
		child, err := t.cloneThread(a, &creds)
		if err == nil {
			nsCharged = 0
		}
		return child, err
	}
	as, fds := parent.MM, parent.FDs
	if f&CLONE_FILES == 0 {
		var err error
		if fds, err = parent.FDs.Fork(); err != nil {
			return nil, err
		}
	}
	if f&CLONE_VM == 0 {
		var err error
		if as, err = parent.MM.Fork(); err != nil {
			if f&CLONE_FILES == 0 {
				fds.CloseAll()
			}
			return nil, linux.ENOMEM // fork(2): cannot allocate the kernel structures
		}
	}
	pid, err := k.allocPIDs(pidNS, a.SetTID, &creds)
	if err != nil {
		if f&CLONE_VM == 0 {
			as.Release()
		}
		if f&CLONE_FILES == 0 {
			fds.CloseAll()
		}
		return nil, err
	}
	nsCharged = 0 // nothing fails from here on

	tg := &ThreadGroup{
		PID:            pid,
		Parent:         parent,
		Cgroup:         into,
		Net:            parent.Net,
		TimeNSChildren: parent.TimeNSChildren,
		THPDisabled:    parent.THPDisabled,
		OOMScoreAdj:    parent.OOMScoreAdj,
		oomScoreAdjMin: parent.oomScoreAdjMin,
		PGID:           parent.PGID,
		SID:            parent.SID,
		ExitSignal:     a.ExitSignal,
		Cwd:            parent.Cwd,
		CwdPath:        parent.CwdPath,
		Root:           parent.Root,
		Umask:          parent.Umask,
		Creds:          creds,
		PIDNS:          pidNS,
		PIDNSChildren:  pidNS,
		Rlimits:        parent.Rlimits,
		SigActions:     parent.SigActions,
		Exe:            parent.Exe,
		Comm:           parent.Comm,
		Binary:         parent.Binary,
		Args:           parent.Args,

		sigreturnAddr: parent.sigreturnAddr,

		// Linux keeps these in the mm, which fork copies.
		NotDumpable:   parent.NotDumpable,
		CoreFilter:    parent.CoreFilter,
		coreFilterSet: parent.coreFilterSet,
	}
	// The supplementary groups are shared: setgroups installs a new list rather than
	// changing one in place, as Linux shares its group_info. Each process is charged
	// for the list all the same (given back at its exit).
	k.pool.Charge(groupsBytes(tg.Creds.Groups)) // checked with the records (canCreate)
	if f&CLONE_PARENT != 0 && parent.Parent != nil {
		tg.Parent = parent.Parent
		tg.ExitSignal = parent.ExitSignal
	}
	if f&CLONE_NEWNET != 0 {
		tg.Net = parent.Net.NewNamespace()
	}
	if f&CLONE_NEWTIME != 0 {
		tg.TimeNSChildren = k.newTimeNS(parent.TimeNSChildren, tg.Creds.UserNS) // copy_time_ns
	}
	if f&CLONE_VM == 0 {
		tg.enterTimeNS(tg.TimeNSChildren) // timens_on_fork
	} else {
		// A child sharing the address space (vfork, posix_spawn) stays in its
		// parent's time namespace, as on Linux (copy_namespaces).
		tg.TimeNS = parent.TimeNS
	}
	mntNS := parent.MntNS
	if f&CLONE_NEWNS != 0 {
		// Made once nothing can fail: the copy enters every mount's list.
		mntNS = k.newMountNS(mntNS, creds.UserNS, mntCharged)
	}
	k.enterMountNS(tg, mntNS)
	tg.MM = as
	tg.sharesMM = f&CLONE_VM != 0
	tg.FDs = fds
	if f&CLONE_FILES != 0 {
		tg.FDs.users++
	} else {
		k.work[cost.FDCopy] += tg.FDs.copied
	}
	tg.nrs = k.nrsOf(pid)
	child := &Task{k: k, TID: tg.PID, nrs: tg.nrs, TG: tg, Ctx: t.Ctx, SigMask: t.SigMask, Nice: t.Nice, Affinity: t.Affinity,
		NoNewPrivs: t.NoNewPrivs, SeccompStrict: t.SeccompStrict,
		timerSlack: t.TimerSlack(), slackDefault: t.TimerSlack()}
	child.Ctx.X[10] = 0 // the child sees clone return 0
	if a.Stack != 0 {
		child.Ctx.X[2] = a.Stack
	}
	if f&CLONE_SETTLS != 0 {
		child.Ctx.X[4] = a.TLS
	}
	if f&CLONE_CHILD_CLEARTID != 0 {
		child.ClearTID = a.ChildTID
	}
	tg.Tasks = []*Task{child}
	tg.liveTasks, tg.threads = 1, 1
	if pidNS.level > 0 && pidNS.reaper == nil && k.nrIn(pid, pidNS) == 1 {
		pidNS.reaper = tg // the first process of a namespace is its init
	}
	tg.Parent.Children = append(tg.Parent.Children, tg)
	k.addTask(child)
	k.addGroup(tg)
	if k.cfg.Race != nil {
		k.cfg.Race.Fork(t.TID, child.TID)
	}
	k.noteCreation(t, child)

	// What a fork copies besides the address space (counted by mm): the process
	// structure and the signal-handler table (the fd table's entries are counted as
	// they are copied).
	k.work[cost.ProcInit]++
	k.work[cost.SigActionCopy] += uint64(len(tg.SigActions) - 1) // signals 1 to 64; entry 0 is unused
	t.startChild(child, a, trace.Fork)
	if k.tr != nil {
		k.traceMemory(t, true)
	}
	if f&CLONE_VFORK != 0 {
		tg.vforkChild = true
		tg.vforkParent = t
	}
	if pd, ok := k.debug.(ProcessDebugger); ok {
		pd.Forked(t, child, f&CLONE_VFORK != 0)
	}
	return child, nil
}

// cloneThread creates a thread in t's process (pthread_create).
func (t *Task) cloneThread(a CloneArgs, c *Creds) (*Task, error) {
	k := t.k
	tg := t.TG
	tid, err := k.allocPIDs(tg.PIDNS, a.SetTID, c)
	if err != nil {
		return nil, err
	}
	child := &Task{k: k, TID: tid, nrs: k.nrsOf(tid), TG: tg, Ctx: t.Ctx, SigMask: t.SigMask, Nice: t.Nice, Affinity: t.Affinity,
		NoNewPrivs: t.NoNewPrivs, SeccompStrict: t.SeccompStrict,
		timerSlack: t.TimerSlack(), slackDefault: t.TimerSlack()}
	child.Ctx.X[10] = 0
	if a.Stack != 0 {
		child.Ctx.X[2] = a.Stack
	}
	if a.Flags&CLONE_SETTLS != 0 {
		child.Ctx.X[4] = a.TLS
	}
	if a.Flags&CLONE_CHILD_CLEARTID != 0 {
		child.ClearTID = a.ChildTID
	}
	tg.Tasks = append(tg.Tasks, child)
	tg.liveTasks++
	tg.threads++
	k.addTask(child)
	if k.cfg.Race != nil {
		k.cfg.Race.Fork(t.TID, child.TID)
	}
	k.noteCreation(t, child)
	t.startChild(child, a, trace.Clone)
	return child, nil
}

// startChild finishes a clone: it writes the TIDs CLONE_PARENT_SETTID and
// CLONE_CHILD_SETTID ask for (the latter in the child's memory), charges t for what
// the clone did, and queues the child to run from t's time.
func (t *Task) startChild(child *Task, a CloneArgs, kind trace.Kind) {
	k := t.k
	k.work[cost.TaskInit]++
	if a.Flags&CLONE_PARENT_SETTID != 0 {
		t.TG.MM.WriteU32(a.ParentTID, uint32(t.TIDOf(child))) // as the parent numbers it
	}
	if a.Flags&CLONE_CHILD_SETTID != 0 {
		child.TG.MM.WriteU32(a.ChildTID, uint32(child.TIDOf(child))) // as the child does
	}
	k.settle(t)
	k.makeRunnable(child, t.Now())
	if k.tr != nil {
		k.traceEvent(t, trace.Event{Time: t.Now(), Kind: kind, Child: child.TID, Addr: t.syscallStart})
		k.traceNames(child)
	}
}

// WaitVfork blocks a vfork parent until child has exec'd or exited.
func (t *Task) WaitVfork(child *Task) error {
	if !child.TG.vforkChild {
		return nil
	}
	return t.Block(fmt.Sprintf("vfork child %d to exec or exit", child.TID), &child.TG.vforkDone)
}

// releaseVfork wakes a vfork parent: the child no longer borrows its memory.
func (k *Kernel) releaseVfork(tg *ThreadGroup) {
	if tg.vforkChild {
		tg.vforkChild = false
		tg.vforkDone.WakeAll()
		if pd, ok := k.debug.(ProcessDebugger); ok && tg.vforkParent != nil {
			pd.VforkDone(tg.vforkParent)
		}
		tg.vforkParent = nil
	}
}

// Exec replaces t's process image with the program in data, as execve(2) does once the
// file has been found and checked. execfn is the name it was executed by, exe the
// file's canonical path.
func (t *Task) Exec(data []byte, execfn, exe string, argv, envp []string) error {
	k := t.k
	bin, err := loader.Parse(data)
	if err != nil {
		return linux.ENOEXEC
	}
	tg := t.TG
	// Build the new image in a fresh address space first: until it is complete the
	// old one is intact and execve can still fail.
	oldMM, oldShared := tg.MM, tg.sharesMM
	tg.MM, tg.sharesMM = mm.New(&k.pool), false
	tg.MM.StackLimit = tg.stackLimit()
	tg.MM.Memcg = tg.Cgroup.memcg()
	oldBin := tg.Binary
	if err := k.execImage(t, bin, execfn, exe, argv, envp); err != nil {
		tg.MM.Release()
		tg.MM, tg.sharesMM, tg.Binary = oldMM, oldShared, oldBin
		var ie *InterpError
		switch {
		case err == loader.ErrArgsTooLong:
			return linux.E2BIG
		case errors.As(err, &ie):
			return ie.Errno
		}
		return linux.ENOMEM
	}
	// The point of no return. Every other thread of the process ends (execve(2): "All
	// threads other than the calling thread are destroyed"), and the caller takes over
	// the process's PID as its TID.
	for _, o := range slices.Clone(tg.Tasks) {
		if o != t {
			k.exitTask(o)
		}
	}
	if t.TID != tg.PID {
		delete(k.live, t.TID)
		old := t.TID
		t.TID, t.nrs = tg.PID, tg.nrs
		k.live[t.TID] = t
		k.forgetPID(old)
		byTID := func(a, b *Task) int { return a.TID - b.TID }
		slices.SortFunc(k.tasks, byTID) // t moved to its process's place
		slices.SortFunc(tg.Tasks, byTID)
	}
	// ru_maxrss survives execve (getrusage(2)): the old image's peak is kept.
	tg.ExecPeak = max(tg.ExecPeak, oldMM.Stats.PeakResident)
	if !oldShared {
		k.checkForget(oldMM)
		oldMM.Release()
	}
	k.releaseVfork(tg)
	if err := tg.UnshareFDTable(); err != nil {
		k.exitGroup(tg, 0, linux.SIGKILL) // past the point of no return
		return nil
	}
	tg.FDs.closeOnExec()
	k.deleteTimers(tg) // POSIX timers do not survive execve(2)
	// A new program runs in the time namespace for children, which unshare may have
	// made (Linux's exec_task_namespaces: the offsets belong to the new address space).
	tg.enterTimeNS(tg.TimeNSChildren)
	tg.Execed = true
	tg.NotDumpable = false // a new program is dumpable again (no set-user-ID: weft has none)
	tg.Creds.execCaps()    // capabilities(7): execve of a program without file capabilities
	for i := range tg.SigActions {
		if tg.SigActions[i].Handler > 1 { // handled signals revert to SIG_DFL
			tg.SigActions[i] = SigAction{}
		}
	}
	t.ClearTID = 0
	t.RobustList = 0
	tg.Args = argv
	if k.tr != nil {
		k.traceEvent(t, trace.Event{Time: t.Now(), Kind: trace.Exec, Name: exe})
		k.traceNames(t)
	}
	if pd, ok := k.debug.(ProcessDebugger); ok {
		pd.Execed(t)
	}
	return nil
}

// exitGroup ends every task of tg: exit_group(2), or death by signal.
func (k *Kernel) exitGroup(tg *ThreadGroup, code int, sig Signal) {
	if tg.Exited {
		return
	}
	tg.Exited = true
	tg.ExitCode = code
	tg.KillSignal = sig
	// The exiting task's work (closing files, releasing memory) is done on its CPU,
	// even after the task has left it.
	if t := k.current; t != nil && t.TG == tg {
		defer k.settleOn(t, t.cpu)
	}
	tg.ExitTime = k.now()
	for i, tm := range k.timers {
		if tm.proc == tg {
			k.timers = append(k.timers[:i], k.timers[i+1:]...)
			break
		}
	}
	k.deleteTimers(tg)
	// The trace learns of the exit first, while the process still has its files and
	// memory for a sink to look at.
	for _, t := range tg.Tasks {
		if t.State != TaskDead {
			k.traceExit(t, tg.ExitTime)
		}
	}
	for _, t := range tg.Tasks {
		if t.State != TaskDead {
			k.exitRobustList(t) // robust futexes may live in memory shared with others
			if tg.sharesMM {
				k.exitClearTID(t)
			}
		}
	}
	if tg.FDs.users > 0 {
		tg.FDs.users--
	} else {
		tg.FDs.CloseAll()
	}
	tg.MemAtExit = tg.MemStats()
	k.semExit(tg) // SEM_UNDO (ipc_sem.go)
	k.pool.Uncharge(groupsBytes(tg.Creds.Groups))
	k.discardAll(&tg.sigPending)
	// Tell the parent while the exiting task still holds its CPU, so that the parent
	// wakes at the virtual time of the exit, not at its own older clock.
	k.releaseVfork(tg)
	if tg.isNSInit() {
		k.killNamespace(tg) // the namespace dies with its init (pidns.go)
	}
	k.enterMountNS(tg, nil) // leave its mount namespace (mntns.go)
	k.reparentChildren(tg)
	// tg may have been its group's last link (pgrp.go). Not pid 1: when it exits, the
	// run ends and every other process is killed.
	if tg != k.main && k.linksOutside(tg) {
		k.hangUpIfOrphaned(tg.PGID)
	}
	k.notifyParent(tg)
	tg.PidfdEvents.WakeAll() // pidfds of the process become readable
	for _, t := range slices.Clone(tg.Tasks) {
		k.exitTask(t)
	}
	if !tg.sharesMM {
		k.checkForget(tg.MM)
		tg.MM.Release()
	}
	if pd, ok := k.debug.(ProcessDebugger); ok {
		pd.ProcessExited(tg)
	}
}

// exitTask takes t off the CPU and the run queues for good.
func (k *Kernel) exitTask(t *Task) {
	if t.State == TaskDead {
		return
	}
	at := k.now()
	if k.cfg.Race != nil {
		k.cfg.Race.Exit(t.TID)
	}
	if k.cfg.Check != nil {
		k.cfg.Check.Exit(t.TID)
	}
	k.deschedule(t)
	for i, q := range k.runq {
		if q == t {
			k.runq = append(k.runq[:i], k.runq[i+1:]...)
			break
		}
	}
	for _, q := range t.waitQueues {
		q.Remove(t)
	}
	t.waitQueues = nil
	k.cancelTimer(t)
	k.futexRemove(t)
	t.pending = nil
	t.Call.drop()
	k.discardAll(&t.sigPending)
	t.State = TaskDead
	tg := t.TG
	tg.liveTasks--
	if k.live[t.TID] == t {
		delete(k.live, t.TID)
		k.forgetPID(t.TID)
	}
	k.traceExit(t, at)
	// Nothing needs a dead task any more: its accounting lives on in its group.
	if i := slices.Index(k.tasks, t); i >= 0 {
		k.tasks = slices.Delete(k.tasks, i, i+1)
	}
	if i := slices.Index(tg.Tasks, t); i >= 0 {
		tg.Tasks = slices.Delete(tg.Tasks, i, i+1)
	}
	tg.deadStats.add(t.Stats)
	if len(k.exitedKept) < keptTasks {
		k.exitedKept = insertByTID(k.exitedKept, t)
		tg.exitedKept = insertByTID(tg.exitedKept, t)
	} else {
		k.pool.Uncharge(taskBytes)
	}
}

// traceExit tells the trace that t ends, once.
func (k *Kernel) traceExit(t *Task, at uint64) {
	if (k.tr == nil && k.cfg.Strace == nil) || t.exitTraced {
		return
	}
	t.exitTraced = true
	k.straceExit(t)
	if k.tr == nil {
		return
	}
	status := uint64(t.TG.ExitCode)
	if t.TG.KillSignal != 0 {
		status = 128 + uint64(t.TG.KillSignal)
	}
	k.traceEvent(t, trace.Event{Time: at, Kind: trace.Exit, Arg: status})
}

// reparentChildren hands tg's children to pid 1, which reaps them (orphans), or to
// the init of tg's PID namespace.
func (k *Kernel) reparentChildren(tg *ThreadGroup) {
	init := k.reaperFor(tg)
	sub := k.subreaperOf(tg)
	for _, c := range tg.Children {
		if c.Reaped {
			continue
		}
		for _, ct := range c.Tasks {
			if ct.PdeathSig != 0 && ct.State != TaskDead {
				k.SignalTask(ct, SigInfo{Signo: ct.PdeathSig, Code: SI_USER})
			}
		}
		c.ExitSignal = linux.SIGCHLD
		if sub != nil {
			// prctl(2) PR_SET_CHILD_SUBREAPER: the nearest living ancestor that
			// asked adopts the orphan, and learns at once of one already dead.
			c.Parent = sub
			sub.Children = append(sub.Children, c)
			if c.Exited {
				k.notifyParent(c) // as reparent_leader's do_notify_parent
			}
			if c.PGID != tg.PGID && c.SID == tg.SID {
				k.hangUpIfOrphaned(c.PGID)
			}
			continue
		}
		c.Parent = init
		switch {
		case init != nil && init == k.initProc && c.Exited:
			k.reap(init, c) // the kernel's init reaps an adopted zombie at once
		case init != nil && init != tg:
			init.Children = append(init.Children, c)
			switch {
			case c.Exited && init.isNSInit():
				k.notifyParent(c) // a namespace's init learns of an adopted zombie
			case c.Exited:
				init.ChildEvents.WakeAll()
			}
		}
		if tg != init && c.PGID != tg.PGID && c.SID == tg.SID {
			k.hangUpIfOrphaned(c.PGID) // tg may have been c's group's last link
		}
	}
	tg.Children = nil
}

// subreaperOf is the nearest living ancestor of tg that is a child subreaper, below
// init and in tg's PID namespace (find_new_reaper); nil if there is none.
func (k *Kernel) subreaperOf(tg *ThreadGroup) *ThreadGroup {
	for p := tg.Parent; p != nil && p != k.reaperFor(tg) && p.PIDNS == tg.PIDNS; p = p.Parent {
		if p.ChildSubreaper && !p.Exited {
			return p
		}
	}
	return nil
}

// notifyParent tells tg's parent that tg exited: it wakes the parent's waiters and, if
// the parent ignores SIGCHLD, reaps tg at once (no zombie), as POSIX says.
func (k *Kernel) notifyParent(tg *ThreadGroup) {
	p := tg.Parent
	if p != nil && p == k.initProc {
		k.reap(p, tg) // the kernel's init waits for every child at once
		return
	}
	if p == nil || p.Exited {
		k.markReaped(tg)
		return
	}
	if tg.ExitSignal == linux.SIGCHLD {
		act := p.SigActions[linux.SIGCHLD]
		if act.Handler == SIG_IGN || act.Flags&SA_NOCLDWAIT != 0 {
			// Reaped at once, and, never waited for, not added to the parent's
			// RUSAGE_CHILDREN (Linux accounts children in wait_task_zombie only).
			k.release(p, tg)
		}
	}
	if tg.ExitSignal > 0 && tg.ExitSignal < linux.NSIG { // do_notify_parent: only a valid signal
		info := SigInfo{Signo: tg.ExitSignal, Code: CLD_EXITED, PID: tg.PID, UID: tg.Creds.UID, Status: int32(tg.ExitCode)}
		if tg.KillSignal != 0 {
			info.Code, info.Status = CLD_KILLED, int32(tg.KillSignal)
			if tg.CoreDumped {
				info.Code = CLD_DUMPED
			}
		}
		k.SignalProcess(p, info)
	}
	p.ChildEvents.WakeAll()
}

// reap removes a zombie child from its parent and adds up its accounting.
func (k *Kernel) reap(parent, child *ThreadGroup) {
	k.release(parent, child)
	st := child.Stats()
	parent.ChildStats.add(st)
	parent.ChildStats.add(child.ChildStats)
	parent.ChildMem.PageFaults += child.MemAtExit.PageFaults + child.ChildMem.PageFaults
	parent.ChildMem.COWCopies += child.MemAtExit.COWCopies + child.ChildMem.COWCopies
	// ru_maxrss of RUSAGE_CHILDREN is the largest of the reaped descendants' (cmaxrss).
	parent.ChildMem.PeakResident = max(parent.ChildMem.PeakResident, child.MemAtExit.PeakResident, child.ChildMem.PeakResident)
}

// release removes a zombie child from its parent without adding up its accounting.
func (k *Kernel) release(parent, child *ThreadGroup) {
	k.markReaped(child)
	// What a reaped process keeps is what the summary shows: drop the rest.
	child.Binary, child.Args = nil, nil
	if k.tr != nil {
		if c := k.current; c != nil && c.TG == parent {
			k.traceEvent(c, trace.Event{Time: c.Now(), Kind: trace.Wait, Child: child.PID, Arg: uint64(child.Status())})
		}
	}
	for i, c := range parent.Children {
		if c == child {
			parent.Children = append(parent.Children[:i], parent.Children[i+1:]...)
			break
		}
	}
}

func (s *TaskStats) add(o TaskStats) {
	s.Insns += o.Insns
	s.CPUTime += o.CPUTime
	s.Syscalls += o.Syscalls
	s.VolSwitches += o.VolSwitches
	s.InvolSwitches += o.InvolSwitches
}

// AllTasks returns the group's live tasks and those of its exited tasks that the kernel
// keeps for reports (see keptTasks), in TID order.
func (tg *ThreadGroup) AllTasks() []*Task { return mergeTasks(tg.exitedKept, tg.Tasks) }

// insertByTID inserts t into ts, sorted by TID.
func insertByTID(ts []*Task, t *Task) []*Task {
	i, _ := slices.BinarySearchFunc(ts, t.TID, func(o *Task, tid int) int { return o.TID - tid })
	return slices.Insert(ts, i, t)
}

// mergeTasks merges two lists of tasks sorted by TID.
func mergeTasks(a, b []*Task) []*Task {
	out := make([]*Task, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0].TID < b[0].TID {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// Stats adds up the accounting of every task the group ever had.
func (tg *ThreadGroup) Stats() TaskStats {
	s := tg.deadStats
	for _, t := range tg.Tasks {
		s.add(t.Stats)
	}
	return s
}

// WaitStatus is the status wait4(2) reports for an event of the child.
func (tg *ThreadGroup) WaitStatus(ev WaitEvent) uint32 {
	switch ev {
	case ChildStopped:
		return uint32(tg.StopSignal)<<8 | 0x7f
	case ChildContinued:
		return 0xffff
	}
	return tg.Status()
}

// Status is a child's wait status as wait4(2) encodes it.
func (tg *ThreadGroup) Status() uint32 {
	if tg.KillSignal != 0 {
		if tg.CoreDumped {
			return uint32(tg.KillSignal)&0x7f | 0x80 // WCOREDUMP
		}
		return uint32(tg.KillSignal) & 0x7f
	}
	return uint32(tg.ExitCode&0xff) << 8
}

// WaitTarget selects the children a wait4 or waitid call waits for.
type WaitTarget struct {
	PID  int // > 0: that child
	PGID int // > 0: children in that process group
	// neither: any child

	// A "clone child" reports its exit with a signal other than SIGCHLD, or none.
	// Clone waits only for those (__WCLONE); All for every child (__WALL); by default
	// only for the others (wait4(2)).
	Clone, All bool
}

func (w WaitTarget) matches(c *ThreadGroup) bool {
	if !w.All && (c.ExitSignal != linux.SIGCHLD) != w.Clone {
		return false
	}
	switch {
	case w.PID > 0:
		return c.PID == w.PID
	case w.PGID > 0:
		return c.PGID == w.PGID
	}
	return true
}

// WaitEvent is what a wait reports about a child.
type WaitEvent uint8

const (
	ChildExited    WaitEvent = iota // it exited or was killed (a zombie until reaped)
	ChildStopped                    // a job-control signal stopped it (WUNTRACED)
	ChildContinued                  // SIGCONT continued it (WCONTINUED)
)

// WaitOpts say which changes a wait reports and how.
type WaitOpts struct {
	Exited, Stopped, Continued bool
	NoHang                     bool // return nil rather than block
	Keep                       bool // leave the child waitable (WNOWAIT)
}

// WaitChild looks for a child of t's process that target selects and that has an event
// the options ask for. It returns the child and the event (reaping an exited child
// unless Keep), or when there is none yet: ECHILD if no child matches at all, nil if
// NoHang, and otherwise blocks (ErrBlocked).
func (t *Task) WaitChild(target WaitTarget, o WaitOpts) (*ThreadGroup, WaitEvent, error) {
	tg := t.TG
	found := false
	for _, c := range tg.Children {
		if !target.matches(c) {
			continue
		}
		found = true
		switch {
		case o.Exited && c.Exited && !c.Reaped:
			if !o.Keep {
				t.k.reap(tg, c)
			}
			return c, ChildExited, nil
		case o.Stopped && c.Stopped && c.stopReport && !c.Exited:
			if !o.Keep {
				c.stopReport = false
			}
			return c, ChildStopped, nil
		case o.Continued && c.contReport && !c.Exited:
			if !o.Keep {
				c.contReport = false
			}
			return c, ChildContinued, nil
		}
	}
	switch {
	case !found:
		return nil, 0, linux.ECHILD
	case o.NoHang:
		return nil, 0, nil
	}
	return nil, 0, t.Block("wait4 for a child", &tg.ChildEvents)
}

// Signal dispositions and flags (asm-generic/signal-defs.h).
const (
	SIG_DFL      = 0
	SIG_IGN      = 1
	SA_NOCLDSTOP = 0x00000001
	SA_NOCLDWAIT = 0x00000002
	SA_SIGINFO   = 0x00000004
	SA_ONSTACK   = 0x08000000
	SA_RESTART   = 0x10000000
	SA_NODEFER   = 0x40000000
	SA_RESETHAND = 0x80000000
)

// defaultIgnored reports whether sig's default action is to ignore it (signal(7)).
func defaultIgnored(sig Signal) bool {
	switch sig {
	case linux.SIGCHLD, linux.SIGURG, linux.SIGWINCH, linux.SIGCONT:
		return true
	}
	return false
}

// SetGroups installs a new list of supplementary groups (setgroups(2)), charging the
// memory cap for it (ENOMEM past it).
func (t *Task) SetGroups(gs []uint32) error {
	k := t.k
	if !k.pool.Charge(groupsBytes(gs)) {
		return linux.ENOMEM
	}
	k.pool.Uncharge(groupsBytes(t.TG.Creds.Groups))
	t.TG.Creds.Groups = gs
	return nil
}

// mayKill is kill(2)'s permission rule (kill_ok_by_cred): the sender must have
// CAP_KILL over the target's user namespace or share a real or effective UID with the
// target's real or saved UID.
func mayKill(c, tc Creds) bool {
	return c.CapableIn(tc.UserNS, CAP_KILL) || c.UID == tc.UID || c.UID == tc.SUID || c.EUID == tc.UID || c.EUID == tc.SUID
}

// Kill sends sig to a process from t, as kill(2) does: the sender must be root or share
// a real or effective UID with the target's real or saved UID.
func (t *Task) Kill(target *ThreadGroup, sig Signal) error {
	if sig < 0 || sig >= linux.NSIG {
		return linux.EINVAL
	}
	c, tc := t.TG.Creds, target.Creds
	if !mayKill(c, tc) {
		return linux.EPERM
	}
	if target.Exited || sig == 0 || t.initIgnores(target, sig) {
		return nil // signal 0 only checks; a zombie accepts and ignores signals
	}
	t.k.SignalProcess(target, SigInfo{Signo: sig, Code: SI_USER, PID: t.TG.PID, UID: c.UID})
	return nil
}

// Queue sends a signal with the sender's siginfo (rt_sigqueueinfo, rt_tgsigqueueinfo)
// to a process, or to one of its threads if task is not nil.
func (t *Task) Queue(tg *ThreadGroup, task *Task, info SigInfo) error {
	c, tc := t.TG.Creds, tg.Creds
	if !mayKill(c, tc) {
		return linux.EPERM
	}
	switch {
	case tg.Exited, t.initIgnores(tg, info.Signo):
	case info.Signo == linux.SIGKILL:
		t.k.exitGroup(tg, 0, linux.SIGKILL)
	case task != nil:
		return t.k.SignalTask(task, info)
	default:
		return t.k.SignalProcess(tg, info)
	}
	return nil
}

// KillTask sends sig to one thread from t (tgkill(2)), with kill(2)'s permission rule.
func (t *Task) KillTask(target *Task, sig Signal) error {
	if sig < 0 || sig >= linux.NSIG {
		return linux.EINVAL
	}
	c, tc := t.TG.Creds, target.TG.Creds
	if !mayKill(c, tc) {
		return linux.EPERM
	}
	if sig == 0 || t.initIgnores(target.TG, sig) {
		return nil
	}
	if sig == linux.SIGKILL {
		t.k.exitGroup(target.TG, 0, sig)
		return nil
	}
	return t.k.SignalTask(target, SigInfo{Signo: sig, Code: SI_TKILL, PID: t.TG.PID, UID: c.UID})
}

// userTasks counts the tasks that hold a place in uid's RLIMIT_NPROC count: live
// tasks, and the zombie leaders of unreaped processes.
func (k *Kernel) userTasks(uid uint32) uint64 {
	n := uint64(0)
	for _, tg := range k.procs { // a count: the order does not matter
		if tg.Creds.UID != uid {
			continue
		}
		if tg.Exited {
			n++
			continue
		}
		n += uint64(tg.liveTasks)
	}
	return n
}

// markReaped removes a process from the process table: it is no longer a zombie. The
// first keptReaped reaped processes stay in k.groups for --summary and the lessons;
// after that, a reaped process leaves a line in the summary's aggregate and nothing
// else, so that a guest forking without end holds only its live processes.
func (k *Kernel) markReaped(tg *ThreadGroup) {
	tg.Reaped = true
	tg.PidfdEvents.WakeAll() // a reaped process's pidfds hang up
	delete(k.procs, tg.PID)
	for _, g := range []int{tg.PID, tg.PGID, tg.SID} {
		k.forgetPID(g) // its numbers in PID namespaces, if nothing else holds them
	}
	if k.reapedKept < keptReaped {
		k.reapedKept++
		return
	}
	if i := slices.Index(k.groups, tg); i >= 0 {
		k.groups = slices.Delete(k.groups, i, i+1)
	}
	k.pool.Uncharge(groupBytes)
	k.forget(tg)
}

// FindTask returns the living task with tid, or nil.
func (k *Kernel) FindTask(tid int) *Task { return k.live[tid] }

// FindGroup returns the living or zombie process with pid, or nil.
func (k *Kernel) FindGroup(pid int) *ThreadGroup { return k.procs[pid] }

func (k *Kernel) noticeOnce(key, format string, args ...any) {
	if !k.noticed[key] {
		k.noticed[key] = true
		k.notice(format, args...)
	}
}

// stackLimit is RLIMIT_STACK's soft limit as the address space keeps it (0: none).
func (tg *ThreadGroup) stackLimit() uint64 {
	if l := tg.Rlimits[RLIMIT_STACK].Cur; l != RLIM_INFINITY {
		return l
	}
	return 0
}

// SetRlimit sets one of tg's resource limits (setrlimit(2), prlimit(2)); the caller
// has checked it.
func (tg *ThreadGroup) SetRlimit(res int, l Rlimit) {
	tg.Rlimits[res] = l
	if res == RLIMIT_STACK {
		tg.MM.StackLimit = tg.stackLimit()
	}
}
