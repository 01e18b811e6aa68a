package cpu

import "weft/internal/cpu/fpu"

const canonicalNaN32 = 0x7fc00000

// boxS NaN-boxes a single-precision value into a 64-bit float register.
func boxS(v uint32) uint64 { return 0xffffffff_00000000 | uint64(v) }

// unboxS reads a single-precision operand: a value that is not properly NaN-boxed reads
// as the canonical NaN (ISA manual, "NaN Boxing of Narrower Values").
func unboxS(v uint64) uint32 {
	if v>>32 != 0xffffffff {
		return canonicalNaN32
	}
	return uint32(v)
}

// roundingMode resolves an instruction's rounding mode: the static field, or frm for
// the dynamic mode (7). ok is false for the reserved modes 5 and 6, which make the
// instruction illegal.
func (h *Hart) roundingMode(in *inst) (rm fpu.RM, ok bool) {
	rm = fpu.RM(in.rm)
	if rm == 7 {
		rm = fpu.RM(h.frm)
	}
	return rm, rm <= fpu.RMM
}

// execFP executes the F and D operations other than loads and stores. It reports false
// for an illegal instruction (a reserved dynamic rounding mode).
func (h *Hart) execFP(in *inst) bool {
	rm, ok := h.roundingMode(in)
	if opClass[in.op]&hasRM != 0 && !ok {
		return false
	}
	f := &h.f
	rd, rs1, rs2, rs3 := in.rd&31, in.rs1&31, in.rs2&31, in.rs3&31
	const sgn32, sgn64 = 1 << 31, 1 << 63
	var fl fpu.Flags
	var vs uint32 // single-precision result
	var vd uint64 // double-precision result
	var b bool    // comparison result

	switch in.op {
	case FADD_S:
		vs, fl = fpu.Add32(unboxS(f[rs1]), unboxS(f[rs2]), rm)
	case FSUB_S:
		vs, fl = fpu.Sub32(unboxS(f[rs1]), unboxS(f[rs2]), rm)
	case FMUL_S:
		vs, fl = fpu.Mul32(unboxS(f[rs1]), unboxS(f[rs2]), rm)
	case FDIV_S:
		vs, fl = fpu.Div32(unboxS(f[rs1]), unboxS(f[rs2]), rm)
	case FSQRT_S:
		vs, fl = fpu.Sqrt32(unboxS(f[rs1]), rm)
	case FMADD_S:
		vs, fl = fpu.MulAdd32(unboxS(f[rs1]), unboxS(f[rs2]), unboxS(f[rs3]), rm)
	case FMSUB_S:
		vs, fl = fpu.MulAdd32(unboxS(f[rs1]), unboxS(f[rs2]), unboxS(f[rs3])^sgn32, rm)
	case FNMSUB_S:
		vs, fl = fpu.MulAdd32(unboxS(f[rs1])^sgn32, unboxS(f[rs2]), unboxS(f[rs3]), rm)
	case FNMADD_S:
		vs, fl = fpu.MulAdd32(unboxS(f[rs1])^sgn32, unboxS(f[rs2]), unboxS(f[rs3])^sgn32, rm)
	case FSGNJ_S:
		vs = unboxS(f[rs1])&^sgn32 | unboxS(f[rs2])&sgn32
	case FSGNJN_S:
		vs = unboxS(f[rs1])&^sgn32 | ^unboxS(f[rs2])&sgn32
	case FSGNJX_S:
		vs = unboxS(f[rs1]) ^ unboxS(f[rs2])&sgn32
	case FMIN_S:
		vs, fl = fpu.Min32(unboxS(f[rs1]), unboxS(f[rs2]))
	case FMAX_S:
		vs, fl = fpu.Max32(unboxS(f[rs1]), unboxS(f[rs2]))
	case FCVT_S_W:
		vs, fl = fpu.I32ToF32(int32(h.x[in.rs1]), rm)
	case FCVT_S_WU:
		vs, fl = fpu.U32ToF32(uint32(h.x[in.rs1]), rm)
	case FCVT_S_L:
		vs, fl = fpu.I64ToF32(int64(h.x[in.rs1]), rm)
	case FCVT_S_LU:
		vs, fl = fpu.U64ToF32(h.x[in.rs1], rm)
	case FMV_W_X:
		vs = uint32(h.x[in.rs1])
	case FCVT_S_D:
		vs, fl = fpu.F64ToF32(f[rs1], rm)

	case FADD_D:
		vd, fl = fpu.Add64(f[rs1], f[rs2], rm)
	case FSUB_D:
		vd, fl = fpu.Sub64(f[rs1], f[rs2], rm)
	case FMUL_D:
		vd, fl = fpu.Mul64(f[rs1], f[rs2], rm)
	case FDIV_D:
		vd, fl = fpu.Div64(f[rs1], f[rs2], rm)
	case FSQRT_D:
		vd, fl = fpu.Sqrt64(f[rs1], rm)
	case FMADD_D:
		vd, fl = fpu.MulAdd64(f[rs1], f[rs2], f[rs3], rm)
	case FMSUB_D:
		vd, fl = fpu.MulAdd64(f[rs1], f[rs2], f[rs3]^sgn64, rm)
	case FNMSUB_D:
		vd, fl = fpu.MulAdd64(f[rs1]^sgn64, f[rs2], f[rs3], rm)
	case FNMADD_D:
		vd, fl = fpu.MulAdd64(f[rs1]^sgn64, f[rs2], f[rs3]^sgn64, rm)
	case FSGNJ_D:
		vd = f[rs1]&^sgn64 | f[rs2]&sgn64
	case FSGNJN_D:
		vd = f[rs1]&^sgn64 | ^f[rs2]&sgn64
	case FSGNJX_D:
		vd = f[rs1] ^ f[rs2]&sgn64
	case FMIN_D:
		vd, fl = fpu.Min64(f[rs1], f[rs2])
	case FMAX_D:
		vd, fl = fpu.Max64(f[rs1], f[rs2])
	case FCVT_D_S:
		vd, fl = fpu.F32ToF64(unboxS(f[rs1]))
	case FCVT_D_W:
		vd, fl = fpu.I32ToF64(int32(h.x[in.rs1]), rm)
	case FCVT_D_WU:
		vd, fl = fpu.U32ToF64(uint32(h.x[in.rs1]), rm)
	case FCVT_D_L:
		vd, fl = fpu.I64ToF64(int64(h.x[in.rs1]), rm)
	case FCVT_D_LU:
		vd, fl = fpu.U64ToF64(h.x[in.rs1], rm)
	case FMV_D_X:
		vd = h.x[in.rs1]

	// Results in integer registers.
	case FCVT_W_S, FCVT_WU_S, FCVT_L_S, FCVT_LU_S, FCVT_W_D, FCVT_WU_D, FCVT_L_D, FCVT_LU_D,
		FMV_X_W, FMV_X_D, FCLASS_S, FCLASS_D:
		var v uint64
		switch in.op {
		case FCVT_W_S:
			v, fl = fpu.F32ToI32(unboxS(f[rs1]), rm)
		case FCVT_WU_S:
			v, fl = fpu.F32ToU32(unboxS(f[rs1]), rm)
		case FCVT_L_S:
			v, fl = fpu.F32ToI64(unboxS(f[rs1]), rm)
		case FCVT_LU_S:
			v, fl = fpu.F32ToU64(unboxS(f[rs1]), rm)
		case FCVT_W_D:
			v, fl = fpu.F64ToI32(f[rs1], rm)
		case FCVT_WU_D:
			v, fl = fpu.F64ToU32(f[rs1], rm)
		case FCVT_L_D:
			v, fl = fpu.F64ToI64(f[rs1], rm)
		case FCVT_LU_D:
			v, fl = fpu.F64ToU64(f[rs1], rm)
		case FMV_X_W:
			v = uint64(int32(uint32(f[rs1])))
		case FMV_X_D:
			v = f[rs1]
		case FCLASS_S:
			v = fpu.Class32(unboxS(f[rs1]))
		case FCLASS_D:
			v = fpu.Class64(f[rs1])
		}
		h.x[in.rd] = v
		h.fflags |= uint8(fl)
		return true

	case FEQ_S:
		b, fl = fpu.Eq32(unboxS(f[rs1]), unboxS(f[rs2]))
	case FLT_S:
		b, fl = fpu.Lt32(unboxS(f[rs1]), unboxS(f[rs2]))
	case FLE_S:
		b, fl = fpu.Le32(unboxS(f[rs1]), unboxS(f[rs2]))
	case FEQ_D:
		b, fl = fpu.Eq64(f[rs1], f[rs2])
	case FLT_D:
		b, fl = fpu.Lt64(f[rs1], f[rs2])
	case FLE_D:
		b, fl = fpu.Le64(f[rs1], f[rs2])
	default:
		return false
	}
	h.fflags |= uint8(fl)
	switch {
	case opClass[in.op]&xRd != 0: // the comparisons
		h.x[in.rd] = b2u(b)
	case in.op <= FMV_W_X || in.op == FCVT_S_D: // single-precision results
		f[rd] = boxS(vs)
	default:
		f[rd] = vd
	}
	return true
}
