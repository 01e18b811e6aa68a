package cpu

import (
	"encoding/binary"
	"testing"

	"weft/internal/mm"
)

// TestDebugBreaksAndWatch checks, on every engine, that a run ends before an
// instruction at a breakpoint (Hart.Breaks) with StopBudget and exactly the
// instructions before it retired, except at the run's first instruction; and that a
// store to a watched page (Hart.DebugWatch) stops before it with a Watched fault and
// nothing of it done, every time (the page stays out of the TLB), until passed.
func TestDebugBreaksAndWatch(t *testing.T) {
	addr := uint64(fuzzStackTop - 256)
	words := []uint32{
		asmI(ADDI, 5, 5, 1),  // 0
		asmI(ADDI, 6, 6, 1),  // 4
		asmS(SD, 5, 8, 0),    // 8: store x5 at x8
		asmI(ADDI, 7, 7, 1),  // 12
		asmB(BEQ, 0, 0, -16), // 16: loop
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
		h.Breaks = []uint64{fuzzCodeBase + 12}
		if s := h.Run(100); s.Reason != StopBudget || s.PC != fuzzCodeBase+12 || h.Retired != 3 {
			t.Fatalf("%s: break: %v at 0x%x, retired %d; want budget at +12, 3", e.Name(), s.Reason, s.PC, h.Retired)
		}
		// The run's first instruction is not stopped at: once round the loop.
		if s := h.Run(100); s.Reason != StopBudget || s.PC != fuzzCodeBase+12 || h.Retired != 8 {
			t.Fatalf("%s: break again: %v at 0x%x, retired %d; want budget at +12, 8", e.Name(), s.Reason, s.PC, h.Retired)
		}
		// A breakpoint past the budget's end changes nothing.
		h.Breaks = []uint64{fuzzCodeBase + 4}
		if s := h.Run(1); s.Reason != StopBudget || s.PC != fuzzCodeBase+16 || h.Retired != 9 {
			t.Fatalf("%s: one instruction: %v at 0x%x, retired %d; want budget at +16, 9", e.Name(), s.Reason, s.PC, h.Retired)
		}
		h.Breaks = nil
		pass, asked := false, 0
		h.DebugWatch = func(a uint64, acc mm.Access) (bool, bool) {
			asked++
			return a>>mm.PageShift == addr>>mm.PageShift && acc == mm.Store, pass
		}
		h.mem.Gen++ // drop the cached translation, as a debugger setting a watch does
		for i := 0; i < 2; i++ {
			s := h.Run(100)
			if s.Reason != StopFault || s.Fault.Kind != mm.Watched || s.PC != fuzzCodeBase+8 || h.Retired != uint64(12+5*i) {
				t.Fatalf("%s: watch %d: %v (%v) at 0x%x, retired %d", e.Name(), i, s.Reason, s.Fault.Kind, s.PC, h.Retired)
			}
			pass = true
			if s := h.Run(1); s.Reason != StopBudget || h.Retired != uint64(13+5*i) {
				t.Fatalf("%s: passed store: %v, retired %d", e.Name(), s.Reason, h.Retired)
			}
			pass = false
		}
		if got, _ := h.load(addr, 8); got != h.x[5] {
			t.Errorf("%s: the passed store wrote %d, want %d", e.Name(), got, h.x[5])
		}
	}
}

// TestDebugBreakAfterJump: the block engine follows a jump within the page into the
// same block; a breakpoint past the jump, before the block's first address, still ends
// the run there, on every engine.
func TestDebugBreakAfterJump(t *testing.T) {
	words := []uint32{
		asmI(ADDI, 5, 5, 1), // 0
		asmI(ADDI, 6, 6, 1), // 4: the breakpoint, reached by the jump
		asmI(ADDI, 7, 7, 1), // 8
		asmJAL(0, -8),       // 12: to 4
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
		h.pc = fuzzCodeBase + 8
		h.Breaks = []uint64{fuzzCodeBase + 4}
		// A breakpoint past the budget's end changes nothing.
		if s := h.Run(1); s.Reason != StopBudget || s.PC != fuzzCodeBase+12 || h.Retired != 1 {
			t.Fatalf("%s: one instruction: %v at 0x%x, retired %d; want budget at +12, 1", e.Name(), s.Reason, s.PC, h.Retired)
		}
		if s := h.Run(100); s.Reason != StopBudget || s.PC != fuzzCodeBase+4 || h.Retired != 2 {
			t.Fatalf("%s: %v at 0x%x, retired %d; want budget at +4, 2", e.Name(), s.Reason, s.PC, h.Retired)
		}
	}
}
