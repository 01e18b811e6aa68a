package cpu

import (
	"math"

	"weft/internal/cpu/fpu"
)

// Round-to-nearest-even fast paths for the block engine's hottest floating-point
// operations. Programs almost never change the rounding mode, and in RNE the host's
// own rounding is the guest's: what is left is to decide the inexact flag, exactly, from
// an error-free transformation. They do what fpu's fast paths do for RNE, without the
// call and the rounding-mode cases (fpu's functions are too large to inline), and
// answer ok=false for anything outside the window where that reasoning holds (NaNs,
// infinities, zeros where the sign rules matter, subnormal or overflowing results):
// the caller then asks fpu, which is exact everywhere. TestFastRNE compares them with
// fpu on random and edge operands.

const (
	fastHiS = 0x1p127  // binary32 results below this cannot overflow
	minNrmS = 0x1p-126 // nor, above this, be subnormal
	fastHiD = 0x1p1020 // binary64 sums below this leave room for the error terms
	fastLoD = 0x1p-960 // binary64 products above this have an exact FMA residue
)

func f32of(a uint32) float64 { return float64(math.Float32frombits(a)) }

// addSRNE is fadd.s (b's sign flipped: fsub.s) in RNE. The binary64 sum rounded to
// binary32 is correctly rounded (53 >= 2*24+2); it is exact if the binary64 sum was
// (err == 0) and the narrowing lost nothing.
func addSRNE(a, b uint32) (uint32, fpu.Flags, bool) {
	x, y := f32of(a), f32of(b)
	d := x + y
	r := float32(d)
	r64 := float64(r)
	if !(math.Abs(r64) < fastHiS) || r64 == 0 {
		return 0, 0, false
	}
	bb := d - x
	err := (x - (d - bb)) + (y - bb)
	if r64 != d || err != 0 {
		return math.Float32bits(r), fpu.NX, true
	}
	return math.Float32bits(r), 0, true
}

// mulSRNE is fmul.s in RNE: the binary64 product of two binary32 values is exact.
func mulSRNE(a, b uint32) (uint32, fpu.Flags, bool) {
	d := f32of(a) * f32of(b)
	r := float32(d)
	r64 := float64(r)
	if t := math.Abs(r64); !(t < fastHiS && t > minNrmS) {
		return 0, 0, false
	}
	if r64 != d {
		return math.Float32bits(r), fpu.NX, true
	}
	return math.Float32bits(r), 0, true
}

// fmaSRNE is fmadd.s (with operands' signs flipped: the other three) in RNE. The
// product of two binary32 values is exact in binary64, so the result is the binary64
// sum d rounded to binary32. That double rounding is a correct single rounding unless
// d fell exactly on a midpoint between two binary32 values while the sum was inexact
// (a midpoint is itself a binary64 value: had the exact sum been on the other side of
// it, d would have been the midpoint or beyond): that rare case goes to fpu. Unlike
// fpu's round-to-odd, nothing here puts the error term or an unpredictable branch on
// the path of the result, which is what a chain of dependent guest operations waits
// for.
func fmaSRNE(a, b, c uint32) (uint32, fpu.Flags, bool) {
	p := float64(f32of(a) * f32of(b)) // exact; the conversion forbids fusing
	z := f32of(c)
	d := p + z
	r := float32(d)
	r64 := float64(r)
	if t := math.Abs(r64); !(t < fastHiS && t > minNrmS) {
		return 0, 0, false
	}
	bb := d - p
	if err := (p - (d - bb)) + (z - bb); err != 0 {
		// r is normal, so d is in a binade of normal binary32 values, whose
		// midpoints have the 29 low bits of d's significand 1 followed by zeros.
		if math.Float64bits(d)&(1<<29-1) == 1<<28 {
			return 0, 0, false
		}
		return math.Float32bits(r), fpu.NX, true
	}
	if r64 != d {
		return math.Float32bits(r), fpu.NX, true
	}
	return math.Float32bits(r), 0, true
}

// addDRNE is fadd.d (fsub.d) in RNE: twoSum gives the exact error of the host's sum.
func addDRNE(a, b uint64) (uint64, fpu.Flags, bool) {
	x, y := math.Float64frombits(a), math.Float64frombits(b)
	s := x + y
	if !(math.Abs(s) < fastHiD) || s == 0 {
		return 0, 0, false
	}
	bb := s - x
	err := (x - (s - bb)) + (y - bb)
	if err != 0 {
		if !(math.Abs(err) < fastHiD) {
			return 0, 0, false
		}
		return math.Float64bits(s), fpu.NX, true
	}
	return math.Float64bits(s), 0, true
}

// mulDRNE is fmul.d in RNE: the FMA residue x*y - p is exact inside the window.
func mulDRNE(a, b uint64) (uint64, fpu.Flags, bool) {
	x, y := math.Float64frombits(a), math.Float64frombits(b)
	p := x * y
	if t := math.Abs(p); !(t < fastHiD && t > fastLoD) {
		return 0, 0, false
	}
	if math.FMA(x, y, -p) != 0 {
		return math.Float64bits(p), fpu.NX, true
	}
	return math.Float64bits(p), 0, true
}

// fmaDRNE is fmadd.d (with operands' signs flipped: the other three) in RNE. The
// host's math.FMA rounds once, as the guest's instruction does; what is left is the
// inexact flag, that is whether a*b+c - r is zero. ErrFma (Boldo and Muller, "Exact
// and Approximated Error of the FMA", IEEE Transactions on Computers, 2011) gives that
// error exactly as γ + α2 from error-free transformations (the product's exact low part
// u2, two 2Sums) as long as nothing overflows or underflows, which the window
// guarantees; a sum rounds to zero only when it is zero.
func fmaDRNE(a, b, c uint64) (uint64, fpu.Flags, bool) {
	x, y, z := math.Float64frombits(a), math.Float64frombits(b), math.Float64frombits(c)
	u1 := float64(x * y) // the conversion forbids fusing it with what follows
	r := math.FMA(x, y, z)
	if t := math.Abs(u1); !(t < fastHiD && t > fastLoD) {
		return 0, 0, false
	}
	if t := math.Abs(r); !(t < fastHiD && t > fastLoD) || !(math.Abs(z) < fastHiD) {
		return 0, 0, false
	}
	u2 := math.FMA(x, y, -u1) // x*y = u1 + u2 exactly
	// (α1, α2) = 2Sum(z, u2)
	a1 := z + u2
	bb := a1 - z
	a2 := (z - (a1 - bb)) + (u2 - bb)
	// (β1, β2) = 2Sum(u1, α1)
	b1 := u1 + a1
	bb = b1 - u1
	b2 := (u1 - (b1 - bb)) + (a1 - bb)
	g := (b1 - r) + b2
	if g+a2 != 0 {
		return math.Float64bits(r), fpu.NX, true
	}
	return math.Float64bits(r), 0, true
}
