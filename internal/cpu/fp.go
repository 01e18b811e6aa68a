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

// execFP executes the F and D operations other than loads and stores. It reports false
// for an illegal instruction (a reserved dynamic rounding mode).
func (h *Hart) execFP(in *inst) bool {
	rm := fpu.RM(in.rm)
	if rm == 7 {
		rm = fpu.RM(h.frm)
	}
	if opClass[in.op]&hasRM != 0 && rm > fpu.RMM {
		return false
	}
	f := &h.f
	rd, rs1, rs2, rs3 := in.rd&31, in.rs1&31, in.rs2&31, in.rs3&31
	var fl fpu.Flags
	s1, s2, s3 := unboxS(f[rs1]), unboxS(f[rs2]), unboxS(f[rs3])
	d1, d2, d3 := f[rs1], f[rs2], f[rs3]
	const sgn32, sgn64 = 1 << 31, 1 << 63

	setS := func(v uint32, flags fpu.Flags) { f[rd] = boxS(v); fl = flags }
	setD := func(v uint64, flags fpu.Flags) { f[rd] = v; fl = flags }
	setX := func(v uint64, flags fpu.Flags) { h.x[in.rd] = v; fl = flags }
	setB := func(v bool, flags fpu.Flags) { h.x[in.rd] = b2u(v); fl = flags }

	switch in.op {
	case FADD_S:
		setS(fpu.Add32(s1, s2, rm))
	case FSUB_S:
		setS(fpu.Sub32(s1, s2, rm))
	case FMUL_S:
		setS(fpu.Mul32(s1, s2, rm))
	case FDIV_S:
		setS(fpu.Div32(s1, s2, rm))
	case FSQRT_S:
		setS(fpu.Sqrt32(s1, rm))
	case FMADD_S:
		setS(fpu.MulAdd32(s1, s2, s3, rm))
	case FMSUB_S:
		setS(fpu.MulAdd32(s1, s2, s3^sgn32, rm))
	case FNMSUB_S:
		setS(fpu.MulAdd32(s1^sgn32, s2, s3, rm))
	case FNMADD_S:
		setS(fpu.MulAdd32(s1^sgn32, s2, s3^sgn32, rm))
	case FSGNJ_S:
		f[rd] = boxS(s1&^sgn32 | s2&sgn32)
	case FSGNJN_S:
		f[rd] = boxS(s1&^sgn32 | ^s2&sgn32)
	case FSGNJX_S:
		f[rd] = boxS(s1 ^ s2&sgn32)
	case FMIN_S:
		setS(fpu.Min32(s1, s2))
	case FMAX_S:
		setS(fpu.Max32(s1, s2))
	case FCVT_W_S:
		setX(fpu.F32ToI32(s1, rm))
	case FCVT_WU_S:
		setX(fpu.F32ToU32(s1, rm))
	case FCVT_L_S:
		setX(fpu.F32ToI64(s1, rm))
	case FCVT_LU_S:
		setX(fpu.F32ToU64(s1, rm))
	case FMV_X_W:
		h.x[in.rd] = uint64(int32(uint32(f[rs1])))
	case FEQ_S:
		setB(fpu.Eq32(s1, s2))
	case FLT_S:
		setB(fpu.Lt32(s1, s2))
	case FLE_S:
		setB(fpu.Le32(s1, s2))
	case FCLASS_S:
		h.x[in.rd] = fpu.Class32(s1)
	case FCVT_S_W:
		setS(fpu.I32ToF32(int32(h.x[in.rs1]), rm))
	case FCVT_S_WU:
		setS(fpu.U32ToF32(uint32(h.x[in.rs1]), rm))
	case FCVT_S_L:
		setS(fpu.I64ToF32(int64(h.x[in.rs1]), rm))
	case FCVT_S_LU:
		setS(fpu.U64ToF32(h.x[in.rs1], rm))
	case FMV_W_X:
		f[rd] = boxS(uint32(h.x[in.rs1]))

	case FADD_D:
		setD(fpu.Add64(d1, d2, rm))
	case FSUB_D:
		setD(fpu.Sub64(d1, d2, rm))
	case FMUL_D:
		setD(fpu.Mul64(d1, d2, rm))
	case FDIV_D:
		setD(fpu.Div64(d1, d2, rm))
	case FSQRT_D:
		setD(fpu.Sqrt64(d1, rm))
	case FMADD_D:
		setD(fpu.MulAdd64(d1, d2, d3, rm))
	case FMSUB_D:
		setD(fpu.MulAdd64(d1, d2, d3^sgn64, rm))
	case FNMSUB_D:
		setD(fpu.MulAdd64(d1^sgn64, d2, d3, rm))
	case FNMADD_D:
		setD(fpu.MulAdd64(d1^sgn64, d2, d3^sgn64, rm))
	case FSGNJ_D:
		f[rd] = d1&^sgn64 | d2&sgn64
	case FSGNJN_D:
		f[rd] = d1&^sgn64 | ^d2&sgn64
	case FSGNJX_D:
		f[rd] = d1 ^ d2&sgn64
	case FMIN_D:
		setD(fpu.Min64(d1, d2))
	case FMAX_D:
		setD(fpu.Max64(d1, d2))
	case FCVT_S_D:
		setS(fpu.F64ToF32(d1, rm))
	case FCVT_D_S:
		setD(fpu.F32ToF64(s1))
	case FEQ_D:
		setB(fpu.Eq64(d1, d2))
	case FLT_D:
		setB(fpu.Lt64(d1, d2))
	case FLE_D:
		setB(fpu.Le64(d1, d2))
	case FCLASS_D:
		h.x[in.rd] = fpu.Class64(d1)
	case FCVT_W_D:
		setX(fpu.F64ToI32(d1, rm))
	case FCVT_WU_D:
		setX(fpu.F64ToU32(d1, rm))
	case FCVT_L_D:
		setX(fpu.F64ToI64(d1, rm))
	case FCVT_LU_D:
		setX(fpu.F64ToU64(d1, rm))
	case FMV_X_D:
		h.x[in.rd] = d1
	case FCVT_D_W:
		setD(fpu.I32ToF64(int32(h.x[in.rs1]), rm))
	case FCVT_D_WU:
		setD(fpu.U32ToF64(uint32(h.x[in.rs1]), rm))
	case FCVT_D_L:
		setD(fpu.I64ToF64(int64(h.x[in.rs1]), rm))
	case FCVT_D_LU:
		setD(fpu.U64ToF64(h.x[in.rs1], rm))
	case FMV_D_X:
		f[rd] = h.x[in.rs1]
	default:
		return false
	}
	h.fflags |= uint8(fl)
	return true
}
