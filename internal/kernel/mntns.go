package kernel

import (
	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// Mount namespaces (mount_namespaces(7); vfs/mount.go keeps which mounts each has).
// clone(2) and unshare(2) with CLONE_NEWNS give a process a copy of its namespace,
// owned by its user namespace: mount(2) and umount2(2) then change its copy only, and
// need CAP_SYS_ADMIN over the namespace's owner (may_mount). weft keeps the namespace
// per process, as the others. Not modelled: propagation (every mount is private) and
// the locking of the mounts a less privileged namespace copied (MNT_LOCKED).

// mntNSBytes is what a mount namespace is charged against the memory cap, and
// mntNSMountBytes for each mount it copies.
const (
	mntNSBytes      = 256
	mntNSMountBytes = 16
)

// chargeMountNS takes from the memory cap what a copy of mount namespace from costs
// (ENOMEM past it), and returns the amount. The copy itself (newMountNS) is made once
// nothing else can fail, since it enters the mounts' lists.
func (k *Kernel) chargeMountNS(from *vfs.MountNS) (int64, error) {
	n := mntNSBytes + int64(mntNSMountBytes*len(k.FS.MemMountsIn(from)))
	if !k.pool.Charge(n) {
		return 0, linux.ENOMEM
	}
	return n, nil
}

// newMountNS makes a copy of mount namespace from, owned by owner (copy_mnt_ns), once
// chargeMountNS has charged the given amount for it.
func (k *Kernel) newMountNS(from *vfs.MountNS, owner *UserNS, charged int64) *vfs.MountNS {
	k.lastNSID++
	ns := &vfs.MountNS{ID: initTimeNSID + k.lastNSID, Owner: owner, Charged: charged}
	k.FS.CopyMounts(from, ns)
	return ns
}

// enterMountNS moves tg from its mount namespace into ns, counting the processes in
// each: the one it leaves is dropped (its mounts unmounted) when no process is left
// in it. ns nil is the first namespace, which is never dropped.
func (k *Kernel) enterMountNS(tg *ThreadGroup, ns *vfs.MountNS) {
	if ns != nil {
		ns.Users++
	}
	old := tg.MntNS
	tg.MntNS = ns
	if old != nil {
		if old.Users--; old.Users == 0 {
			k.FS.DropMountNS(old)
			k.pool.Uncharge(old.Charged)
		}
	}
}

// mntNSOwner is the user namespace that owns mount namespace ns (nil: the root one).
func mntNSOwner(ns *vfs.MountNS) *UserNS {
	if ns == nil {
		return nil
	}
	owner, _ := ns.Owner.(*UserNS)
	return owner
}

// rootMountNSID is the inode number of the first mount namespace: Linux numbers mount
// namespaces from its pool of dynamic proc inode numbers, which starts here.
const rootMountNSID = 0xF0000000

// mntNSID is the inode number /proc/PID/ns/mnt names ns by.
func mntNSID(ns *vfs.MountNS) uint64 {
	if ns == nil {
		return rootMountNSID
	}
	return ns.ID
}

// MayMount reports whether t may mount and unmount in its mount namespace: it needs
// CAP_SYS_ADMIN over the namespace's owner (may_mount).
func (t *Task) MayMount() bool {
	return t.TG.Creds.CapableIn(mntNSOwner(t.TG.MntNS), CAP_SYS_ADMIN)
}

// setMountNS is setns(2) into mount namespace ns (mntns_install): CAP_SYS_ADMIN over
// its owner and CAP_SYS_CHROOT and CAP_SYS_ADMIN in the caller's own user namespace, a
// process of one thread (weft shares the working directory between threads: EINVAL
// otherwise); the caller's root and working directory become the namespace's root.
func (t *Task) setMountNS(ns *vfs.MountNS) error {
	c := &t.TG.Creds
	switch {
	case !c.CapableIn(mntNSOwner(ns), CAP_SYS_ADMIN) || !c.CapableOwn(CAP_SYS_CHROOT) || !c.CapableOwn(CAP_SYS_ADMIN):
		return linux.EPERM
	case t.TG.liveTasks != 1:
		return linux.EINVAL
	}
	tg := t.TG
	t.k.enterMountNS(tg, ns)
	tg.Root = nil
	tg.Cwd, tg.CwdPath = t.k.FS.Root, "/"
	return nil
}
