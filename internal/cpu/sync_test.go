package cpu

import (
	"encoding/binary"
	"testing"

	"weft/internal/mm"
)

// TestSyncPoints checks that with SyncPoints on, every engine stops before each AMO, LR
// and fence (not SC), reports the AMO's address, retires nothing of the stopped
// instruction, and executes it when the next run starts there with PassPoint; and that
// with them off nothing stops.
func TestSyncPoints(t *testing.T) {
	addr := uint64(fuzzStackTop - 256)
	words := []uint32{
		asmI(ADDI, 5, 0, 1),       // 0
		asmAMO(AMOADD_D, 6, 5, 8), // 4: x8 points into the stack
		asmI(ADDI, 7, 0, 2),       // 8
		encode(Inst{Op: FENCE}),   // 12
		asmAMO(LR_D, 9, 0, 8),     // 16
		asmAMO(SC_D, 10, 5, 8),    // 20
		asmI(ADDI, 11, 0, 3),      // 24
		asmB(BEQ, 0, 0, -28),      // 28: back to the AMO: the loop passes its point again
	}
	code := make([]byte, 4*len(words))
	for i, w := range words {
		binary.LittleEndian.PutUint32(code[4*i:], w)
	}
	for _, e := range Engines() {
		saved := DefaultEngine
		DefaultEngine = e
		_, h := fuzzMachine(t, code, mm.PermRead|mm.PermExec)
		DefaultEngine = saved
		h.x[8] = addr
		h.SyncPoints = true
		type want struct {
			pc, retired, addr uint64
		}
		wants := []want{
			{fuzzCodeBase + 4, 1, addr},  // the AMO
			{fuzzCodeBase + 12, 3, 0},    // the fence
			{fuzzCodeBase + 16, 4, addr}, // the LR; the SC runs on
			{fuzzCodeBase + 4, 9, addr},  // the AMO again, after the loop
		}
		if s := h.Run(100); s.Reason != StopSync || s.PC != fuzzCodeBase+4 || h.Retired != 1 {
			t.Fatalf("%s: first stop %v at 0x%x, retired %d", e.Name(), s.Reason, s.PC, h.Retired)
		}
		if s := h.Run(100); s.Reason != StopSync || s.PC != fuzzCodeBase+4 || h.Retired != 1 {
			t.Fatalf("%s: without PassPoint the run stops at once again: got %v at 0x%x, retired %d", e.Name(), s.Reason, s.PC, h.Retired)
		}
		h.PassPoint = true
		for i, w := range wants[1:] {
			s := h.Run(100)
			if s.Reason != StopSync || s.PC != w.pc || h.Retired != w.retired || s.Addr != w.addr {
				t.Fatalf("%s: stop %d = %v at 0x%x (addr 0x%x), retired %d; want sync at 0x%x (addr 0x%x), retired %d",
					e.Name(), i, s.Reason, s.PC, s.Addr, h.Retired, w.pc, w.addr, w.retired)
			}
		}
		if h.x[10] != 0 {
			t.Errorf("%s: SC failed: x10 = %d", e.Name(), h.x[10])
		}
		h.SyncPoints = false
		if s := h.Run(100); s.Reason != StopBudget || h.Retired != 109 {
			t.Errorf("%s: without sync points: stop %v, retired %d; want budget, 109", e.Name(), s.Reason, h.Retired)
		}
	}
}
