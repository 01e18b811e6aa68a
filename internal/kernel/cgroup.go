package kernel

import (
	"fmt"
	"slices"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/mm"
	"weft/internal/vfs"
)

// Control groups, version 2 (Documentation/admin-guide/cgroup-v2.rst; cgroups(7)): one
// hierarchy of groups, each process in exactly one, with controllers that each group
// enables for its children in cgroup.subtree_control. weft has two controllers:
// memory (cgroup_mem.go), which charges each group the frames its processes allocate
// and enforces memory.max with reclaim and an OOM killer, and pids (cgroup_pids.go),
// which bounds the tasks a group may hold.
//
// The hierarchy is the guest's through the cgroup2 file system (cgroupfs.go), which
// weft mounts at /sys/fs/cgroup, as systemd does, and which mount(2) can mount again
// elsewhere: every mount shows the same hierarchy.
//
// Membership is the process's Cgroup field: a fork's child starts in its parent's
// group (or the one clone3's CLONE_INTO_CGROUP names), a write of a PID to a group's
// cgroup.procs moves the process, and an exited process belongs to none (a zombie is
// in no cgroup.procs, as on Linux). Nothing here depends on map order: groups keep
// their children in creation order, and processes are visited in PID order.

// cgroupCtrl is a set of controllers.
type cgroupCtrl uint8

const (
	ctrlMemory cgroupCtrl = 1 << iota
	ctrlPids

	ctrlAll = ctrlMemory | ctrlPids
)

// cgroupCtrlNames name the controllers in the order cgroup.controllers lists them.
var cgroupCtrlNames = []struct {
	bit  cgroupCtrl
	name string
}{{ctrlMemory, "memory"}, {ctrlPids, "pids"}}

func (s cgroupCtrl) String() string {
	var names []string
	for _, c := range cgroupCtrlNames {
		if s&c.bit != 0 {
			names = append(names, c.name)
		}
	}
	return strings.Join(names, " ")
}

// Cgroup is one control group.
type Cgroup struct {
	name     string
	parent   *Cgroup   // nil for the root
	children []*Cgroup // live children, in the order they were made
	// The directory's owner and mode, from the mkdir(2) that made it; its files
	// have the same owner (Linux's cgroup_kn_set_ugid).
	uid, gid uint32
	mode     uint32
	id       uint64 // the group's inode number, which never repeats
	// subtree is cgroup.subtree_control: the controllers the children have.
	subtree cgroupCtrl
	// dead is set by rmdir: a directory still open refers to a group that is gone.
	dead bool
	// maxDepth and maxDescendants are cgroup.max.depth and cgroup.max.descendants
	// (-1: max).
	maxDepth, maxDescendants int

	mem memcgState // the memory controller's state (cgroup_mem.go)
	pid pidcgState // the pids controller's state (cgroup_pids.go)
	k   *Kernel    // the kernel the group belongs to
}

// cgroupTree is the kernel's hierarchy.
type cgroupTree struct {
	root   *Cgroup
	nextID uint64
	// views are the roots of the cgroup2 mounts (cgroupfs.go): directories whose
	// entries are closures over the kernel, which a restored checkpoint binds anew.
	views []*vfs.Inode
	// localEvents is the mount option memory_localevents: memory.events counts
	// only the group's own events, as memory.events.local does.
	localEvents bool
}

// initCgroups makes the root group, which every process starts in, and mounts the
// hierarchy at /sys/fs/cgroup.
func (k *Kernel) initCgroups() {
	root := &Cgroup{k: k, mode: 0o555, maxDepth: -1, maxDescendants: -1}
	root.mem.init(root, nil)
	root.pid.max = -1
	k.cgroups.root = root
	k.cgroups.nextID = 1
	root.id = k.cgroups.nextID
	k.pool.Reclaim = k.memcgReclaim
	v := k.cgroupView()
	if err := k.FS.Mount("/sys/fs/cgroup", v); err != nil {
		panic(fmt.Sprintf("kernel: mounting the cgroup hierarchy: %v", err))
	}
}

// controllers is cgroup.controllers: what the parent enables for its children; the
// root has every controller.
func (cg *Cgroup) controllers() cgroupCtrl {
	if cg.parent == nil {
		return ctrlAll
	}
	return cg.parent.subtree
}

// Path is the group's path from the root ("/" for the root), as /proc/PID/cgroup shows.
func (cg *Cgroup) Path() string {
	if cg.parent == nil {
		return "/"
	}
	var parts []string
	for c := cg; c.parent != nil; c = c.parent {
		parts = append(parts, c.name)
	}
	slices.Reverse(parts)
	return "/" + strings.Join(parts, "/")
}

// isIn reports whether cg is sub or below it.
func (cg *Cgroup) isIn(sub *Cgroup) bool {
	for c := cg; c != nil; c = c.parent {
		if c == sub {
			return true
		}
	}
	return false
}

// descendants counts the live groups below cg.
func (cg *Cgroup) descendants() int {
	n := 0
	for _, c := range cg.children {
		n += 1 + c.descendants()
	}
	return n
}

// child returns cg's live child called name, or nil.
func (cg *Cgroup) child(name string) *Cgroup {
	for _, c := range cg.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// procs returns the live processes in cg itself, in PID order (cgroup.procs).
func (k *Kernel) cgroupProcs(cg *Cgroup) []*ThreadGroup {
	var out []*ThreadGroup
	for _, tg := range k.groups {
		if tg.Cgroup == cg && !tg.Exited {
			out = append(out, tg)
		}
	}
	return out
}

// subtreeProcs returns the live processes in cg and below it, in PID order.
func (k *Kernel) subtreeProcs(cg *Cgroup) []*ThreadGroup {
	var out []*ThreadGroup
	for _, tg := range k.groups {
		if !tg.Exited && tg.Cgroup != nil && tg.Cgroup.isIn(cg) {
			out = append(out, tg)
		}
	}
	return out
}

// populated reports whether a live process is in cg or below it (cgroup.events).
func (k *Kernel) populated(cg *Cgroup) bool {
	return len(k.subtreeProcs(cg)) > 0
}

// mkdirCgroup makes the group name below parent (mkdir(2) in its directory).
func (k *Kernel) mkdirCgroup(parent *Cgroup, name string, mode uint32, c vfs.Cred) error {
	switch {
	case parent.dead:
		return linux.ENOENT
	case strings.ContainsRune(name, '\n'):
		return linux.EINVAL // cgroup_mkdir: a name with a newline cannot be listed
	}
	// cgroup.max.depth and cgroup.max.descendants of each ancestor (cgroup_check_
	// hierarchy_limits): EAGAIN past either.
	for a, d := parent, 1; a != nil; a, d = a.parent, d+1 {
		if (a.maxDepth >= 0 && d > a.maxDepth) || (a.maxDescendants >= 0 && a.descendants()+1 > a.maxDescendants) {
			return linux.EAGAIN
		}
	}
	if !k.pool.Charge(cgroupBytes) {
		return linux.ENOMEM
	}
	k.cgroups.nextID++
	cg := &Cgroup{k: k, name: name, parent: parent, uid: c.UID, gid: c.GID, mode: mode,
		id: k.cgroups.nextID, maxDepth: -1, maxDescendants: -1}
	cg.mem.init(cg, &parent.mem.counter)
	cg.pid.max = -1
	parent.children = append(parent.children, cg)
	return nil
}

// cgroupBytes is what a group's records cost the host, charged to the memory cap.
const cgroupBytes = 512

// rmdirCgroup removes parent's child name (rmdir(2)): a group with processes in it
// or below it, or with children, is busy (cgroup_destroy_locked's EBUSY).
func (k *Kernel) rmdirCgroup(parent *Cgroup, name string) error {
	cg := parent.child(name)
	switch {
	case cg == nil:
		return linux.ENOENT
	case k.populated(cg), len(cg.children) > 0:
		return linux.EBUSY
	}
	cg.dead = true
	i := slices.Index(parent.children, cg)
	parent.children = slices.Delete(parent.children, i, i+1)
	k.pool.Uncharge(cgroupBytes)
	return nil
}

// attachCheck reports why the process tg may not move to dst now, for a writer with
// credentials c (cgroup_attach_permissions, cgroup_migrate_vet_dst): dst is gone
// (ENODEV), has children with controllers and so may hold no process itself (the
// no-internal-process rule, EBUSY; the root is exempt), or the writer may not write
// cgroup.procs of dst and of the nearest group that holds both tg's group and dst
// (EACCES).
func (k *Kernel) attachCheck(c *Creds, tg *ThreadGroup, dst *Cgroup) error {
	switch {
	case dst.dead:
		return linux.ENODEV
	case dst.parent != nil && dst.subtree != 0:
		return linux.EBUSY
	}
	common := tg.Cgroup
	for common != nil && !dst.isIn(common) {
		common = common.parent
	}
	if common == nil {
		common = k.cgroups.root
	}
	if !c.Capable(CAP_DAC_OVERRIDE) && (!cgroupMayWrite(c, dst) || !cgroupMayWrite(c, common)) {
		return linux.EACCES
	}
	return nil
}

// cgroupMayWrite reports whether c may write the files of cg (owned by the group's
// owner, mode 0644).
func cgroupMayWrite(c *Creds, cg *Cgroup) bool {
	return c.FSUID == cg.uid
}

// moveProcess moves tg to dst: its new pages are charged there from now on (its old
// ones stay charged where they were, as on Linux).
func (k *Kernel) moveProcess(tg *ThreadGroup, dst *Cgroup) error {
	if tg.Cgroup == dst {
		return nil
	}
	tg.Cgroup = dst
	tg.MM.Memcg = dst.memcg()
	return nil
}

// rechargeTargets points every live process's address space at the memory counter of
// its group, after a change to cgroup.subtree_control moved the memory controller.
func (k *Kernel) rechargeTargets() {
	for _, tg := range k.groups {
		if !tg.Exited && tg.Cgroup != nil && tg.MM != nil {
			tg.MM.Memcg = tg.Cgroup.memcg()
		}
	}
}

// joinCgroup puts a new process in its group: the one it was given, or its parent's.
func (k *Kernel) joinCgroup(tg *ThreadGroup) {
	if tg.Cgroup == nil {
		tg.Cgroup = k.cgroups.root
		if tg.Parent != nil && tg.Parent.Cgroup != nil {
			tg.Cgroup = tg.Parent.Cgroup
		}
	}
	if tg.MM != nil {
		tg.MM.Memcg = tg.Cgroup.memcg()
	}
}

// CgroupOf returns the cgroup whose directory n is (a directory of a cgroup2 mount),
// or nil.
func CgroupOf(n *vfs.Inode) *Cgroup {
	if n == nil || !n.IsDir() {
		return nil
	}
	cg, _ := n.Owner.(*Cgroup)
	return cg
}

// CheckCloneInto reports why t may not create a child in cg (clone3(2)'s
// CLONE_INTO_CGROUP): a removed group cannot be taken hold of (ENOENT, as
// css_tryget_online_from_dir fails), then the errors of a migration (attachCheck),
// for the caller's credentials.
func (t *Task) CheckCloneInto(cg *Cgroup) error {
	if cg.dead {
		return linux.ENOENT
	}
	return t.k.attachCheck(&t.TG.Creds, t.TG, cg)
}

// procCgroup is /proc/PID/cgroup: the process's group in the one hierarchy
// ("0::PATH").
func procCgroup(tg *ThreadGroup) string {
	if tg.Cgroup == nil {
		return "0::/\n"
	}
	return "0::" + tg.Cgroup.Path() + "\n"
}

// memcg returns the memory counter that cg's processes charge: cg's own if cg has
// the memory controller, else that of the nearest ancestor that has it (the root
// always does), as a cgroup without a controller is governed by its parent's.
func (cg *Cgroup) memcg() *mm.MemCounter {
	c := cg
	for c.parent != nil && c.controllers()&ctrlMemory == 0 {
		c = c.parent
	}
	return &c.mem.counter
}
