package fpu

import "math"

// The binary32 fast paths compute in binary64. For +, -, *, / and sqrt,
// rounding the binary64 result to binary32 is correctly rounded (53 >= 2*24+2),
// and the binary64 error terms are exact. Results outside the window of
// normal numbers below 2^127 go to the exact software path.
const (
	minNorm32 = 0x1p-126
	fastHi32  = 0x1p127
)

func f32(a uint32) float64 { return float64(math.Float32frombits(a)) }

// tie32 reports whether r64 + diff is the midpoint between the binary32 r
// (bits rb, r64 == float64(r)) and its neighbour in the direction of diff.
func tie32(r64 float64, rb uint32, diff float64) bool {
	nb := rb - 1
	if (diff > 0) != (r64 < 0) {
		nb = rb + 1
	}
	return 2*math.Abs(diff) == math.Abs(f32(nb)-r64)
}

func ret32(r uint64, fl Flags) (uint32, Flags) { return uint32(r), fl }

// finish32 handles an inexact binary32 result r (the RNE rounding of the
// exact value) for the non-RNE rounding modes. up reports whether the exact
// value lies above r.
func finish32(r float32, up, tie bool, rm RM) (uint32, Flags) {
	rb := math.Float32bits(r)
	if rm == RNE {
		return rb, NX
	}
	return uint32(adjust(uint64(rb), r < 0, up, tie, rm)), NX
}

// Add32 returns a+b.
func Add32(a, b uint32, rm RM) (uint32, Flags) {
	x, y := f32(a), f32(b)
	d := x + y
	r := float32(d)
	if math.Abs(float64(r)) < fastHi32 {
		bb := d - x
		err := (x - (d - bb)) + (y - bb)
		r64 := float64(r)
		if r64 == d {
			if err == 0 {
				if r == 0 && rm == RDN && (a^b)>>31 != 0 {
					return 1 << 31, 0
				}
				return math.Float32bits(r), 0
			}
			return finish32(r, err > 0, false, rm)
		}
		// |d - r64| exceeds |err|, so it decides the direction; the exact
		// value can only be a midpoint if d is exact.
		diff := d - r64
		return finish32(r, diff > 0, rm == RMM && err == 0 && tie32(r64, math.Float32bits(r), diff), rm)
	}
	return ret32(addSlow(fmt32, uint64(a), uint64(b), rm))
}

// Sub32 returns a-b.
func Sub32(a, b uint32, rm RM) (uint32, Flags) {
	return Add32(a, b^(1<<31), rm)
}

// Mul32 returns a*b.
func Mul32(a, b uint32, rm RM) (uint32, Flags) {
	d := f32(a) * f32(b) // exact
	r := float32(d)
	if t := math.Abs(float64(r)); t < fastHi32 && t > minNorm32 {
		r64 := float64(r)
		if r64 == d {
			return math.Float32bits(r), 0
		}
		diff := d - r64
		return finish32(r, diff > 0, rm == RMM && tie32(r64, math.Float32bits(r), diff), rm)
	}
	if d == 0 { // a zero times a finite number: exact
		return math.Float32bits(float32(d)), 0
	}
	return ret32(mulSlow(fmt32, uint64(a), uint64(b), rm))
}

// Div32 returns a/b.
func Div32(a, b uint32, rm RM) (uint32, Flags) {
	x, y := f32(a), f32(b)
	d := x / y
	r := float32(d)
	if t := math.Abs(float64(r)); t < fastHi32 && t > minNorm32 {
		rem := math.FMA(-d, y, x) // exact
		r64 := float64(r)
		if r64 == d {
			if rem == 0 {
				return math.Float32bits(r), 0
			}
			return finish32(r, (rem > 0) != (y < 0), false, rm)
		}
		return finish32(r, d > r64, false, rm)
	}
	return ret32(divSlow(fmt32, uint64(a), uint64(b), rm))
}

// Sqrt32 returns the square root of a.
func Sqrt32(a uint32, rm RM) (uint32, Flags) {
	x := f32(a)
	if x > 0 && x <= math.MaxFloat32 {
		d := math.Sqrt(x)
		r := float32(d)
		rem := math.FMA(-d, d, x) // exact
		r64 := float64(r)
		if r64 == d {
			if rem == 0 {
				return math.Float32bits(r), 0
			}
			return finish32(r, rem > 0, false, rm)
		}
		return finish32(r, d > r64, false, rm)
	}
	return ret32(sqrtSlow(fmt32, uint64(a), rm))
}

// MulAdd32 returns a*b+c with a single rounding (fmadd.s).
func MulAdd32(a, b, c uint32, rm RM) (uint32, Flags) {
	x, y, z := f32(a), f32(b), f32(c)
	p := float64(x * y) // exact
	d := p + z
	bb := d - p
	err := (p - (d - bb)) + (z - bb)
	if err != 0 {
		// Round to odd: binary64 round-to-odd followed by binary32 rounding
		// is a correct single rounding.
		if db := math.Float64bits(d); db&1 == 0 {
			if (err > 0) != (d < 0) {
				db++
			} else {
				db--
			}
			d = math.Float64frombits(db)
		}
	}
	r := float32(d)
	if t := math.Abs(float64(r)); t < fastHi32 && t > minNorm32 {
		r64 := float64(r)
		if r64 == d { // then d is even, so err == 0
			return math.Float32bits(r), 0
		}
		diff := d - r64
		return finish32(r, diff > 0, rm == RMM && err == 0 && tie32(r64, math.Float32bits(r), diff), rm)
	}
	return ret32(fmaSlow(fmt32, uint64(a), uint64(b), uint64(c), rm))
}
