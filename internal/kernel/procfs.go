package kernel

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/mm"
	"weft/internal/vfs"
)

// mountProc builds /proc: "self" and one directory per process, with exe, cwd, cmdline,
// comm, status, maps and fd/, in Linux's formats. Contents are computed when a file is
// opened, from the kernel's state at that moment.
func (k *Kernel) mountProc() {
	lookup, names := k.procRootFuncs()
	root := k.FS.NewDynamicDir(0o555, 0, 0, lookup, names)
	root.SetMagic(vfs.PROC_SUPER_MAGIC)
	k.FS.Mount("/proc", root)
	k.procRoot = root
}

// procRootFuncs returns the entries of /proc, computed from k when looked up. A
// restored checkpoint gives its /proc these anew, bound to the new kernel.
func (k *Kernel) procRootFuncs() (func(string) *vfs.Inode, func() []string) {
	fs := k.FS
	return func(name string) *vfs.Inode {
			if n := k.procSysEntry(name); n != nil {
				return n
			}
			if name == "self" {
				if k.current == nil {
					return nil
				}
				return fs.NewSymlink(strconv.Itoa(k.current.PIDOf(k.current.TG)), 0, 0)
			}
			pid, err := strconv.Atoi(name)
			if err != nil {
				return nil
			}
			if tg := k.procs[k.globalIn(pid, k.viewNS())]; tg != nil {
				return k.procDir(tg)
			}
			return nil
		}, func() []string {
			names := append([]string{"self"}, procSysNames...)
			ns := k.viewNS()
			for _, tg := range k.groups {
				if !tg.Reaped && ns.contains(tg.PIDNS) {
					names = append(names, strconv.Itoa(k.nrIn(tg.PID, ns)))
				}
			}
			return names
		}
}

// linkDevFD makes the links udev makes on Linux: programs write to /dev/stdout, and
// shells hand /dev/fd/N to commands for process substitution.
// makeTerminal gives the guest /dev/tty and /dev/pts/0 when weft's standard input and
// output are a terminal on the host, and returns the terminal's inode: one device
// reading the one and writing the other, the guest's controlling terminal. Without a
// terminal, /dev/pts is empty and opening /dev/tty fails with ENXIO, as it does on
// Linux for a process with no controlling terminal.
func (k *Kernel) makeTerminal() *vfs.Inode {
	// (noEntry and noNames are plain functions, not closures: a checkpoint shares them.)
	if !k.cfg.StdinTTY || !k.cfg.StdoutTTY {
		k.FS.AddNode("/dev/tty", k.FS.NewDevice(nil, 0o666, 5<<8|0))
		k.FS.AddNode("/dev/pts", k.FS.NewDynamicDir(0o755, 0, 0, noEntry, noNames))
		return nil
	}
	term := &vfs.Stream{R: k.cfg.Stdin, W: k.cfg.Stdout, TTY: true}
	k.FS.AddNode("/dev/tty", k.FS.NewDevice(term, 0o666, 5<<8|0))
	pts := k.FS.NewDevice(term, 0o620, 136<<8|0)
	k.FS.AddNode("/dev/pts/0", pts)
	return pts
}

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
		"exe":     func() *vfs.Inode { return fs.NewSymlink(tg.Exe, uid, gid) },
		"cwd":     func() *vfs.Inode { return fs.NewSymlink(tg.CwdPath, uid, gid) },
		"cmdline": func() *vfs.Inode { return file(func() string { return strings.Join(tg.Args, "\x00") + "\x00" }) },
		"comm":    func() *vfs.Inode { return k.procComm(tg, nil) },
		"status":  func() *vfs.Inode { return file(func() string { return k.procStatus(tg) }) },
		"maps":    func() *vfs.Inode { return file(func() string { return procMaps(tg) }) },
		"smaps":   func() *vfs.Inode { return file(func() string { return procSmaps(tg) }) },
		"fd":      func() *vfs.Inode { return k.procFDs(tg) },
		"root": func() *vfs.Inode {
			if tg.Root == nil {
				return fs.NewSymlink("/", uid, gid)
			}
			return fs.NewMagicLink(fs.PathOf(tg.Root), tg.Root, uid, gid)
		},
		"stat":      func() *vfs.Inode { return file(func() string { return k.procStatLine(tg, nil) }) },
		"statm":     func() *vfs.Inode { return file(func() string { return procStatm(tg) }) },
		"mounts":    func() *vfs.Inode { return file(func() string { return k.procMounts(tg) }) },
		"mountinfo": func() *vfs.Inode { return file(func() string { return k.procMountinfo(tg) }) },
		"task":      func() *vfs.Inode { return k.procTasks(tg) },
		"ns":        func() *vfs.Inode { return k.procNSDir(tg) },
		"cgroup":    func() *vfs.Inode { return file(func() string { return procCgroup(tg) }) },
		// The maps and setgroups setting of the process's user namespace (userns.go).
		"uid_map":   func() *vfs.Inode { return k.procIDMap(tg, false) },
		"gid_map":   func() *vfs.Inode { return k.procIDMap(tg, true) },
		"setgroups": func() *vfs.Inode { return k.procSetgroups(tg) },
		// The offsets of the time namespace for tg's children (timens.go).
		"timens_offsets": func() *vfs.Inode { return k.procTimensOffsets(tg) },
		// The timer slack of the process's main thread (timerslack.go).
		"timerslack_ns": func() *vfs.Inode {
			return file(func() string {
				if t := tg.firstLive(); t != nil {
					return fmt.Sprintf("%d\n", t.TimerSlack())
				}
				return "0\n"
			})
		},
		"environ": func() *vfs.Inode {
			return fs.NewGenerated(0o400, uid, gid, func() []byte { return procEnviron(tg) })
		},
		"auxv": func() *vfs.Inode {
			return fs.NewGenerated(0o400, uid, gid, tg.AuxvBytes)
		},
		"fdinfo": func() *vfs.Inode { return k.procFDInfo(tg) },
		"pagemap": func() *vfs.Inode {
			return fs.NewReader(0o400, uid, gid, func(p []byte, off int64) (int, error) {
				// Linux decides at open whether the reader sees frame numbers;
				// weft asks of the task reading.
				showPFN := k.current != nil && k.current.TG.Creds.Capable(CAP_SYS_ADMIN)
				return procPagemap(tg, p, off, showPFN)
			})
		},
		"coredump_filter": func() *vfs.Inode {
			n := fs.NewSetting(0o644, tg.coreFilterFile, func(p []byte) error {
				v, err := strconv.ParseUint(strings.TrimSpace(string(p)), 0, 32)
				if err != nil {
					return linux.EINVAL
				}
				tg.CoreFilter, tg.coreFilterSet = uint32(v), true
				return nil
			})
			n.UID, n.GID = uid, gid
			return n
		},
	}
	oom := k.procOOMFiles(tg)
	entries["oom_adj"], entries["oom_score"], entries["oom_score_adj"] = oom["oom_adj"], oom["oom_score"], oom["oom_score_adj"]
	names := []string{"auxv", "cgroup", "cmdline", "comm", "coredump_filter", "cwd", "environ", "exe", "fd", "fdinfo", "gid_map", "maps", "mountinfo", "mounts", "ns", "oom_adj", "oom_score", "oom_score_adj", "pagemap", "root", "setgroups", "smaps", "stat", "statm", "status", "task", "timens_offsets", "timerslack_ns", "uid_map"}
	// A zombie keeps its /proc directory until it is reaped, but only what is left of
	// it: its status and name, and an empty command line (proc(5)).
	zombie := map[string]bool{"cmdline": true, "comm": true, "stat": true, "status": true}
	dir := fs.NewDynamicDir(0o555, uid, gid, func(name string) *vfs.Inode {
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
	dir.Owner = tg // pidfd_send_signal takes a descriptor of it as a pidfd
	return dir
}

// fdDir is a /proc/PID directory with an entry per open descriptor of tg (fd/,
// fdinfo/), each made by entry from the descriptor and its open file description.
func (k *Kernel) fdDir(tg *ThreadGroup, entry func(fd int, f *vfs.File) *vfs.Inode) *vfs.Inode {
	return k.FS.NewDynamicDir(0o500, tg.Creds.EUID, tg.Creds.EGID, func(name string) *vfs.Inode {
		fd, err := strconv.Atoi(name)
		if err != nil {
			return nil
		}
		f, err := tg.FDs.Get(fd)
		if err != nil {
			return nil
		}
		return entry(fd, f)
	}, func() []string {
		var names []string
		for _, fd := range tg.FDs.Open() {
			names = append(names, strconv.Itoa(fd))
		}
		return names
	})
}

// procFDs is /proc/PID/fd: a magic link per descriptor, which reopens the file itself.
func (k *Kernel) procFDs(tg *ThreadGroup) *vfs.Inode {
	return k.fdDir(tg, func(_ int, f *vfs.File) *vfs.Inode {
		return k.FS.NewMagicLink(f.Path, f.Inode, tg.Creds.EUID, tg.Creds.EGID)
	})
}

// procFDInfo is /proc/PID/fdinfo: for each open descriptor, its file offset, open
// flags (with O_CLOEXEC from the descriptor), mount ID and inode number (proc(5)).
func (k *Kernel) procFDInfo(tg *ThreadGroup) *vfs.Inode {
	uid, gid := tg.Creds.EUID, tg.Creds.EGID
	return k.fdDir(tg, func(fd int, f *vfs.File) *vfs.Inode {
		return k.FS.NewGenerated(0o400, uid, gid, func() []byte {
			flags := f.Flags
			if tg.FDs.CloseOnExec(fd) {
				flags |= vfs.O_CLOEXEC
			}
			return fmt.Appendf(nil, "pos:\t%d\nflags:\t0%o\nmnt_id:\t%d\nino:\t%d\n", f.Offset, flags, 1, f.Inode.Ino)
		})
	})
}

// procEnviron reads the environment strings from the process's memory, as Linux's
// /proc/PID/environ does (what the program wrote over them included), at most a page
// at a time up to the block's end.
func procEnviron(tg *ThreadGroup) []byte {
	if tg.envEnd <= tg.envStart || tg.MM == nil {
		return nil
	}
	out := make([]byte, 0, tg.envEnd-tg.envStart)
	var page [4096]byte
	for a := tg.envStart; a < tg.envEnd; {
		n := min(uint64(len(page)), tg.envEnd-a)
		if tg.MM.ReadAt(page[:n], a) != nil {
			break
		}
		out = append(out, page[:n]...)
		a += n
	}
	return out
}

// procStatus renders /proc/PID/status (proc(5)).
func (k *Kernel) procStatus(tg *ThreadGroup) string {
	var b strings.Builder
	c := tg.Creds
	ns, uns := k.viewNS(), k.viewUserNS() // the reader's view of IDs
	ppid := 0
	if tg.Parent != nil {
		ppid = k.nrIn(tg.Parent.PID, ns)
	}
	state := map[byte]string{'R': "R (running)", 'S': "S (sleeping)", 'T': "T (stopped)", 'Z': "Z (zombie)"}[procState(tg)]
	size := tg.MM.Mapped()
	st := tg.Stats()
	groups := make([]string, len(c.Groups))
	for i, g := range c.Groups {
		groups[i] = strconv.Itoa(int(uns.GIDSeen(g)))
	}
	var blocked uint64
	if t := tg.firstLive(); t != nil {
		blocked = t.SigMask
	}
	ign, caught := tg.dispositions()
	fmt.Fprintf(&b, "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		tg.Comm, tg.Umask, state, k.nrIn(tg.PID, ns), k.nrIn(tg.PID, ns), ppid)
	u, g := uns.UIDSeen, uns.GIDSeen
	fmt.Fprintf(&b, "Uid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\n", u(c.UID), u(c.EUID), u(c.SUID), u(c.FSUID), g(c.GID), g(c.EGID), g(c.SGID), g(c.FSGID))
	fmt.Fprintf(&b, "FDSize:\t%d\nGroups:\t%s\n", max(64, len(tg.FDs.fds)), strings.Join(groups, " "))
	// The IDs in each PID namespace from the reader's down to the process's own
	// (proc(5), NStgid and the rest).
	nsIDs := func(g int) string {
		ids := k.NSpids(g, ns)
		if len(ids) == 0 {
			ids = []int{0}
		}
		return strings.Trim(fmt.Sprint(ids), "[]")
	}
	fmt.Fprintf(&b, "NStgid:\t%s\nNSpid:\t%s\nNSpgid:\t%s\nNSsid:\t%s\nKthread:\t0\n",
		nsTab(nsIDs(tg.PID)), nsTab(nsIDs(tg.PID)), nsTab(nsIDs(tg.PGID)), nsTab(nsIDs(tg.SID)))
	v := vmSizes(tg)
	fmt.Fprintf(&b, "VmPeak:\t%8d kB\nVmSize:\t%8d kB\nVmLck:\t%8d kB\nVmPin:\t%8d kB\nVmHWM:\t%8d kB\nVmRSS:\t%8d kB\n",
		size>>10, size>>10, tg.MM.LockedBytes()>>10, 0, tg.MM.Stats.PeakResident*mm.PageSize>>10, tg.MM.Stats.Resident*mm.PageSize>>10)
	fmt.Fprintf(&b, "VmData:\t%8d kB\nVmStk:\t%8d kB\nVmExe:\t%8d kB\nVmLib:\t%8d kB\nVmSwap:\t%8d kB\n",
		v.data>>10, v.stack>>10, v.exe>>10, v.lib>>10, 0)
	fmt.Fprintf(&b, "CoreDumping:\t0\nTHP_enabled:\t0\nThreads:\t%d\n", tg.liveTasks)
	fmt.Fprintf(&b, "SigQ:\t%d/%d\n", k.sigQueued[c.UID], tg.Rlimits[RLIMIT_SIGPENDING].Cur)
	fmt.Fprintf(&b, "SigPnd:\t%016x\nShdPnd:\t%016x\nSigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n",
		pendingOf(tg), tg.sigPending.set, blocked, ign, caught)
	fmt.Fprintf(&b, "CapInh:\t%016x\nCapPrm:\t%016x\nCapEff:\t%016x\nCapBnd:\t%016x\nCapAmb:\t%016x\n",
		c.Caps.Inh, c.Caps.Prm, c.Caps.Eff, c.Caps.Bnd, c.Caps.Amb)
	nnp, seccomp := 0, 0
	if t := tg.firstLive(); t != nil {
		if t.NoNewPrivs {
			nnp = 1
		}
		if t.SeccompStrict {
			seccomp = 1
		}
	}
	fmt.Fprintf(&b, "NoNewPrivs:\t%d\nSeccomp:\t%d\nSeccomp_filters:\t0\n", nnp, seccomp)
	cpus := uint64(1)<<len(k.CPUs) - 1
	if t := tg.firstLive(); t != nil && t.Affinity != 0 {
		cpus = t.Affinity
	}
	fmt.Fprintf(&b, "Cpus_allowed:\t%x\nCpus_allowed_list:\t%s\nMems_allowed:\t1\nMems_allowed_list:\t0\n", cpus, cpuList(cpus))
	fmt.Fprintf(&b, "voluntary_ctxt_switches:\t%d\nnonvoluntary_ctxt_switches:\t%d\n", st.VolSwitches, st.InvolSwitches)
	return b.String()
}

// vmKinds are a process's mappings summed by kind, as /proc/PID/status's VmData,
// VmStk, VmExe and VmLib count them: private writable memory; the stack; the
// program's own executable mappings; other executable mappings (libraries, the
// interpreter).
type vmKinds struct{ data, stack, exe, lib uint64 }

func vmSizes(tg *ThreadGroup) vmKinds {
	var v vmKinds
	for _, m := range tg.MM.VMAs() {
		n := m.End - m.Start
		switch {
		case m.Name == "[stack]":
			v.stack += n
		case m.Perm&mm.PermExec != 0 && m.Perm&mm.PermWrite == 0 && m.Name == tg.Exe:
			v.exe += n
		case m.Perm&mm.PermExec != 0 && m.Perm&mm.PermWrite == 0:
			if m.Name != "[vdso]" {
				v.lib += n
			}
		case m.Perm&mm.PermWrite != 0 && !m.Shared:
			v.data += n
		}
	}
	return v
}

// cpuList writes a CPU mask as a list of ranges ("0-3,5"), as Cpus_allowed_list does.
func cpuList(mask uint64) string {
	var parts []string
	for i := 0; i < 64; i++ {
		if mask&(1<<i) == 0 {
			continue
		}
		j := i
		for j+1 < 64 && mask&(1<<(j+1)) != 0 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", i, j))
		} else {
			parts = append(parts, strconv.Itoa(i))
		}
		i = j
	}
	return strings.Join(parts, ",")
}

// procMaps renders /proc/PID/maps.
func procMaps(tg *ThreadGroup) string {
	var b strings.Builder
	for _, v := range tg.MM.VMAs() {
		b.WriteString(mapsLine(v))
	}
	return b.String()
}

// mapsLine is v's line of /proc/PID/maps.
func mapsLine(v *mm.VMA) string {
	p := []byte(v.Perm.String() + "p")
	if v.Shared {
		p[3] = 's'
	}
	if v.Unreadable {
		p[0] = '-'
	}
	var off uint64
	if v.Pager != nil || v.Huge != nil {
		off = v.Off // a file mapping: where in the file it starts
	}
	line := fmt.Sprintf("%08x-%08x %s %08x 00:00 0", v.Start, v.End, p, off)
	if v.Name != "" {
		line += strings.Repeat(" ", max(1, 73-len(line))) + v.Name
	}
	return line + "\n"
}

// procSmaps is /proc/PID/smaps (proc(5), show_smap): each mapping's line of maps and
// what its pages hold. weft keeps no dirty, accessed or swap state: present pages
// count as dirty and referenced, none is swapped, and no page is a transparent huge
// page. Huge pages (hugetlb) are counted apart, not in Rss, as Linux does.
func procSmaps(tg *ThreadGroup) string {
	var b strings.Builder
	kb := func(name string, n uint64) { fmt.Fprintf(&b, "%-16s%8d kB\n", name+":", n>>10) }
	for _, v := range tg.MM.VMAs() {
		u := tg.MM.Usage(v)
		b.WriteString(mapsLine(v))
		kb("Size", v.End-v.Start)
		kb("KernelPageSize", v.PageSize())
		kb("MMUPageSize", v.PageSize())
		kb("Rss", u.Rss)
		kb("Pss", u.Pss)
		kb("Pss_Dirty", u.Pss)
		kb("Shared_Clean", 0)
		kb("Shared_Dirty", u.Shared)
		kb("Private_Clean", 0)
		kb("Private_Dirty", u.Private)
		kb("Referenced", u.Rss)
		kb("Anonymous", u.Anonymous)
		kb("KSM", 0)
		kb("LazyFree", u.LazyFree)
		kb("AnonHugePages", 0)
		kb("ShmemPmdMapped", 0)
		kb("FilePmdMapped", 0)
		kb("Shared_Hugetlb", u.SharedHugetlb)
		kb("Private_Hugetlb", u.PrivateHugetlb)
		kb("Swap", 0)
		kb("SwapPss", 0)
		locked := uint64(0)
		if v.Locked {
			locked = u.Pss
		}
		kb("Locked", locked)
		fmt.Fprintf(&b, "THPeligible:    %8d\n", 0)
		b.WriteString("VmFlags:" + vmFlags(v) + "\n")
	}
	return b.String()
}

// vmFlags is a mapping's VmFlags line in smaps: the two-letter names of its vm_flags
// (show_smap_vma_flags) that weft's mappings have.
func vmFlags(v *mm.VMA) string {
	var f strings.Builder
	add := func(on bool, name string) {
		if on {
			f.WriteString(" " + name)
		}
	}
	add(v.Perm&mm.PermRead != 0 && !v.Unreadable, "rd")
	add(v.Perm&mm.PermWrite != 0, "wr")
	add(v.Perm&mm.PermExec != 0, "ex")
	add(v.Shared, "sh")
	add(true, "mr")
	add(!v.NoMayWrite, "mw")
	add(true, "me")
	add(v.Shared, "ms")
	add(v.GrowsDown, "gd")
	add(v.Locked, "lo")
	add(v.DontFork, "dc")
	add(v.Huge != nil, "de") // hugetlbfs_file_mmap: VM_HUGETLB | VM_DONTEXPAND
	// accountable_mapping: private writable memory is charged to the commit limit;
	// hugetlb memory is accounted by its pool instead.
	add(!v.Shared && v.Perm&mm.PermWrite != 0 && v.Huge == nil, "ac")
	add(v.Huge != nil, "ht")
	add(v.WipeOnFork, "wf")
	add(v.DontDump, "dd")
	return f.String()
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

// noEntry and noNames are the entries of an empty synthetic directory (/dev/pts
// without a terminal).
func noEntry(string) *vfs.Inode { return nil }
func noNames() []string         { return nil }

// pagemap bits (Documentation/admin-guide/mm/pagemap.rst).
const (
	pmPresent       = 1 << 63
	pmPFNMask       = 1<<55 - 1 // bits 0-54
	pmSwap          = 1 << 62   // a swap-type entry: in weft, a poisoned or guard page
	pmFile          = 1 << 61   // a file page or shared anonymous memory
	pmMmapExclusive = 1 << 56
)

// procPagemap reads /proc/PID/pagemap at off: one 64-bit entry per virtual page, the
// page present or not, mapped by this process alone or not, shared memory or not, or
// a poisoned or guard page, which Linux 6.13 shows as a swap entry (PM_SWAP; the
// PM_GUARD_REGION bit came in 6.15).
// A present page's frame number (mm's Frame.PFN, which the memory-failure messages and
// the hwpoison debugfs use too) is there for a reader with CAP_SYS_ADMIN (showPFN), 0
// for others, as Linux shows it; riscv64 has no soft-dirty bit. Reads must be whole,
// aligned entries (EINVAL), and end at the top of the address space.
func procPagemap(tg *ThreadGroup, p []byte, off int64, showPFN bool) (int, error) {
	if off%8 != 0 || len(p)%8 != 0 {
		return 0, linux.EINVAL
	}
	if tg.Exited || tg.MM == nil {
		return 0, nil
	}
	as := tg.MM
	n := 0
	for vpn := uint64(off) / 8; n+8 <= len(p) && vpn < mm.AddrLimit/mm.PageSize; vpn++ {
		var e uint64
		present, exclusive, shared, marked := as.PageState(vpn * mm.PageSize)
		if marked {
			e = pmSwap
		}
		if present {
			e = pmPresent
			if showPFN {
				e |= as.PagePFN(vpn*mm.PageSize) & pmPFNMask
			}
			if exclusive {
				e |= pmMmapExclusive
			}
			if shared {
				e |= pmFile
			}
		}
		binary.LittleEndian.PutUint64(p[n:], e)
		n += 8
	}
	return n, nil
}
