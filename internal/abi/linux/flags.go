package linux

import (
	"strconv"
	"strings"
)

//go:generate sh ../../../scripts/gen-flags.sh

// Flag sets and enumerations of the system call ABI, as strace(1) names them. The
// constants and their name tables are generated from the kernel headers
// (flags_gen.go, scripts/gen-flags.sh); this file holds the types and how each prints.
// A bit set prints as NAME|NAME|0x..., with the bits no name covers in hexadecimal;
// an enumeration prints its name, or the number when it has none.

type (
	OpenFlag      uint64 // open(2) flags, after the access mode
	ProtFlag      uint64 // mmap(2) and mprotect(2) protection
	MapFlag       uint64 // mmap(2) flags
	CloneFlag     uint64 // clone(2) flags; the low byte is the exit signal (CSIGNAL)
	WaitOption    uint64 // wait4(2) and waitid(2) options
	AtFlag        uint64 // the *at(2) calls' flags
	SigactionFlag uint64 // sigaction(2) sa_flags
	FutexOp       uint64 // futex(2) operation: a command and flags
	SigHow        uint64 // rt_sigprocmask(2)'s how
	FcntlCmd      uint64 // fcntl(2) command
	ClockID       uint64 // clock_gettime(2) and friends
	SigCode       int32  // si_code of any signal (SI_USER, SI_KERNEL, ...)
	CldCode       int32  // si_code of SIGCHLD
	SegvCode      int32  // si_code of SIGSEGV
	BusCode       int32  // si_code of SIGBUS
	IllCode       int32  // si_code of SIGILL
	FpeCode       int32  // si_code of SIGFPE
	TrapCode      int32  // si_code of SIGTRAP
)

// The access mode of open(2)'s flags: a two-bit number, not bits.
const (
	O_RDONLY  OpenFlag = 0
	O_WRONLY  OpenFlag = 1
	O_RDWR    OpenFlag = 2
	O_ACCMODE OpenFlag = 3
)

// CSIGNAL masks the exit signal in clone(2)'s flags.
const CSIGNAL CloneFlag = 0xff

// FUTEX_CMD_MASK masks the command in a futex operation.
const FUTEX_CMD_MASK FutexOp = ^(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)

type named[T ~uint64 | ~int32] struct {
	v    T
	name string
}

// bits names the bits of v from names (which list names with more bits first), and
// shows what is left in hexadecimal; zero is v's name when it is 0.
func bits[T ~uint64](v T, names []named[T], zero string) string {
	if v == 0 {
		return zero
	}
	var parts []string
	for _, n := range names {
		if n.v != 0 && v&n.v == n.v {
			parts = append(parts, n.name)
			v &^= n.v
		}
	}
	if v != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(v), 16))
	}
	return strings.Join(parts, "|")
}

func enum[T ~uint64 | ~int32](v T, names []named[T]) (string, bool) {
	for _, n := range names {
		if n.v == v {
			return n.name, true
		}
	}
	return strconv.FormatInt(int64(v), 10), false
}

func (f OpenFlag) String() string {
	acc := [...]string{"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"}[f&O_ACCMODE]
	if rest := f &^ O_ACCMODE; rest != 0 {
		return acc + "|" + bits(rest, openFlagNames, "")
	}
	return acc
}

func (f ProtFlag) String() string      { return bits(f, protFlagNames, "PROT_NONE") }
func (f MapFlag) String() string       { return bits(f, mapFlagNames, "0") }
func (f WaitOption) String() string    { return bits(f, waitOptionNames, "0") }
func (f AtFlag) String() string        { return bits(f, atFlagNames, "0") }
func (f SigactionFlag) String() string { return bits(f, sigactionFlagNames, "0") }

// String shows the flags and then the exit signal, as strace does:
// CLONE_VM|CLONE_FS|...|SIGCHLD.
func (f CloneFlag) String() string {
	sig := Signal(f & CSIGNAL)
	rest := f &^ CSIGNAL
	switch {
	case rest == 0 && sig == 0:
		return "0"
	case rest == 0:
		return sig.String()
	case sig == 0:
		return bits(rest, cloneFlagNames, "0")
	}
	return bits(rest, cloneFlagNames, "0") + "|" + sig.String()
}

// String shows a futex operation as strace does: FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME.
func (op FutexOp) String() string {
	cmd, _ := enum(op&FUTEX_CMD_MASK, futexOpNames)
	if op&FUTEX_PRIVATE_FLAG != 0 {
		cmd += "_PRIVATE"
	}
	if op&FUTEX_CLOCK_REALTIME != 0 {
		cmd += "|FUTEX_CLOCK_REALTIME"
	}
	return cmd
}

func (h SigHow) String() string   { s, _ := enum(h, sigHowNames); return s }
func (c FcntlCmd) String() string { s, _ := enum(c, fcntlCmdNames); return s }
func (c ClockID) String() string  { s, _ := enum(c, clockIDNames); return s }

func (c SigCode) String() string  { s, _ := enum(c, sigCodeNames); return s }
func (c CldCode) String() string  { s, _ := enum(c, cldCodeNames); return s }
func (c SegvCode) String() string { s, _ := enum(c, segvCodeNames); return s }
func (c BusCode) String() string  { s, _ := enum(c, busCodeNames); return s }
func (c IllCode) String() string  { s, _ := enum(c, illCodeNames); return s }
func (c FpeCode) String() string  { s, _ := enum(c, fpeCodeNames); return s }
func (c TrapCode) String() string { s, _ := enum(c, trapCodeNames); return s }

// SigCodeName names the si_code of signal sig as strace does: a code that only sig
// has (CLD_EXITED for SIGCHLD) when the kernel sent it, else the generic SI_* name.
func SigCodeName(sig Signal, code int32) string {
	if code > 0 && code != int32(SI_KERNEL) {
		var s string
		ok := false
		switch sig {
		case SIGCHLD:
			s, ok = enum(CldCode(code), cldCodeNames)
		case SIGSEGV:
			s, ok = enum(SegvCode(code), segvCodeNames)
		case SIGBUS:
			s, ok = enum(BusCode(code), busCodeNames)
		case SIGILL:
			s, ok = enum(IllCode(code), illCodeNames)
		case SIGFPE:
			s, ok = enum(FpeCode(code), fpeCodeNames)
		case SIGTRAP:
			s, ok = enum(TrapCode(code), trapCodeNames)
		}
		if ok {
			return s
		}
	}
	return SigCode(code).String()
}
