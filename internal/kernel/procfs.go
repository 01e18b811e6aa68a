package kernel

import (
	"fmt"
	"strconv"
	"strings"

	"weft/internal/mm"
	"weft/internal/vfs"
)

// mountProc builds /proc: "self" and one directory per process, with exe, cwd, cmdline,
// comm, status, maps and fd/, in Linux's formats. Contents are computed when a file is
// opened, from the kernel's state at that moment.
func (k *Kernel) mountProc() {
	fs := k.FS
	root := fs.NewDynamicDir(0o555, 0, 0, func(name string) *vfs.Inode {
		if n := k.procSysEntry(name); n != nil {
			return n
		}
		if name == "self" {
			if k.current == nil {
				return nil
			}
			return fs.NewSymlink(strconv.Itoa(k.current.TG.PID), 0, 0)
		}
		pid, err := strconv.Atoi(name)
		if err != nil {
			return nil
		}
		if tg := k.FindGroup(pid); tg != nil {
			return k.procDir(tg)
		}
		return nil
	}, func() []string {
		names := append([]string{"self"}, procSysNames...)
		for _, tg := range k.groups {
			if !tg.Reaped {
				names = append(names, strconv.Itoa(tg.PID))
			}
		}
		return names
	})
	root.SetMagic(vfs.PROC_SUPER_MAGIC)
	fs.Mount("/proc", root)
}

// linkDevFD makes the links udev makes on Linux: programs write to /dev/stdout, and
// shells hand /dev/fd/N to commands for process substitution.
func (k *Kernel) linkDevFD() {
	k.FS.AddSymlink("/dev/fd", "/proc/self/fd")
	k.FS.AddSymlink("/dev/stdin", "/proc/self/fd/0")
	k.FS.AddSymlink("/dev/stdout", "/proc/self/fd/1")
	k.FS.AddSymlink("/dev/stderr", "/proc/self/fd/2")
}

func (k *Kernel) procDir(tg *ThreadGroup) *vfs.Inode {
	fs := k.FS
	uid, gid := tg.Creds.EUID, tg.Creds.EGID
	file := func(gen func() string) *vfs.Inode {
		return fs.NewGenerated(0o444, uid, gid, func() []byte { return []byte(gen()) })
	}
	entries := map[string]func() *vfs.Inode{
		"exe":       func() *vfs.Inode { return fs.NewSymlink(tg.Exe, uid, gid) },
		"cwd":       func() *vfs.Inode { return fs.NewSymlink(tg.CwdPath, uid, gid) },
		"cmdline":   func() *vfs.Inode { return file(func() string { return strings.Join(tg.Args, "\x00") + "\x00" }) },
		"comm":      func() *vfs.Inode { return file(func() string { return tg.Comm + "\n" }) },
		"status":    func() *vfs.Inode { return file(func() string { return k.procStatus(tg) }) },
		"maps":      func() *vfs.Inode { return file(func() string { return procMaps(tg) }) },
		"fd":        func() *vfs.Inode { return k.procFDs(tg) },
		"root":      func() *vfs.Inode { return fs.NewSymlink("/", uid, gid) },
		"stat":      func() *vfs.Inode { return file(func() string { return k.procStatLine(tg, nil) }) },
		"statm":     func() *vfs.Inode { return file(func() string { return procStatm(tg) }) },
		"mounts":    func() *vfs.Inode { return file(k.procMounts) },
		"mountinfo": func() *vfs.Inode { return file(k.procMountinfo) },
		"task":      func() *vfs.Inode { return k.procTasks(tg) },
		// The timer slack of the process's main thread (timerslack.go).
		"timerslack_ns": func() *vfs.Inode {
			return file(func() string {
				if t := tg.firstLive(); t != nil {
					return fmt.Sprintf("%d\n", t.TimerSlack())
				}
				return "0\n"
			})
		},
	}
	names := []string{"cmdline", "comm", "cwd", "exe", "fd", "maps", "mountinfo", "mounts", "root", "stat", "statm", "status", "task", "timerslack_ns"}
	// A zombie keeps its /proc directory until it is reaped, but only what is left of
	// it: its status and name, and an empty command line (proc(5)).
	zombie := map[string]bool{"cmdline": true, "comm": true, "stat": true, "status": true}
	return fs.NewDynamicDir(0o555, uid, gid, func(name string) *vfs.Inode {
		mk, ok := entries[name]
		switch {
		case !ok:
			return nil
		case tg.Exited && name == "cmdline":
			return file(func() string { return "" })
		case tg.Exited && !zombie[name]:
			return nil
		}
		return mk()
	}, func() []string {
		if tg.Exited {
			return []string{"cmdline", "comm", "stat", "status"}
		}
		return names
	})
}

func (k *Kernel) procFDs(tg *ThreadGroup) *vfs.Inode {
	fs := k.FS
	return fs.NewDynamicDir(0o500, tg.Creds.EUID, tg.Creds.EGID, func(name string) *vfs.Inode {
		fd, err := strconv.Atoi(name)
		if err != nil {
			return nil
		}
		f, err := tg.FDs.Get(fd)
		if err != nil {
			return nil
		}
		return fs.NewMagicLink(f.Path, f.Inode, tg.Creds.EUID, tg.Creds.EGID)
	}, func() []string {
		var names []string
		for _, fd := range tg.FDs.Open() {
			names = append(names, strconv.Itoa(fd))
		}
		return names
	})
}

// procStatus renders /proc/PID/status (proc(5)).
func (k *Kernel) procStatus(tg *ThreadGroup) string {
	var b strings.Builder
	c := tg.Creds
	ppid := 0
	if tg.Parent != nil {
		ppid = tg.Parent.PID
	}
	state := map[byte]string{'R': "R (running)", 'S': "S (sleeping)", 'T': "T (stopped)", 'Z': "Z (zombie)"}[procState(tg)]
	size := tg.MM.Mapped()
	st := tg.Stats()
	groups := make([]string, len(c.Groups))
	for i, g := range c.Groups {
		groups[i] = strconv.Itoa(int(g))
	}
	var blocked uint64
	if t := tg.firstLive(); t != nil {
		blocked = t.SigMask
	}
	ign, caught := tg.dispositions()
	fmt.Fprintf(&b, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		tg.Comm, tg.Umask, state, tg.PID, tg.PID, ppid)
	fmt.Fprintf(&b, "Uid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\n", c.UID, c.EUID, c.SUID, c.EUID, c.GID, c.EGID, c.SGID, c.EGID)
	fmt.Fprintf(&b, "FDSize:\t%d\nGroups:\t%s\n", max(64, len(tg.FDs.fds)), strings.Join(groups, " "))
	fmt.Fprintf(&b, "VmPeak:\t%8d kB\nVmSize:\t%8d kB\nVmLck:\t%8d kB\nVmHWM:\t%8d kB\nVmRSS:\t%8d kB\n",
		size>>10, size>>10, tg.MM.LockedBytes()>>10, tg.MM.Stats.PeakResident*mm.PageSize>>10, tg.MM.Stats.Resident*mm.PageSize>>10)
	fmt.Fprintf(&b, "Threads:\t%d\n", tg.liveTasks)
	fmt.Fprintf(&b, "SigPnd:\t%016x\nShdPnd:\t%016x\nSigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n",
		pendingOf(tg), tg.sigPending.set, blocked, ign, caught)
	fmt.Fprintf(&b, "CapInh:\t%016x\nCapPrm:\t%016x\nCapEff:\t%016x\nCapBnd:\t%016x\nCapAmb:\t%016x\n",
		c.Caps.Inh, c.Caps.Prm, c.Caps.Eff, c.Caps.Bnd, 0)
	fmt.Fprintf(&b, "voluntary_ctxt_switches:\t%d\nnonvoluntary_ctxt_switches:\t%d\n", st.VolSwitches, st.InvolSwitches)
	return b.String()
}

// procMaps renders /proc/PID/maps.
func procMaps(tg *ThreadGroup) string {
	var b strings.Builder
	for _, v := range tg.MM.VMAs() {
		p := []byte(v.Perm.String() + "p")
		if v.Shared {
			p[3] = 's'
		}
		line := fmt.Sprintf("%08x-%08x %s %08x 00:00 0", v.Start, v.End, p, 0)
		if v.Name != "" {
			line += strings.Repeat(" ", max(1, 73-len(line))) + v.Name
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func pendingOf(tg *ThreadGroup) uint64 {
	if t := tg.firstLive(); t != nil {
		return t.sigPending.set
	}
	return 0
}

// firstLive returns the group's first task that has not exited, or nil.
func (tg *ThreadGroup) firstLive() *Task {
	for _, t := range tg.Tasks {
		if t.State != TaskDead {
			return t
		}
	}
	return nil
}
