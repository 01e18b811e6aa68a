package kernel

import (
	"weft/internal/abi/linux"
	"weft/internal/kernel/cost"
)

// Unshare implements unshare(2) for what weft can separate, for a process with one
// thread: the descriptor table (CLONE_FILES, shared with another process by clone),
// the file system information (CLONE_FS: weft keeps the working directory and umask
// per process, so a lone thread shares them with no one) and the System V semaphore
// undo list (CLONE_SYSVSEM, which applies the process's adjustments now, as Linux's
// exit_sem does), the user namespace (CLONE_NEWUSER, userns.go: no capability needed),
// the network and mount namespaces (CLONE_NEWNET, CLONE_NEWNS: mntns.go) and the PID
// and time namespaces of the process's future children (CLONE_NEWPID, CLONE_NEWTIME),
// these CAP_SYS_ADMIN in the caller's user namespace only (weft keeps them per
// process, so only for a process with one thread). weft has no UTS, IPC or cgroup
// namespaces: asking for a new one is EPERM without CAP_SYS_ADMIN and EINVAL with it,
// as on a kernel built without them. The flags Linux accepts only for a process that
// shares nothing (CLONE_THREAD, CLONE_SIGHAND, CLONE_VM) are EINVAL otherwise.
func (t *Task) Unshare(flags uint64) error {
	const allowed = CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES |
		CLONE_SYSVSEM | cloneNamespaces | CLONE_NEWTIME
	if flags&^allowed != 0 {
		return linux.EINVAL
	}
	tg := t.TG
	single := tg.liveTasks == 1
	if flags&(CLONE_THREAD|CLONE_SIGHAND|CLONE_VM) != 0 && !single {
		return linux.EINVAL
	}
	if flags&CLONE_VM != 0 && tg.sharesMM {
		return linux.EINVAL
	}
	// A new user namespace comes first: the other namespaces made with it belong to
	// it, and the caller's capabilities in it are what they ask for. It implies
	// CLONE_THREAD and CLONE_FS (check_unshare_flags): a process of one thread only.
	creds := tg.Creds
	// What new namespaces were charged for goes back if the call fails.
	var nsCharged int64
	defer func() { t.k.pool.Uncharge(nsCharged) }()
	if flags&CLONE_NEWUSER != 0 {
		if !single {
			return linux.EINVAL
		}
		if err := t.k.newUserNS(tg, &creds); err != nil {
			return err
		}
		nsCharged += userNSBytes
	}
	if flags&(cloneNamespaces&^CLONE_NEWUSER|CLONE_NEWTIME) != 0 {
		if !creds.CapableOwn(CAP_SYS_ADMIN) {
			return linux.EPERM
		}
		if flags&cloneNamespaces&^(CLONE_NEWNET|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNS) != 0 {
			return linux.EINVAL // no UTS, IPC or cgroup namespaces in weft
		}
		if !single {
			return linux.EINVAL // weft keeps the namespaces per process
		}
		if flags&CLONE_NEWPID != 0 && tg.PIDNSChildren != tg.PIDNS {
			return linux.EINVAL // copy_pid_ns: once, until a child enters the new one
		}
	}
	var pidNS *PIDNS
	if flags&CLONE_NEWPID != 0 {
		var err error
		if pidNS, err = t.k.newPIDNS(tg.PIDNS, creds.UserNS); err != nil {
			return err
		}
		nsCharged += pidNSBytes
	}
	var mntCharged int64
	if flags&CLONE_NEWNS != 0 {
		n, err := t.k.chargeMountNS(tg.MntNS)
		if err != nil {
			return err
		}
		nsCharged += n
		mntCharged = n
	}
	if flags&(CLONE_FS|CLONE_SYSVSEM|CLONE_FILES) != 0 && !single {
		// The threads of a weft process share these; one thread cannot leave (Linux
		// would give the caller copies of its own).
		return linux.EINVAL
	}
	if flags&CLONE_FILES != 0 && tg.FDs.users > 0 {
		fds, err := tg.FDs.Fork()
		if err != nil {
			return err
		}
		tg.FDs.users--
		tg.FDs = fds
		t.k.work[cost.FDCopy] += fds.copied
	}
	nsCharged = 0 // nothing fails from here on
	if flags&CLONE_NEWNET != 0 {
		tg.Net = tg.Net.NewNamespace()
	}
	if flags&CLONE_SYSVSEM != 0 {
		t.k.semExit(tg)
	}
	if flags&CLONE_NEWUSER != 0 {
		tg.Creds = creds
	}
	if flags&CLONE_NEWNS != 0 {
		// Made last: the copy enters every mount's list of namespaces.
		t.k.enterMountNS(tg, t.k.newMountNS(tg.MntNS, creds.UserNS, mntCharged))
	}
	if pidNS != nil {
		// As with CLONE_NEWTIME, the caller stays where it is: its next child is the
		// new namespace's init.
		tg.PIDNSChildren = pidNS
	}
	if flags&CLONE_NEWTIME != 0 {
		// The caller stays where it is; its children to come (and its next program,
		// after execve) enter the new one.
		tg.TimeNSChildren = t.k.newTimeNS(tg.TimeNSChildren, tg.Creds.UserNS)
	}
	return nil
}
