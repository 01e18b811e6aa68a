package kernel

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"weft/internal/abi/linux"

	"weft/internal/mm"
	wnet "weft/internal/net"
	"weft/internal/vfs"
)

// The system-wide files of /proc (proc(5)): memory, CPUs, times and the few
// /proc/sys settings that programs and test suites read. Every figure is weft's own,
// computed when the file is opened: memory is the guest's cap and what the kernel
// counts against it, times are virtual.

// KernelRelease is the Linux release whose behaviour weft implements, as uname(2),
// /proc/sys/kernel/osrelease and /proc/version report it.
const KernelRelease = "6.13.0-weft"

// procVersion is /proc/version, and the first line of the kernel log.
const procVersion = "Linux version " + KernelRelease + " (weft) #1 SMP PREEMPT weft\n"

// Hostname is the guest's host name (uname's nodename, /proc/sys/kernel/hostname).
const Hostname = "weft"

// PIDMax is the default and the largest value of /proc/sys/kernel/pid_max: Linux's
// PID_MAX_LIMIT on 64-bit machines (pid.go).
const PIDMax = 4194304

// NROpen is /proc/sys/fs/nr_open: the most file descriptors a process may have
// (RLIMIT_NOFILE's ceiling).
const NROpen = 1 << 20

// UserHZ is the unit of the clock ticks /proc/stat reports (sysconf(_SC_CLK_TCK)).
const UserHZ = 100

// procSysEntry returns the system-wide /proc entry name, or nil.
func (k *Kernel) procSysEntry(name string) *vfs.Inode {
	fs := k.FS
	file := func(gen func() string) *vfs.Inode {
		return fs.NewGenerated(0o444, 0, 0, func() []byte { return []byte(gen()) })
	}
	switch name {
	case "meminfo":
		return file(k.procMeminfo)
	case "cpuinfo":
		return file(k.procCpuinfo)
	case "stat":
		return file(k.procStat)
	case "uptime":
		return file(func() string {
			now := k.now()
			var idle uint64
			for _, c := range k.CPUs {
				idle += k.cpuIdle(c, now)
			}
			up := k.readerBoottime(now)
			return fmt.Sprintf("%.2f %.2f\n", float64(up)/1e9, float64(idle)/1e9)
		})
	case "loadavg":
		return file(func() string {
			running := 0
			for _, t := range k.tasks {
				if t.State == TaskRunnable {
					running++
				}
			}
			return fmt.Sprintf("%s %d/%d %d\n", k.loadString(), running, len(k.tasks), k.lastPID)
		})
	case "modules":
		// The loaded modules: none (syscalls' sys_module.go; every driver is
		// built in, modules.builtin lists them).
		return file(func() string { return "" })
	case "version":
		return file(func() string {
			return procVersion
		})
	case "mounts":
		return fs.NewSymlink("self/mounts", 0, 0)
	case "filesystems":
		// The types mount(2) takes, "nodev" before those that need no device
		// (proc(5)).
		return file(func() string {
			return "nodev\ttmpfs\nnodev\tcgroup2\nnodev\tdebugfs\nnodev\thugetlbfs\n\text2\n\text3\n\text4\n"
		})
	case "sys":
		return k.procSysDir()
	case "sysvipc":
		return k.procSysvipcDir()
	}
	return nil
}

// procSysNames are the entries procSysEntry makes, for listing /proc.
var procSysNames = []string{"cpuinfo", "filesystems", "loadavg", "meminfo", "modules", "mounts", "stat", "sys", "sysvipc", "uptime", "version"}

// procMeminfo is /proc/meminfo: the machine's memory is the guest's cap; what is in use
// is what weft counts against it (frames, page tables, mappings, files, records).
func (k *Kernel) procMeminfo() string {
	total := k.MemoryCap()
	used, _ := k.Memory()
	free := total - min(total, used)
	files := uint64(k.FS.MemoryBytes())
	// The huge page pool's memory is in use but neither anonymous nor file memory.
	htotal, hfree, resv, surplus := k.Huge.Counts()
	anon := used - min(used, files)
	anon -= min(anon, uint64(htotal)*mm.HugeFrames*mm.FrameBytes)
	var b strings.Builder
	for _, r := range []struct {
		name string
		kb   uint64
	}{
		{"MemTotal", total >> 10}, {"MemFree", free >> 10}, {"MemAvailable", free >> 10},
		{"Buffers", 0}, {"Cached", files >> 10}, {"SwapCached", 0},
		{"Active", anon >> 10}, {"Inactive", files >> 10},
		{"SwapTotal", 0}, {"SwapFree", 0}, {"Dirty", 0}, {"Writeback", 0},
		{"AnonPages", anon >> 10}, {"Mapped", 0}, {"Shmem", files >> 10},
		{"CommitLimit", total >> 10}, {"Committed_AS", used >> 10},
	} {
		fmt.Fprintf(&b, "%-16s%8d kB\n", r.name+":", r.kb)
	}
	// hugetlb_report_meminfo: the pool's counters, then its page size and memory.
	for _, r := range []struct {
		name string
		n    int64
	}{{"HugePages_Total", htotal}, {"HugePages_Free", hfree}, {"HugePages_Rsvd", resv}, {"HugePages_Surp", surplus}} {
		fmt.Fprintf(&b, "%-16s%8d\n", r.name+":", r.n)
	}
	fmt.Fprintf(&b, "%-16s%8d kB\n", "Hugepagesize:", mm.HugeSize>>10)
	fmt.Fprintf(&b, "%-16s%8d kB\n", "Hugetlb:", htotal*mm.HugeSize>>10)
	return b.String()
}

// procCpuinfo is /proc/cpuinfo in the riscv64 kernel's format, one block per simulated
// CPU.
func (k *Kernel) procCpuinfo() string {
	var b strings.Builder
	for _, c := range k.CPUs {
		fmt.Fprintf(&b, "processor\t: %d\nhart\t\t: %d\nisa\t\t: rv64imafdc_zicsr_zifencei\nmmu\t\t: sv48\n"+
			"uarch\t\t: weft\nmvendorid\t: 0x0\nmarchid\t\t: 0x0\nmimpid\t\t: 0x0\n\n", c.ID, c.ID)
	}
	return b.String()
}

// cpuIdle is the virtual time c has been idle at now: the uptime before the program
// (nothing ran then) and whatever of the run it did not spend running tasks.
func (k *Kernel) cpuIdle(c *CPU, now uint64) uint64 {
	return k.cfg.Uptime + now - min(now, c.Busy)
}

// procStat is /proc/stat: per-CPU time in clock ticks (user time is the virtual time a
// CPU spent running guest tasks, idle the rest, the uptime before the program
// included), context switches and processes.
func (k *Kernel) procStat() string {
	now := k.now()
	tick := func(ns uint64) uint64 { return ns / (1e9 / UserHZ) }
	var b strings.Builder
	var busy, idle, switches uint64
	for _, c := range k.CPUs {
		busy += c.Busy
		idle += k.cpuIdle(c, now)
		switches += c.ThreadSwitches + c.ProcessSwitches
	}
	fmt.Fprintf(&b, "cpu  %d 0 0 %d 0 0 0 0 0 0\n", tick(busy), tick(idle))
	for _, c := range k.CPUs {
		fmt.Fprintf(&b, "cpu%d %d 0 0 %d 0 0 0 0 0 0\n", c.ID, tick(c.Busy), tick(k.cpuIdle(c, now)))
	}
	running, blocked := 0, 0
	for _, t := range k.tasks {
		switch t.State {
		case TaskRunnable:
			running++
		case TaskBlocked:
			blocked++
		}
	}
	fmt.Fprintf(&b, "intr 0\nctxt %d\nbtime %d\nprocesses %d\nprocs_running %d\nprocs_blocked %d\nsoftirq 0\n",
		switches, (k.ClockStart()-k.cfg.Uptime)/1e9, k.forks, running, blocked)
	return b.String()
}

// procSysDir is /proc/sys with the settings weft has.
func (k *Kernel) procSysDir() *vfs.Inode {
	fs := k.FS
	value := func(v string) func() *vfs.Inode {
		return func() *vfs.Inode {
			return fs.NewGenerated(0o444, 0, 0, func() []byte { return []byte(v + "\n") })
		}
	}
	dir := func(entries map[string]func() *vfs.Inode) func() *vfs.Inode {
		return func() *vfs.Inode { return staticDir(fs, entries) }
	}
	// A setting root may write (mode 0644): get formats it, set takes the written
	// text with its trailing newline removed.
	setting := func(get func() string, set func(string) error) func() *vfs.Inode {
		return func() *vfs.Inode {
			return fs.NewSetting(0o644, func() []byte { return []byte(get() + "\n") }, func(p []byte) error {
				return set(strings.TrimSuffix(string(p), "\n"))
			})
		}
	}
	return staticDir(fs, map[string]func() *vfs.Inode{
		"kernel": dir(map[string]func() *vfs.Inode{
			"hostname":    value(Hostname),
			"ostype":      value("Linux"),
			"osrelease":   value(KernelRelease),
			"pid_max":     setting(func() string { return fmt.Sprint(k.pidMax) }, k.setPIDMax),
			"threads-max": value(fmt.Sprint(MaxTasks)),
			"ngroups_max": value("65536"),
			"tainted":     value("0"), // weft's kernel is never tainted
			// Module loading is off for good: it can only be set to 1.
			"modules_disabled": setting(func() string { return "1" }, func(s string) error {
				_, err := sysctlInt(s, 1, 1)
				return err
			}),
			"core_pattern": setting(k.CorePattern, func(s string) error {
				if len(s) >= 128 { // CORENAME_MAX_SIZE
					return linux.EINVAL
				}
				k.corePattern, k.corePatternSet = s, true // empty: no core files
				return nil
			}),
			"core_uses_pid": setting(func() string { return boolDigit(k.coreUsesPID) }, func(s string) error {
				v, err := sysctlInt(s, 0, 1<<31-1)
				k.coreUsesPID = v != 0
				return err
			}),
			"shmmax": value(fmt.Sprint(SHMMAX)),
			"shmall": value(fmt.Sprint(SHMALL)),
			"shmmni": value(fmt.Sprint(SHMMNI)),
			"sem":    value(fmt.Sprintf("%d\t%d\t%d\t%d", SEMMSL, SEMMNS, SEMOPM, SEMMNI)),
			"msgmax": value(fmt.Sprint(MSGMAX)),
			"msgmnb": value(fmt.Sprint(MSGMNB)),
			"msgmni": value(fmt.Sprint(MSGMNI)),
		}),
		"vm": dir(map[string]func() *vfs.Inode{
			"max_map_count":     value(fmt.Sprint(mm.MaxMapCount)),
			"overcommit_memory": value("0"),
			"nr_hugepages":      setting(k.nrHugepages, k.setNrHugepages),
			// drop_caches: weft holds no clean caches to drop, so a write only checks
			// its value (proc_dointvec_minmax, 1 to 4).
			"drop_caches": func() *vfs.Inode {
				return fs.NewSetting(0o200, func() []byte { return nil }, func(p []byte) error {
					_, err := sysctlInt(strings.TrimSuffix(string(p), "\n"), 1, 4)
					return err
				})
			},
		}),
		"net": k.procSysNet,
		"fs": dir(map[string]func() *vfs.Inode{
			"nr_open": value(fmt.Sprint(NROpen)),
			"lease-break-time": setting(func() string { return fmt.Sprint(fs.LeaseBreakTime()) }, func(s string) error {
				v, err := sysctlInt(s, 0, 1<<31-1)
				if err == nil {
					fs.SetLeaseBreakTime(int(v))
				}
				return err
			}),
			"pipe-max-size": setting(func() string { return fmt.Sprint(fs.PipeMax()) }, func(s string) error {
				v, err := sysctlInt(s, 0, 1<<32-1)
				if err != nil {
					return err
				}
				return fs.SetPipeMax(uint64(v))
			}),
			"pipe-user-pages-soft": setting(func() string { s, _ := fs.PipeUserPages(); return fmt.Sprint(s) }, func(s string) error {
				v, err := sysctlInt(s, 0, 1<<62)
				if err == nil {
					_, hard := fs.PipeUserPages()
					fs.SetPipeUserPages(v, hard)
				}
				return err
			}),
			"pipe-user-pages-hard": setting(func() string { _, h := fs.PipeUserPages(); return fmt.Sprint(h) }, func(s string) error {
				v, err := sysctlInt(s, 0, 1<<62)
				if err == nil {
					soft, _ := fs.PipeUserPages()
					fs.SetPipeUserPages(soft, v)
				}
				return err
			}),
		}),
	})
}

// staticDir is a read-only directory of fixed entries, made when looked up.
func staticDir(fs *vfs.FS, entries map[string]func() *vfs.Inode) *vfs.Inode {
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	sort.Strings(names)
	return fs.NewDynamicDir(0o555, 0, 0, func(name string) *vfs.Inode {
		if mk := entries[name]; mk != nil {
			return mk()
		}
		return nil
	}, func() []string { return names })
}

// sysctlInt parses a number written to a /proc/sys file as proc_dointvec does:
// surrounding blanks allowed, EINVAL for anything else or a value outside [lo, hi].
func sysctlInt(s string, lo, hi int64) (int64, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < lo || v > hi {
		return 0, linux.EINVAL
	}
	return v, nil
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// procSysNet is /proc/sys/net for the network namespace of the process that looks it
// up (Linux's net sysctls are per namespace): ipv4/conf/{all,default,lo} with the
// interface settings weft keeps (wnet.DevConf).
func (k *Kernel) procSysNet() *vfs.Inode {
	st := k.Net
	if k.current != nil {
		st = k.current.TG.Net
	}
	fs := k.FS
	conf := func(c *wnet.DevConf) func() *vfs.Inode {
		return func() *vfs.Inode {
			return staticDir(fs, map[string]func() *vfs.Inode{
				"tag": func() *vfs.Inode {
					return fs.NewSetting(0o644, func() []byte { return []byte(fmt.Sprintln(c.Tag)) }, func(p []byte) error {
						v, err := sysctlInt(strings.TrimSuffix(string(p), "\n"), -1<<31, 1<<31-1)
						if err == nil {
							c.Tag = v
						}
						return err
					})
				},
			})
		}
	}
	return staticDir(fs, map[string]func() *vfs.Inode{
		"ipv4": func() *vfs.Inode {
			return staticDir(fs, map[string]func() *vfs.Inode{
				"conf": func() *vfs.Inode {
					return staticDir(fs, map[string]func() *vfs.Inode{
						"all": conf(&st.Conf.All), "default": conf(&st.Conf.Default), "lo": conf(&st.Conf.Lo),
					})
				},
			})
		},
	})
}
