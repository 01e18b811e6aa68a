package fpu

import (
	"fmt"
	"math/big"
)

// opDesc describes an operation uniformly for the table-driven and
// randomized tests. All operands and results travel as uint64.
type opDesc struct {
	name  string
	in    rf   // operand format (for integer sources: bit width via intBits)
	out   rf   // result format (for printing)
	n     int  // number of operands
	hasRM bool // takes a rounding mode
	intIn int  // nonzero: operand is an integer of this width
	sgnIn bool // integer operand is signed
	intRs bool // result is an integer / bool / class mask
	fn    func(a, b, c uint64, rm RM) (uint64, Flags)
	slow  func(a, b, c uint64, rm RM) (uint64, Flags) // exact software path, or nil
	ref   func(a, b, c uint64, rm RM) (uint64, Flags)
}

func w32(r uint32, f Flags) (uint64, Flags) { return uint64(r), f }
func wb(r bool, f Flags) (uint64, Flags) {
	if r {
		return 1, f
	}
	return 0, f
}

func sext32(x uint64) int64 { return int64(int32(uint32(x))) }

var allOps = []*opDesc{
	{name: "Add64", in: rf64, out: rf64, n: 2, hasRM: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return Add64(a, b, rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return addSlow(fmt64, a, b, rm) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refAdd(a, b, rm) }},
	{name: "Sub64", in: rf64, out: rf64, n: 2, hasRM: true,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return Sub64(a, b, rm) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refAdd(a, b^1<<63, rm) }},
	{name: "Mul64", in: rf64, out: rf64, n: 2, hasRM: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return Mul64(a, b, rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return mulSlow(fmt64, a, b, rm) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refMul(a, b, rm) }},
	{name: "Div64", in: rf64, out: rf64, n: 2, hasRM: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return Div64(a, b, rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return divSlow(fmt64, a, b, rm) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refDiv(a, b, rm) }},
	{name: "Sqrt64", in: rf64, out: rf64, n: 1, hasRM: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return Sqrt64(a, rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return sqrtSlow(fmt64, a, rm) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refSqrt(a, rm) }},
	{name: "MulAdd64", in: rf64, out: rf64, n: 3, hasRM: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return MulAdd64(a, b, c, rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return fmaSlow(fmt64, a, b, c, rm) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refFMA(a, b, c, rm) }},
	{name: "Min64", in: rf64, out: rf64, n: 2,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return Min64(a, b) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refMinMax(a, b, false) }},
	{name: "Max64", in: rf64, out: rf64, n: 2,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return Max64(a, b) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refMinMax(a, b, true) }},
	{name: "Eq64", in: rf64, n: 2, intRs: true,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return wb(Eq64(a, b)) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refCmp(a, b, 0) }},
	{name: "Lt64", in: rf64, n: 2, intRs: true,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return wb(Lt64(a, b)) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refCmp(a, b, 1) }},
	{name: "Le64", in: rf64, n: 2, intRs: true,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return wb(Le64(a, b)) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refCmp(a, b, 2) }},
	{name: "Class64", in: rf64, n: 1, intRs: true,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return Class64(a), 0 },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refClass(a), 0 }},

	{name: "Add32", in: rf32, out: rf32, n: 2, hasRM: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return w32(Add32(uint32(a), uint32(b), rm)) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return addSlow(fmt32, a, b, rm) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refAdd(a, b, rm) }},
	{name: "Sub32", in: rf32, out: rf32, n: 2, hasRM: true,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return w32(Sub32(uint32(a), uint32(b), rm)) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refAdd(a, b^1<<31, rm) }},
	{name: "Mul32", in: rf32, out: rf32, n: 2, hasRM: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return w32(Mul32(uint32(a), uint32(b), rm)) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return mulSlow(fmt32, a, b, rm) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refMul(a, b, rm) }},
	{name: "Div32", in: rf32, out: rf32, n: 2, hasRM: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return w32(Div32(uint32(a), uint32(b), rm)) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return divSlow(fmt32, a, b, rm) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refDiv(a, b, rm) }},
	{name: "Sqrt32", in: rf32, out: rf32, n: 1, hasRM: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return w32(Sqrt32(uint32(a), rm)) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return sqrtSlow(fmt32, a, rm) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refSqrt(a, rm) }},
	{name: "MulAdd32", in: rf32, out: rf32, n: 3, hasRM: true,
		fn: func(a, b, c uint64, rm RM) (uint64, Flags) {
			return w32(MulAdd32(uint32(a), uint32(b), uint32(c), rm))
		},
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return fmaSlow(fmt32, a, b, c, rm) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refFMA(a, b, c, rm) }},
	{name: "Min32", in: rf32, out: rf32, n: 2,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return w32(Min32(uint32(a), uint32(b))) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refMinMax(a, b, false) }},
	{name: "Max32", in: rf32, out: rf32, n: 2,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return w32(Max32(uint32(a), uint32(b))) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refMinMax(a, b, true) }},
	{name: "Eq32", in: rf32, n: 2, intRs: true,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return wb(Eq32(uint32(a), uint32(b))) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refCmp(a, b, 0) }},
	{name: "Lt32", in: rf32, n: 2, intRs: true,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return wb(Lt32(uint32(a), uint32(b))) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refCmp(a, b, 1) }},
	{name: "Le32", in: rf32, n: 2, intRs: true,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return wb(Le32(uint32(a), uint32(b))) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refCmp(a, b, 2) }},
	{name: "Class32", in: rf32, n: 1, intRs: true,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return Class32(uint32(a)), 0 },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refClass(a), 0 }},

	// Conversions between formats.
	{name: "F64ToF32", in: rf64, out: rf32, n: 1, hasRM: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return w32(F64ToF32(a, rm)) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return cvtSlow(fmt64, fmt32, a, rm) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return refCvt(rf64, rf32, a, rm) }},
	{name: "F32ToF64", in: rf32, out: rf64, n: 1,
		fn:  func(a, b, c uint64, rm RM) (uint64, Flags) { return F32ToF64(uint32(a)) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) { return refCvt(rf32, rf64, a, rm) }},

	// Float to integer.
	{name: "F64ToI32", in: rf64, n: 1, hasRM: true, intRs: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return F64ToI32(a, rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return toInt(fmt64, a, rm, true, 32) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refToInt(a, rm, true, 32) }},
	{name: "F64ToU32", in: rf64, n: 1, hasRM: true, intRs: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return F64ToU32(a, rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return toInt(fmt64, a, rm, false, 32) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refToInt(a, rm, false, 32) }},
	{name: "F64ToI64", in: rf64, n: 1, hasRM: true, intRs: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return F64ToI64(a, rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return toInt(fmt64, a, rm, true, 64) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refToInt(a, rm, true, 64) }},
	{name: "F64ToU64", in: rf64, n: 1, hasRM: true, intRs: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return F64ToU64(a, rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return toInt(fmt64, a, rm, false, 64) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf64.refToInt(a, rm, false, 64) }},
	{name: "F32ToI32", in: rf32, n: 1, hasRM: true, intRs: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return F32ToI32(uint32(a), rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return toInt(fmt32, a, rm, true, 32) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refToInt(a, rm, true, 32) }},
	{name: "F32ToU32", in: rf32, n: 1, hasRM: true, intRs: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return F32ToU32(uint32(a), rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return toInt(fmt32, a, rm, false, 32) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refToInt(a, rm, false, 32) }},
	{name: "F32ToI64", in: rf32, n: 1, hasRM: true, intRs: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return F32ToI64(uint32(a), rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return toInt(fmt32, a, rm, true, 64) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refToInt(a, rm, true, 64) }},
	{name: "F32ToU64", in: rf32, n: 1, hasRM: true, intRs: true,
		fn:   func(a, b, c uint64, rm RM) (uint64, Flags) { return F32ToU64(uint32(a), rm) },
		slow: func(a, b, c uint64, rm RM) (uint64, Flags) { return toInt(fmt32, a, rm, false, 64) },
		ref:  func(a, b, c uint64, rm RM) (uint64, Flags) { return rf32.refToInt(a, rm, false, 64) }},

	// Integer to float.
	{name: "I32ToF64", out: rf64, n: 1, hasRM: true, intIn: 32, sgnIn: true,
		fn: func(a, b, c uint64, rm RM) (uint64, Flags) { return I32ToF64(int32(a), rm) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) {
			return rf64.refFromInt(big.NewInt(int64(int32(a))), rm)
		}},
	{name: "U32ToF64", out: rf64, n: 1, hasRM: true, intIn: 32,
		fn: func(a, b, c uint64, rm RM) (uint64, Flags) { return U32ToF64(uint32(a), rm) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) {
			return rf64.refFromInt(new(big.Int).SetUint64(uint64(uint32(a))), rm)
		}},
	{name: "I64ToF64", out: rf64, n: 1, hasRM: true, intIn: 64, sgnIn: true,
		fn: func(a, b, c uint64, rm RM) (uint64, Flags) { return I64ToF64(int64(a), rm) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) {
			return rf64.refFromInt(big.NewInt(int64(a)), rm)
		}},
	{name: "U64ToF64", out: rf64, n: 1, hasRM: true, intIn: 64,
		fn: func(a, b, c uint64, rm RM) (uint64, Flags) { return U64ToF64(a, rm) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) {
			return rf64.refFromInt(new(big.Int).SetUint64(a), rm)
		}},
	{name: "I32ToF32", out: rf32, n: 1, hasRM: true, intIn: 32, sgnIn: true,
		fn: func(a, b, c uint64, rm RM) (uint64, Flags) { return w32(I32ToF32(int32(a), rm)) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) {
			return rf32.refFromInt(big.NewInt(int64(int32(a))), rm)
		}},
	{name: "U32ToF32", out: rf32, n: 1, hasRM: true, intIn: 32,
		fn: func(a, b, c uint64, rm RM) (uint64, Flags) { return w32(U32ToF32(uint32(a), rm)) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) {
			return rf32.refFromInt(new(big.Int).SetUint64(uint64(uint32(a))), rm)
		}},
	{name: "I64ToF32", out: rf32, n: 1, hasRM: true, intIn: 64, sgnIn: true,
		fn: func(a, b, c uint64, rm RM) (uint64, Flags) { return w32(I64ToF32(int64(a), rm)) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) {
			return rf32.refFromInt(big.NewInt(int64(a)), rm)
		}},
	{name: "U64ToF32", out: rf32, n: 1, hasRM: true, intIn: 64,
		fn: func(a, b, c uint64, rm RM) (uint64, Flags) { return w32(U64ToF32(a, rm)) },
		ref: func(a, b, c uint64, rm RM) (uint64, Flags) {
			return rf32.refFromInt(new(big.Int).SetUint64(a), rm)
		}},
}

var opByName = func() map[string]*opDesc {
	m := map[string]*opDesc{}
	for _, o := range allOps {
		m[o.name] = o
	}
	return m
}()

// fmtVal formats an operand or result in hex of the right width.
func fmtHex(x uint64, width int) string {
	if width == 32 {
		return fmt.Sprintf("0x%08x", x)
	}
	return fmt.Sprintf("0x%016x", x)
}

func (o *opDesc) inWidth() int {
	if o.intIn != 0 {
		return o.intIn
	}
	return o.in.nbits
}

func (o *opDesc) outWidth() int {
	if o.intRs {
		return 64
	}
	return o.out.nbits
}

// call formats "Op(args, rm)".
func (o *opDesc) call(a, b, c uint64, rm RM) string {
	s := o.name + "("
	for i, x := range []uint64{a, b, c}[:o.n] {
		if i > 0 {
			s += ", "
		}
		s += fmtHex(x, o.inWidth())
	}
	if o.hasRM {
		s += ", " + rm.String()
	}
	return s + ")"
}

// mismatch returns a failure message or "".
func (o *opDesc) mismatch(a, b, c uint64, rm RM, got uint64, gf Flags, want uint64, wf Flags) string {
	if got == want && gf == wf {
		return ""
	}
	w := o.outWidth()
	return fmt.Sprintf("%s = %s, flags %v; want %s, flags %v",
		o.call(a, b, c, rm), fmtHex(got, w), gf, fmtHex(want, w), wf)
}
