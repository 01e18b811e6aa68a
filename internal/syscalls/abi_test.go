package syscalls

import (
	"testing"

	"weft/internal/abi/linux"
)

// The handlers' own ABI constants must be the values that internal/abi/linux generates
// from the kernel headers (scripts/gen-flags.sh), which strace prints by name.
func TestABIConstants(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint64
	}{
		{"AT_SYMLINK_NOFOLLOW", AT_SYMLINK_NOFOLLOW, uint64(linux.AT_SYMLINK_NOFOLLOW)},
		{"AT_REMOVEDIR", AT_REMOVEDIR, uint64(linux.AT_REMOVEDIR)},
		{"AT_EMPTY_PATH", AT_EMPTY_PATH, uint64(linux.AT_EMPTY_PATH)},
		{"F_DUPFD", F_DUPFD, uint64(linux.F_DUPFD)},
		{"F_GETFD", F_GETFD, uint64(linux.F_GETFD)},
		{"F_SETFD", F_SETFD, uint64(linux.F_SETFD)},
		{"F_GETFL", F_GETFL, uint64(linux.F_GETFL)},
		{"F_SETFL", F_SETFL, uint64(linux.F_SETFL)},
		{"F_DUPFD_CLOEXEC", F_DUPFD_CLOEXEC, uint64(linux.F_DUPFD_CLOEXEC)},
		{"PROT_READ", PROT_READ, uint64(linux.PROT_READ)},
		{"PROT_WRITE", PROT_WRITE, uint64(linux.PROT_WRITE)},
		{"PROT_EXEC", PROT_EXEC, uint64(linux.PROT_EXEC)},
		{"MAP_SHARED", MAP_SHARED, uint64(linux.MAP_SHARED)},
		{"MAP_PRIVATE", MAP_PRIVATE, uint64(linux.MAP_PRIVATE)},
		{"MAP_SHARED_VALIDATE", MAP_SHARED_VALIDATE, uint64(linux.MAP_SHARED_VALIDATE)},
		{"MAP_FIXED", MAP_FIXED, uint64(linux.MAP_FIXED)},
		{"MAP_ANONYMOUS", MAP_ANONYMOUS, uint64(linux.MAP_ANONYMOUS)},
		{"MAP_FIXED_NOREPLACE", MAP_FIXED_NOREPLACE, uint64(linux.MAP_FIXED_NOREPLACE)},
		{"WNOHANG", WNOHANG, uint64(linux.WNOHANG)},
		{"WUNTRACED", WUNTRACED, uint64(linux.WUNTRACED)},
		{"WEXITED", WEXITED, uint64(linux.WEXITED)},
		{"WCONTINUED", WCONTINUED, uint64(linux.WCONTINUED)},
		{"WNOWAIT", WNOWAIT, uint64(linux.WNOWAIT)},
		{"SIG_BLOCK", SIG_BLOCK, uint64(linux.SIG_BLOCK)},
		{"SIG_UNBLOCK", SIG_UNBLOCK, uint64(linux.SIG_UNBLOCK)},
		{"SIG_SETMASK", SIG_SETMASK, uint64(linux.SIG_SETMASK)},
		{"FUTEX_WAIT", FUTEX_WAIT, uint64(linux.FUTEX_WAIT)},
		{"FUTEX_WAKE", FUTEX_WAKE, uint64(linux.FUTEX_WAKE)},
		{"FUTEX_REQUEUE", FUTEX_REQUEUE, uint64(linux.FUTEX_REQUEUE)},
		{"FUTEX_CMP_REQUEUE", FUTEX_CMP_REQUEUE, uint64(linux.FUTEX_CMP_REQUEUE)},
		{"FUTEX_WAKE_OP", FUTEX_WAKE_OP, uint64(linux.FUTEX_WAKE_OP)},
		{"FUTEX_WAIT_BITSET", FUTEX_WAIT_BITSET, uint64(linux.FUTEX_WAIT_BITSET)},
		{"FUTEX_WAKE_BITSET", FUTEX_WAKE_BITSET, uint64(linux.FUTEX_WAKE_BITSET)},
		{"FUTEX_PRIVATE_FLAG", FUTEX_PRIVATE_FLAG, uint64(linux.FUTEX_PRIVATE_FLAG)},
		{"FUTEX_CLOCK_REALTIME", FUTEX_CLOCK_REALTIME, uint64(linux.FUTEX_CLOCK_REALTIME)},
		{"CLOCK_REALTIME", CLOCK_REALTIME, uint64(linux.CLOCK_REALTIME)},
		{"CLOCK_MONOTONIC", CLOCK_MONOTONIC, uint64(linux.CLOCK_MONOTONIC)},
		{"CLOCK_PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID, uint64(linux.CLOCK_PROCESS_CPUTIME_ID)},
		{"CLOCK_THREAD_CPUTIME_ID", CLOCK_THREAD_CPUTIME_ID, uint64(linux.CLOCK_THREAD_CPUTIME_ID)},
		{"CLOCK_MONOTONIC_RAW", CLOCK_MONOTONIC_RAW, uint64(linux.CLOCK_MONOTONIC_RAW)},
		{"CLOCK_REALTIME_COARSE", CLOCK_REALTIME_COARSE, uint64(linux.CLOCK_REALTIME_COARSE)},
		{"CLOCK_MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE, uint64(linux.CLOCK_MONOTONIC_COARSE)},
		{"CLOCK_BOOTTIME", CLOCK_BOOTTIME, uint64(linux.CLOCK_BOOTTIME)},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x, the kernel headers say %#x", c.name, c.got, c.want)
		}
	}
}
