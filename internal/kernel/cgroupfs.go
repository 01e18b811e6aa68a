package kernel

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/mm"
	"weft/internal/vfs"
)

// The cgroup2 file system: a directory per group, with the interface files of
// cgroup-v2.rst ("Core Interface Files", and those of each controller the group has).
// Entries are computed when looked up, from the hierarchy as it is then, as /proc's
// are; a group's directory carries the group (vfs.Inode.Owner), so that a descriptor
// open on it names it (clone3's CLONE_INTO_CGROUP), and mkdir(2) and rmdir(2) in it
// make and remove groups. Each write(2) to a file is one command, as kernfs hands it
// to the controller.

// CGROUP2_SUPER_MAGIC is statfs(2)'s f_type for a cgroup2 file system.
const CGROUP2_SUPER_MAGIC = 0x63677270

// cgroupFile is one interface file.
type cgroupFile struct {
	name string
	ctrl cgroupCtrl // the controller it belongs to; 0 for the core files
	// where it appears: onRoot in the root group, onChild in the others.
	onRoot, onChild bool
	read            func(k *Kernel, cg *Cgroup) string
	// write, if set, takes one write(2); w is the writing task.
	write func(k *Kernel, cg *Cgroup, w *Task, s string) error
}

// cgroupFiles are the interface files, sorted by name.
var cgroupFiles = []cgroupFile{
	{name: "cgroup.controllers", onRoot: true, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return lineOf(cg.controllers().String()) }},
	{name: "cgroup.events", onChild: true,
		read: func(k *Kernel, cg *Cgroup) string {
			return fmt.Sprintf("populated %d\nfrozen 0\n", b2i(k.populated(cg)))
		}},
	{name: "cgroup.kill", onChild: true, write: writeCgroupKill},
	{name: "cgroup.max.depth", onRoot: true, onChild: true,
		read:  func(k *Kernel, cg *Cgroup) string { return showLimit(cg.maxDepth) },
		write: func(k *Kernel, cg *Cgroup, w *Task, s string) error { return parseLimit(s, &cg.maxDepth) }},
	{name: "cgroup.max.descendants", onRoot: true, onChild: true,
		read:  func(k *Kernel, cg *Cgroup) string { return showLimit(cg.maxDescendants) },
		write: func(k *Kernel, cg *Cgroup, w *Task, s string) error { return parseLimit(s, &cg.maxDescendants) }},
	{name: "cgroup.procs", onRoot: true, onChild: true, read: readCgroupProcs, write: writeCgroupProcs},
	{name: "cgroup.stat", onRoot: true, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string {
			return fmt.Sprintf("nr_descendants %d\nnr_dying_descendants 0\n", cg.descendants())
		}},
	{name: "cgroup.subtree_control", onRoot: true, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return lineOf(cg.subtree.String()) }, write: writeSubtreeControl},
	{name: "cgroup.threads", onRoot: true, onChild: true, read: readCgroupThreads, write: writeCgroupThreads},
	{name: "cgroup.type", onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return "domain\n" },
		write: func(k *Kernel, cg *Cgroup, w *Task, s string) error {
			if strings.TrimSpace(s) == "threaded" {
				return linux.EOPNOTSUPP // weft has no threaded cgroups
			}
			return linux.EINVAL
		}},
	{name: "memory.current", ctrl: ctrlMemory, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return fmt.Sprintf("%d\n", cg.mem.counter.Pages*mm.PageSize) }},
	{name: "memory.events", ctrl: ctrlMemory, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return memoryEvents(cg.mem.events) }},
	{name: "memory.events.local", ctrl: ctrlMemory, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return memoryEvents(cg.mem.local) }},
	{name: "memory.high", ctrl: ctrlMemory, onChild: true,
		read:  func(k *Kernel, cg *Cgroup) string { return memBytes(cg.mem.high) },
		write: func(k *Kernel, cg *Cgroup, w *Task, s string) error { return setPages(s, &cg.mem.high) }},
	{name: "memory.low", ctrl: ctrlMemory, onChild: true,
		read:  func(k *Kernel, cg *Cgroup) string { return memBytes(cg.mem.low) },
		write: func(k *Kernel, cg *Cgroup, w *Task, s string) error { return setPages(s, &cg.mem.low) }},
	{name: "memory.max", ctrl: ctrlMemory, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return memBytes(cg.mem.counter.Max) },
		write: func(k *Kernel, cg *Cgroup, w *Task, s string) error {
			pages, err := parseMemBytes(s)
			if err != nil {
				return err
			}
			k.setMemoryMax(cg, pages)
			return nil
		}},
	{name: "memory.min", ctrl: ctrlMemory, onChild: true,
		read:  func(k *Kernel, cg *Cgroup) string { return memBytes(cg.mem.min) },
		write: func(k *Kernel, cg *Cgroup, w *Task, s string) error { return setPages(s, &cg.mem.min) }},
	{name: "memory.peak", ctrl: ctrlMemory, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return fmt.Sprintf("%d\n", cg.mem.counter.Peak*mm.PageSize) }},
	{name: "memory.stat", ctrl: ctrlMemory, onRoot: true, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return k.memoryStat(cg) }},
	{name: "memory.swap.current", ctrl: ctrlMemory, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return "0\n" }},
	{name: "memory.swap.events", ctrl: ctrlMemory, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return "high 0\nmax 0\nfail 0\n" }},
	{name: "memory.swap.max", ctrl: ctrlMemory, onChild: true,
		read:  func(k *Kernel, cg *Cgroup) string { return memBytes(cg.mem.swapMax) },
		write: func(k *Kernel, cg *Cgroup, w *Task, s string) error { return setPages(s, &cg.mem.swapMax) }},
	{name: "pids.current", ctrl: ctrlPids, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return fmt.Sprintf("%d\n", k.tasksIn(cg)) }},
	{name: "pids.events", ctrl: ctrlPids, onChild: true,
		read: func(k *Kernel, cg *Cgroup) string { return fmt.Sprintf("max %d\n", cg.pid.events) }},
	{name: "pids.max", ctrl: ctrlPids, onChild: true,
		read:  func(k *Kernel, cg *Cgroup) string { return showLimit(cg.pid.max) },
		write: func(k *Kernel, cg *Cgroup, w *Task, s string) error { return parseLimit(s, &cg.pid.max) }},
}

// has reports whether f appears in cg's directory.
func (f *cgroupFile) has(cg *Cgroup) bool {
	if cg.parent == nil && !f.onRoot || cg.parent != nil && !f.onChild {
		return false
	}
	return f.ctrl == 0 || cg.parent == nil || cg.controllers()&f.ctrl != 0
}

// cgroupView makes the root directory of a new cgroup2 mount.
func (k *Kernel) cgroupView() *vfs.Inode {
	n := k.cgroupDir(k.cgroups.root)
	n.SetMagic(CGROUP2_SUPER_MAGIC)
	k.cgroups.views = append(k.cgroups.views, n)
	return n
}

// CgroupView makes the root directory of a new cgroup2 mount (mount(2)), which shows
// the one hierarchy; opts are the mount's options, checked by CgroupMountOptions.
func (k *Kernel) CgroupView(opts []string) *vfs.Inode {
	k.cgroups.localEvents = slices.Contains(opts, "memory_localevents")
	return k.cgroupView()
}

// CgroupMountOptions checks the options of a cgroup2 mount (cgroup2_parse_param) and
// returns them: an option cgroup2 does not have is EINVAL.
func CgroupMountOptions(data string) ([]string, error) {
	var opts []string
	for _, o := range strings.Split(data, ",") {
		switch o {
		case "":
		case "nsdelegate", "favordynmods", "memory_localevents", "memory_recursiveprot",
			"memory_hugetlb_accounting", "pids_localevents":
			if !slices.Contains(opts, o) {
				opts = append(opts, o)
			}
		default:
			return nil, linux.EINVAL
		}
	}
	return opts, nil
}

// cgroupDir makes a directory inode for cg.
func (k *Kernel) cgroupDir(cg *Cgroup) *vfs.Inode {
	n := k.FS.NewDynamicDir(cg.mode, cg.uid, cg.gid, nil, nil)
	k.bindCgroupDir(n, cg)
	return n
}

// bindCgroupDir gives n, a directory of cg, its entry functions (closures over k,
// which a restored checkpoint makes anew for the mount roots).
func (k *Kernel) bindCgroupDir(n *vfs.Inode, cg *Cgroup) {
	n.Owner = cg
	n.SetDynamic(func(name string) *vfs.Inode {
		if cg.dead {
			return nil
		}
		if c := cg.child(name); c != nil {
			return k.cgroupDir(c)
		}
		for i := range cgroupFiles {
			if f := &cgroupFiles[i]; f.name == name && f.has(cg) {
				return k.cgroupFileInode(cg, f)
			}
		}
		return nil
	}, func() []string {
		if cg.dead {
			return nil
		}
		var names []string
		for i := range cgroupFiles {
			if f := &cgroupFiles[i]; f.has(cg) {
				names = append(names, f.name)
			}
		}
		for _, c := range cg.children {
			names = append(names, c.name)
		}
		slices.Sort(names)
		return names
	})
	n.SetDirOps(func(name string, mode uint32, c vfs.Cred) error {
		return k.mkdirCgroup(cg, name, mode, c)
	}, func(name string) error {
		return k.rmdirCgroup(cg, name)
	})
}

// rebindCgroups gives a restored kernel's cgroup2 mount roots their functions.
func (k *Kernel) rebindCgroups() {
	for _, v := range k.cgroups.views {
		k.bindCgroupDir(v, k.cgroups.root)
	}
	k.pool.Reclaim = k.memcgReclaim
}

// cgroupFileInode makes the inode of f in cg's directory: owned by the group's owner,
// 0644 if it takes writes and can be read, 0444 if it can only be read, 0200 if it can
// only be written (cgroup.kill).
func (k *Kernel) cgroupFileInode(cg *Cgroup, f *cgroupFile) *vfs.Inode {
	gen := func() []byte {
		if f.read == nil || cg.dead {
			return nil
		}
		return []byte(f.read(k, cg))
	}
	var n *vfs.Inode
	if f.write == nil {
		n = k.FS.NewGenerated(0o444, cg.uid, cg.gid, gen)
	} else {
		perm := uint32(0o644)
		if f.read == nil {
			perm = 0o200
		}
		n = k.FS.NewSetting(perm, gen, func(p []byte) error {
			if cg.dead {
				return linux.ENODEV
			}
			return f.write(k, cg, k.current, string(p))
		})
		n.UID, n.GID = cg.uid, cg.gid
	}
	return n
}

func lineOf(s string) string { return s + "\n" }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// showLimit shows cgroup.max.depth, cgroup.max.descendants or pids.max.
func showLimit[T int | int64](v T) string {
	if v < 0 {
		return "max\n"
	}
	return fmt.Sprintf("%d\n", v)
}

// parseLimit sets cgroup.max.depth, cgroup.max.descendants or pids.max: "max" (-1)
// or a count.
func parseLimit[T int | int64](s string, v *T) error {
	s = strings.TrimSpace(s)
	if s == "max" {
		*v = -1
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || int64(T(n)) != n {
		return linux.EINVAL
	}
	*v = T(n)
	return nil
}

// setPages sets a memory setting in pages from a write ("max" or bytes).
func setPages(s string, v *int64) error {
	pages, err := parseMemBytes(s)
	if err == nil {
		*v = pages
	}
	return err
}

// readCgroupProcs lists the PIDs of the processes in cg, one a line, as the reader's
// PID namespace numbers them (task_pid_vnr: 0 for one outside it).
func readCgroupProcs(k *Kernel, cg *Cgroup) string {
	var b strings.Builder
	ns := k.viewNS()
	for _, tg := range k.cgroupProcs(cg) {
		fmt.Fprintf(&b, "%d\n", k.nrIn(tg.PID, ns))
	}
	return b.String()
}

// readCgroupThreads lists the TIDs of the live threads of the processes in cg, as the
// reader's PID namespace numbers them.
func readCgroupThreads(k *Kernel, cg *Cgroup) string {
	var b strings.Builder
	ns := k.viewNS()
	for _, tg := range k.cgroupProcs(cg) {
		for _, t := range tg.Tasks {
			if t.State != TaskDead {
				fmt.Fprintf(&b, "%d\n", k.nrIn(t.TID, ns))
			}
		}
	}
	return b.String()
}

// writtenPID parses the PID or TID a write to cgroup.procs or cgroup.threads names
// ("0": the writer), a number in the writer's PID namespace (find_task_by_vpid), and
// finds its task.
func writtenPID(k *Kernel, w *Task, s string) (*Task, error) {
	id, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || id < 0 {
		return nil, linux.EINVAL
	}
	if id == 0 {
		if w == nil {
			return nil, linux.ESRCH
		}
		return w, nil
	}
	t := k.FindTask(id)
	if w != nil {
		t = w.FindTask(id)
	}
	if t == nil || t.TG.Exited {
		return nil, linux.ESRCH
	}
	return t, nil
}

// writeCgroupProcs moves the process a PID names (any of its threads' TIDs names it
// too) into cg.
func writeCgroupProcs(k *Kernel, cg *Cgroup, w *Task, s string) error {
	t, err := writtenPID(k, w, s)
	if err != nil {
		return err
	}
	if w == nil {
		return linux.EPERM
	}
	if err := k.attachCheck(&w.TG.Creds, t.TG, cg); err != nil {
		return err
	}
	return k.moveProcess(t.TG, cg)
}

// writeCgroupThreads moves one thread: weft's groups are all domain groups, whose
// threads stay with their process, so naming a thread of a process already in cg
// succeeds and any other is EOPNOTSUPP (a thread may move alone only within a
// threaded subtree).
func writeCgroupThreads(k *Kernel, cg *Cgroup, w *Task, s string) error {
	t, err := writtenPID(k, w, s)
	if err != nil {
		return err
	}
	if t.TG.Cgroup != cg {
		return linux.EOPNOTSUPP
	}
	return nil
}

// writeSubtreeControl changes cgroup.subtree_control: space-separated "+name" and
// "-name" tokens (cgroup_subtree_control_write). An unknown controller is EINVAL, one
// the group does not have ENOENT; enabling any in a group that has processes of its
// own breaks the no-internal-process rule (EBUSY, except at the root), and so does
// disabling one a child still hands down to its own children.
func writeSubtreeControl(k *Kernel, cg *Cgroup, w *Task, s string) error {
	var enable, disable cgroupCtrl
	for _, tok := range strings.Fields(s) {
		var bit cgroupCtrl
		for _, c := range cgroupCtrlNames {
			if tok[1:] == c.name {
				bit = c.bit
			}
		}
		if bit == 0 {
			return linux.EINVAL
		}
		switch tok[0] {
		case '+':
			enable, disable = enable|bit, disable&^bit
		case '-':
			disable, enable = disable|bit, enable&^bit
		default:
			return linux.EINVAL
		}
	}
	if (enable|disable)&^cg.controllers() != 0 {
		return linux.ENOENT
	}
	enable &^= cg.subtree
	disable &= cg.subtree
	if enable != 0 && cg.parent != nil && len(k.cgroupProcs(cg)) > 0 {
		return linux.EBUSY
	}
	for _, c := range cg.children {
		if c.subtree&disable != 0 {
			return linux.EBUSY
		}
	}
	cg.subtree = cg.subtree&^disable | enable
	if (enable|disable)&ctrlMemory != 0 {
		k.rechargeTargets()
	}
	return nil
}

// writeCgroupKill kills every process in cg and below it when "1" is written
// (cgroup.kill).
func writeCgroupKill(k *Kernel, cg *Cgroup, w *Task, s string) error {
	if strings.TrimSpace(s) != "1" {
		return linux.EINVAL
	}
	for _, tg := range k.subtreeProcs(cg) {
		if tg != k.initProc {
			k.SignalProcess(tg, SigInfo{Signo: linux.SIGKILL, Code: SI_KERNEL})
		}
	}
	return nil
}
