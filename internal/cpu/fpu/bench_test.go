package fpu

import (
	"math"
	"math/rand"
	"testing"
)

var (
	sink64 uint64
	sink32 uint32
	sinkFl Flags
)

// benchOperands returns ordinary operands (as a program would see them).
func benchOperands() (xs []uint64, ys []uint32) {
	r := rand.New(rand.NewSource(1))
	xs = make([]uint64, 1024)
	ys = make([]uint32, 1024)
	for i := range xs {
		v := (r.Float64()*2 - 1) * math.Ldexp(1, r.Intn(40)-20)
		xs[i] = math.Float64bits(v)
		ys[i] = math.Float32bits(float32(v))
	}
	return
}

func bench2x64(b *testing.B, f func(a, b uint64, rm RM) (uint64, Flags), rm RM) {
	xs, _ := benchOperands()
	var acc uint64
	var fl Flags
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, f1 := f(xs[i&1023], xs[(i+7)&1023], rm)
		acc ^= r
		fl |= f1
	}
	sink64, sinkFl = acc, fl
}

func bench3x64(b *testing.B, f func(a, b, c uint64, rm RM) (uint64, Flags), rm RM) {
	xs, _ := benchOperands()
	var acc uint64
	var fl Flags
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, f1 := f(xs[i&1023], xs[(i+7)&1023], xs[(i+13)&1023], rm)
		acc ^= r
		fl |= f1
	}
	sink64, sinkFl = acc, fl
}

func bench2x32(b *testing.B, f func(a, b uint32, rm RM) (uint32, Flags), rm RM) {
	_, ys := benchOperands()
	var acc uint32
	var fl Flags
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, f1 := f(ys[i&1023], ys[(i+7)&1023], rm)
		acc ^= r
		fl |= f1
	}
	sink32, sinkFl = acc, fl
}

func BenchmarkAdd64RNE(b *testing.B)    { bench2x64(b, Add64, RNE) }
func BenchmarkAdd64RTZ(b *testing.B)    { bench2x64(b, Add64, RTZ) }
func BenchmarkAdd64RMM(b *testing.B)    { bench2x64(b, Add64, RMM) }
func BenchmarkMul64RNE(b *testing.B)    { bench2x64(b, Mul64, RNE) }
func BenchmarkMul64RUP(b *testing.B)    { bench2x64(b, Mul64, RUP) }
func BenchmarkDiv64RNE(b *testing.B)    { bench2x64(b, Div64, RNE) }
func BenchmarkMulAdd64RNE(b *testing.B) { bench3x64(b, MulAdd64, RNE) }
func BenchmarkMulAdd64RDN(b *testing.B) { bench3x64(b, MulAdd64, RDN) }
func BenchmarkMulAdd64RMM(b *testing.B) { bench3x64(b, MulAdd64, RMM) }
func BenchmarkAdd32RNE(b *testing.B)    { bench2x32(b, Add32, RNE) }
func BenchmarkMul32RNE(b *testing.B)    { bench2x32(b, Mul32, RNE) }
func BenchmarkDiv32RNE(b *testing.B)    { bench2x32(b, Div32, RNE) }

func BenchmarkSqrt64RNE(b *testing.B) {
	xs, _ := benchOperands()
	var acc uint64
	for i := 0; i < b.N; i++ {
		r, _ := Sqrt64(xs[i&1023]&^(1<<63), RNE)
		acc ^= r
	}
	sink64 = acc
}

func BenchmarkMulAdd32RNE(b *testing.B) {
	_, ys := benchOperands()
	var acc uint32
	for i := 0; i < b.N; i++ {
		r, _ := MulAdd32(ys[i&1023], ys[(i+7)&1023], ys[(i+13)&1023], RNE)
		acc ^= r
	}
	sink32 = acc
}

func BenchmarkF64ToI64RTZ(b *testing.B) {
	xs, _ := benchOperands()
	var acc uint64
	for i := 0; i < b.N; i++ {
		r, _ := F64ToI64(xs[i&1023], RTZ)
		acc ^= r
	}
	sink64 = acc
}

func BenchmarkF64ToI32RTZ(b *testing.B) {
	xs, _ := benchOperands()
	var acc uint64
	for i := 0; i < b.N; i++ {
		r, _ := F64ToI32(xs[i&1023], RTZ)
		acc ^= r
	}
	sink64 = acc
}

// The exact software paths, for comparison (subnormal results).
func BenchmarkMul64Subnormal(b *testing.B) {
	var acc uint64
	for i := 0; i < b.N; i++ {
		r, _ := Mul64(0x0010000000000001+uint64(i&255), 0x3fd0000000000001, RNE)
		acc ^= r
	}
	sink64 = acc
}

func BenchmarkMulAdd64Slow(b *testing.B) {
	var acc uint64
	for i := 0; i < b.N; i++ {
		r, _ := MulAdd64(0x0010000000000001+uint64(i&255), 0x3fd0000000000001, 0x0000000000000003, RNE)
		acc ^= r
	}
	sink64 = acc
}
