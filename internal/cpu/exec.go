package cpu

import (
	"encoding/binary"
	"math"
	"math/bits"

	"weft/internal/cpu/fpu"
	"weft/internal/mm"
)

// Run executes instructions until one needs the kernel or budget instructions have
// retired. The instruction that stops the hart is not retired; Stop.PC names it. Every
// engine gives the same stops, registers, memory and counts (see Engine).
func (h *Hart) Run(budget uint64) Stop {
	h.prepareRun()
	return h.exec.run(budget)
}

// interp is the reference engine: an interpreter over the per-page decode cache.
type interp struct{ h *Hart }

// run is the reference engine's loop.
//
// The loop walks a decoded page by slot index. Each page has two sentinel slots past its
// end, so running off the end of the page lands on opPageEnd instead of needing a
// check per instruction; taken branches and jumps check whether they leave the page.
func (e interp) run(budget uint64) Stop {
	h := e.h
	x := &h.x
	pc := h.pc
	left := budget   // instructions this run may still retire
	tlb := h.tlb     // the address space cannot change during a run
	tag := tlb.tag   // nor can the TLB's epoch (see tlbSet)
	wtag := tlb.wtag // which decodedFor and FlushDecodeCache may change
	var (
		dp     *decodedPage
		base   uint64 // address of dp's page
		i      uint64 // slot of the current instruction: its address is base+2*i
		in     *inst
		tmp    inst
		target uint64
		fault  *mm.Fault
	)
	if h.CallPoints != nil && h.CallPoints[pc] && pc != h.callPass {
		return h.stop(Stop{Reason: StopCall}, pc, 0)
	}

refetch:
	if left == 0 {
		return h.stop(Stop{Reason: StopBudget}, pc, budget)
	}
	dp, fault = h.decodedFor(pc)
	wtag = tlb.wtag
	if fault != nil {
		return h.stop(Stop{Reason: StopFault, Fault: *fault}, pc, budget-left)
	}
	base = pc &^ mm.PageMask
	i = (pc & mm.PageMask) >> 1
	for {
		if left == 0 {
			return h.stop(Stop{Reason: StopBudget}, base+i*2, budget)
		}
		if h.Breaks != nil && left != budget && h.breakIn(base+i*2, base+i*2+1) {
			// A debugger's breakpoint: the run ends before it (Hart.Breaks).
			return h.stop(Stop{Reason: StopBudget}, base+i*2, budget-left)
		}
		in = &dp.insns[i]
	dispatch:
		switch in.op {
		case opUndecoded:
			pc = base + i*2
			raw, f := h.fetch(dp, pc)
			if f != nil {
				return h.stop(Stop{Reason: StopFault, Fault: *f}, pc, budget-left)
			}
			if pc&mm.PageMask == mm.PageSize-2 && InstLen(uint16(raw)) == 4 {
				*in = inst{op: opCross, len: 4}
			} else {
				*in = prepare(Decode(raw), pc)
			}
			goto dispatch
		case opCross:
			pc = base + i*2
			raw, f := h.fetch(dp, pc)
			if f != nil {
				return h.stop(Stop{Reason: StopFault, Fault: *f}, pc, budget-left)
			}
			tmp = prepare(Decode(raw), pc)
			in = &tmp
			goto dispatch
		case opPageEnd:
			pc = base + i*2
			goto refetch

		case LUI:
			x[in.rd] = uint64(in.imm)
		case AUIPC:
			x[in.rd] = uint64(in.imm)
		case JAL:
			x[in.rd] = base + i*2 + uint64(in.len)
			target = uint64(in.imm)
			goto jump
		case JALR:
			target = (x[in.rs1] + uint64(in.imm)) &^ 1
			x[in.rd] = base + i*2 + uint64(in.len)
			goto jump
		case BEQ:
			if x[in.rs1] == x[in.rs2] {
				target = uint64(in.imm)
				goto jump
			}
		case BNE:
			if x[in.rs1] != x[in.rs2] {
				target = uint64(in.imm)
				goto jump
			}
		case BLT:
			if int64(x[in.rs1]) < int64(x[in.rs2]) {
				target = uint64(in.imm)
				goto jump
			}
		case BGE:
			if int64(x[in.rs1]) >= int64(x[in.rs2]) {
				target = uint64(in.imm)
				goto jump
			}
		case BLTU:
			if x[in.rs1] < x[in.rs2] {
				target = uint64(in.imm)
				goto jump
			}
		case BGEU:
			if x[in.rs1] >= x[in.rs2] {
				target = uint64(in.imm)
				goto jump
			}

		case LB, LH, LW, LD, LBU, LHU, LWU, FLW, FLD:
			a := x[in.rs1] + uint64(in.imm)
			if h.MemPoints {
				if s, ok := h.memStop(in, base+i*2, a, false); ok {
					return h.stop(s, base+i*2, budget-left)
				}
			}
			size := loadSize[in.op]
			var v uint64
			e := &tlb.rtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; e.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(e.frame.Data[off:])
			} else if v, fault = h.load(a, size); fault != nil {
				goto memFault
			}
			switch in.op {
			case LB:
				x[in.rd] = uint64(int8(v))
			case LH:
				x[in.rd] = uint64(int16(v))
			case LW:
				x[in.rd] = uint64(int32(v))
			case LD:
				x[in.rd] = v
			case LBU:
				x[in.rd] = uint64(uint8(v))
			case LHU:
				x[in.rd] = uint64(uint16(v))
			case LWU:
				x[in.rd] = uint64(uint32(v))
			case FLW:
				h.f[in.rd&31] = boxS(uint32(v))
			case FLD:
				h.f[in.rd&31] = v
			}

		case SB, SH, SW, SD, FSW, FSD:
			a := x[in.rs1] + uint64(in.imm)
			if h.MemPoints {
				if s, ok := h.memStop(in, base+i*2, a, true); ok {
					return h.stop(s, base+i*2, budget-left)
				}
			}
			v := x[in.rs2]
			if in.op == FSW || in.op == FSD {
				v = h.f[in.rs2&31]
			}
			size := storeSize[in.op]
			e := &tlb.wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; e.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				putLE(e.frame.Data[off:off+8], size, v)
			} else if fault = h.store(a, size, v); fault != nil {
				goto memFault
			}

		case ADDI:
			x[in.rd] = x[in.rs1] + uint64(in.imm)
		case SLTI:
			x[in.rd] = b2u(int64(x[in.rs1]) < in.imm)
		case SLTIU:
			x[in.rd] = b2u(x[in.rs1] < uint64(in.imm))
		case XORI:
			x[in.rd] = x[in.rs1] ^ uint64(in.imm)
		case ORI:
			x[in.rd] = x[in.rs1] | uint64(in.imm)
		case ANDI:
			x[in.rd] = x[in.rs1] & uint64(in.imm)
		case SLLI:
			x[in.rd] = x[in.rs1] << (in.imm & 63)
		case SRLI:
			x[in.rd] = x[in.rs1] >> (in.imm & 63)
		case SRAI:
			x[in.rd] = uint64(int64(x[in.rs1]) >> (in.imm & 63))
		case ADD:
			x[in.rd] = x[in.rs1] + x[in.rs2]
		case SUB:
			x[in.rd] = x[in.rs1] - x[in.rs2]
		case SLL:
			x[in.rd] = x[in.rs1] << (x[in.rs2] & 63)
		case SLT:
			x[in.rd] = b2u(int64(x[in.rs1]) < int64(x[in.rs2]))
		case SLTU:
			x[in.rd] = b2u(x[in.rs1] < x[in.rs2])
		case XOR:
			x[in.rd] = x[in.rs1] ^ x[in.rs2]
		case SRL:
			x[in.rd] = x[in.rs1] >> (x[in.rs2] & 63)
		case SRA:
			x[in.rd] = uint64(int64(x[in.rs1]) >> (x[in.rs2] & 63))
		case OR:
			x[in.rd] = x[in.rs1] | x[in.rs2]
		case AND:
			x[in.rd] = x[in.rs1] & x[in.rs2]
		case ADDIW:
			x[in.rd] = uint64(int32(x[in.rs1] + uint64(in.imm)))
		case SLLIW:
			x[in.rd] = uint64(int32(uint32(x[in.rs1]) << (in.imm & 31)))
		case SRLIW:
			x[in.rd] = uint64(int32(uint32(x[in.rs1]) >> (in.imm & 31)))
		case SRAIW:
			x[in.rd] = uint64(int32(x[in.rs1]) >> (in.imm & 31))
		case ADDW:
			x[in.rd] = uint64(int32(x[in.rs1] + x[in.rs2]))
		case SUBW:
			x[in.rd] = uint64(int32(x[in.rs1] - x[in.rs2]))
		case SLLW:
			x[in.rd] = uint64(int32(uint32(x[in.rs1]) << (x[in.rs2] & 31)))
		case SRLW:
			x[in.rd] = uint64(int32(uint32(x[in.rs1]) >> (x[in.rs2] & 31)))
		case SRAW:
			x[in.rd] = uint64(int32(x[in.rs1]) >> (x[in.rs2] & 31))

		case MUL:
			x[in.rd] = x[in.rs1] * x[in.rs2]
		case MULH:
			x[in.rd] = mulh(x[in.rs1], x[in.rs2])
		case MULHSU:
			x[in.rd] = mulhsu(x[in.rs1], x[in.rs2])
		case MULHU:
			x[in.rd], _ = bits.Mul64(x[in.rs1], x[in.rs2])
		case DIV:
			x[in.rd] = div(x[in.rs1], x[in.rs2])
		case DIVU:
			x[in.rd] = divu(x[in.rs1], x[in.rs2])
		case REM:
			x[in.rd] = rem(x[in.rs1], x[in.rs2])
		case REMU:
			x[in.rd] = remu(x[in.rs1], x[in.rs2])
		case MULW:
			x[in.rd] = uint64(int32(x[in.rs1] * x[in.rs2]))
		case DIVW:
			x[in.rd] = divw(x[in.rs1], x[in.rs2])
		case DIVUW:
			x[in.rd] = divuw(x[in.rs1], x[in.rs2])
		case REMW:
			x[in.rd] = remw(x[in.rs1], x[in.rs2])
		case REMUW:
			x[in.rd] = remuw(x[in.rs1], x[in.rs2])

		case FENCE:
			// One hart at a time runs, in program order: nothing to order.
			if h.SyncPoints {
				if stop, ok := h.syncStop(in, base+i*2); ok {
					return h.stop(stop, base+i*2, budget-left)
				}
			}
		case FENCE_I:
			h.FlushDecodeCache()
			left--
			pc = base + i*2 + uint64(in.len)
			goto refetch
		case ECALL:
			return h.stop(Stop{Reason: StopEcall}, base+i*2, budget-left)
		case EBREAK:
			return h.stop(Stop{Reason: StopEbreak}, base+i*2, budget-left)

		case CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI:
			if !h.csr(in, budget-left) {
				goto illegal
			}

		case LR_W, LR_D, SC_W, SC_D, AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W,
			AMOMIN_W, AMOMAX_W, AMOMINU_W, AMOMAXU_W, AMOSWAP_D, AMOADD_D, AMOXOR_D,
			AMOAND_D, AMOOR_D, AMOMIN_D, AMOMAX_D, AMOMINU_D, AMOMAXU_D:
			if h.SyncPoints {
				if stop, ok := h.syncStop(in, base+i*2); ok {
					return h.stop(stop, base+i*2, budget-left)
				}
			}
			var stop Stop
			if !h.atomic(in, &stop) {
				return h.stop(stop, base+i*2, budget-left)
			}

		// The common floating-point operations, inline; the rest go to execFP.
		case FADD_D, FSUB_D, FMUL_D, FDIV_D, FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D:
			rm, ok := h.roundingMode(in)
			if !ok {
				goto illegal
			}
			f := &h.f
			var v uint64
			var fl fpu.Flags
			a, b := f[in.rs1&31], f[in.rs2&31]
			switch in.op {
			case FADD_D:
				v, fl = fpu.Add64(a, b, rm)
			case FSUB_D:
				v, fl = fpu.Sub64(a, b, rm)
			case FMUL_D:
				v, fl = fpu.Mul64(a, b, rm)
			case FDIV_D:
				v, fl = fpu.Div64(a, b, rm)
			case FMADD_D:
				v, fl = fpu.MulAdd64(a, b, f[in.rs3&31], rm)
			case FMSUB_D:
				v, fl = fpu.MulAdd64(a, b, f[in.rs3&31]^(1<<63), rm)
			case FNMSUB_D:
				v, fl = fpu.MulAdd64(a^(1<<63), b, f[in.rs3&31], rm)
			default: // FNMADD_D
				v, fl = fpu.MulAdd64(a^(1<<63), b, f[in.rs3&31]^(1<<63), rm)
			}
			f[in.rd&31] = v
			h.fflags |= uint8(fl)
		case FADD_S, FMUL_S, FMADD_S:
			rm, ok := h.roundingMode(in)
			if !ok {
				goto illegal
			}
			f := &h.f
			var v uint32
			var fl fpu.Flags
			a, b := unboxS(f[in.rs1&31]), unboxS(f[in.rs2&31])
			switch in.op {
			case FADD_S:
				v, fl = fpu.Add32(a, b, rm)
			case FMUL_S:
				v, fl = fpu.Mul32(a, b, rm)
			default: // FMADD_S
				v, fl = fpu.MulAdd32(a, b, unboxS(f[in.rs3&31]), rm)
			}
			f[in.rd&31] = boxS(v)
			h.fflags |= uint8(fl)
		case FSGNJ_D:
			h.f[in.rd&31] = h.f[in.rs1&31]&^(1<<63) | h.f[in.rs2&31]&(1<<63)
		case FMV_X_D:
			x[in.rd] = h.f[in.rs1&31]
		case FMV_D_X:
			h.f[in.rd&31] = x[in.rs1]

		case ILLEGAL:
			goto illegal

		default:
			if !h.execFP(in) {
				goto illegal
			}
		}
		left--
		i += uint64(in.len) >> 1
		continue

	jump:
		left--
		if h.CallPoints != nil && h.CallPoints[target] {
			return h.stop(Stop{Reason: StopCall}, target, budget-left)
		}
		if target&^mm.PageMask == base {
			i = (target & mm.PageMask) >> 1
			continue
		}
		pc = target
		goto refetch

	memFault:
		return h.stop(Stop{Reason: StopFault, Fault: *fault}, base+i*2, budget-left)
	illegal:
		pc = base + i*2
		raw, _ := h.fetch(dp, pc)
		if in.len == 2 {
			raw &= 0xffff
		}
		return h.stop(Stop{Reason: StopIllegal, Insn: raw}, pc, budget-left)
	}
}

// stop ends a run: it records where the hart stopped and what it retired.
func (h *Hart) stop(s Stop, pc, retired uint64) Stop {
	s.PC = pc
	h.pc = pc
	h.Retired += retired
	h.TimeBase += retired
	return s
}

var loadSize = [numOps]uint64{LB: 1, LH: 2, LW: 4, LD: 8, LBU: 1, LHU: 2, LWU: 4, FLW: 4, FLD: 8}
var storeSize = [numOps]uint64{SB: 1, SH: 2, SW: 4, SD: 8, FSW: 4, FSD: 8}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func mulh(a, b uint64) uint64 {
	hi, _ := bits.Mul64(a, b)
	if int64(a) < 0 {
		hi -= b
	}
	if int64(b) < 0 {
		hi -= a
	}
	return hi
}

func mulhsu(a, b uint64) uint64 {
	hi, _ := bits.Mul64(a, b)
	if int64(a) < 0 {
		hi -= b
	}
	return hi
}

// Division follows the ISA manual's table: division by zero gives all ones (quotient) or
// the dividend (remainder); signed overflow gives the dividend (quotient) or zero.
func div(a, b uint64) uint64 {
	switch {
	case b == 0:
		return ^uint64(0)
	case int64(a) == math.MinInt64 && int64(b) == -1:
		return a
	}
	return uint64(int64(a) / int64(b))
}

func divu(a, b uint64) uint64 {
	if b == 0 {
		return ^uint64(0)
	}
	return a / b
}

func rem(a, b uint64) uint64 {
	switch {
	case b == 0:
		return a
	case int64(a) == math.MinInt64 && int64(b) == -1:
		return 0
	}
	return uint64(int64(a) % int64(b))
}

func remu(a, b uint64) uint64 {
	if b == 0 {
		return a
	}
	return a % b
}

func divw(a, b uint64) uint64 {
	x, y := int32(a), int32(b)
	switch {
	case y == 0:
		return ^uint64(0)
	case x == math.MinInt32 && y == -1:
		return uint64(int64(x))
	}
	return uint64(int64(x / y))
}

func divuw(a, b uint64) uint64 {
	x, y := uint32(a), uint32(b)
	if y == 0 {
		return ^uint64(0)
	}
	return uint64(int32(x / y))
}

func remw(a, b uint64) uint64 {
	x, y := int32(a), int32(b)
	switch {
	case y == 0:
		return uint64(int64(x))
	case x == math.MinInt32 && y == -1:
		return 0
	}
	return uint64(int64(x % y))
}

func remuw(a, b uint64) uint64 {
	x, y := uint32(a), uint32(b)
	if y == 0 {
		return uint64(int32(x))
	}
	return uint64(int32(x % y))
}

// CSR numbers (Zicsr, and the unprivileged counters).
const (
	csrFflags  = 0x001
	csrFrm     = 0x002
	csrFcsr    = 0x003
	csrCycle   = 0xc00
	csrTime    = 0xc01
	csrInstret = 0xc02
)

// csr executes a CSR instruction; n is the count retired so far in this run. It reports
// false for an unknown CSR or a write to a read-only one (an illegal instruction).
func (h *Hart) csr(in *inst, n uint64) bool {
	num := uint64(in.imm) & 0xfff
	var old uint64
	switch num {
	case csrFflags:
		old = uint64(h.fflags)
	case csrFrm:
		old = uint64(h.frm)
	case csrFcsr:
		old = uint64(h.frm)<<5 | uint64(h.fflags)
	case csrCycle, csrInstret:
		old = h.Retired + n
	case csrTime:
		old = (h.TimeBase + n) / 100
	default:
		return false
	}
	var src uint64
	write := true
	switch in.op {
	case CSRRW, CSRRS, CSRRC:
		src = h.x[in.rs1]
		write = in.op == CSRRW || in.rs1 != 0
	default:
		src = uint64(in.rs1) // the 5-bit immediate
		write = in.op == CSRRWI || in.rs1 != 0
	}
	nv := src
	switch in.op {
	case CSRRS, CSRRSI:
		nv = old | src
	case CSRRC, CSRRCI:
		nv = old &^ src
	}
	if write {
		switch num {
		case csrFflags:
			h.fflags = uint8(nv & 0x1f)
		case csrFrm:
			h.frm = uint8(nv & 7)
		case csrFcsr:
			h.fflags = uint8(nv & 0x1f)
			h.frm = uint8(nv >> 5 & 7)
		default:
			return false // the counters are read-only
		}
	}
	h.x[in.rd] = old
	return true
}

// atomic executes LR, SC and the AMOs. Addresses must be naturally aligned.
func (h *Hart) atomic(in *inst, stop *Stop) bool {
	addr := h.x[in.rs1]
	size := uint64(4)
	if in.op >= LR_D {
		size = 8
	}
	acc := mm.Store
	if in.op == LR_W || in.op == LR_D {
		acc = mm.Load
	}
	if addr&(size-1) != 0 {
		*stop = Stop{Reason: StopMisaligned, Fault: mm.Fault{Addr: addr, Access: acc}}
		return false
	}
	off := addr & mm.PageMask
	switch in.op {
	case LR_W, LR_D:
		f, fault := h.frameFor(addr, mm.Load)
		if fault != nil {
			*stop = Stop{Reason: StopFault, Fault: *fault}
			return false
		}
		var v uint64 // aligned, so within the page
		if size == 4 {
			v = uint64(int32(binary.LittleEndian.Uint32(f.Data[off:])))
		} else {
			v = binary.LittleEndian.Uint64(f.Data[off:])
		}
		h.x[in.rd] = v
		h.setReservation(f, off)
		return true
	case SC_W, SC_D:
		// A store that would fault faults even when the reservation is gone.
		f, fault := h.frameFor(addr, mm.Store)
		if fault != nil {
			*stop = Stop{Reason: StopFault, Fault: *fault}
			return false
		}
		ok := h.resFrame == f && h.resOff == off
		h.setReservation(nil, 0)
		if !ok {
			h.x[in.rd] = 1
			return true
		}
		if size == 4 {
			binary.LittleEndian.PutUint32(f.Data[off:], uint32(h.x[in.rs2]))
		} else {
			binary.LittleEndian.PutUint64(f.Data[off:], h.x[in.rs2])
		}
		if h.watching {
			h.breakReservations(f, off, size)
		}
		h.x[in.rd] = 0
		return true
	}
	f, fault := h.frameFor(addr, mm.Store)
	if fault != nil {
		*stop = Stop{Reason: StopFault, Fault: *fault}
		return false
	}
	src := h.x[in.rs2]
	var old uint64
	if size == 4 {
		old = uint64(int32(binary.LittleEndian.Uint32(f.Data[off:])))
		src = uint64(int32(src))
	} else {
		old = binary.LittleEndian.Uint64(f.Data[off:])
	}
	var nv uint64
	switch in.op {
	case AMOSWAP_W, AMOSWAP_D:
		nv = src
	case AMOADD_W, AMOADD_D:
		nv = old + src
	case AMOXOR_W, AMOXOR_D:
		nv = old ^ src
	case AMOAND_W, AMOAND_D:
		nv = old & src
	case AMOOR_W, AMOOR_D:
		nv = old | src
	case AMOMIN_W, AMOMIN_D:
		nv = old
		if int64(src) < int64(old) {
			nv = src
		}
	case AMOMAX_W, AMOMAX_D:
		nv = old
		if int64(src) > int64(old) {
			nv = src
		}
	case AMOMINU_W, AMOMINU_D:
		nv = old
		if cmpU(src, size) < cmpU(old, size) {
			nv = src
		}
	case AMOMAXU_W, AMOMAXU_D:
		nv = old
		if cmpU(src, size) > cmpU(old, size) {
			nv = src
		}
	}
	if size == 4 {
		binary.LittleEndian.PutUint32(f.Data[off:], uint32(nv))
	} else {
		binary.LittleEndian.PutUint64(f.Data[off:], nv)
	}
	if h.watching {
		h.breakReservations(f, off, size)
	}
	h.x[in.rd] = old
	return true
}

// cmpU returns v as an unsigned value of the access size, for the unsigned AMOs.
func cmpU(v, size uint64) uint64 {
	if size == 4 {
		return uint64(uint32(v))
	}
	return v
}
