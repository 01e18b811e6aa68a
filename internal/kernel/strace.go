package kernel

import (
	"fmt"
	"sort"
	"strings"

	"weft/internal/abi/linux"
)

// strace(1)'s conventions beyond the syscall lines (syscall.go): a line for each signal
// delivered, "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, ...} ---"; one for each
// task's end, "+++ exited with 0 +++" or "+++ killed by SIGSEGV +++"; and -e trace=
// filters (StraceFilter) that select the syscall lines.

// straceOn reports whether the syscall called name is traced.
func (k *Kernel) straceOn(name string) bool {
	return k.cfg.Strace != nil && (k.cfg.StraceCalls == nil || k.cfg.StraceCalls[name])
}

// straceSignal prints the delivery of info to t.
func (k *Kernel) straceSignal(t *Task, info SigInfo) {
	if k.cfg.Strace == nil {
		return
	}
	s := info.Signo
	fields := []string{"si_signo=" + s.String(), "si_code=" + linux.SigCodeName(s, info.Code)}
	switch {
	case s == linux.SIGCHLD && info.Code > 0 && info.Code != SI_KERNEL:
		status := fmt.Sprint(info.Status)
		if info.Code != int32(linux.CLD_EXITED) {
			status = Signal(info.Status).String()
		}
		fields = append(fields, fmt.Sprintf("si_pid=%d", info.PID), fmt.Sprintf("si_uid=%d", info.UID), "si_status="+status)
	case (s == linux.SIGSEGV || s == linux.SIGBUS || s == linux.SIGILL || s == linux.SIGFPE || s == linux.SIGTRAP) &&
		info.Code > 0 && info.Code != SI_KERNEL:
		fields = append(fields, "si_addr="+fmtPtr(info.Addr))
	case info.Code <= 0: // sent by a process: kill, tgkill, sigqueue
		fields = append(fields, fmt.Sprintf("si_pid=%d", info.PID), fmt.Sprintf("si_uid=%d", info.UID))
	}
	k.straceOut(t, fmt.Sprintf("--- %s {%s} ---", s, strings.Join(fields, ", ")))
}

// straceExit prints t's end. Inside a syscall (exit_group, or a kill that ends another
// process) the line waits until the call's own line is out, as strace shows it.
func (k *Kernel) straceExit(t *Task) {
	if k.cfg.Strace == nil {
		return
	}
	var line string
	switch tg := t.TG; {
	case tg.Exited && tg.KillSignal != 0:
		line = fmt.Sprintf("+++ killed by %s +++", tg.KillSignal)
	case tg.Exited:
		line = fmt.Sprintf("+++ exited with %d +++", tg.ExitCode)
	default: // one thread of several: exit(2)
		line = fmt.Sprintf("+++ exited with %d +++", t.exitCode)
	}
	if k.inSyscall {
		k.straceHeld = append(k.straceHeld, fmt.Sprintf("[pid %d] %s\n", t.TID, line))
		return
	}
	k.straceOut(t, line)
}

// straceFlush prints the lines held back during a syscall.
func (k *Kernel) straceFlush() {
	for _, l := range k.straceHeld {
		fmt.Fprint(k.cfg.Strace, l)
	}
	k.straceHeld = k.straceHeld[:0]
}

func (k *Kernel) straceOut(t *Task, line string) {
	fmt.Fprintf(k.cfg.Strace, "[pid %d] %s\n", t.TID, line)
}

// Syscall classes for StraceFilter, as strace(1) defines them: %file is every call
// that takes a file name, %desc every call that takes a file descriptor (both read
// from the table's argument formats); the others are lists.
var straceClasses = map[string][]string{
	"%process": {"clone", "clone3", "execve", "execveat", "exit", "exit_group", "wait4", "waitid",
		"kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "unshare", "pidfd_open",
		"pidfd_send_signal"},
	"%signal": {"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigpending",
		"rt_sigtimedwait", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "kill", "tkill", "tgkill",
		"sigaltstack", "signalfd4", "pidfd_send_signal"},
	"%memory": {"brk", "mmap", "munmap", "mprotect", "mremap", "madvise", "mlock", "mlock2",
		"munlock", "mlockall", "munlockall", "msync", "mincore", "remap_file_pages", "mbind",
		"get_mempolicy", "set_mempolicy", "pkey_mprotect", "process_madvise"},
}

// StraceFilter parses a strace -e trace= expression — "trace=open,%file", or the same
// without "trace=": system call names and classes (%file, %desc, %process, %signal,
// %memory), all, none, and a leading ! for the complement — into the set of call
// names to show.
func StraceFilter(expr string, table *SyscallTable) (map[string]bool, error) {
	expr = strings.TrimPrefix(expr, "trace=")
	negate := strings.HasPrefix(expr, "!")
	expr = strings.TrimPrefix(expr, "!")
	all := map[string]bool{}
	byClass := map[string][]string{}
	for _, nr := range table.Numbers() {
		sc := table.Lookup(nr)
		all[sc.Name] = true
		for _, f := range sc.Args {
			switch f {
			case ArgPath:
				byClass["%file"] = append(byClass["%file"], sc.Name)
			case ArgFd:
				byClass["%desc"] = append(byClass["%desc"], sc.Name)
			}
		}
	}
	for _, name := range linux.SyscallNames {
		all[name] = true // unimplemented calls show too (ENOSYS)
	}
	set := map[string]bool{}
	for _, item := range strings.Split(expr, ",") {
		switch {
		case item == "all":
			for n := range all {
				set[n] = true
			}
		case item == "none":
		case strings.HasPrefix(item, "%"):
			names, ok := straceClasses[item]
			if !ok {
				names, ok = byClass[item]
			}
			if !ok {
				return nil, fmt.Errorf("unknown class %s (known: %s)", item, strings.Join(classNames(), ", "))
			}
			for _, n := range names {
				set[n] = true
			}
		case all[item]:
			set[item] = true
		default:
			return nil, fmt.Errorf("unknown system call %q", item)
		}
	}
	if negate {
		neg := map[string]bool{}
		for n := range all {
			if !set[n] {
				neg[n] = true
			}
		}
		set = neg
	}
	return set, nil
}

func classNames() []string {
	names := []string{"%file", "%desc"}
	for c := range straceClasses {
		names = append(names, c)
	}
	sort.Strings(names)
	return names
}
