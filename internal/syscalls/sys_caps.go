package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

var capCalls = []entry{
	call(linux.SYS_CAPGET, "capget", Capget, p, p),
	call(linux.SYS_CAPSET, "capset", Capset, p, p),
}

// Versions of struct __user_cap_header_struct (linux/capability.h): the first has one
// 32-bit word per set, the later two have two.
const (
	capVersion1 = 0x19980330
	capVersion2 = 0x20071026
	capVersion3 = 0x20080522
)

// capHeader reads the header's version and pid. An unknown version is EINVAL, and the
// kernel writes the version it prefers back into the header (cap_validate_magic).
func capHeader(t *kernel.Task, addr uint64) (words int, pid int32, err error) {
	b, err := copyIn(t, addr, 8)
	if err != nil {
		return 0, 0, err
	}
	switch binary.LittleEndian.Uint32(b) {
	case capVersion1:
		words = 1
	case capVersion2, capVersion3:
		words = 2
	default:
		var v [4]byte
		binary.LittleEndian.PutUint32(v[:], capVersion3)
		if err := copyOut(t, addr, v[:]); err != nil {
			return 0, 0, err
		}
		return 0, 0, linux.EINVAL
	}
	return words, int32(binary.LittleEndian.Uint32(b[4:])), nil
}

// Capget implements capget(2): the sets of the caller or of another process.
func Capget(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	words, pid, err := capHeader(t, a[0])
	if a[1] == 0 {
		// A NULL data pointer only asks which version the kernel prefers.
		if err == linux.EINVAL {
			return 0, nil
		}
		return 0, err
	}
	if err != nil {
		return 0, err
	}
	if pid < 0 {
		return 0, linux.EINVAL
	}
	c := t.TG.Creds
	if pid != 0 && int(pid) != t.PIDOf(t.TG) {
		o := t.FindTask(int(pid))
		if o == nil {
			return 0, linux.ESRCH
		}
		c = o.TG.Creds
	}
	// words × struct __user_cap_data_struct {effective, permitted, inheritable}.
	b := make([]byte, 12*words)
	for w := 0; w < words; w++ {
		for j, set := range []uint64{c.Caps.Eff, c.Caps.Prm, c.Caps.Inh} {
			binary.LittleEndian.PutUint32(b[12*w+4*j:], uint32(set>>(32*w)))
		}
	}
	return 0, copyOut(t, a[1], b)
}

// Capset implements capset(2): a process may change only its own sets, within
// capabilities(7)'s rules (EPERM otherwise).
func Capset(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	words, pid, err := capHeader(t, a[0])
	if err != nil {
		return 0, err
	}
	if pid != 0 && int(pid) != t.PIDOf(t.TG) {
		return 0, linux.EPERM
	}
	b, err := copyIn(t, a[1], 12*uint64(words))
	if err != nil {
		return 0, err
	}
	var sets [3]uint64
	for w := 0; w < words; w++ {
		for j := range sets {
			sets[j] |= uint64(binary.LittleEndian.Uint32(b[12*w+4*j:])) << (32 * w)
		}
	}
	if !t.TG.Creds.SetCaps(sets[0], sets[1], sets[2]) {
		return 0, linux.EPERM
	}
	return 0, nil
}
