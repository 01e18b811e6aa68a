package fpu

import "math"

// Float-to-integer conversions return the value written to rd: the 64-bit
// integer, or for the 32-bit forms (fcvt.w.*, fcvt.wu.*) the 32-bit result
// sign-extended to 64 bits. NaN converts to the largest positive value;
// values whose rounded result is out of range saturate and raise NV only;
// other inexact conversions raise NX.

// toInt converts x to an nbits-wide (32 or 64) integer.
func toInt(f *format, x uint64, rm RM, signed bool, nbits uint) (uint64, Flags) {
	var max, min uint64 // saturation results
	if signed {
		max, min = 1<<(nbits-1)-1, -(uint64(1) << (nbits - 1))
	} else {
		max, min = ^uint64(0), 0 // 0xffffffff sign-extends to all ones
	}
	k, neg, e, m := f.unpack(x)
	var q uint64
	var inexact bool
	switch k {
	case kZero:
		return 0, 0
	case kQNaN, kSNaN:
		return max, NV
	case kInf:
		if neg {
			return min, NV
		}
		return max, NV
	}
	if e >= 0 {
		if e > 64-int(f.p) { // |x| >= 2^64
			if neg {
				return min, NV
			}
			return max, NV
		}
		q = m << uint(e)
	} else {
		q, inexact = roundShift(m, -e, rm, neg)
	}
	// Range check on the rounded magnitude.
	var limit uint64
	switch {
	case signed && neg:
		limit = 1 << (nbits - 1)
	case signed:
		limit = 1<<(nbits-1) - 1
	case neg:
		limit = 0
	default:
		limit = 1<<nbits - 1 // nbits == 64 wraps to all ones
	}
	if q > limit {
		if neg {
			return min, NV
		}
		return max, NV
	}
	if neg {
		q = -q
	}
	if nbits == 32 {
		q = uint64(int64(int32(uint32(q))))
	}
	if inexact {
		return q, NX
	}
	return q, 0
}

// fastToInt converts x when the rounded result is certain to lie within
// [lo, hi] (both integers representable in binary64 and int64); ok is
// false otherwise (NaN, out of range or near the limits).
func fastToInt(x float64, rm RM, lo, hi float64) (i int64, fl Flags, ok bool) {
	if !(x >= lo && x <= hi) {
		return 0, 0, false
	}
	var r float64
	switch rm {
	case RTZ:
		i = int64(x) // truncates
		if float64(i) != x {
			fl = NX
		}
		return i, fl, true
	case RDN:
		r = math.Floor(x)
	case RUP:
		r = math.Ceil(x)
	case RMM:
		r = math.Round(x)
	default:
		r = math.RoundToEven(x)
	}
	if r != x {
		fl = NX
	}
	return int64(r), fl, true
}

const (
	i32Lo = -(1<<31 - 1)
	i32Hi = 1<<31 - 1
	u32Hi = 1<<32 - 1
	i64Lo = -0x1p63 + 1024 // largest magnitudes below 2^63
	i64Hi = 0x1p63 - 1024
)

// F64ToI32 implements fcvt.w.d.
func F64ToI32(a uint64, rm RM) (uint64, Flags) {
	if i, fl, ok := fastToInt(math.Float64frombits(a), rm, i32Lo, i32Hi); ok {
		return uint64(i), fl
	}
	return toInt(fmt64, a, rm, true, 32)
}

// F64ToU32 implements fcvt.wu.d (result sign-extended from bit 31).
func F64ToU32(a uint64, rm RM) (uint64, Flags) {
	if i, fl, ok := fastToInt(math.Float64frombits(a), rm, 0, u32Hi); ok {
		return uint64(int64(int32(uint32(i)))), fl
	}
	return toInt(fmt64, a, rm, false, 32)
}

// F64ToI64 implements fcvt.l.d.
func F64ToI64(a uint64, rm RM) (uint64, Flags) {
	if i, fl, ok := fastToInt(math.Float64frombits(a), rm, i64Lo, i64Hi); ok {
		return uint64(i), fl
	}
	return toInt(fmt64, a, rm, true, 64)
}

// F64ToU64 implements fcvt.lu.d.
func F64ToU64(a uint64, rm RM) (uint64, Flags) {
	if i, fl, ok := fastToInt(math.Float64frombits(a), rm, 0, i64Hi); ok {
		return uint64(i), fl
	}
	return toInt(fmt64, a, rm, false, 64)
}

// F32ToI32 implements fcvt.w.s.
func F32ToI32(a uint32, rm RM) (uint64, Flags) {
	if i, fl, ok := fastToInt(f32(a), rm, i32Lo, i32Hi); ok {
		return uint64(i), fl
	}
	return toInt(fmt32, uint64(a), rm, true, 32)
}

// F32ToU32 implements fcvt.wu.s (result sign-extended from bit 31).
func F32ToU32(a uint32, rm RM) (uint64, Flags) {
	if i, fl, ok := fastToInt(f32(a), rm, 0, u32Hi); ok {
		return uint64(int64(int32(uint32(i)))), fl
	}
	return toInt(fmt32, uint64(a), rm, false, 32)
}

// F32ToI64 implements fcvt.l.s.
func F32ToI64(a uint32, rm RM) (uint64, Flags) {
	if i, fl, ok := fastToInt(f32(a), rm, i64Lo, i64Hi); ok {
		return uint64(i), fl
	}
	return toInt(fmt32, uint64(a), rm, true, 64)
}

// F32ToU64 implements fcvt.lu.s.
func F32ToU64(a uint32, rm RM) (uint64, Flags) {
	if i, fl, ok := fastToInt(f32(a), rm, 0, i64Hi); ok {
		return uint64(i), fl
	}
	return toInt(fmt32, uint64(a), rm, false, 64)
}

// fromInt converts the integer (-1)^neg * u to format f.
func fromInt(f *format, neg bool, u uint64, rm RM) (uint64, Flags) {
	if u == 0 {
		return 0, 0
	}
	return f.roundPack(neg, 0, u, rm)
}

func absNeg(x int64) (bool, uint64) {
	if x < 0 {
		return true, -uint64(x)
	}
	return false, uint64(x)
}

// I32ToF64 implements fcvt.d.w (always exact).
func I32ToF64(x int32, rm RM) (uint64, Flags) {
	return math.Float64bits(float64(x)), 0
}

// U32ToF64 implements fcvt.d.wu (always exact).
func U32ToF64(x uint32, rm RM) (uint64, Flags) {
	return math.Float64bits(float64(x)), 0
}

// I64ToF64 implements fcvt.d.l.
func I64ToF64(x int64, rm RM) (uint64, Flags) {
	if x >= -1<<53 && x <= 1<<53 {
		return math.Float64bits(float64(x)), 0
	}
	neg, u := absNeg(x)
	return fromInt(fmt64, neg, u, rm)
}

// U64ToF64 implements fcvt.d.lu.
func U64ToF64(x uint64, rm RM) (uint64, Flags) {
	if x <= 1<<53 {
		return math.Float64bits(float64(x)), 0
	}
	return fromInt(fmt64, false, x, rm)
}

// I32ToF32 implements fcvt.s.w.
func I32ToF32(x int32, rm RM) (uint32, Flags) {
	if x >= -1<<24 && x <= 1<<24 {
		return math.Float32bits(float32(x)), 0
	}
	neg, u := absNeg(int64(x))
	return ret32(fromInt(fmt32, neg, u, rm))
}

// U32ToF32 implements fcvt.s.wu.
func U32ToF32(x uint32, rm RM) (uint32, Flags) {
	if x <= 1<<24 {
		return math.Float32bits(float32(x)), 0
	}
	return ret32(fromInt(fmt32, false, uint64(x), rm))
}

// I64ToF32 implements fcvt.s.l.
func I64ToF32(x int64, rm RM) (uint32, Flags) {
	if x >= -1<<24 && x <= 1<<24 {
		return math.Float32bits(float32(x)), 0
	}
	neg, u := absNeg(x)
	return ret32(fromInt(fmt32, neg, u, rm))
}

// U64ToF32 implements fcvt.s.lu.
func U64ToF32(x uint64, rm RM) (uint32, Flags) {
	if x <= 1<<24 {
		return math.Float32bits(float32(x)), 0
	}
	return ret32(fromInt(fmt32, false, x, rm))
}

// F32ToF64 implements fcvt.d.s (exact; NaNs become the canonical NaN, NV
// for signaling NaNs).
func F32ToF64(a uint32) (uint64, Flags) {
	if fmt32.isNaN(uint64(a)) {
		_, fl := fmt32.nanResult(uint64(a))
		return CanonicalNaN64, fl
	}
	return math.Float64bits(float64(math.Float32frombits(a))), 0
}

// F64ToF32 implements fcvt.s.d.
func F64ToF32(a uint64, rm RM) (uint32, Flags) {
	x := math.Float64frombits(a)
	r := float32(x)
	if t := math.Abs(float64(r)); t < fastHi32 && t > minNorm32 {
		r64 := float64(r)
		if r64 == x {
			return math.Float32bits(r), 0
		}
		diff := x - r64
		return finish32(r, diff > 0, rm == RMM && tie32(r64, math.Float32bits(r), diff), rm)
	}
	return ret32(cvtSlow(fmt64, fmt32, a, rm))
}
