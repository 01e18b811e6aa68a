package cpu

import (
	"encoding/binary"
	"testing"

	"weft/internal/mm"
)

// BenchmarkLoop runs a loop of loads, stores, an AMO and arithmetic on each engine, with
// scheduling points off: what weft run executes. It measures that the points cost
// nothing when they are off (compare with a build before them).
func BenchmarkLoop(b *testing.B) { benchLoop(b, 7000) }

// BenchmarkStep1 runs the same loop one instruction per Run, as the kernel does at
// --step 1: what entering and leaving an engine costs.
func BenchmarkStep1(b *testing.B) { benchLoop(b, 1) }

// benchLoop runs BenchmarkLoop's loop on each engine, n instructions per Run.
func benchLoop(b *testing.B, n uint64) {
	words := []uint32{
		asmI(ADDI, 5, 0, 1),
		asmI(LD, 6, 8, 0),
		asmR(ADD, 6, 6, 5),
		asmS(SD, 6, 8, 0),
		asmAMO(AMOADD_D, 7, 5, 9),
		asmI(ADDI, 10, 10, 1),
		asmB(BNE, 10, 0, -24),
	}
	code := make([]byte, 4*len(words))
	for i, w := range words {
		binary.LittleEndian.PutUint32(code[4*i:], w)
	}
	for _, e := range Engines() {
		b.Run(e.Name(), func(b *testing.B) {
			saved := DefaultEngine
			DefaultEngine = e
			_, h := fuzzMachine(&testing.T{}, code, mm.PermRead|mm.PermExec)
			DefaultEngine = saved
			h.x[8], h.x[9] = fuzzStackTop-256, fuzzStackTop-512
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h.Run(n)
			}
			b.ReportMetric(float64(b.N)*float64(n)/b.Elapsed().Seconds()/1e6, "MIPS")
		})
	}
}
