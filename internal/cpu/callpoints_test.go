package cpu

import (
	"encoding/binary"
	"testing"

	"weft/internal/mm"
)

// TestCallPoints checks that the interpreter stops before a call point reached by a
// jump or at a run's start, not retiring it, and runs past it with PassPoint.
func TestCallPoints(t *testing.T) {
	words := []uint32{
		asmI(ADDI, 5, 0, 1), // 0
		asmJAL(1, 8),        // 4: call 12
		asmI(ADDI, 6, 6, 1), // 8: the return address
		asmI(ADDI, 7, 7, 1), // 12: the "function", also reached by falling through
		asmI(JALR, 0, 1, 0), // 16: return to 8
	}
	code := make([]byte, 4*len(words))
	for i, w := range words {
		binary.LittleEndian.PutUint32(code[4*i:], w)
	}
	saved := DefaultEngine
	DefaultEngine = Interpreter
	_, h := fuzzMachine(t, code, mm.PermRead|mm.PermExec)
	DefaultEngine = saved
	h.CallPoints = map[uint64]bool{fuzzCodeBase + 12: true, fuzzCodeBase + 8: true}
	type want struct{ pc, retired uint64 }
	steps := []struct {
		pass bool
		want
	}{
		{false, want{fuzzCodeBase + 12, 2}}, // the jal's target
		{false, want{fuzzCodeBase + 12, 2}}, // without PassPoint it stops there at once
		{true, want{fuzzCodeBase + 8, 4}},   // the return
		{true, want{fuzzCodeBase + 8, 7}},   // 12 reached by falling through is no stop
	}
	for i, s := range steps {
		h.PassPoint = s.pass
		st := h.Run(100)
		if st.Reason != StopCall || st.PC != s.pc || h.Retired != s.retired {
			t.Fatalf("run %d: %v at 0x%x, retired %d; want call at 0x%x, retired %d", i, st.Reason, st.PC, h.Retired, s.pc, s.retired)
		}
	}
	if h.x[5] != 1 || h.x[6] != 1 || h.x[7] != 2 {
		t.Errorf("x5, x6, x7 = %d, %d, %d; want 1, 1, 2", h.x[5], h.x[6], h.x[7])
	}
	h.CallPoints = nil
	h.PassPoint = false
	if st := h.Run(10); st.Reason != StopBudget || h.Retired != 17 {
		t.Errorf("without call points: %v, retired %d; want budget, 17", st.Reason, h.Retired)
	}
}
