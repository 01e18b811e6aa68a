package cpu

import (
	"testing"

	"weft/internal/mm"
)

// TestTLBTagAlias checks that an address above the guest's address bits never hits the
// TLB entry of the page below: a TLB key is the page number with the set's epoch above
// it, and an address whose high bits equal that epoch must still fault (as on Linux,
// where such an address is not mapped), on every engine, for loads, stores and fetches.
func TestTLBTagAlias(t *testing.T) {
	for _, e := range Engines() {
		for _, kind := range []string{"load", "store", "fetch"} {
			code := assembleWords([]uint32{
				asmI(LD, 6, 8, 0),   // fills the read TLB (and the write TLB for a store)
				asmS(SD, 6, 8, 0),   //
				asmI(LD, 7, 9, 0),   // load through the alias
				asmS(SD, 7, 9, 0),   // store through the alias
				asmI(JALR, 0, 9, 0), // jump to the alias
			})
			saved := DefaultEngine
			DefaultEngine = e
			_, h := fuzzMachine(t, code, mm.PermRead|mm.PermExec)
			DefaultEngine = saved
			if s := h.Run(2); s.Reason != StopBudget {
				t.Fatalf("%s: first run: %+v", e.Name(), s)
			}
			var start, tag uint64
			switch kind {
			case "load":
				start, tag = fuzzCodeBase+8, h.tlb.tag
				h.x[9] = h.x[8] | tag<<mm.PageShift
			case "store":
				start, tag = fuzzCodeBase+12, h.tlb.wtag
				h.x[9] = h.x[8] | tag<<mm.PageShift
			case "fetch":
				start, tag = fuzzCodeBase+16, h.tlb.tag
				h.x[9] = fuzzCodeBase | tag<<mm.PageShift
			}
			if tag == 0 {
				t.Fatalf("%s: no epoch yet", e.Name())
			}
			h.pc = start
			s := h.Run(10)
			if s.Reason != StopFault || s.Fault.Addr != h.x[9] {
				t.Errorf("%s %s at %#x: got %+v, want a fault", e.Name(), kind, h.x[9], s)
			}
		}
	}
}
