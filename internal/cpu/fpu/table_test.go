package fpu

import (
	"math"
	"testing"
)

// Hand-written cases, mostly at rounding, overflow and underflow boundaries.
// Every case is also checked against the independent reference.

type res struct {
	v  uint64
	fl Flags
}

type tcase struct {
	op      string
	a, b, c uint64
	want    [5]res // indexed by RM; for ops without rm only [0] is used
}

var rms = [...]RM{RNE, RTZ, RDN, RUP, RMM}

func same(v uint64, fl Flags) [5]res { return [5]res{{v, fl}, {v, fl}, {v, fl}, {v, fl}, {v, fl}} }

// five builds per-mode expectations in the order RNE, RTZ, RDN, RUP, RMM
// with common flags.
func five(fl Flags, rne, rtz, rdn, rup, rmm uint64) [5]res {
	return [5]res{{rne, fl}, {rtz, fl}, {rdn, fl}, {rup, fl}, {rmm, fl}}
}

func d64(x float64) uint64 { return math.Float64bits(x) }
func s32(x float32) uint64 { return uint64(math.Float32bits(x)) }
func p2(e int) uint64      { return math.Float64bits(math.Ldexp(1, e)) }
func p2s(e int) uint64     { return uint64(math.Float32bits(float32(math.Ldexp(1, e)))) }
func n64(x uint64) uint64  { return x | 1<<63 }
func n32(x uint64) uint64  { return x | 1<<31 }

const (
	one64     = 0x3ff0000000000000
	max64     = 0x7fefffffffffffff
	minNorm   = 0x0010000000000000
	maxSub    = 0x000fffffffffffff
	minSub    = 1
	inf64     = 0x7ff0000000000000
	qnan64    = 0x7ff8000000000000
	qnanPay64 = 0x7ff8000000000123
	snan64    = 0x7ff0000000000001
	snan64b   = 0xfff4000000000000
	below1    = 0x3fefffffffffffff // 1 - 2^-53

	one32      = 0x3f800000
	max32      = 0x7f7fffff
	minNormB32 = 0x00800000
	maxSub32   = 0x007fffff
	inf32      = 0x7f800000
	qnan32     = 0x7fc00000
	qnanPay32  = 0x7fc00123
	snan32     = 0x7f800001
	snan32b    = 0xffa00000
)

var tableCases = []tcase{
	// ---- Add64 / Sub64: halfway cases in every mode.
	{op: "Add64", a: one64, b: p2(-53), want: five(NX, one64, one64, one64, one64+1, one64+1)},
	{op: "Add64", a: n64(one64), b: n64(p2(-53)), want: five(NX, n64(one64), n64(one64), n64(one64)+1, n64(one64), n64(one64)+1)},
	{op: "Add64", a: one64 + 1, b: p2(-53), want: five(NX, one64+2, one64+1, one64+1, one64+2, one64+2)},
	{op: "Add64", a: one64, b: p2(-54), want: five(NX, one64, one64, one64, one64+1, one64)},
	{op: "Add64", a: one64, b: d64(math.Ldexp(3, -54)), want: five(NX, one64+1, one64, one64, one64+1, one64+1)},
	{op: "Add64", a: one64, b: minSub, want: five(NX, one64, one64, one64, one64+1, one64)},
	{op: "Add64", a: n64(one64), b: minSub, want: five(NX, n64(one64), n64(below1), n64(one64), n64(below1), n64(one64))},
	{op: "Sub64", a: one64, b: p2(-54), want: five(NX, one64, below1, below1, one64, one64)},
	{op: "Sub64", a: one64, b: p2(-53), want: same(below1, 0)},
	// Overflow in each mode and sign.
	{op: "Add64", a: max64, b: max64, want: five(OF|NX, inf64, max64, max64, inf64, inf64)},
	{op: "Add64", a: n64(max64), b: n64(max64), want: five(OF|NX, n64(inf64), n64(max64), n64(inf64), n64(max64), n64(inf64))},
	{op: "Add64", a: p2(1023), b: p2(1023), want: five(OF|NX, inf64, max64, max64, inf64, inf64)},
	{op: "Add64", a: max64, b: p2(970), want: [5]res{{inf64, OF | NX}, {max64, NX}, {max64, NX}, {inf64, OF | NX}, {inf64, OF | NX}}},
	{op: "Add64", a: max64, b: p2(969), want: [5]res{{max64, NX}, {max64, NX}, {max64, NX}, {inf64, OF | NX}, {max64, NX}}},
	{op: "Add64", a: n64(max64), b: n64(p2(969)), want: [5]res{{n64(max64), NX}, {n64(max64), NX}, {n64(inf64), OF | NX}, {n64(max64), NX}, {n64(max64), NX}}},
	// Signed zeros.
	{op: "Add64", a: one64, b: n64(one64), want: five(0, 0, 0, n64(0), 0, 0)},
	{op: "Sub64", a: one64, b: one64, want: five(0, 0, 0, n64(0), 0, 0)},
	{op: "Add64", a: 0, b: n64(0), want: five(0, 0, 0, n64(0), 0, 0)},
	{op: "Add64", a: n64(0), b: n64(0), want: same(n64(0), 0)},
	{op: "Add64", a: 0, b: 0, want: same(0, 0)},
	{op: "Sub64", a: n64(0), b: 0, want: same(n64(0), 0)},
	{op: "Add64", a: n64(0), b: minSub, want: same(minSub, 0)},
	// Infinities and NaNs.
	{op: "Add64", a: inf64, b: n64(inf64), want: same(qnan64, NV)},
	{op: "Sub64", a: inf64, b: inf64, want: same(qnan64, NV)},
	{op: "Add64", a: inf64, b: inf64, want: same(inf64, 0)},
	{op: "Add64", a: n64(inf64), b: max64, want: same(n64(inf64), 0)},
	{op: "Add64", a: qnan64, b: one64, want: same(qnan64, 0)},
	{op: "Add64", a: one64, b: qnanPay64, want: same(qnan64, 0)},
	{op: "Add64", a: n64(qnanPay64), b: one64, want: same(qnan64, 0)},
	{op: "Add64", a: snan64, b: one64, want: same(qnan64, NV)},
	{op: "Add64", a: one64, b: snan64b, want: same(qnan64, NV)},
	{op: "Add64", a: snan64, b: qnan64, want: same(qnan64, NV)},
	{op: "Add64", a: inf64, b: snan64, want: same(qnan64, NV)},
	{op: "Sub64", a: one64, b: snan64, want: same(qnan64, NV)},
	// Subnormals: sums are exact.
	{op: "Add64", a: minSub, b: minSub, want: same(2, 0)},
	{op: "Add64", a: minNorm, b: n64(minSub), want: same(maxSub, 0)},
	{op: "Add64", a: maxSub, b: minSub, want: same(minNorm, 0)},

	// ---- Mul64.
	// Tininess after rounding: exact = 2^-1022 * (1 - 2^-104). Rounded to
	// 53 bits with unbounded exponent it is 2^-1022 (not tiny) in RNE, RUP
	// and RMM, so UF must not be raised there.
	{op: "Mul64", a: 0x3feffffffffffffe, b: 0x0010000000000001, want: [5]res{{minNorm, NX}, {maxSub, UF | NX}, {maxSub, UF | NX}, {minNorm, NX}, {minNorm, NX}}},
	{op: "Mul64", a: n64(0x3feffffffffffffe), b: 0x0010000000000001, want: [5]res{{n64(minNorm), NX}, {n64(maxSub), UF | NX}, {n64(minNorm), NX}, {n64(maxSub), UF | NX}, {n64(minNorm), NX}}},
	// exact = 2^-1022 - 2^-1075: tiny even after (unbounded) rounding, but
	// rounds to the smallest normal in RNE: UF is raised.
	{op: "Mul64", a: below1, b: minNorm, want: five(UF|NX, minNorm, maxSub, maxSub, minNorm, minNorm)},
	{op: "Mul64", a: minSub, b: d64(0.5), want: five(UF|NX, 0, 0, 0, minSub, minSub)},
	{op: "Mul64", a: n64(minSub), b: d64(0.5), want: five(UF|NX, n64(0), n64(0), n64(minSub), n64(0), n64(minSub))},
	{op: "Mul64", a: minSub, b: d64(0.75), want: five(UF|NX, minSub, 0, 0, minSub, minSub)},
	{op: "Mul64", a: minSub, b: d64(0.25), want: five(UF|NX, 0, 0, 0, minSub, 0)},
	{op: "Mul64", a: minSub, b: minSub, want: five(UF|NX, 0, 0, 0, minSub, 0)},
	{op: "Mul64", a: minNorm, b: d64(0.5), want: same(0x0008000000000000, 0)},
	{op: "Mul64", a: 0x0010000000000001, b: d64(0.5), want: five(UF|NX, 0x0008000000000000, 0x0008000000000000, 0x0008000000000000, 0x0008000000000001, 0x0008000000000001)},
	{op: "Mul64", a: 0x0010000000000003, b: d64(0.5), want: five(UF|NX, 0x0008000000000002, 0x0008000000000001, 0x0008000000000001, 0x0008000000000002, 0x0008000000000002)},
	{op: "Mul64", a: d64(3), b: one64 + 1, want: five(NX, 0x4008000000000002, 0x4008000000000001, 0x4008000000000001, 0x4008000000000002, 0x4008000000000002)},
	{op: "Mul64", a: n64(d64(3)), b: one64 + 1, want: five(NX, n64(0x4008000000000002), n64(0x4008000000000001), n64(0x4008000000000002), n64(0x4008000000000001), n64(0x4008000000000002))},
	// Tail beyond 64 bits decides: half an ulp plus 2^-77.
	{op: "Mul64", a: 0x3ff0000002000002, b: 0x3ff0000004000000, want: five(NX, 0x3ff0000006000003, 0x3ff0000006000002, 0x3ff0000006000002, 0x3ff0000006000003, 0x3ff0000006000003)},
	{op: "Mul64", a: p2(1023), b: d64(2), want: five(OF|NX, inf64, max64, max64, inf64, inf64)},
	{op: "Mul64", a: n64(p2(1023)), b: d64(2), want: five(OF|NX, n64(inf64), n64(max64), n64(inf64), n64(max64), n64(inf64))},
	{op: "Mul64", a: max64, b: one64 + 1, want: five(OF|NX, inf64, max64, max64, inf64, inf64)},
	{op: "Mul64", a: 0, b: inf64, want: same(qnan64, NV)},
	{op: "Mul64", a: inf64, b: n64(0), want: same(qnan64, NV)},
	{op: "Mul64", a: inf64, b: n64(one64), want: same(n64(inf64), 0)},
	{op: "Mul64", a: n64(0), b: d64(5), want: same(n64(0), 0)},
	{op: "Mul64", a: n64(0), b: n64(0), want: same(0, 0)},
	{op: "Mul64", a: snan64, b: 0, want: same(qnan64, NV)},
	{op: "Mul64", a: qnan64, b: inf64, want: same(qnan64, 0)},

	// ---- Div64.
	{op: "Div64", a: one64, b: d64(3), want: five(NX, 0x3fd5555555555555, 0x3fd5555555555555, 0x3fd5555555555555, 0x3fd5555555555556, 0x3fd5555555555555)},
	{op: "Div64", a: n64(one64), b: d64(3), want: five(NX, 0xbfd5555555555555, 0xbfd5555555555555, 0xbfd5555555555556, 0xbfd5555555555555, 0xbfd5555555555555)},
	{op: "Div64", a: d64(2), b: d64(3), want: five(NX, 0x3fe5555555555555, 0x3fe5555555555555, 0x3fe5555555555555, 0x3fe5555555555556, 0x3fe5555555555555)},
	{op: "Div64", a: d64(6), b: d64(3), want: same(d64(2), 0)},
	{op: "Div64", a: one64, b: 0, want: same(inf64, DZ)},
	{op: "Div64", a: n64(one64), b: 0, want: same(n64(inf64), DZ)},
	{op: "Div64", a: one64, b: n64(0), want: same(n64(inf64), DZ)},
	{op: "Div64", a: minSub, b: 0, want: same(inf64, DZ)},
	{op: "Div64", a: 0, b: 0, want: same(qnan64, NV)},
	{op: "Div64", a: inf64, b: n64(inf64), want: same(qnan64, NV)},
	{op: "Div64", a: inf64, b: 0, want: same(inf64, 0)},
	{op: "Div64", a: qnan64, b: 0, want: same(qnan64, 0)},
	{op: "Div64", a: snan64, b: 0, want: same(qnan64, NV)},
	{op: "Div64", a: 0, b: inf64, want: same(0, 0)},
	{op: "Div64", a: n64(one64), b: inf64, want: same(n64(0), 0)},
	{op: "Div64", a: 0, b: d64(5), want: same(0, 0)},
	{op: "Div64", a: max64, b: d64(0.5), want: five(OF|NX, inf64, max64, max64, inf64, inf64)},
	{op: "Div64", a: minNorm, b: d64(2), want: same(0x0008000000000000, 0)},
	{op: "Div64", a: minSub, b: d64(2), want: five(UF|NX, 0, 0, 0, minSub, minSub)},
	{op: "Div64", a: 3, b: d64(2), want: five(UF|NX, 2, 1, 1, 2, 2)},
	{op: "Div64", a: one64, b: max64, want: five(UF|NX, 0x0004000000000000, 0x0004000000000000, 0x0004000000000000, 0x0004000000000001, 0x0004000000000000)},

	// ---- Sqrt64.
	{op: "Sqrt64", a: d64(2), want: five(NX, 0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcc, 0x3ff6a09e667f3bcd, 0x3ff6a09e667f3bcd)},
	{op: "Sqrt64", a: d64(4), want: same(d64(2), 0)},
	{op: "Sqrt64", a: minSub, want: same(p2(-537), 0)},
	{op: "Sqrt64", a: max64, want: five(NX, 0x5fefffffffffffff, 0x5fefffffffffffff, 0x5fefffffffffffff, 0x5ff0000000000000, 0x5fefffffffffffff)},
	{op: "Sqrt64", a: n64(one64), want: same(qnan64, NV)},
	{op: "Sqrt64", a: n64(minSub), want: same(qnan64, NV)},
	{op: "Sqrt64", a: n64(0), want: same(n64(0), 0)},
	{op: "Sqrt64", a: inf64, want: same(inf64, 0)},
	{op: "Sqrt64", a: n64(inf64), want: same(qnan64, NV)},
	{op: "Sqrt64", a: snan64, want: same(qnan64, NV)},
	{op: "Sqrt64", a: n64(qnanPay64), want: same(qnan64, 0)},

	// ---- MulAdd64.
	{op: "MulAdd64", a: one64 + 1, b: 0x3feffffffffffffe, c: n64(one64), want: same(n64(p2(-104)), 0)},
	{op: "MulAdd64", a: n64(one64 + 1), b: 0x3feffffffffffffe, c: one64, want: same(p2(-104), 0)},
	{op: "MulAdd64", a: one64 + 1, b: one64 + 1, c: n64(one64), want: five(NX, p2(-51), p2(-51), p2(-51), p2(-51)+1, p2(-51)+1)},
	{op: "MulAdd64", a: one64, b: one64, c: p2(-53), want: five(NX, one64, one64, one64, one64+1, one64+1)},
	{op: "MulAdd64", a: one64, b: one64, c: minSub, want: five(NX, one64, one64, one64, one64+1, one64)},
	{op: "MulAdd64", a: n64(one64), b: one64, c: minSub, want: five(NX, n64(one64), n64(below1), n64(one64), n64(below1), n64(one64))},
	{op: "MulAdd64", a: max64, b: d64(2), c: n64(max64), want: same(max64, 0)},
	{op: "MulAdd64", a: max64, b: d64(2), c: 0, want: five(OF|NX, inf64, max64, max64, inf64, inf64)},
	{op: "MulAdd64", a: below1, b: minNorm, c: 0, want: five(UF|NX, minNorm, maxSub, maxSub, minNorm, minNorm)},
	{op: "MulAdd64", a: 0x3feffffffffffffe, b: 0x0010000000000001, c: n64(0), want: [5]res{{minNorm, NX}, {maxSub, UF | NX}, {maxSub, UF | NX}, {minNorm, NX}, {minNorm, NX}}},
	{op: "MulAdd64", a: minNorm, b: d64(0.5), c: 0, want: same(0x0008000000000000, 0)},
	{op: "MulAdd64", a: minSub, b: d64(0.5), c: minSub, want: five(UF|NX, 2, 1, 1, 2, 2)},
	{op: "MulAdd64", a: 0, b: d64(5), c: minSub, want: same(minSub, 0)},
	// NaNs and invalid operations; inf*0 + qNaN raises NV.
	{op: "MulAdd64", a: inf64, b: 0, c: qnan64, want: same(qnan64, NV)},
	{op: "MulAdd64", a: 0, b: n64(inf64), c: qnanPay64, want: same(qnan64, NV)},
	{op: "MulAdd64", a: 0, b: inf64, c: one64, want: same(qnan64, NV)},
	{op: "MulAdd64", a: inf64, b: one64, c: n64(inf64), want: same(qnan64, NV)},
	{op: "MulAdd64", a: inf64, b: one64, c: inf64, want: same(inf64, 0)},
	{op: "MulAdd64", a: one64, b: n64(inf64), c: d64(5), want: same(n64(inf64), 0)},
	{op: "MulAdd64", a: d64(2), b: d64(3), c: n64(inf64), want: same(n64(inf64), 0)},
	{op: "MulAdd64", a: qnan64, b: one64, c: one64, want: same(qnan64, 0)},
	{op: "MulAdd64", a: one64, b: one64, c: snan64, want: same(qnan64, NV)},
	{op: "MulAdd64", a: snan64b, b: 0, c: one64, want: same(qnan64, NV)},
	{op: "MulAdd64", a: n64(qnan64), b: one64, c: inf64, want: same(qnan64, 0)},
	// Signs of exact zeros.
	{op: "MulAdd64", a: one64, b: one64, c: n64(one64), want: five(0, 0, 0, n64(0), 0, 0)},
	{op: "MulAdd64", a: n64(0), b: one64, c: 0, want: five(0, 0, 0, n64(0), 0, 0)},
	{op: "MulAdd64", a: n64(0), b: one64, c: n64(0), want: same(n64(0), 0)},
	{op: "MulAdd64", a: n64(0), b: n64(one64), c: 0, want: same(0, 0)},
	{op: "MulAdd64", a: minSub, b: n64(minSub), c: 0, want: five(UF|NX, n64(0), n64(0), n64(minSub), n64(0), n64(0))},

	// ---- Min/Max.
	{op: "Min64", a: n64(0), b: 0, want: same(n64(0), 0)},
	{op: "Min64", a: 0, b: n64(0), want: same(n64(0), 0)},
	{op: "Max64", a: n64(0), b: 0, want: same(0, 0)},
	{op: "Max64", a: 0, b: n64(0), want: same(0, 0)},
	{op: "Min64", a: qnan64, b: one64, want: same(one64, 0)},
	{op: "Min64", a: one64, b: qnanPay64, want: same(one64, 0)},
	{op: "Max64", a: qnan64, b: n64(inf64), want: same(n64(inf64), 0)},
	{op: "Min64", a: snan64, b: one64, want: same(one64, NV)},
	{op: "Max64", a: one64, b: snan64, want: same(one64, NV)},
	{op: "Min64", a: qnanPay64, b: qnanPay64, want: same(qnan64, 0)},
	{op: "Max64", a: snan64, b: qnan64, want: same(qnan64, NV)},
	{op: "Min64", a: n64(inf64), b: one64, want: same(n64(inf64), 0)},
	{op: "Max64", a: n64(inf64), b: one64, want: same(one64, 0)},
	{op: "Min64", a: n64(one64), b: minSub, want: same(n64(one64), 0)},
	{op: "Max64", a: n64(one64), b: n64(minSub), want: same(n64(minSub), 0)},
	{op: "Min64", a: d64(2), b: d64(3), want: same(d64(2), 0)},

	// ---- Comparisons.
	{op: "Eq64", a: qnan64, b: one64, want: same(0, 0)},
	{op: "Eq64", a: qnan64, b: qnan64, want: same(0, 0)},
	{op: "Eq64", a: snan64, b: one64, want: same(0, NV)},
	{op: "Eq64", a: one64, b: snan64, want: same(0, NV)},
	{op: "Lt64", a: qnan64, b: one64, want: same(0, NV)},
	{op: "Le64", a: one64, b: qnan64, want: same(0, NV)},
	{op: "Eq64", a: n64(0), b: 0, want: same(1, 0)},
	{op: "Lt64", a: n64(0), b: 0, want: same(0, 0)},
	{op: "Le64", a: n64(0), b: 0, want: same(1, 0)},
	{op: "Lt64", a: one64, b: d64(2), want: same(1, 0)},
	{op: "Lt64", a: d64(2), b: one64, want: same(0, 0)},
	{op: "Lt64", a: inf64, b: inf64, want: same(0, 0)},
	{op: "Le64", a: inf64, b: inf64, want: same(1, 0)},
	{op: "Lt64", a: n64(inf64), b: n64(max64), want: same(1, 0)},

	// ---- Class.
	{op: "Class64", a: n64(inf64), want: same(1<<0, 0)},
	{op: "Class64", a: n64(one64), want: same(1<<1, 0)},
	{op: "Class64", a: n64(maxSub), want: same(1<<2, 0)},
	{op: "Class64", a: n64(0), want: same(1<<3, 0)},
	{op: "Class64", a: 0, want: same(1<<4, 0)},
	{op: "Class64", a: minSub, want: same(1<<5, 0)},
	{op: "Class64", a: minNorm, want: same(1<<6, 0)},
	{op: "Class64", a: inf64, want: same(1<<7, 0)},
	{op: "Class64", a: snan64, want: same(1<<8, 0)},
	{op: "Class64", a: snan64b, want: same(1<<8, 0)},
	{op: "Class64", a: n64(qnanPay64), want: same(1<<9, 0)},
	{op: "Class32", a: n32(inf32), want: same(1<<0, 0)},
	{op: "Class32", a: n32(one32), want: same(1<<1, 0)},
	{op: "Class32", a: n32(1), want: same(1<<2, 0)},
	{op: "Class32", a: n32(0), want: same(1<<3, 0)},
	{op: "Class32", a: 0, want: same(1<<4, 0)},
	{op: "Class32", a: maxSub32, want: same(1<<5, 0)},
	{op: "Class32", a: max32, want: same(1<<6, 0)},
	{op: "Class32", a: inf32, want: same(1<<7, 0)},
	{op: "Class32", a: snan32, want: same(1<<8, 0)},
	{op: "Class32", a: qnan32, want: same(1<<9, 0)},

	// ---- binary32 arithmetic.
	{op: "Add32", a: one32, b: p2s(-24), want: five(NX, one32, one32, one32, one32+1, one32+1)},
	{op: "Add32", a: one32 + 1, b: p2s(-24), want: five(NX, one32+2, one32+1, one32+1, one32+2, one32+2)},
	{op: "Add32", a: one32, b: 0x33800001, want: five(NX, one32+1, one32, one32, one32+1, one32+1)},
	{op: "Add32", a: one32, b: p2s(-100), want: five(NX, one32, one32, one32, one32+1, one32)},
	{op: "Add32", a: n32(one32), b: n32(p2s(-100)), want: five(NX, n32(one32), n32(one32), n32(one32)+1, n32(one32), n32(one32))},
	{op: "Sub32", a: one32, b: p2s(-25), want: five(NX, one32, 0x3f7fffff, 0x3f7fffff, one32, one32)},
	{op: "Add32", a: max32, b: max32, want: five(OF|NX, inf32, max32, max32, inf32, inf32)},
	{op: "Add32", a: n32(max32), b: n32(max32), want: five(OF|NX, n32(inf32), n32(max32), n32(inf32), n32(max32), n32(inf32))},
	{op: "Add32", a: max32, b: p2s(103), want: [5]res{{inf32, OF | NX}, {max32, NX}, {max32, NX}, {inf32, OF | NX}, {inf32, OF | NX}}},
	{op: "Add32", a: n32(one32), b: one32, want: five(0, 0, 0, n32(0), 0, 0)},
	{op: "Add32", a: n32(0), b: n32(0), want: same(n32(0), 0)},
	{op: "Add32", a: inf32, b: n32(inf32), want: same(qnan32, NV)},
	{op: "Add32", a: snan32, b: one32, want: same(qnan32, NV)},
	{op: "Add32", a: qnanPay32, b: one32, want: same(qnan32, 0)},
	{op: "Add32", a: minNormB32, b: n32(1), want: same(maxSub32, 0)},
	{op: "Mul32", a: 0x3f7ffffe, b: 0x00800001, want: [5]res{{minNormB32, NX}, {maxSub32, UF | NX}, {maxSub32, UF | NX}, {minNormB32, NX}, {minNormB32, NX}}},
	{op: "Mul32", a: 0x3f7fffff, b: minNormB32, want: five(UF|NX, minNormB32, maxSub32, maxSub32, minNormB32, minNormB32)},
	{op: "Mul32", a: 1, b: s32(0.5), want: five(UF|NX, 0, 0, 0, 1, 1)},
	{op: "Mul32", a: n32(1), b: s32(0.5), want: five(UF|NX, n32(0), n32(0), n32(1), n32(0), n32(1))},
	{op: "Mul32", a: 0x7f000000, b: s32(2), want: five(OF|NX, inf32, max32, max32, inf32, inf32)},
	{op: "Mul32", a: s32(3), b: one32 + 1, want: five(NX, 0x40400002, 0x40400001, 0x40400001, 0x40400002, 0x40400002)},
	{op: "Mul32", a: inf32, b: 0, want: same(qnan32, NV)},
	{op: "Mul32", a: n32(0), b: s32(3), want: same(n32(0), 0)},
	{op: "Div32", a: one32, b: s32(3), want: five(NX, 0x3eaaaaab, 0x3eaaaaaa, 0x3eaaaaaa, 0x3eaaaaab, 0x3eaaaaab)},
	{op: "Div32", a: one32, b: 0, want: same(inf32, DZ)},
	{op: "Div32", a: 0, b: n32(0), want: same(qnan32, NV)},
	{op: "Div32", a: 3, b: s32(2), want: five(UF|NX, 2, 1, 1, 2, 2)},
	{op: "Div32", a: max32, b: s32(0.5), want: five(OF|NX, inf32, max32, max32, inf32, inf32)},
	{op: "Sqrt32", a: s32(2), want: five(NX, 0x3fb504f3, 0x3fb504f3, 0x3fb504f3, 0x3fb504f4, 0x3fb504f3)},
	{op: "Sqrt32", a: s32(4), want: same(s32(2), 0)},
	{op: "Sqrt32", a: n32(one32), want: same(qnan32, NV)},
	{op: "Sqrt32", a: n32(0), want: same(n32(0), 0)},
	{op: "Sqrt32", a: snan32b, want: same(qnan32, NV)},
	{op: "MulAdd32", a: one32 + 1, b: 0x3f7ffffe, c: n32(one32), want: same(0xa8800000, 0)},
	{op: "MulAdd32", a: one32 + 1, b: one32 + 1, c: n32(one32), want: five(NX, 0x34800000, 0x34800000, 0x34800000, 0x34800001, 0x34800001)},
	// exact = 1 + 2^-24 + 2^-70: binary64 rounding would create a false tie.
	{op: "MulAdd32", a: one32 + 1, b: 0x3f7fffff, c: 0x28000001, want: five(NX, one32+1, one32, one32, one32+1, one32+1)},
	{op: "MulAdd32", a: inf32, b: 0, c: qnan32, want: same(qnan32, NV)},
	{op: "MulAdd32", a: one32, b: one32, c: n32(one32), want: five(0, 0, 0, n32(0), 0, 0)},
	{op: "MulAdd32", a: max32, b: s32(2), c: n32(max32), want: same(max32, 0)},
	{op: "Min32", a: n32(0), b: 0, want: same(n32(0), 0)},
	{op: "Max32", a: n32(0), b: 0, want: same(0, 0)},
	{op: "Min32", a: qnan32, b: one32, want: same(one32, 0)},
	{op: "Min32", a: snan32, b: one32, want: same(one32, NV)},
	{op: "Max32", a: qnanPay32, b: snan32, want: same(qnan32, NV)},
	{op: "Eq32", a: snan32, b: snan32, want: same(0, NV)},
	{op: "Eq32", a: qnan32, b: one32, want: same(0, 0)},
	{op: "Le32", a: qnan32, b: one32, want: same(0, NV)},
	{op: "Lt32", a: n32(one32), b: 0, want: same(1, 0)},

	// ---- F64ToF32 / F32ToF64.
	{op: "F64ToF32", a: 0x3ff0000010000000, want: five(NX, one32, one32, one32, one32+1, one32+1)},
	{op: "F64ToF32", a: 0xbff0000010000000, want: five(NX, n32(one32), n32(one32), n32(one32)+1, n32(one32), n32(one32)+1)},
	{op: "F64ToF32", a: 0x3ff0000010000001, want: five(NX, one32+1, one32, one32, one32+1, one32+1)},
	{op: "F64ToF32", a: 0x3ff0000030000000, want: five(NX, one32+2, one32+1, one32+1, one32+2, one32+2)},
	{op: "F64ToF32", a: 0x47f0000000000000, want: five(OF|NX, inf32, max32, max32, inf32, inf32)},
	{op: "F64ToF32", a: 0xc7f0000000000000, want: five(OF|NX, n32(inf32), n32(max32), n32(inf32), n32(max32), n32(inf32))},
	{op: "F64ToF32", a: 0x47effffff0000000, want: [5]res{{inf32, OF | NX}, {max32, NX}, {max32, NX}, {inf32, OF | NX}, {inf32, OF | NX}}},
	{op: "F64ToF32", a: 0x47efffffe0000000, want: same(max32, 0)},
	{op: "F64ToF32", a: max64, want: five(OF|NX, inf32, max32, max32, inf32, inf32)},
	{op: "F64ToF32", a: p2(-150), want: five(UF|NX, 0, 0, 0, 1, 1)},
	{op: "F64ToF32", a: p2(-149), want: same(1, 0)},
	{op: "F64ToF32", a: d64(1e-300), want: five(UF|NX, 0, 0, 0, 1, 0)},
	{op: "F64ToF32", a: d64(-1e-300), want: five(UF|NX, n32(0), n32(0), n32(1), n32(0), n32(0))},
	{op: "F64ToF32", a: minSub, want: five(UF|NX, 0, 0, 0, 1, 0)},
	{op: "F64ToF32", a: 0x380ffffff0000000, want: [5]res{{minNormB32, NX}, {maxSub32, UF | NX}, {maxSub32, UF | NX}, {minNormB32, NX}, {minNormB32, NX}}},
	{op: "F64ToF32", a: 0x380fffffe0000000, want: five(UF|NX, minNormB32, maxSub32, maxSub32, minNormB32, minNormB32)},
	{op: "F64ToF32", a: snan64, want: same(qnan32, NV)},
	{op: "F64ToF32", a: qnanPay64, want: same(qnan32, 0)},
	{op: "F64ToF32", a: n64(inf64), want: same(n32(inf32), 0)},
	{op: "F64ToF32", a: n64(0), want: same(n32(0), 0)},
	{op: "F32ToF64", a: snan32, want: same(qnan64, NV)},
	{op: "F32ToF64", a: qnanPay32, want: same(qnan64, 0)},
	{op: "F32ToF64", a: 1, want: same(p2(-149), 0)},
	{op: "F32ToF64", a: max32, want: same(0x47efffffe0000000, 0)},
	{op: "F32ToF64", a: n32(0), want: same(n64(0), 0)},
	{op: "F32ToF64", a: n32(inf32), want: same(n64(inf64), 0)},

	// ---- Float to integer, saturation at the boundaries.
	{op: "F64ToI32", a: d64(2147483647.5), want: [5]res{{0x7fffffff, NV}, {0x7fffffff, NX}, {0x7fffffff, NX}, {0x7fffffff, NV}, {0x7fffffff, NV}}},
	{op: "F64ToI32", a: d64(2147483647.25), want: [5]res{{0x7fffffff, NX}, {0x7fffffff, NX}, {0x7fffffff, NX}, {0x7fffffff, NV}, {0x7fffffff, NX}}},
	{op: "F64ToI32", a: d64(2147483648), want: same(0x7fffffff, NV)},
	{op: "F64ToI32", a: d64(-2147483648), want: same(0xffffffff80000000, 0)},
	{op: "F64ToI32", a: d64(-2147483648.5), want: [5]res{{0xffffffff80000000, NX}, {0xffffffff80000000, NX}, {0xffffffff80000000, NV}, {0xffffffff80000000, NX}, {0xffffffff80000000, NV}}},
	{op: "F64ToI32", a: d64(-2147483649), want: same(0xffffffff80000000, NV)},
	{op: "F64ToI32", a: qnan64, want: same(0x7fffffff, NV)},
	{op: "F64ToI32", a: n64(qnan64), want: same(0x7fffffff, NV)},
	{op: "F64ToI32", a: inf64, want: same(0x7fffffff, NV)},
	{op: "F64ToI32", a: n64(inf64), want: same(0xffffffff80000000, NV)},
	{op: "F64ToI32", a: d64(1.5), want: [5]res{{2, NX}, {1, NX}, {1, NX}, {2, NX}, {2, NX}}},
	{op: "F64ToI32", a: d64(2.5), want: [5]res{{2, NX}, {2, NX}, {2, NX}, {3, NX}, {3, NX}}},
	{op: "F64ToI32", a: d64(-2.5), want: [5]res{{0xfffffffffffffffe, NX}, {0xfffffffffffffffe, NX}, {0xfffffffffffffffd, NX}, {0xfffffffffffffffe, NX}, {0xfffffffffffffffd, NX}}},
	{op: "F64ToI32", a: d64(-0.5), want: [5]res{{0, NX}, {0, NX}, {0xffffffffffffffff, NX}, {0, NX}, {0xffffffffffffffff, NX}}},
	{op: "F64ToI32", a: d64(0.5), want: [5]res{{0, NX}, {0, NX}, {0, NX}, {1, NX}, {1, NX}}},
	{op: "F64ToI32", a: minSub, want: [5]res{{0, NX}, {0, NX}, {0, NX}, {1, NX}, {0, NX}}},
	{op: "F64ToI32", a: n64(0), want: same(0, 0)},
	{op: "F64ToU32", a: d64(-0.9), want: [5]res{{0, NV}, {0, NX}, {0, NV}, {0, NX}, {0, NV}}},
	{op: "F64ToU32", a: d64(-0.5), want: [5]res{{0, NX}, {0, NX}, {0, NV}, {0, NX}, {0, NV}}},
	{op: "F64ToU32", a: d64(-1), want: same(0, NV)},
	{op: "F64ToU32", a: n64(0), want: same(0, 0)},
	{op: "F64ToU32", a: d64(3e9), want: same(0xffffffffb2d05e00, 0)},
	{op: "F64ToU32", a: d64(4294967295), want: same(0xffffffffffffffff, 0)},
	{op: "F64ToU32", a: d64(4294967295.5), want: [5]res{{0xffffffffffffffff, NV}, {0xffffffffffffffff, NX}, {0xffffffffffffffff, NX}, {0xffffffffffffffff, NV}, {0xffffffffffffffff, NV}}},
	{op: "F64ToU32", a: d64(4294967296), want: same(0xffffffffffffffff, NV)},
	{op: "F64ToU32", a: qnan64, want: same(0xffffffffffffffff, NV)},
	{op: "F64ToU32", a: inf64, want: same(0xffffffffffffffff, NV)},
	{op: "F64ToU32", a: n64(inf64), want: same(0, NV)},
	{op: "F64ToU32", a: d64(1), want: same(1, 0)},
	{op: "F64ToI64", a: p2(63), want: same(0x7fffffffffffffff, NV)},
	{op: "F64ToI64", a: n64(p2(63)), want: same(0x8000000000000000, 0)},
	{op: "F64ToI64", a: 0x43dfffffffffffff, want: same(0x7ffffffffffffc00, 0)},
	{op: "F64ToI64", a: 0xc3e0000000000001, want: same(0x8000000000000000, NV)},
	{op: "F64ToI64", a: qnan64, want: same(0x7fffffffffffffff, NV)},
	{op: "F64ToI64", a: n64(inf64), want: same(0x8000000000000000, NV)},
	{op: "F64ToI64", a: d64(-1.5), want: [5]res{{0xfffffffffffffffe, NX}, {0xffffffffffffffff, NX}, {0xfffffffffffffffe, NX}, {0xffffffffffffffff, NX}, {0xfffffffffffffffe, NX}}},
	{op: "F64ToI64", a: max64, want: same(0x7fffffffffffffff, NV)},
	{op: "F64ToU64", a: p2(63), want: same(0x8000000000000000, 0)},
	{op: "F64ToU64", a: p2(64), want: same(0xffffffffffffffff, NV)},
	{op: "F64ToU64", a: 0x43efffffffffffff, want: same(0xfffffffffffff800, 0)},
	{op: "F64ToU64", a: d64(-0.9), want: [5]res{{0, NV}, {0, NX}, {0, NV}, {0, NX}, {0, NV}}},
	{op: "F64ToU64", a: d64(-1), want: same(0, NV)},
	{op: "F64ToU64", a: qnan64, want: same(0xffffffffffffffff, NV)},
	{op: "F64ToU64", a: n64(inf64), want: same(0, NV)},
	{op: "F32ToI32", a: 0x4f000000, want: same(0x7fffffff, NV)},
	{op: "F32ToI32", a: 0xcf000000, want: same(0xffffffff80000000, 0)},
	{op: "F32ToI32", a: 0xcf000001, want: same(0xffffffff80000000, NV)},
	{op: "F32ToI32", a: 0x4effffff, want: same(0x7fffff80, 0)},
	{op: "F32ToI32", a: s32(-2.5), want: [5]res{{0xfffffffffffffffe, NX}, {0xfffffffffffffffe, NX}, {0xfffffffffffffffd, NX}, {0xfffffffffffffffe, NX}, {0xfffffffffffffffd, NX}}},
	{op: "F32ToI32", a: qnan32, want: same(0x7fffffff, NV)},
	{op: "F32ToU32", a: 0x4f800000, want: same(0xffffffffffffffff, NV)},
	{op: "F32ToU32", a: 0x4f7fffff, want: same(0xffffffffffffff00, 0)},
	{op: "F32ToU32", a: s32(-0.9), want: [5]res{{0, NV}, {0, NX}, {0, NV}, {0, NX}, {0, NV}}},
	{op: "F32ToU32", a: n32(inf32), want: same(0, NV)},
	{op: "F32ToU32", a: snan32, want: same(0xffffffffffffffff, NV)},
	{op: "F32ToI64", a: 0x5f000000, want: same(0x7fffffffffffffff, NV)},
	{op: "F32ToI64", a: 0xdf000000, want: same(0x8000000000000000, 0)},
	{op: "F32ToI64", a: s32(1.5), want: [5]res{{2, NX}, {1, NX}, {1, NX}, {2, NX}, {2, NX}}},
	{op: "F32ToU64", a: 0x5f000000, want: same(0x8000000000000000, 0)},
	{op: "F32ToU64", a: 0x5f800000, want: same(0xffffffffffffffff, NV)},
	{op: "F32ToU64", a: 0x5f7fffff, want: same(0xffffff0000000000, 0)},
	{op: "F32ToU64", a: s32(-0.25), want: [5]res{{0, NX}, {0, NX}, {0, NV}, {0, NX}, {0, NX}}},

	// ---- Integer to float.
	{op: "I64ToF64", a: 1<<53 + 1, want: five(NX, d64(1<<53), d64(1<<53), d64(1<<53), d64(1<<53+2), d64(1<<53+2))},
	{op: "I64ToF64", a: uint64(-(1<<53 + 1) & (1<<64 - 1)), want: five(NX, n64(d64(1<<53)), n64(d64(1<<53)), n64(d64(1<<53+2)), n64(d64(1<<53)), n64(d64(1<<53+2)))},
	{op: "I64ToF64", a: 1<<53 + 3, want: five(NX, d64(1<<53+4), d64(1<<53+2), d64(1<<53+2), d64(1<<53+4), d64(1<<53+4))},
	{op: "I64ToF64", a: 1<<63 - 1, want: five(NX, p2(63), 0x43dfffffffffffff, 0x43dfffffffffffff, p2(63), p2(63))},
	{op: "I64ToF64", a: 1 << 63, want: same(n64(p2(63)), 0)},
	{op: "I64ToF64", a: 1<<64 - 1, want: same(n64(one64), 0)},
	{op: "I64ToF64", a: 0, want: same(0, 0)},
	{op: "U64ToF64", a: 1<<64 - 1, want: five(NX, p2(64), 0x43efffffffffffff, 0x43efffffffffffff, p2(64), p2(64))},
	{op: "U64ToF64", a: 1<<63 + 1<<10, want: five(NX, p2(63), p2(63), p2(63), p2(63)+1, p2(63)+1)},
	{op: "I32ToF64", a: 1<<32 - 1, want: same(n64(one64), 0)},
	{op: "I32ToF64", a: 1 << 31, want: same(d64(-2147483648), 0)},
	{op: "U32ToF64", a: 1<<32 - 1, want: same(d64(4294967295), 0)},
	{op: "I32ToF32", a: 1<<24 + 1, want: five(NX, 0x4b800000, 0x4b800000, 0x4b800000, 0x4b800001, 0x4b800001)},
	{op: "I32ToF32", a: 1<<31 - 1, want: five(NX, 0x4f000000, 0x4effffff, 0x4effffff, 0x4f000000, 0x4f000000)},
	{op: "I32ToF32", a: 1 << 31, want: same(0xcf000000, 0)},
	{op: "I32ToF32", a: 0xfeffffff, want: five(NX, 0xcb800000, 0xcb800000, 0xcb800001, 0xcb800000, 0xcb800001)},
	{op: "U32ToF32", a: 1<<32 - 1, want: five(NX, 0x4f800000, 0x4f7fffff, 0x4f7fffff, 0x4f800000, 0x4f800000)},
	{op: "U32ToF32", a: 1<<24 + 3, want: five(NX, 0x4b800002, 0x4b800001, 0x4b800001, 0x4b800002, 0x4b800002)},
	{op: "I64ToF32", a: 1<<63 - 1, want: five(NX, 0x5f000000, 0x5effffff, 0x5effffff, 0x5f000000, 0x5f000000)},
	{op: "I64ToF32", a: 1 << 63, want: same(0xdf000000, 0)},
	{op: "U64ToF32", a: 1<<64 - 1, want: five(NX, 0x5f800000, 0x5f7fffff, 0x5f7fffff, 0x5f800000, 0x5f800000)},
	{op: "U64ToF32", a: 1<<40 + 1<<16, want: five(NX, 0x53800000, 0x53800000, 0x53800000, 0x53800001, 0x53800001)},
}

func TestTable(t *testing.T) {
	for _, tc := range tableCases {
		o := opByName[tc.op]
		if o == nil {
			t.Fatalf("unknown op %q", tc.op)
		}
		modes := rms[:]
		if !o.hasRM {
			modes = rms[:1]
		}
		for _, rm := range modes {
			w := tc.want[rm]
			got, gf := o.fn(tc.a, tc.b, tc.c, rm)
			if msg := o.mismatch(tc.a, tc.b, tc.c, rm, got, gf, w.v, w.fl); msg != "" {
				t.Error(msg)
			}
			// The table itself is checked against the reference, so that
			// a wrong expectation cannot hide behind a matching bug.
			rv, rfl := o.ref(tc.a, tc.b, tc.c, rm)
			if msg := o.mismatch(tc.a, tc.b, tc.c, rm, rv, rfl, w.v, w.fl); msg != "" {
				t.Error("reference: " + msg)
			}
			if o.slow != nil {
				sv, sfl := o.slow(tc.a, tc.b, tc.c, rm)
				if msg := o.mismatch(tc.a, tc.b, tc.c, rm, sv, sfl, w.v, w.fl); msg != "" {
					t.Error("slow path: " + msg)
				}
			}
		}
	}
}

// TestDerivedFMA checks that fmsub, fnmsub and fnmadd obtained by flipping
// operand signs follow the ISA definitions, including NaN handling.
func TestDerivedFMA(t *testing.T) {
	type c struct{ a, b, c uint64 }
	cases := []c{
		{one64 + 1, 0x3feffffffffffffe, one64},
		{one64, one64, one64},
		{inf64, 0, qnan64},
		{snan64, one64, one64},
		{one64, one64, snan64},
		{qnanPay64, one64, one64},
		{minSub, d64(0.5), 0},
		{d64(3), d64(1.0 / 3), n64(one64)},
	}
	for _, tc := range cases {
		for _, rm := range rms {
			// fnmadd: -(a*b) - c
			got, gf := MulAdd64(tc.a^1<<63, tc.b, tc.c^1<<63, rm)
			want, wf := rf64.refFMA(tc.a^1<<63, tc.b, tc.c^1<<63, rm)
			if got != want || gf != wf {
				t.Errorf("fnmadd(%#x,%#x,%#x,%v) = %#x %v; want %#x %v", tc.a, tc.b, tc.c, rm, got, gf, want, wf)
			}
			if isNaN64(got) && got != CanonicalNaN64 {
				t.Errorf("non-canonical NaN %#x", got)
			}
		}
	}
}

func TestStrings(t *testing.T) {
	if s := RMM.String(); s != "RMM" {
		t.Errorf("RMM.String() = %q", s)
	}
	if s := (NV | NX).String(); s != "NV|NX" {
		t.Errorf("(NV|NX).String() = %q", s)
	}
	if s := Flags(0).String(); s != "0" {
		t.Errorf("Flags(0).String() = %q", s)
	}
	if RM(5).Valid() || !RMM.Valid() {
		t.Error("Valid")
	}
}
