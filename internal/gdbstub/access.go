package gdbstub

import (
	"encoding/binary"
	"fmt"

	"weft/internal/cpu"
)

// Read and access watchpoints (Z3, Z4). weft executes every instruction itself, so it
// needs no debug registers: before each instruction the stub decodes it and works out
// the data it reads or writes (loads, stores, LR/SC and AMOs, from the registers as
// they are), and at the next Check, once the instruction has retired, a read of a
// read watchpoint's bytes, or any access to an access watchpoint's, stops the guest
// after the access, in the thread that made it, as a debug register would. Accesses
// the kernel makes for a system call are not the thread's own and do not stop it (as
// on Linux, whose hardware watchpoints exclude the kernel).

// Watchpoint kinds, as the Z packet numbers them.
const (
	watchWrite  = 2
	watchRead   = 3
	watchAccess = 4
)

// access is the data access of the instruction a thread is about to execute.
type access struct {
	tid         int
	insns       uint64 // the thread's retired count before it
	at          instant
	addr, size  uint64
	read, write bool
}

// accessOf decodes the instruction at c.PC of process pid and returns its data access,
// if it makes one.
func (s *Stub) accessOf(pid, tid int, insns uint64, c *cpu.Context) (access, bool) {
	var b [4]byte
	if s.target.ReadMem(pid, c.PC, b[:2]) != nil {
		return access{}, false
	}
	if cpu.InstLen(binary.LittleEndian.Uint16(b[:])) == 4 && s.target.ReadMem(pid, c.PC+2, b[2:]) != nil {
		return access{}, false
	}
	in := cpu.Decode(binary.LittleEndian.Uint32(b[:]))
	a := access{tid: tid, insns: insns, at: s.cur, addr: c.X[in.Rs1] + uint64(in.Imm)}
	switch in.Op {
	case cpu.LB, cpu.LBU:
		a.size, a.read = 1, true
	case cpu.LH, cpu.LHU:
		a.size, a.read = 2, true
	case cpu.LW, cpu.LWU, cpu.FLW:
		a.size, a.read = 4, true
	case cpu.LD, cpu.FLD:
		a.size, a.read = 8, true
	case cpu.SB:
		a.size, a.write = 1, true
	case cpu.SH:
		a.size, a.write = 2, true
	case cpu.SW, cpu.FSW:
		a.size, a.write = 4, true
	case cpu.SD, cpu.FSD:
		a.size, a.write = 8, true
	case cpu.LR_W, cpu.LR_D, cpu.SC_W, cpu.SC_D,
		cpu.AMOSWAP_W, cpu.AMOADD_W, cpu.AMOXOR_W, cpu.AMOAND_W, cpu.AMOOR_W,
		cpu.AMOMIN_W, cpu.AMOMAX_W, cpu.AMOMINU_W, cpu.AMOMAXU_W,
		cpu.AMOSWAP_D, cpu.AMOADD_D, cpu.AMOXOR_D, cpu.AMOAND_D, cpu.AMOOR_D,
		cpu.AMOMIN_D, cpu.AMOMAX_D, cpu.AMOMINU_D, cpu.AMOMAXU_D:
		a.addr, a.size = c.X[in.Rs1], 4
		switch in.Op {
		case cpu.LR_D, cpu.SC_D, cpu.AMOSWAP_D, cpu.AMOADD_D, cpu.AMOXOR_D, cpu.AMOAND_D,
			cpu.AMOOR_D, cpu.AMOMIN_D, cpu.AMOMAX_D, cpu.AMOMINU_D, cpu.AMOMAXU_D:
			a.size = 8
		}
		a.read = in.Op != cpu.SC_W && in.Op != cpu.SC_D
		a.write = in.Op != cpu.LR_W && in.Op != cpu.LR_D
	default:
		return access{}, false
	}
	return a, true
}

// hasAccessWatches reports whether a read or access watchpoint is set.
func (s *Stub) hasAccessWatches() bool {
	for _, w := range s.watches {
		if w.kind != watchWrite {
			return true
		}
	}
	return false
}

// accessHit returns the stop reply's reason for the access a, if a read or access
// watchpoint of its process covers it ("rwatch:ADDR;", "awatch:ADDR;"), or "".
func (s *Stub) accessHit(a access) string {
	pid := s.pidOf(a.tid)
	for _, w := range s.watches {
		if w.pid != pid || w.kind == watchWrite || a.addr >= w.addr+uint64(len(w.old)) || w.addr >= a.addr+a.size {
			continue
		}
		switch {
		case w.kind == watchRead && a.read:
			return fmt.Sprintf("rwatch:%x;", w.addr)
		case w.kind == watchAccess:
			return fmt.Sprintf("awatch:%x;", w.addr)
		}
	}
	return ""
}

// retired reports whether the thread of a has executed the instruction a was decoded
// from (it may instead have faulted, or been stopped at a scheduling point, and be
// about to try it again).
func (s *Stub) retired(a access, tid int, insns uint64) bool {
	if tid == a.tid {
		return insns > a.insns
	}
	return s.insnsOf(a.tid) > a.insns
}

// noteAccess remembers the access of the instruction t is about to run, for the next
// Check; it returns the reason to stop for the previous one, which has run, if any.
func (s *Stub) noteAccess(pid, tid int, insns uint64, c *cpu.Context) (why string, by access) {
	if p := s.pending; p != nil && s.retired(*p, tid, insns) {
		s.pending = nil
		why, by = s.accessHit(*p), *p
	}
	if a, ok := s.accessOf(pid, tid, insns, c); ok {
		s.pending = &a
	} else if s.pending != nil && s.pending.tid == tid {
		s.pending = nil
	}
	return why, by
}
