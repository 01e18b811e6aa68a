package kernel

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// TimeNS is a time namespace (time_namespaces(7)): offsets, in nanoseconds, that the
// processes in it see added to CLOCK_MONOTONIC (and its raw and coarse variants) and to
// CLOCK_BOOTTIME. unshare(CLONE_NEWTIME) makes one for the caller's children to come
// (ThreadGroup.TimeNSChildren); its offsets may be written to /proc/PID/timens_offsets
// until a process enters it, and are frozen from then on.
type TimeNS struct {
	// ID is the inode number /proc/PID/ns/time names the namespace by.
	ID                  uint64
	Monotonic, Boottime int64
	// Owner is the user namespace the namespace was made in (nil: the first one),
	// over which setns(2) into it and writes of its offsets need their capability.
	Owner *UserNS
	// frozen says a process has entered the namespace (or it is the first one):
	// its offsets can no longer change (EACCES).
	frozen bool
}

// initTimeNSID is the inode number of the first time namespace, as Linux numbers it
// (PROC_TIME_INIT_INO).
const initTimeNSID = 0xEFFFFFFA

// newTimeNS makes a time namespace owned by user namespace owner, open to change, with
// the offsets of from (the namespace for children of the process that asks: Linux's
// copy_time_ns).
func (k *Kernel) newTimeNS(from *TimeNS, owner *UserNS) *TimeNS {
	k.lastNSID++
	return &TimeNS{ID: initTimeNSID + k.lastNSID, Monotonic: from.Monotonic, Boottime: from.Boottime, Owner: owner}
}

// Offset is what the namespace adds to a clock: CLOCK_MONOTONIC's offset for the
// monotonic clocks, CLOCK_BOOTTIME's for the boot-time ones, nothing for the others.
func (ns *TimeNS) Offset(clock uint64) int64 {
	switch clock {
	case linuxClockMonotonic, linuxClockMonotonicRaw, linuxClockMonotonicCoarse:
		return ns.Monotonic
	case linuxClockBoottime, linuxClockBoottimeAlarm:
		return ns.Boottime
	}
	return 0
}

// The clock IDs a time namespace moves (time.h).
const (
	linuxClockMonotonic       = 1
	linuxClockMonotonicRaw    = 4
	linuxClockMonotonicCoarse = 6
	linuxClockBoottime        = 7
	linuxClockBoottimeAlarm   = 9
)

// enterTimeNS puts tg into ns, for itself and its children, freezing ns's offsets.
func (tg *ThreadGroup) enterTimeNS(ns *TimeNS) {
	ns.frozen = true
	tg.TimeNS, tg.TimeNSChildren = ns, ns
}

// clockOffset is what clock reads for t beyond the virtual time: for the monotonic
// and boot-time clocks, the machine's uptime when the program started (Config.Uptime)
// and t's time namespace's offset; 0 for the others.
func (t *Task) clockOffset(clock uint64) int64 {
	switch clock {
	case linuxClockMonotonic, linuxClockMonotonicRaw, linuxClockMonotonicCoarse, linuxClockBoottime, linuxClockBoottimeAlarm:
		return int64(t.k.cfg.Uptime) + t.TG.TimeNS.Offset(clock)
	}
	return 0
}

// ClockNow is what clock (CLOCK_MONOTONIC, CLOCK_BOOTTIME, and their variants) reads
// for t, in nanoseconds, given the virtual time now: now moved by the uptime and t's
// time namespace. Offsets are checked when written so that no clock of a namespace
// reads below zero.
func (t *Task) ClockNow(clock, now uint64) uint64 {
	return uint64(int64(now) + t.clockOffset(clock))
}

// readerBoottime is CLOCK_BOOTTIME at virtual time now as the task reading a /proc
// file sees it (its time namespace moves it, as Linux's timens_add_boottime does for
// /proc/uptime and /proc/PID/stat), or as the root namespace does without one.
func (k *Kernel) readerBoottime(now uint64) uint64 {
	if k.current != nil {
		return k.current.ClockNow(linuxClockBoottime, now)
	}
	return now + k.cfg.Uptime
}

// ClockToVirtual turns an absolute time on clock, as t reads that clock, into virtual
// time (Linux's timens_ktime_to_host, at the time a timeout or timer is set). A time
// before the virtual zero becomes 1 ns: long past, so a timer expires at once, and not
// 0, which would disarm it. The zero time stays 0.
func (t *Task) ClockToVirtual(clock, value uint64) uint64 {
	if value == 0 {
		return 0
	}
	off := t.clockOffset(clock)
	switch {
	case off > 0 && value <= uint64(off):
		return 1
	case off > 0:
		return value - uint64(off)
	}
	return min(value+uint64(-off), math.MaxInt64)
}

// Setns implements setns(2) for a descriptor of a /proc/PID/ns file: a time
// namespace (time, time_for_children), a PID namespace (pid, pid_for_children: the
// one the caller's children will be in) or a user namespace. nstype is 0 or the
// namespace's CLONE_NEW* flag.
func (t *Task) Setns(fd int, nstype uint64) error {
	f, err := t.TG.FDs.Get(fd)
	if err != nil {
		return err
	}
	var want uint64
	var enter func() error
	switch ns := f.Inode.Owner.(type) {
	case *PIDNS:
		want, enter = CLONE_NEWPID, func() error { return t.setPIDNS(ns) }
	case *UserNS:
		want, enter = CLONE_NEWUSER, func() error { return t.setUserNS(ns) }
	case *vfs.MountNS:
		want, enter = CLONE_NEWNS, func() error { return t.setMountNS(ns) }
	case *TimeNS:
		want, enter = CLONE_NEWTIME, func() error { return t.setTimeNS(ns) }
	default:
		return linux.EINVAL // not a namespace weft has
	}
	if nstype != 0 && nstype != want {
		return linux.EINVAL
	}
	return enter()
}

// setTimeNS is setns(2) into time namespace ns (timens_install): a process of one
// thread (EUSERS otherwise) with CAP_SYS_ADMIN over the namespace's owner and in its
// own user namespace.
func (t *Task) setTimeNS(ns *TimeNS) error {
	if t.TG.liveTasks != 1 {
		return linux.EUSERS // a multi-threaded process cannot change
	}
	if c := t.TG.Creds; !c.CapableIn(ns.Owner, CAP_SYS_ADMIN) || !c.CapableOwn(CAP_SYS_ADMIN) {
		return linux.EPERM
	}
	t.TG.enterTimeNS(ns)
	return nil
}

// procNSDir is /proc/PID/ns: links to the process's namespaces (time, PID, user) and to
// the time and PID namespaces its children will be in, which open to descriptors
// setns(2) takes. Each is named "TYPE:[INODE]", and stat(2) of one tells namespaces
// apart by inode number, as on Linux's nsfs.
func (k *Kernel) procNSDir(tg *ThreadGroup) *vfs.Inode {
	fs := k.FS
	uid, gid := tg.Creds.EUID, tg.Creds.EGID
	link := func(kind string, id uint64, owner any) *vfs.Inode {
		n := fs.NewGenerated(0o444, uid, gid, emptyFile)
		n.Owner = owner
		n.Ino = id
		return fs.NewMagicLink(fmt.Sprintf("%s:[%d]", kind, id), n, uid, gid)
	}
	pidLink := func(ns *PIDNS) *vfs.Inode { return link("pid", ns.ID, ns) }
	return staticDir(fs, map[string]func() *vfs.Inode{
		"time":              func() *vfs.Inode { return link("time", tg.TimeNS.ID, tg.TimeNS) },
		"time_for_children": func() *vfs.Inode { return link("time", tg.TimeNSChildren.ID, tg.TimeNSChildren) },
		"pid":               func() *vfs.Inode { return pidLink(tg.PIDNS) },
		"mnt":               func() *vfs.Inode { return link("mnt", mntNSID(tg.MntNS), tg.MntNS) },
		"pid_for_children":  func() *vfs.Inode { return pidLink(tg.PIDNSChildren) },
		"user": func() *vfs.Inode {
			if ns := tg.Creds.UserNS; ns != nil {
				return link("user", ns.ID, ns)
			}
			return link("user", rootUserNSID, (*UserNS)(nil))
		},
	})
}

func emptyFile() []byte { return nil }

// procTimensOffsets is /proc/PID/timens_offsets: the offsets of tg's namespace for
// children, as "monotonic SECS NSECS" and "boottime SECS NSECS" lines (NSECS in
// [0, 1e9)). A write (CAP_SYS_TIME) sets one or both, each line naming its clock by name
// or number; it is EACCES once a process has entered the namespace, ERANGE if a clock
// would read below zero, EINVAL if a line does not parse (proc_timens_offsets_write).
func (k *Kernel) procTimensOffsets(tg *ThreadGroup) *vfs.Inode {
	show := func(off int64) string {
		sec, nsec := off/1e9, off%1e9
		if nsec < 0 {
			sec, nsec = sec-1, nsec+1e9
		}
		return fmt.Sprintf("%d %d", sec, nsec)
	}
	n := k.FS.NewSetting(0o644, func() []byte {
		ns := tg.TimeNSChildren
		return []byte("monotonic " + show(ns.Monotonic) + "\nboottime " + show(ns.Boottime) + "\n")
	}, func(p []byte) error {
		capable := k.current == nil || k.current.TG.Creds.CapableIn(tg.TimeNSChildren.Owner, CAP_SYS_TIME)
		return k.setTimensOffsets(tg.TimeNSChildren, string(p), capable)
	})
	n.UID, n.GID = tg.Creds.EUID, tg.Creds.EGID
	return n
}

// setTimensOffsets parses and applies a write to timens_offsets: all of it or none.
// As Linux, it parses the lines (EINVAL), then checks the writer's capability (EPERM),
// the ranges (ERANGE) and last whether the namespace is still open to change (EACCES).
func (k *Kernel) setTimensOffsets(ns *TimeNS, s string, capable bool) error {
	type setting struct {
		clock     uint64
		sec, nsec int64
	}
	var set []setting
	for line := range strings.SplitSeq(strings.TrimSuffix(s, "\n"), "\n") {
		if len(set) == 2 {
			return linux.EINVAL // at most one line per clock
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return linux.EINVAL
		}
		var clock uint64
		switch f[0] {
		case "monotonic":
			clock = linuxClockMonotonic
		case "boottime":
			clock = linuxClockBoottime
		default:
			c, err := strconv.ParseInt(f[0], 10, 32)
			if err != nil || (c != linuxClockMonotonic && c != linuxClockBoottime) {
				return linux.EINVAL
			}
			clock = uint64(c)
		}
		sec, err1 := strconv.ParseInt(f[1], 10, 64)
		nsec, err2 := strconv.ParseUint(f[2], 10, 64)
		if err1 != nil || err2 != nil || nsec >= 1e9 {
			return linux.EINVAL
		}
		set = append(set, setting{clock, sec, int64(nsec)})
	}
	if !capable {
		return linux.EPERM
	}
	for _, x := range set {
		// KTIME_SEC_MAX bounds an offset; the clock it makes must lie in [0, half of it].
		const ktimeSecMax = (1<<63 - 1) / 1_000_000_000 // KTIME_MAX / NSEC_PER_SEC
		if x.sec > ktimeSecMax || x.sec < -ktimeSecMax {
			return linux.ERANGE
		}
		now := int64(k.now() + k.cfg.Uptime)
		if t := (now+x.nsec)/1e9 + x.sec; t < 0 || t > ktimeSecMax/2 {
			return linux.ERANGE
		}
	}
	if ns.frozen {
		return linux.EACCES
	}
	for _, x := range set {
		if x.clock == linuxClockMonotonic {
			ns.Monotonic = x.sec*1e9 + x.nsec
		} else {
			ns.Boottime = x.sec*1e9 + x.nsec
		}
	}
	return nil
}
