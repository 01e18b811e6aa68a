package cpu

import (
	"encoding/binary"
	"math/bits"

	"weft/internal/cpu/fpu"
	"weft/internal/mm"
)

// run executes blocks until the budget is spent or an operation stops the hart. It is
// one function, so that the hot state stays in locals across blocks: the register file,
// the TLB arrays and their tags (the write tag is reloaded after a lookup, which may
// decode a page and so flush the write TLBs).
func (e *blockExec) run(budget uint64) Stop {
	h := e.h
	x := &h.x
	tlb := h.tlb
	rtlb, wtlb := &tlb.rtlb, &tlb.wtlb
	tag := tlb.tag
	prof := h.bus.Profile
	var (
		left   = budget // instructions this run may still retire
		pc     = h.pc
		b      *block
		ops    []bop
		op     *bop
		next   uint64
		slot   int
		stop   Stop
		fault  *mm.Fault
		tail   bool
		clean  = ^uint64(0) // a page of code without breakpoints (Hart.Breaks)
		cleanB [4]*block    // blocks without breakpoints, on pages with some
		nclean int
	)
	if budget == 0 {
		return h.stop(Stop{Reason: StopBudget}, pc, 0)
	}
	if b, fault = e.lookup(pc); fault != nil {
		return h.stop(Stop{Reason: StopFault, Fault: *fault}, pc, 0)
	}
	wtag := tlb.wtag

enter:
	if h.Breaks != nil && b.pc&^mm.PageMask != clean && b != cleanB[0] && b != cleanB[1] && b != cleanB[2] && b != cleanB[3] {
		// A debugger's breakpoint in the block (not the run's first instruction):
		// the run ends before it, as if the budget ended there. A page without
		// any is not looked at again in this run (clean).
		if k, ok := e.breakIn(b, left == budget, &clean); !ok && left != budget {
			cleanB[nclean%4] = b // a loop of up to four blocks looks once
			nclean++
		} else if ok && k < left {
			if k == 0 {
				return h.stop(Stop{Reason: StopBudget}, b.pc, budget-left)
			}
			budget, left = budget-left+k, k
		}
	}
	if uint64(b.n) > left {
		// The budget ends inside the block: run exactly left instructions.
		e.buildPlain(b)
		ops, tail = b.plain[:left], true
	} else {
		ops = b.ops
		left -= uint64(b.n)
		if prof != nil {
			prof[b.pc] += uint64(b.n)
		} else if e.jit != nil && h.Breaks == nil {
			// The compiler engine: machine code runs the block, and the blocks
			// chained to it, while it can (jit_amd64.go).
			switch kind, k := e.jitRun(&b, &left, &next); kind {
			case jitFall:
				goto fallthru
			case jitTaken:
				goto taken
			case jitIndirect:
				goto indirect
			case jitEnter:
				goto enter
			case jitResume:
				ops = b.ops[k:]
			}
		}
	}
	for i := range ops {
		op = &ops[i]
		switch op.code {
		case bLI:
			x[op.rd] = uint64(op.imm)
		case bMV:
			x[op.rd] = x[op.rs1]
		case bJALF:
			x[op.rd] = b.pc + uint64(int64(op.off)) + uint64(op.len)
		case bShAdd:
			x[op.rd] = x[op.rs1]<<(op.imm2&63) + x[op.rs2]
		case bAddiAdd:
			x[op.rd] = x[op.rs1] + uint64(op.imm2) + x[op.rs2]
		case bMV2:
			x[op.rd] = x[op.rs1]
			x[op.rs3] = x[op.rs2]
		case bAddLD:
			x[op.rs3] = x[op.rs1] + x[op.rs2]
			a := x[op.rs3] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 8); fault != nil {
				goto memFault
			}
			x[op.rd] = v
		case bAddLW:
			x[op.rs3] = x[op.rs1] + x[op.rs2]
			a := x[op.rs3] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 4); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(int32(v))
		case bAddLWU:
			x[op.rs3] = x[op.rs1] + x[op.rs2]
			a := x[op.rs3] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 4); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(uint32(v))
		case bAddLBU:
			x[op.rs3] = x[op.rs1] + x[op.rs2]
			a := x[op.rs3] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 1); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(uint8(v))
		case bLiLD:
			x[op.rs3] = uint64(op.imm)
			a := uint64(op.imm) + uint64(op.imm2)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 8); fault != nil {
				goto memFault
			}
			x[op.rd] = v
		case bLiLW:
			x[op.rs3] = uint64(op.imm)
			a := uint64(op.imm) + uint64(op.imm2)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 4); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(int32(v))
		case bcode(JAL):
			x[op.rd] = b.pc + uint64(int64(op.off)) + uint64(op.len)
			next = uint64(op.imm)
			goto taken
		case bcode(JALR):
			t := (x[op.rs1] + uint64(op.imm)) &^ 1
			x[op.rd] = b.pc + uint64(int64(op.off)) + uint64(op.len)
			next = t
			goto indirect
		case bcode(LB):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 1); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(int8(v))
		case bcode(LH):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 2); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(int16(v))
		case bcode(LW):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 4); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(int32(v))
		case bcode(LD):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 8); fault != nil {
				goto memFault
			}
			x[op.rd] = v
		case bcode(LBU):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 1); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(uint8(v))
		case bcode(LHU):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 2); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(uint16(v))
		case bcode(LWU):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 4); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(uint32(v))
		case bcode(FLW):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 4); fault != nil {
				goto memFault
			}
			h.f[op.rd&31] = boxS(uint32(v))
		case bcode(FLD):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 8); fault != nil {
				goto memFault
			}
			h.f[op.rd&31] = v
		case bcode(SB):
			a := x[op.rs1] + uint64(op.imm)
			v := x[op.rs2]
			en := &wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				en.frame.Data[off] = byte(v)
			} else if fault = h.store(a, 1, v); fault != nil {
				goto memFault
			}
		case bcode(SH):
			a := x[op.rs1] + uint64(op.imm)
			v := x[op.rs2]
			en := &wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				binary.LittleEndian.PutUint16(en.frame.Data[off:], uint16(v))
			} else if fault = h.store(a, 2, v); fault != nil {
				goto memFault
			}
		case bcode(SW):
			a := x[op.rs1] + uint64(op.imm)
			v := x[op.rs2]
			en := &wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				binary.LittleEndian.PutUint32(en.frame.Data[off:], uint32(v))
			} else if fault = h.store(a, 4, v); fault != nil {
				goto memFault
			}
		case bcode(SD):
			a := x[op.rs1] + uint64(op.imm)
			v := x[op.rs2]
			en := &wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				binary.LittleEndian.PutUint64(en.frame.Data[off:], v)
			} else if fault = h.store(a, 8, v); fault != nil {
				goto memFault
			}
		case bcode(FSW):
			a := x[op.rs1] + uint64(op.imm)
			v := h.f[op.rs2&31]
			en := &wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				binary.LittleEndian.PutUint32(en.frame.Data[off:], uint32(v))
			} else if fault = h.store(a, 4, v); fault != nil {
				goto memFault
			}
		case bcode(FSD):
			a := x[op.rs1] + uint64(op.imm)
			v := h.f[op.rs2&31]
			en := &wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				binary.LittleEndian.PutUint64(en.frame.Data[off:], v)
			} else if fault = h.store(a, 8, v); fault != nil {
				goto memFault
			}
		case bcode(BEQ):
			if x[op.rs1] == x[op.rs2] {
				next = uint64(op.imm)
				goto taken
			}
		case bcode(BNE):
			if x[op.rs1] != x[op.rs2] {
				next = uint64(op.imm)
				goto taken
			}
		case bcode(BLT):
			if int64(x[op.rs1]) < int64(x[op.rs2]) {
				next = uint64(op.imm)
				goto taken
			}
		case bcode(BGE):
			if int64(x[op.rs1]) >= int64(x[op.rs2]) {
				next = uint64(op.imm)
				goto taken
			}
		case bcode(BLTU):
			if x[op.rs1] < x[op.rs2] {
				next = uint64(op.imm)
				goto taken
			}
		case bcode(BGEU):
			if x[op.rs1] >= x[op.rs2] {
				next = uint64(op.imm)
				goto taken
			}
		case bAddiBEQ:
			x[op.rd] = x[op.rs1] + uint64(op.imm2)
			if x[op.rs2] == x[op.rs3] {
				next = uint64(op.imm)
				goto taken
			}
		case bAddiBNE:
			x[op.rd] = x[op.rs1] + uint64(op.imm2)
			if x[op.rs2] != x[op.rs3] {
				next = uint64(op.imm)
				goto taken
			}
		case bAddiBLT:
			x[op.rd] = x[op.rs1] + uint64(op.imm2)
			if int64(x[op.rs2]) < int64(x[op.rs3]) {
				next = uint64(op.imm)
				goto taken
			}
		case bAddiBGE:
			x[op.rd] = x[op.rs1] + uint64(op.imm2)
			if int64(x[op.rs2]) >= int64(x[op.rs3]) {
				next = uint64(op.imm)
				goto taken
			}
		case bAddiBLTU:
			x[op.rd] = x[op.rs1] + uint64(op.imm2)
			if x[op.rs2] < x[op.rs3] {
				next = uint64(op.imm)
				goto taken
			}
		case bAddiBGEU:
			x[op.rd] = x[op.rs1] + uint64(op.imm2)
			if x[op.rs2] >= x[op.rs3] {
				next = uint64(op.imm)
				goto taken
			}
		case bcode(ADDI):
			x[op.rd] = x[op.rs1] + uint64(op.imm)
		case bcode(SLTI):
			x[op.rd] = b2u(int64(x[op.rs1]) < op.imm)
		case bcode(SLTIU):
			x[op.rd] = b2u(x[op.rs1] < uint64(op.imm))
		case bcode(XORI):
			x[op.rd] = x[op.rs1] ^ uint64(op.imm)
		case bcode(ORI):
			x[op.rd] = x[op.rs1] | uint64(op.imm)
		case bcode(ANDI):
			x[op.rd] = x[op.rs1] & uint64(op.imm)
		case bcode(SLLI):
			x[op.rd] = x[op.rs1] << (op.imm & 63)
		case bcode(SRLI):
			x[op.rd] = x[op.rs1] >> (op.imm & 63)
		case bcode(SRAI):
			x[op.rd] = uint64(int64(x[op.rs1]) >> (op.imm & 63))
		case bcode(ADD):
			x[op.rd] = x[op.rs1] + x[op.rs2]
		case bcode(SUB):
			x[op.rd] = x[op.rs1] - x[op.rs2]
		case bcode(SLL):
			x[op.rd] = x[op.rs1] << (x[op.rs2] & 63)
		case bcode(SLT):
			x[op.rd] = b2u(int64(x[op.rs1]) < int64(x[op.rs2]))
		case bcode(SLTU):
			x[op.rd] = b2u(x[op.rs1] < x[op.rs2])
		case bcode(XOR):
			x[op.rd] = x[op.rs1] ^ x[op.rs2]
		case bcode(SRL):
			x[op.rd] = x[op.rs1] >> (x[op.rs2] & 63)
		case bcode(SRA):
			x[op.rd] = uint64(int64(x[op.rs1]) >> (x[op.rs2] & 63))
		case bcode(OR):
			x[op.rd] = x[op.rs1] | x[op.rs2]
		case bcode(AND):
			x[op.rd] = x[op.rs1] & x[op.rs2]
		case bcode(ADDIW):
			x[op.rd] = uint64(int32(x[op.rs1] + uint64(op.imm)))
		case bcode(SLLIW):
			x[op.rd] = uint64(int32(uint32(x[op.rs1]) << (op.imm & 31)))
		case bcode(SRLIW):
			x[op.rd] = uint64(int32(uint32(x[op.rs1]) >> (op.imm & 31)))
		case bcode(SRAIW):
			x[op.rd] = uint64(int32(x[op.rs1]) >> (op.imm & 31))
		case bcode(ADDW):
			x[op.rd] = uint64(int32(x[op.rs1] + x[op.rs2]))
		case bcode(SUBW):
			x[op.rd] = uint64(int32(x[op.rs1] - x[op.rs2]))
		case bcode(SLLW):
			x[op.rd] = uint64(int32(uint32(x[op.rs1]) << (x[op.rs2] & 31)))
		case bcode(SRLW):
			x[op.rd] = uint64(int32(uint32(x[op.rs1]) >> (x[op.rs2] & 31)))
		case bcode(SRAW):
			x[op.rd] = uint64(int32(x[op.rs1]) >> (x[op.rs2] & 31))
		case bcode(MUL):
			x[op.rd] = x[op.rs1] * x[op.rs2]
		case bcode(MULH):
			x[op.rd] = mulh(x[op.rs1], x[op.rs2])
		case bcode(MULHSU):
			x[op.rd] = mulhsu(x[op.rs1], x[op.rs2])
		case bcode(DIV):
			x[op.rd] = div(x[op.rs1], x[op.rs2])
		case bcode(DIVU):
			x[op.rd] = divu(x[op.rs1], x[op.rs2])
		case bcode(REM):
			x[op.rd] = rem(x[op.rs1], x[op.rs2])
		case bcode(REMU):
			x[op.rd] = remu(x[op.rs1], x[op.rs2])
		case bcode(MULW):
			x[op.rd] = uint64(int32(x[op.rs1] * x[op.rs2]))
		case bcode(DIVW):
			x[op.rd] = divw(x[op.rs1], x[op.rs2])
		case bcode(DIVUW):
			x[op.rd] = divuw(x[op.rs1], x[op.rs2])
		case bcode(REMW):
			x[op.rd] = remw(x[op.rs1], x[op.rs2])
		case bcode(REMUW):
			x[op.rd] = remuw(x[op.rs1], x[op.rs2])
		case bcode(FMV_X_D):
			x[op.rd] = h.f[op.rs1&31]
		case bcode(MULHU):
			x[op.rd], _ = bits.Mul64(x[op.rs1], x[op.rs2])
		case bcode(FMV_D_X):
			h.f[op.rd&31] = x[op.rs1]
		case bcode(FADD_D), bcode(FSUB_D), bcode(FMUL_D), bcode(FDIV_D), bcode(FMADD_D), bcode(FMSUB_D), bcode(FNMSUB_D), bcode(FNMADD_D):
			rm := fpu.RM(op.rm)
			if rm == 7 {
				rm = fpu.RM(h.frm)
			}
			f := &h.f
			var v uint64
			var fl fpu.Flags
			a, c := f[op.rs1&31], f[op.rs2&31]
			ok := false
			if rm == fpu.RNE {
				// The host rounds as the guest asked: try the fast paths first.
				switch op.op {
				case FADD_D:
					v, fl, ok = addDRNE(a, c)
				case FSUB_D:
					v, fl, ok = addDRNE(a, c^(1<<63))
				case FMUL_D:
					v, fl, ok = mulDRNE(a, c)
				case FMADD_D:
					v, fl, ok = fmaDRNE(a, c, f[op.rs3&31])
				case FMSUB_D:
					v, fl, ok = fmaDRNE(a, c, f[op.rs3&31]^(1<<63))
				case FNMSUB_D:
					v, fl, ok = fmaDRNE(a^(1<<63), c, f[op.rs3&31])
				case FNMADD_D:
					v, fl, ok = fmaDRNE(a^(1<<63), c, f[op.rs3&31]^(1<<63))
				}
			}
			if !ok {
				if rm > fpu.RMM {
					goto illegal
				}
				switch op.op {
				case FADD_D:
					v, fl = fpu.Add64(a, c, rm)
				case FSUB_D:
					v, fl = fpu.Sub64(a, c, rm)
				case FMUL_D:
					v, fl = fpu.Mul64(a, c, rm)
				case FDIV_D:
					v, fl = fpu.Div64(a, c, rm)
				case FMADD_D:
					v, fl = fpu.MulAdd64(a, c, f[op.rs3&31], rm)
				case FMSUB_D:
					v, fl = fpu.MulAdd64(a, c, f[op.rs3&31]^(1<<63), rm)
				case FNMSUB_D:
					v, fl = fpu.MulAdd64(a^(1<<63), c, f[op.rs3&31], rm)
				default: // FNMADD_D
					v, fl = fpu.MulAdd64(a^(1<<63), c, f[op.rs3&31]^(1<<63), rm)
				}
			}
			f[op.rd&31] = v
			h.fflags |= uint8(fl)
		case bcode(FADD_S), bcode(FSUB_S), bcode(FMUL_S):
			rm := fpu.RM(op.rm)
			if rm == 7 {
				rm = fpu.RM(h.frm)
			}
			f := &h.f
			var v uint32
			var fl fpu.Flags
			a, c := unboxS(f[op.rs1&31]), unboxS(f[op.rs2&31])
			if op.op == FSUB_S {
				c ^= 1 << 31 // as fpu.Sub32 does
			}
			ok := false
			if rm == fpu.RNE {
				if op.op == FMUL_S {
					v, fl, ok = mulSRNE(a, c)
				} else {
					v, fl, ok = addSRNE(a, c)
				}
			}
			if !ok {
				if rm > fpu.RMM {
					goto illegal
				}
				if op.op == FMUL_S {
					v, fl = fpu.Mul32(a, c, rm)
				} else {
					v, fl = fpu.Add32(a, c, rm)
				}
			}
			f[op.rd&31] = boxS(v)
			h.fflags |= uint8(fl)
		case bcode(FMADD_S), bcode(FMSUB_S), bcode(FNMSUB_S), bcode(FNMADD_S):
			rm := fpu.RM(op.rm)
			if rm == 7 {
				rm = fpu.RM(h.frm)
			}
			f := &h.f
			a, c, d := unboxS(f[op.rs1&31]), unboxS(f[op.rs2&31]), unboxS(f[op.rs3&31])
			// The negated forms flip the signs of the product and the addend, as
			// execFP does.
			switch op.op {
			case FMSUB_S:
				d ^= 1 << 31
			case FNMSUB_S:
				a ^= 1 << 31
			case FNMADD_S:
				a ^= 1 << 31
				d ^= 1 << 31
			}
			var v uint32
			var fl fpu.Flags
			ok := false
			if rm == fpu.RNE {
				v, fl, ok = fmaSRNE(a, c, d)
			}
			if !ok {
				if rm > fpu.RMM {
					goto illegal
				}
				v, fl = fpu.MulAdd32(a, c, d, rm)
			}
			f[op.rd&31] = boxS(v)
			h.fflags |= uint8(fl)
		case bcode(FSGNJ_D):
			h.f[op.rd&31] = h.f[op.rs1&31]&^(1<<63) | h.f[op.rs2&31]&(1<<63)
		case bcode(FENCE):
			// One hart at a time runs, in program order: nothing to order.
			if h.SyncPoints {
				var ok bool
				if stop, ok = h.syncStop(&op.inst, b.pc+uint64(int64(op.off))); ok {
					goto stopped
				}
			}
		case bcode(FENCE_I):
			h.FlushDecodeCache()
			next = b.pc + uint64(int64(op.off)) + uint64(op.len)
			goto indirect
		case bcode(ECALL):
			stop = Stop{Reason: StopEcall}
			goto stopped
		case bcode(EBREAK):
			stop = Stop{Reason: StopEbreak}
			goto stopped
		case bcode(CSRRW), bcode(CSRRS), bcode(CSRRC), bcode(CSRRWI), bcode(CSRRSI), bcode(CSRRCI):
			if !h.csr(&op.inst, e.done(budget, left, b, tail)+uint64(op.n)) {
				goto illegal
			}
		case bcode(LR_W), bcode(LR_D), bcode(SC_W), bcode(SC_D), bcode(AMOSWAP_W), bcode(AMOADD_W),
			bcode(AMOXOR_W), bcode(AMOAND_W), bcode(AMOOR_W), bcode(AMOMIN_W), bcode(AMOMAX_W),
			bcode(AMOMINU_W), bcode(AMOMAXU_W), bcode(AMOSWAP_D), bcode(AMOADD_D), bcode(AMOXOR_D),
			bcode(AMOAND_D), bcode(AMOOR_D), bcode(AMOMIN_D), bcode(AMOMAX_D), bcode(AMOMINU_D),
			bcode(AMOMAXU_D):
			var ok bool
			if h.SyncPoints {
				if stop, ok = h.syncStop(&op.inst, b.pc+uint64(int64(op.off))); ok {
					goto stopped
				}
			}
			if !h.atomic(&op.inst, &stop) {
				goto stopped
			}
		case bcode(opCross):
			var res int
			if res, next = e.cross(b, e.done(budget, left, b, tail)); res == resStop {
				stop = e.stopv
				goto stopped
			}
			if res == resTaken {
				goto taken
			}
			if res == resIndirect {
				goto indirect
			}
			next = b.end
			goto fallthru
		case bcode(ILLEGAL):
			stop = Stop{Reason: StopIllegal, Insn: uint32(op.imm)}
			goto stopped
		default:
			if !h.execFP(&op.inst) {
				goto illegal
			}
		}
		continue
	memFault:
		stop = Stop{Reason: StopFault, Fault: *fault}
		goto stopped
	illegal:
		stop = Stop{Reason: StopIllegal, Insn: h.rawAt(b.pc+uint64(int64(op.off)), op.len)}
		goto stopped
	}
	if tail {
		if prof != nil {
			prof[b.pc] += uint64(len(ops))
		}
		// The operations before a block's last cannot transfer control.
		return h.stop(Stop{Reason: StopBudget}, b.pc+uint64(int64(b.plain[left].off)), budget)
	}
	next = b.end
fallthru:
	slot = 0
	goto chain
taken:
	slot = 1
chain:
	if left == 0 {
		return h.stop(Stop{Reason: StopBudget}, next, budget)
	}
	if nb := b.next[slot]; nb != nil && b.link[slot] == tlb.link {
		b = nb
		goto enter
	}
	{
		nb, fault := e.lookup(next)
		if fault != nil {
			return h.stop(Stop{Reason: StopFault, Fault: *fault}, next, budget-left)
		}
		wtag = tlb.wtag
		b.next[slot], b.link[slot] = nb, tlb.link
		b = nb
	}
	goto enter
indirect:
	if left == 0 {
		return h.stop(Stop{Reason: StopBudget}, next, budget)
	}
	// next[1] of a block that ends in jalr remembers its last target (most returns
	// and many indirect calls go where they went last time); the jump cache knows
	// the others.
	if nb := b.next[1]; nb != nil && nb.pc == next && b.link[1] == tlb.link {
		b = nb
		goto enter
	}
	if j := &tlb.jc[(next>>1)%jcSize]; j.pc == next && j.link == tlb.link {
		b.next[1], b.link[1] = j.b, tlb.link
		b = j.b
		goto enter
	}
	{
		nb, fault := e.lookup(next)
		if fault != nil {
			return h.stop(Stop{Reason: StopFault, Fault: *fault}, next, budget-left)
		}
		wtag = tlb.wtag
		b.next[1], b.link[1] = nb, tlb.link
		b = nb
	}
	goto enter
stopped:
	// ops[k] stopped the hart without retiring it.
	if prof != nil {
		if tail {
			prof[b.pc] += uint64(op.n)
		} else {
			prof[b.pc] -= uint64(b.n - uint32(op.n))
		}
	}
	return h.stop(stop, b.pc+uint64(int64(op.off)), e.done(budget, left, b, tail)+uint64(op.n))
}

// buildPlain gives b its unfused operations, one per instruction, if it has none yet.
func (e *blockExec) buildPlain(b *block) {
	if b.plain != nil {
		return
	}
	b.plain = e.build(b.page, b.pc, false).ops
	if b.page.valid {
		b.page.charge(int64(len(b.plain)) * bopSize)
	}
}

// breakIn returns the index in b of its first instruction at a breakpoint
// (Hart.Breaks), the first one excepted when first (the run starts there). A block's
// instructions all lie on its first one's page, though not in order (it follows jumps
// within the page): only a block on a page with a breakpoint is looked through.
func (e *blockExec) breakIn(b *block, first bool, clean *uint64) (uint64, bool) {
	page := b.pc &^ mm.PageMask
	if !e.h.breakIn(page, page+mm.PageSize) {
		*clean = page
		return 0, false
	}
	e.buildPlain(b)
	for k := range b.plain {
		if k == 0 && first {
			continue
		}
		if pc := b.pc + uint64(int64(b.plain[k].off)); e.h.breakIn(pc, pc+1) {
			return uint64(k), true
		}
	}
	return 0, false
}

// done is the number of instructions the run retired before block b: left was
// charged for all of b unless it runs as a tail.
func (e *blockExec) done(budget, left uint64, b *block, tail bool) uint64 {
	if tail {
		return budget - left
	}
	return budget - left - uint64(b.n)
}

// exec1 runs one operation of b outside the run loop: the instruction that crosses a
// page, or a single step (Lockstep). done is the number of instructions the run
// retired before op. It returns how
// control leaves: resEnd, resTaken or resIndirect with the next address, or resStop.
func (e *blockExec) exec1(b *block, op *bop, done uint64) (res int, next uint64) {
	h := e.h
	x := &h.x
	tlb := h.tlb
	rtlb, wtlb := &tlb.rtlb, &tlb.wtlb
	tag, wtag := tlb.tag, tlb.wtag
	var fault *mm.Fault
	for range 1 {
		switch op.code {
		case bLI:
			x[op.rd] = uint64(op.imm)
		case bMV:
			x[op.rd] = x[op.rs1]
		case bcode(JAL):
			x[op.rd] = b.pc + uint64(int64(op.off)) + uint64(op.len)
			return resTaken, uint64(op.imm)
		case bcode(JALR):
			t := (x[op.rs1] + uint64(op.imm)) &^ 1
			x[op.rd] = b.pc + uint64(int64(op.off)) + uint64(op.len)
			return resIndirect, t
		case bcode(LB):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 1); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(int8(v))
		case bcode(LH):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 2); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(int16(v))
		case bcode(LW):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 4); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(int32(v))
		case bcode(LD):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 8); fault != nil {
				goto memFault
			}
			x[op.rd] = v
		case bcode(LBU):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 1); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(uint8(v))
		case bcode(LHU):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 2); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(uint16(v))
		case bcode(LWU):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 4); fault != nil {
				goto memFault
			}
			x[op.rd] = uint64(uint32(v))
		case bcode(FLW):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 4); fault != nil {
				goto memFault
			}
			h.f[op.rd&31] = boxS(uint32(v))
		case bcode(FLD):
			a := x[op.rs1] + uint64(op.imm)
			en := &rtlb[(a>>mm.PageShift)%tlbSize]
			var v uint64
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^tag && off <= mm.PageSize-8 {
				v = binary.LittleEndian.Uint64(en.frame.Data[off:])
			} else if v, fault = h.load(a, 8); fault != nil {
				goto memFault
			}
			h.f[op.rd&31] = v
		case bcode(SB):
			a := x[op.rs1] + uint64(op.imm)
			v := x[op.rs2]
			en := &wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				en.frame.Data[off] = byte(v)
			} else if fault = h.store(a, 1, v); fault != nil {
				goto memFault
			}
		case bcode(SH):
			a := x[op.rs1] + uint64(op.imm)
			v := x[op.rs2]
			en := &wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				binary.LittleEndian.PutUint16(en.frame.Data[off:], uint16(v))
			} else if fault = h.store(a, 2, v); fault != nil {
				goto memFault
			}
		case bcode(SW):
			a := x[op.rs1] + uint64(op.imm)
			v := x[op.rs2]
			en := &wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				binary.LittleEndian.PutUint32(en.frame.Data[off:], uint32(v))
			} else if fault = h.store(a, 4, v); fault != nil {
				goto memFault
			}
		case bcode(SD):
			a := x[op.rs1] + uint64(op.imm)
			v := x[op.rs2]
			en := &wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				binary.LittleEndian.PutUint64(en.frame.Data[off:], v)
			} else if fault = h.store(a, 8, v); fault != nil {
				goto memFault
			}
		case bcode(FSW):
			a := x[op.rs1] + uint64(op.imm)
			v := h.f[op.rs2&31]
			en := &wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				binary.LittleEndian.PutUint32(en.frame.Data[off:], uint32(v))
			} else if fault = h.store(a, 4, v); fault != nil {
				goto memFault
			}
		case bcode(FSD):
			a := x[op.rs1] + uint64(op.imm)
			v := h.f[op.rs2&31]
			en := &wtlb[(a>>mm.PageShift)%tlbSize]
			if off := a & mm.PageMask; en.key == a>>mm.PageShift^wtag && off <= mm.PageSize-8 {
				binary.LittleEndian.PutUint64(en.frame.Data[off:], v)
			} else if fault = h.store(a, 8, v); fault != nil {
				goto memFault
			}
		case bcode(BEQ):
			if x[op.rs1] == x[op.rs2] {
				return resTaken, uint64(op.imm)
			}
		case bcode(BNE):
			if x[op.rs1] != x[op.rs2] {
				return resTaken, uint64(op.imm)
			}
		case bcode(BLT):
			if int64(x[op.rs1]) < int64(x[op.rs2]) {
				return resTaken, uint64(op.imm)
			}
		case bcode(BGE):
			if int64(x[op.rs1]) >= int64(x[op.rs2]) {
				return resTaken, uint64(op.imm)
			}
		case bcode(BLTU):
			if x[op.rs1] < x[op.rs2] {
				return resTaken, uint64(op.imm)
			}
		case bcode(BGEU):
			if x[op.rs1] >= x[op.rs2] {
				return resTaken, uint64(op.imm)
			}
		case bAddiBEQ:
			x[op.rd] = x[op.rs1] + uint64(op.imm2)
			if x[op.rs2] == x[op.rs3] {
				return resTaken, uint64(op.imm)
			}
		case bAddiBNE:
			x[op.rd] = x[op.rs1] + uint64(op.imm2)
			if x[op.rs2] != x[op.rs3] {
				return resTaken, uint64(op.imm)
			}
		case bAddiBLT:
			x[op.rd] = x[op.rs1] + uint64(op.imm2)
			if int64(x[op.rs2]) < int64(x[op.rs3]) {
				return resTaken, uint64(op.imm)
			}
		case bAddiBGE:
			x[op.rd] = x[op.rs1] + uint64(op.imm2)
			if int64(x[op.rs2]) >= int64(x[op.rs3]) {
				return resTaken, uint64(op.imm)
			}
		case bAddiBLTU:
			x[op.rd] = x[op.rs1] + uint64(op.imm2)
			if x[op.rs2] < x[op.rs3] {
				return resTaken, uint64(op.imm)
			}
		case bAddiBGEU:
			x[op.rd] = x[op.rs1] + uint64(op.imm2)
			if x[op.rs2] >= x[op.rs3] {
				return resTaken, uint64(op.imm)
			}
		case bcode(ADDI):
			x[op.rd] = x[op.rs1] + uint64(op.imm)
		case bcode(SLTI):
			x[op.rd] = b2u(int64(x[op.rs1]) < op.imm)
		case bcode(SLTIU):
			x[op.rd] = b2u(x[op.rs1] < uint64(op.imm))
		case bcode(XORI):
			x[op.rd] = x[op.rs1] ^ uint64(op.imm)
		case bcode(ORI):
			x[op.rd] = x[op.rs1] | uint64(op.imm)
		case bcode(ANDI):
			x[op.rd] = x[op.rs1] & uint64(op.imm)
		case bcode(SLLI):
			x[op.rd] = x[op.rs1] << (op.imm & 63)
		case bcode(SRLI):
			x[op.rd] = x[op.rs1] >> (op.imm & 63)
		case bcode(SRAI):
			x[op.rd] = uint64(int64(x[op.rs1]) >> (op.imm & 63))
		case bcode(ADD):
			x[op.rd] = x[op.rs1] + x[op.rs2]
		case bcode(SUB):
			x[op.rd] = x[op.rs1] - x[op.rs2]
		case bcode(SLL):
			x[op.rd] = x[op.rs1] << (x[op.rs2] & 63)
		case bcode(SLT):
			x[op.rd] = b2u(int64(x[op.rs1]) < int64(x[op.rs2]))
		case bcode(SLTU):
			x[op.rd] = b2u(x[op.rs1] < x[op.rs2])
		case bcode(XOR):
			x[op.rd] = x[op.rs1] ^ x[op.rs2]
		case bcode(SRL):
			x[op.rd] = x[op.rs1] >> (x[op.rs2] & 63)
		case bcode(SRA):
			x[op.rd] = uint64(int64(x[op.rs1]) >> (x[op.rs2] & 63))
		case bcode(OR):
			x[op.rd] = x[op.rs1] | x[op.rs2]
		case bcode(AND):
			x[op.rd] = x[op.rs1] & x[op.rs2]
		case bcode(ADDIW):
			x[op.rd] = uint64(int32(x[op.rs1] + uint64(op.imm)))
		case bcode(SLLIW):
			x[op.rd] = uint64(int32(uint32(x[op.rs1]) << (op.imm & 31)))
		case bcode(SRLIW):
			x[op.rd] = uint64(int32(uint32(x[op.rs1]) >> (op.imm & 31)))
		case bcode(SRAIW):
			x[op.rd] = uint64(int32(x[op.rs1]) >> (op.imm & 31))
		case bcode(ADDW):
			x[op.rd] = uint64(int32(x[op.rs1] + x[op.rs2]))
		case bcode(SUBW):
			x[op.rd] = uint64(int32(x[op.rs1] - x[op.rs2]))
		case bcode(SLLW):
			x[op.rd] = uint64(int32(uint32(x[op.rs1]) << (x[op.rs2] & 31)))
		case bcode(SRLW):
			x[op.rd] = uint64(int32(uint32(x[op.rs1]) >> (x[op.rs2] & 31)))
		case bcode(SRAW):
			x[op.rd] = uint64(int32(x[op.rs1]) >> (x[op.rs2] & 31))
		case bcode(MUL):
			x[op.rd] = x[op.rs1] * x[op.rs2]
		case bcode(MULH):
			x[op.rd] = mulh(x[op.rs1], x[op.rs2])
		case bcode(MULHSU):
			x[op.rd] = mulhsu(x[op.rs1], x[op.rs2])
		case bcode(DIV):
			x[op.rd] = div(x[op.rs1], x[op.rs2])
		case bcode(DIVU):
			x[op.rd] = divu(x[op.rs1], x[op.rs2])
		case bcode(REM):
			x[op.rd] = rem(x[op.rs1], x[op.rs2])
		case bcode(REMU):
			x[op.rd] = remu(x[op.rs1], x[op.rs2])
		case bcode(MULW):
			x[op.rd] = uint64(int32(x[op.rs1] * x[op.rs2]))
		case bcode(DIVW):
			x[op.rd] = divw(x[op.rs1], x[op.rs2])
		case bcode(DIVUW):
			x[op.rd] = divuw(x[op.rs1], x[op.rs2])
		case bcode(REMW):
			x[op.rd] = remw(x[op.rs1], x[op.rs2])
		case bcode(REMUW):
			x[op.rd] = remuw(x[op.rs1], x[op.rs2])
		case bcode(FMV_X_D):
			x[op.rd] = h.f[op.rs1&31]
		case bcode(MULHU):
			x[op.rd], _ = bits.Mul64(x[op.rs1], x[op.rs2])
		case bcode(FMV_D_X):
			h.f[op.rd&31] = x[op.rs1]
		case bcode(FSGNJ_D):
			h.f[op.rd&31] = h.f[op.rs1&31]&^(1<<63) | h.f[op.rs2&31]&(1<<63)
		case bcode(FENCE):
			// One hart at a time runs, in program order: nothing to order.
			if h.SyncPoints {
				var ok bool
				if e.stopv, ok = h.syncStop(&op.inst, b.pc+uint64(int64(op.off))); ok {
					return resStop, 0
				}
			}
		case bcode(FENCE_I):
			h.FlushDecodeCache()
			return resIndirect, b.pc + uint64(int64(op.off)) + uint64(op.len)
		case bcode(ECALL):
			e.stopv = Stop{Reason: StopEcall}
			return resStop, 0
		case bcode(EBREAK):
			e.stopv = Stop{Reason: StopEbreak}
			return resStop, 0
		case bcode(CSRRW), bcode(CSRRS), bcode(CSRRC), bcode(CSRRWI), bcode(CSRRSI), bcode(CSRRCI):
			if !h.csr(&op.inst, done) {
				goto illegal
			}
		case bcode(LR_W), bcode(LR_D), bcode(SC_W), bcode(SC_D), bcode(AMOSWAP_W), bcode(AMOADD_W),
			bcode(AMOXOR_W), bcode(AMOAND_W), bcode(AMOOR_W), bcode(AMOMIN_W), bcode(AMOMAX_W),
			bcode(AMOMINU_W), bcode(AMOMAXU_W), bcode(AMOSWAP_D), bcode(AMOADD_D), bcode(AMOXOR_D),
			bcode(AMOAND_D), bcode(AMOOR_D), bcode(AMOMIN_D), bcode(AMOMAX_D), bcode(AMOMINU_D),
			bcode(AMOMAXU_D):
			var ok bool
			if h.SyncPoints {
				if e.stopv, ok = h.syncStop(&op.inst, b.pc+uint64(int64(op.off))); ok {
					return resStop, 0
				}
			}
			if !h.atomic(&op.inst, &e.stopv) {
				return resStop, 0
			}
		case bcode(ILLEGAL):
			e.stopv = Stop{Reason: StopIllegal, Insn: uint32(op.imm)}
			return resStop, 0
		default:
			if !h.execFP(&op.inst) {
				goto illegal
			}
		}
		continue
	memFault:
		e.stopv = Stop{Reason: StopFault, Fault: *fault}
		return resStop, 0
	illegal:
		e.stopv = Stop{Reason: StopIllegal, Insn: h.rawAt(b.pc+uint64(int64(op.off)), op.len)}
		return resStop, 0
	}
	return resEnd, 0
}

// cross runs the instruction that crosses from b's page into the next: it is fetched
// and decoded each time, since the next page may be remapped or rewritten.
func (e *blockExec) cross(b *block, done uint64) (int, uint64) {
	h := e.h
	var buf [4]byte
	if err := h.readCode(buf[:2], b.pc); err != nil {
		return e.fetchFault(b.pc)
	}
	if _, fault := h.page(b.pc+2, mm.Fetch); fault != nil {
		e.stopv = Stop{Reason: StopFault, Fault: *fault}
		return resStop, 0
	}
	if err := h.readCode(buf[2:], b.pc+2); err != nil {
		return e.fetchFault(b.pc + 2)
	}
	raw := binary.LittleEndian.Uint32(buf[:])
	in := prepare(Decode(raw), b.pc)
	if in.op == ILLEGAL {
		in.imm = int64(raw)
	}
	return e.exec1(b, &bop{inst: in, code: codeOf(&in)}, done)
}

func (e *blockExec) fetchFault(addr uint64) (int, uint64) {
	_, fault := e.h.page(addr, mm.Fetch)
	if fault == nil {
		fault = &mm.Fault{Addr: addr, Access: mm.Fetch}
	}
	e.stopv = Stop{Reason: StopFault, Fault: *fault}
	return resStop, 0
}

// step runs one instruction as run(1) does, without its setup: it looks up the block
// at pc exactly as run(1) would (building it if need be, so that the code cache holds
// the same blocks and evicts at the same moments) and runs its first instruction alone.
// The hart has no breakpoints (Lockstep runs a hart that has with run(1)).
func (e *blockExec) step(stop *Stop) bool {
	h := e.h
	pc := h.pc
	var b *block
	if s := h.tlb; s.jc != nil {
		if j := &s.jc[(pc>>1)%jcSize]; j.pc == pc && j.link == s.link {
			b = j.b // lookup's first probe, inline
		}
	}
	if b == nil {
		var fault *mm.Fault
		if b, fault = e.lookup(pc); fault != nil {
			*stop = h.stop(Stop{Reason: StopFault, Fault: *fault}, pc, 0)
			return true
		}
	}
	op := &b.ops[0]
	if b.n > 1 {
		if b.plain == nil {
			e.buildPlain(b)
		}
		op = &b.plain[0]
	}
	var (
		res  int
		next uint64
	)
	// The commonest operations here, the others through exec1.
	x := &h.x
	switch op.code {
	case bLI:
		x[op.rd] = uint64(op.imm)
	case bMV:
		x[op.rd] = x[op.rs1]
	case bcode(ADDI):
		x[op.rd] = x[op.rs1] + uint64(op.imm)
	case bcode(ADDIW):
		x[op.rd] = uint64(int32(x[op.rs1] + uint64(op.imm)))
	case bcode(ADD):
		x[op.rd] = x[op.rs1] + x[op.rs2]
	case bcode(SUB):
		x[op.rd] = x[op.rs1] - x[op.rs2]
	case bcode(SLLI):
		x[op.rd] = x[op.rs1] << (op.imm & 63)
	case bcode(ANDI):
		x[op.rd] = x[op.rs1] & uint64(op.imm)
	case bcode(LD):
		a := x[op.rs1] + uint64(op.imm)
		en := &h.tlb.rtlb[(a>>mm.PageShift)%tlbSize]
		var v uint64
		if off := a & mm.PageMask; en.key == a>>mm.PageShift^h.tlb.tag && off <= mm.PageSize-8 {
			v = binary.LittleEndian.Uint64(en.frame.Data[off:])
		} else {
			var fault *mm.Fault
			if v, fault = h.load(a, 8); fault != nil {
				*stop = h.stop(Stop{Reason: StopFault, Fault: *fault}, pc, 0)
				return true
			}
		}
		x[op.rd] = v
	case bcode(SD):
		a := x[op.rs1] + uint64(op.imm)
		v := x[op.rs2]
		en := &h.tlb.wtlb[(a>>mm.PageShift)%tlbSize]
		if off := a & mm.PageMask; en.key == a>>mm.PageShift^h.tlb.wtag && off <= mm.PageSize-8 {
			binary.LittleEndian.PutUint64(en.frame.Data[off:], v)
		} else if fault := h.store(a, 8, v); fault != nil {
			*stop = h.stop(Stop{Reason: StopFault, Fault: *fault}, pc, 0)
			return true
		}
	case bcode(BEQ):
		if x[op.rs1] == x[op.rs2] {
			res, next = resTaken, uint64(op.imm)
		}
	case bcode(BNE):
		if x[op.rs1] != x[op.rs2] {
			res, next = resTaken, uint64(op.imm)
		}
	case bcode(BLT):
		if int64(x[op.rs1]) < int64(x[op.rs2]) {
			res, next = resTaken, uint64(op.imm)
		}
	case bcode(BGE):
		if int64(x[op.rs1]) >= int64(x[op.rs2]) {
			res, next = resTaken, uint64(op.imm)
		}
	case bcode(BLTU):
		if x[op.rs1] < x[op.rs2] {
			res, next = resTaken, uint64(op.imm)
		}
	case bcode(BGEU):
		if x[op.rs1] >= x[op.rs2] {
			res, next = resTaken, uint64(op.imm)
		}
	case bcode(FENCE):
		if h.SyncPoints {
			res, next = e.exec1(b, op, 0) // a scheduling point
		}
	case bcode(LR_W), bcode(LR_D), bcode(SC_W), bcode(SC_D), bcode(AMOSWAP_W), bcode(AMOADD_W),
		bcode(AMOXOR_W), bcode(AMOAND_W), bcode(AMOOR_W), bcode(AMOMIN_W), bcode(AMOMAX_W),
		bcode(AMOMINU_W), bcode(AMOMAXU_W), bcode(AMOSWAP_D), bcode(AMOADD_D), bcode(AMOXOR_D),
		bcode(AMOAND_D), bcode(AMOOR_D), bcode(AMOMIN_D), bcode(AMOMAX_D), bcode(AMOMINU_D),
		bcode(AMOMAXU_D):
		if h.SyncPoints {
			res, next = e.exec1(b, op, 0) // a scheduling point
		} else if !h.atomic(&op.inst, &e.stopv) {
			res = resStop
		}
	case bJALF:
		h.x[op.rd] = pc + uint64(op.len)
		res, next = resTaken, uint64(op.imm)
	case bcode(opCross):
		res, next = e.cross(b, 0)
	default:
		res, next = e.exec1(b, op, 0)
	}
	if res == resStop {
		*stop = h.stop(e.stopv, pc, 0)
		return true
	}
	if res == resEnd {
		next = pc + uint64(op.len)
	}
	if prof := h.bus.Profile; prof != nil {
		prof[pc]++
	}
	h.pc = next
	h.Retired++
	h.TimeBase++
	return false
}
