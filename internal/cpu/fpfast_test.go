package cpu

import (
	"math"
	"math/rand"
	"testing"

	"weft/internal/cpu/fpu"
)

// fastOperands32 returns binary32 bit patterns that exercise the fast paths' windows:
// random values, values of nearby magnitudes (cancellation), and edges (zeros,
// subnormals, the largest values, infinities, NaNs).
func fastOperands32(r *rand.Rand) uint32 {
	edges := []uint32{0, 1 << 31, 1, 0x007fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x7f800000,
		0xff800000, 0x7fc00000, 0x7f800001, 0x3f800000, 0xbf800000, 0x34000000, 0x0c800000}
	switch r.Intn(4) {
	case 0:
		return edges[r.Intn(len(edges))]
	case 1:
		return r.Uint32()
	default: // ordinary magnitudes, often with few mantissa bits
		e := uint32(127 + r.Intn(60) - 30)
		m := r.Uint32() & 0x7fffff
		if r.Intn(2) == 0 {
			m &= 0x7f0000
		}
		return uint32(r.Intn(2))<<31 | e<<23 | m
	}
}

func fastOperands64(r *rand.Rand) uint64 {
	edges := []uint64{0, 1 << 63, 1, 0x000fffffffffffff, 0x0010000000000000, 0x7fefffffffffffff,
		0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001,
		0x3ff0000000000000, 0xbff0000000000000, math.Float64bits(0x1p1020), math.Float64bits(0x1p-960),
		math.Float64bits(0x1p-1000), math.Float64bits(0x1p1019)}
	switch r.Intn(4) {
	case 0:
		return edges[r.Intn(len(edges))]
	case 1:
		return r.Uint64()
	default:
		e := uint64(1023 + r.Intn(200) - 100)
		m := r.Uint64() & (1<<52 - 1)
		if r.Intn(2) == 0 {
			m &= 0xfff << 40
		}
		return uint64(r.Intn(2))<<63 | e<<52 | m
	}
}

// TestFastRNE checks that every answer of the RNE fast paths is fpu's, bit for bit and
// flag for flag, and that they do answer for ordinary operands.
func TestFastRNE(t *testing.T) {
	r := rand.New(rand.NewSource(14))
	var answered [6]int
	const n = 400000
	for i := 0; i < n; i++ {
		a, b, c := fastOperands32(r), fastOperands32(r), fastOperands32(r)
		if i%3 == 0 { // near-cancellation: b close to -a
			b = a ^ 1<<31 + uint32(r.Intn(5)) - 2
		}
		if v, fl, ok := addSRNE(a, b); ok {
			answered[0]++
			if wv, wfl := fpu.Add32(a, b, fpu.RNE); v != wv || fl != wfl {
				t.Fatalf("fadd.s %#x %#x: fast %#x %v, fpu %#x %v", a, b, v, fl, wv, wfl)
			}
		}
		if v, fl, ok := mulSRNE(a, b); ok {
			answered[1]++
			if wv, wfl := fpu.Mul32(a, b, fpu.RNE); v != wv || fl != wfl {
				t.Fatalf("fmul.s %#x %#x: fast %#x %v, fpu %#x %v", a, b, v, fl, wv, wfl)
			}
		}
		if v, fl, ok := fmaSRNE(a, b, c); ok {
			answered[2]++
			if wv, wfl := fpu.MulAdd32(a, b, c, fpu.RNE); v != wv || fl != wfl {
				t.Fatalf("fmadd.s %#x %#x %#x: fast %#x %v, fpu %#x %v", a, b, c, v, fl, wv, wfl)
			}
		}
		x, y := fastOperands64(r), fastOperands64(r)
		if i%3 == 0 {
			y = x ^ 1<<63 + uint64(r.Intn(5)) - 2
		}
		if v, fl, ok := addDRNE(x, y); ok {
			answered[3]++
			if wv, wfl := fpu.Add64(x, y, fpu.RNE); v != wv || fl != wfl {
				t.Fatalf("fadd.d %#x %#x: fast %#x %v, fpu %#x %v", x, y, v, fl, wv, wfl)
			}
		}
		if v, fl, ok := mulDRNE(x, y); ok {
			answered[4]++
			if wv, wfl := fpu.Mul64(x, y, fpu.RNE); v != wv || fl != wfl {
				t.Fatalf("fmul.d %#x %#x: fast %#x %v, fpu %#x %v", x, y, v, fl, wv, wfl)
			}
		}
		// fmadd.d: z random, or cancelling the product (to its rounding, give or
		// take a few units in the last place, or exactly), or small next to it.
		x, y = fastOperands64(r), fastOperands64(r)
		z := fastOperands64(r)
		p := math.Float64frombits(x) * math.Float64frombits(y)
		switch i % 4 {
		case 1:
			z = math.Float64bits(-p) + uint64(r.Intn(5)) - 2
		case 2:
			z = math.Float64bits(-p)
		case 3:
			z = math.Float64bits(p * math.Ldexp(1, -r.Intn(120)))
		}
		if v, fl, ok := fmaDRNE(x, y, z); ok {
			answered[5]++
			if wv, wfl := fpu.MulAdd64(x, y, z, fpu.RNE); v != wv || fl != wfl {
				t.Fatalf("fmadd.d %#x %#x %#x: fast %#x %v, fpu %#x %v", x, y, z, v, fl, wv, wfl)
			}
		}
	}
	for i, k := range answered {
		if k < n/4 {
			t.Errorf("fast path %d answered only %d of %d", i, k, n)
		}
	}
}

// TestFastFMAMidpoint is the case fmaSRNE must leave to fpu: a*b+c rounds in binary64
// to a midpoint between two binary32 values, from below, so rounding that midpoint to
// even would go up. (1+2^-23)·2^-12 × (1-2^-23)·2^-12 = 2^-24 - 2^-70, plus 1+2^-23.
func TestFastFMAMidpoint(t *testing.T) {
	a := math.Float32bits(float32(1+0x1p-23) * 0x1p-12)
	b := math.Float32bits(float32(1-0x1p-23) * 0x1p-12)
	c := uint32(0x3f800001)
	want, wfl := fpu.MulAdd32(a, b, c, fpu.RNE)
	if want != 0x3f800001 || wfl != fpu.NX {
		t.Fatalf("fpu: %#x %v, want 0x3f800001 NX", want, wfl)
	}
	if v, fl, ok := fmaSRNE(a, b, c); ok {
		t.Errorf("fast path answered %#x %v for a double-rounding midpoint", v, fl)
	}
}
