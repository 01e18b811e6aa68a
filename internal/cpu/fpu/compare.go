package fpu

import "math"

// orderKey64 maps a non-NaN binary64 to an integer ordered like the value,
// with -0 < +0.
func orderKey64(x uint64) int64 {
	k := int64(x)
	return k ^ int64(uint64(k>>63)>>1)
}

func orderKey32(x uint32) int32 {
	k := int32(x)
	return k ^ int32(uint32(k>>31)>>1)
}

func isNaN64(x uint64) bool  { return x&^(1<<63) > 0x7ff0000000000000 }
func isSNaN64(x uint64) bool { return isNaN64(x) && x&(1<<51) == 0 }
func isNaN32(x uint32) bool  { return x&^(1<<31) > 0x7f800000 }
func isSNaN32(x uint32) bool { return isNaN32(x) && x&(1<<22) == 0 }

func snanFlag64(a, b uint64) Flags {
	if isSNaN64(a) || isSNaN64(b) {
		return NV
	}
	return 0
}

func snanFlag32(a, b uint32) Flags {
	if isSNaN32(a) || isSNaN32(b) {
		return NV
	}
	return 0
}

// Min64 implements fmin.d (IEEE 754-2019 minimumNumber, -0 < +0).
func Min64(a, b uint64) (uint64, Flags) {
	an, bn := isNaN64(a), isNaN64(b)
	if an || bn {
		fl := snanFlag64(a, b)
		switch {
		case an && bn:
			return CanonicalNaN64, fl
		case an:
			return b, fl
		default:
			return a, fl
		}
	}
	if orderKey64(b) < orderKey64(a) {
		return b, 0
	}
	return a, 0
}

// Max64 implements fmax.d (IEEE 754-2019 maximumNumber, -0 < +0).
func Max64(a, b uint64) (uint64, Flags) {
	an, bn := isNaN64(a), isNaN64(b)
	if an || bn {
		fl := snanFlag64(a, b)
		switch {
		case an && bn:
			return CanonicalNaN64, fl
		case an:
			return b, fl
		default:
			return a, fl
		}
	}
	if orderKey64(b) > orderKey64(a) {
		return b, 0
	}
	return a, 0
}

// Min32 implements fmin.s.
func Min32(a, b uint32) (uint32, Flags) {
	an, bn := isNaN32(a), isNaN32(b)
	if an || bn {
		fl := snanFlag32(a, b)
		switch {
		case an && bn:
			return CanonicalNaN32, fl
		case an:
			return b, fl
		default:
			return a, fl
		}
	}
	if orderKey32(b) < orderKey32(a) {
		return b, 0
	}
	return a, 0
}

// Max32 implements fmax.s.
func Max32(a, b uint32) (uint32, Flags) {
	an, bn := isNaN32(a), isNaN32(b)
	if an || bn {
		fl := snanFlag32(a, b)
		switch {
		case an && bn:
			return CanonicalNaN32, fl
		case an:
			return b, fl
		default:
			return a, fl
		}
	}
	if orderKey32(b) > orderKey32(a) {
		return b, 0
	}
	return a, 0
}

// Eq64 implements feq.d (quiet: NV only for signaling NaNs).
func Eq64(a, b uint64) (bool, Flags) {
	if isNaN64(a) || isNaN64(b) {
		return false, snanFlag64(a, b)
	}
	return math.Float64frombits(a) == math.Float64frombits(b), 0
}

// Lt64 implements flt.d (signaling: NV for any NaN).
func Lt64(a, b uint64) (bool, Flags) {
	if isNaN64(a) || isNaN64(b) {
		return false, NV
	}
	return math.Float64frombits(a) < math.Float64frombits(b), 0
}

// Le64 implements fle.d (signaling: NV for any NaN).
func Le64(a, b uint64) (bool, Flags) {
	if isNaN64(a) || isNaN64(b) {
		return false, NV
	}
	return math.Float64frombits(a) <= math.Float64frombits(b), 0
}

// Eq32 implements feq.s.
func Eq32(a, b uint32) (bool, Flags) {
	if isNaN32(a) || isNaN32(b) {
		return false, snanFlag32(a, b)
	}
	return math.Float32frombits(a) == math.Float32frombits(b), 0
}

// Lt32 implements flt.s.
func Lt32(a, b uint32) (bool, Flags) {
	if isNaN32(a) || isNaN32(b) {
		return false, NV
	}
	return math.Float32frombits(a) < math.Float32frombits(b), 0
}

// Le32 implements fle.s.
func Le32(a, b uint32) (bool, Flags) {
	if isNaN32(a) || isNaN32(b) {
		return false, NV
	}
	return math.Float32frombits(a) <= math.Float32frombits(b), 0
}

func class(f *format, x uint64) uint64 {
	neg := x&f.sign != 0
	ex := x & f.expMask
	fr := x & f.frac
	var c uint64
	switch {
	case ex == f.expMask:
		switch {
		case fr == 0 && neg:
			return ClassNegInf
		case fr == 0:
			return ClassPosInf
		case fr&f.quiet != 0:
			return ClassQNaN
		default:
			return ClassSNaN
		}
	case ex == 0 && fr == 0:
		c = ClassPosZero
		if neg {
			c = ClassNegZero
		}
	case ex == 0:
		c = ClassPosSubnormal
		if neg {
			c = ClassNegSubnormal
		}
	default:
		c = ClassPosNormal
		if neg {
			c = ClassNegNormal
		}
	}
	return c
}

// Class64 implements fclass.d.
func Class64(a uint64) uint64 { return class(fmt64, a) }

// Class32 implements fclass.s.
func Class32(a uint32) uint64 { return class(fmt32, uint64(a)) }
