package kernel

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/mm"
	"weft/internal/vfs"
)

// More of /proc/PID as tools read it (proc(5)): stat and statm, the mounts the process
// sees, and task/ with a directory per thread.

// procState is the one-letter state proc(5) shows for tg: as in Linux, its leader
// thread's (a process whose main thread sleeps in a wait is 'S' while another of its
// threads runs).
func procState(tg *ThreadGroup) byte {
	switch {
	case tg.Exited:
		return 'Z'
	case tg.Stopped:
		return 'T'
	}
	for _, t := range tg.Tasks {
		if t.TID == tg.PID && t.State != TaskDead {
			if t.State == TaskRunnable {
				return 'R'
			}
			return 'S'
		}
	}
	for _, t := range tg.Tasks {
		if t.State == TaskRunnable {
			return 'R'
		}
	}
	return 'S'
}

// procStatLine is /proc/PID/stat (t nil) or /proc/PID/task/TID/stat: the 52 fields of
// proc(5), with times in clock ticks (UserHZ) of virtual time.
func (k *Kernel) procStatLine(tg *ThreadGroup, t *Task) string {
	ns := k.viewNS()
	ppid := 0
	if tg.Parent != nil {
		ppid = k.nrIn(tg.Parent.PID, ns)
	}
	st := tg.Stats()
	id, state, nice, cpu := k.nrIn(tg.PID, ns), procState(tg), 0, 0
	var blocked uint64
	if t != nil {
		id, st = k.nrIn(t.TID, ns), t.Stats
		switch t.State {
		case TaskRunnable:
			state = 'R'
		case TaskStopped:
			state = 'T'
		case TaskDead:
			state = 'Z'
		default:
			state = 'S'
		}
	}
	if lt := tg.firstLive(); lt != nil {
		nice, blocked = lt.Nice, lt.SigMask
		if t != nil {
			nice, blocked = t.Nice, t.SigMask
		}
		if c := lt.cpu; c != nil {
			cpu = c.ID
		}
	}
	ign, caught := tg.dispositions()
	tick := func(ns uint64) uint64 { return ns / (1e9 / UserHZ) }
	mem := tg.MM.Stats
	if tg.Exited {
		mem = tg.MemAtExit
	}
	exitCode := 0
	if tg.Exited {
		exitCode = int(tg.WaitStatus(ChildExited))
	}
	f := []any{
		id, "(" + tg.Comm + ")", string(state), ppid, k.nrIn(tg.PGID, ns), k.nrIn(tg.SID, ns), 0, -1, 0,
		mem.PageFaults + mem.COWCopies, tg.ChildMem.PageFaults + tg.ChildMem.COWCopies, 0, 0,
		tick(st.CPUTime), 0, tick(tg.ChildStats.CPUTime), 0,
		20 + nice, nice, tg.liveTasks, 0, tick(k.readerBoottime(tg.StartTime)), tg.MM.Mapped(), mem.Resident,
		uint64(1<<63 - 1), 0, 0, 0, 0, 0,
		tg.sigPending.set, blocked, ign, caught, 0, 0, 0, int(tg.ExitSignal), cpu, 0, 0, 0, 0, 0,
		0, 0, tg.MM.BrkStart, 0, 0, 0, 0, exitCode,
	}
	var b strings.Builder
	for i, v := range f {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, v)
	}
	b.WriteByte('\n')
	return b.String()
}

// procStatm is /proc/PID/statm: sizes in pages.
func procStatm(tg *ThreadGroup) string {
	size := tg.MM.Mapped() / mm.PageSize
	return fmt.Sprintf("%d %d 0 0 0 %d 0\n", size, tg.MM.Stats.Resident, size)
}

// procMounts is /proc/PID/mounts: weft's own tree, /proc, /dev/shm and each --mount.
func (k *Kernel) procMounts(tg *ThreadGroup) string {
	var b strings.Builder
	if k.cfg.Root != "" {
		// A guest root: the host directory below, weft's memory above (vfs.NewRoot),
		// with weft's own /dev and /tmp on top.
		b.WriteString("overlay / overlay rw,relatime 0 0\n")
		b.WriteString("tmpfs /dev tmpfs rw,nosuid 0 0\n")
		b.WriteString("tmpfs /tmp tmpfs rw,nosuid,nodev 0 0\n")
	} else {
		b.WriteString("weft / tmpfs rw,relatime 0 0\n")
	}
	b.WriteString("proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n")
	b.WriteString("tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0\n")
	// The cgroup hierarchy, where and as systemd mounts it (cgroup.go).
	b.WriteString("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0\n")
	b.WriteString("debugfs " + DebugfsPath + " debugfs rw,nosuid,nodev,noexec,relatime 0 0\n") // debugfs.go, as systemd mounts it
	for _, m := range k.cfg.Mounts {
		opt := "ro"
		if m.Writable {
			opt = "rw"
		}
		fmt.Fprintf(&b, "host %s hostfs %s,nosuid,nodev 0 0\n", strings.ReplaceAll(m.Guest, " ", `\040`), opt)
	}
	// The mounts the guest made with mount(2) in tg's mount namespace, where they are
	// now: a tmpfs with the options Linux shows for one mounted without any (inode64
	// is the default on 64-bit machines), an ext2 file system or a cgroup2 hierarchy
	// with its own.
	for _, m := range k.FS.MemMountsIn(tg.MntNS) {
		opt := "rw"
		if m.ReadOnly() {
			opt = "ro"
		}
		for _, f := range []struct {
			bit  uint64
			name string
		}{{vfs.MS_NOSUID, "nosuid"}, {vfs.MS_NODEV, "nodev"}, {vfs.MS_NOEXEC, "noexec"}, {vfs.MS_NOSYMFOLLOW, "nosymfollow"}} {
			if m.Flags&f.bit != 0 {
				opt += "," + f.name
			}
		}
		src := m.Source
		if src == "" {
			src = "none"
		}
		esc := strings.NewReplacer(" ", `\040`, "\t", `\011`, "\n", `\012`, `\`, `\134`)
		extra := "inode64"
		if m.Type != "tmpfs" {
			extra = m.Options
		}
		if extra != "" {
			extra = "," + extra
		}
		fmt.Fprintf(&b, "%s %s %s %s,relatime%s 0 0\n", esc.Replace(src), esc.Replace(m.Path(k.FS)), m.Type, opt, extra)
	}
	return b.String()
}

// procMountinfo is /proc/PID/mountinfo, the same mounts in proc(5)'s longer format.
func (k *Kernel) procMountinfo(tg *ThreadGroup) string {
	var b strings.Builder
	id := 20
	for _, line := range strings.Split(strings.TrimSpace(k.procMounts(tg)), "\n") {
		f := strings.Fields(line)
		parent := 20
		if id == 20 {
			parent = 1
		}
		fmt.Fprintf(&b, "%d %d 0:%d / %s %s - %s %s %s\n", id, parent, id, f[1], f[3], f[2], f[0], f[3])
		id++
	}
	return b.String()
}

// procTasks is /proc/PID/task: a directory per live thread, with its stat, status and
// comm.
func (k *Kernel) procTasks(tg *ThreadGroup) *vfs.Inode {
	fs := k.FS
	uid, gid := tg.Creds.EUID, tg.Creds.EGID
	file := func(gen func() string) *vfs.Inode {
		return fs.NewGenerated(0o444, uid, gid, func() []byte { return []byte(gen()) })
	}
	return fs.NewDynamicDir(0o555, uid, gid, func(name string) *vfs.Inode {
		tid, err := strconv.Atoi(name)
		if err != nil {
			return nil
		}
		tid = k.globalIn(tid, k.viewNS())
		var t *Task
		for _, o := range tg.Tasks {
			if o.TID == tid {
				t = o
			}
		}
		if t == nil {
			return nil
		}
		return staticDir(fs, map[string]func() *vfs.Inode{
			"stat":   func() *vfs.Inode { return file(func() string { return k.procStatLine(tg, t) }) },
			"status": func() *vfs.Inode { return file(func() string { return k.procStatus(tg) }) },
			"comm":   func() *vfs.Inode { return k.procComm(tg, t) },
		})
	}, func() []string {
		names := make([]string, 0, len(tg.Tasks))
		for _, t := range tg.Tasks {
			names = append(names, strconv.Itoa(k.nrIn(t.TID, k.viewNS())))
		}
		return names
	})
}

// dispositions are the signal sets tg ignores and catches (SigIgn, SigCgt in
// /proc/PID/status; sigignore, sigcatch in stat).
func (tg *ThreadGroup) dispositions() (ign, caught uint64) {
	for s, a := range tg.SigActions {
		switch {
		case s == 0:
		case a.Handler == SIG_IGN:
			ign |= 1 << (s - 1)
		case a.Handler != SIG_DFL:
			caught |= 1 << (s - 1)
		}
	}
	return ign, caught
}

// procComm is /proc/PID/comm (t nil: the process's, its main thread's name) or
// /proc/PID/task/TID/comm (t's): the name, and writable by the process's owner, which
// is how glibc's pthread_setname_np names another thread. A write sets the name to its
// first 15 bytes, up to a NUL, as proc(5)'s comm_write does (no newline is removed:
// echo without -n names a thread with one). Linux also refuses a write from another
// process with EINVAL; weft checks only the file's owner and mode.
func (k *Kernel) procComm(tg *ThreadGroup, t *Task) *vfs.Inode {
	n := k.FS.NewSetting(0o644, func() []byte {
		if t != nil {
			return []byte(t.Name() + "\n")
		}
		return []byte(tg.Comm + "\n")
	}, func(p []byte) error {
		if i := bytes.IndexByte(p, 0); i >= 0 {
			p = p[:i]
		}
		name := string(p[:min(len(p), 15)])
		target := t
		for _, o := range tg.Tasks {
			if target == nil && o.TID == tg.PID {
				target = o // the main thread names the process
			}
		}
		if target == nil || target.State == TaskDead {
			return linux.ESRCH
		}
		target.SetName(name)
		return nil
	})
	n.UID, n.GID = tg.Creds.EUID, tg.Creds.EGID
	return n
}
