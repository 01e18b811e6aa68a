package kernel

import (
	"testing"

	"weft/internal/abi/linux"
)

// The kernel's own ABI constants must be the values that internal/abi/linux generates
// from the kernel headers (scripts/gen-flags.sh), which strace prints by name.
func TestABIConstants(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint64
	}{
		{"CLONE_VM", CLONE_VM, uint64(linux.CLONE_VM)},
		{"CLONE_FS", CLONE_FS, uint64(linux.CLONE_FS)},
		{"CLONE_FILES", CLONE_FILES, uint64(linux.CLONE_FILES)},
		{"CLONE_SIGHAND", CLONE_SIGHAND, uint64(linux.CLONE_SIGHAND)},
		{"CLONE_PIDFD", CLONE_PIDFD, uint64(linux.CLONE_PIDFD)},
		{"CLONE_PTRACE", CLONE_PTRACE, uint64(linux.CLONE_PTRACE)},
		{"CLONE_VFORK", CLONE_VFORK, uint64(linux.CLONE_VFORK)},
		{"CLONE_PARENT", CLONE_PARENT, uint64(linux.CLONE_PARENT)},
		{"CLONE_THREAD", CLONE_THREAD, uint64(linux.CLONE_THREAD)},
		{"CLONE_NEWNS", CLONE_NEWNS, uint64(linux.CLONE_NEWNS)},
		{"CLONE_SYSVSEM", CLONE_SYSVSEM, uint64(linux.CLONE_SYSVSEM)},
		{"CLONE_SETTLS", CLONE_SETTLS, uint64(linux.CLONE_SETTLS)},
		{"CLONE_PARENT_SETTID", CLONE_PARENT_SETTID, uint64(linux.CLONE_PARENT_SETTID)},
		{"CLONE_CHILD_CLEARTID", CLONE_CHILD_CLEARTID, uint64(linux.CLONE_CHILD_CLEARTID)},
		{"CLONE_DETACHED", CLONE_DETACHED, uint64(linux.CLONE_DETACHED)},
		{"CLONE_UNTRACED", CLONE_UNTRACED, uint64(linux.CLONE_UNTRACED)},
		{"CLONE_CHILD_SETTID", CLONE_CHILD_SETTID, uint64(linux.CLONE_CHILD_SETTID)},
		{"CLONE_NEWCGROUP", CLONE_NEWCGROUP, uint64(linux.CLONE_NEWCGROUP)},
		{"CLONE_NEWUTS", CLONE_NEWUTS, uint64(linux.CLONE_NEWUTS)},
		{"CLONE_NEWIPC", CLONE_NEWIPC, uint64(linux.CLONE_NEWIPC)},
		{"CLONE_NEWUSER", CLONE_NEWUSER, uint64(linux.CLONE_NEWUSER)},
		{"CLONE_NEWPID", CLONE_NEWPID, uint64(linux.CLONE_NEWPID)},
		{"CLONE_NEWNET", CLONE_NEWNET, uint64(linux.CLONE_NEWNET)},
		{"CLONE_IO", CLONE_IO, uint64(linux.CLONE_IO)},
		{"SA_NOCLDSTOP", SA_NOCLDSTOP, uint64(linux.SA_NOCLDSTOP)},
		{"SA_NOCLDWAIT", SA_NOCLDWAIT, uint64(linux.SA_NOCLDWAIT)},
		{"SA_SIGINFO", SA_SIGINFO, uint64(linux.SA_SIGINFO)},
		{"SA_ONSTACK", SA_ONSTACK, uint64(linux.SA_ONSTACK)},
		{"SA_RESTART", SA_RESTART, uint64(linux.SA_RESTART)},
		{"SA_NODEFER", SA_NODEFER, uint64(linux.SA_NODEFER)},
		{"SI_USER", SI_USER, uint64(linux.SI_USER)},
		{"SI_KERNEL", SI_KERNEL, uint64(linux.SI_KERNEL)},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x, the kernel headers say %#x", c.name, c.got, c.want)
		}
	}
}
