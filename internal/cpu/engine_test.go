package cpu

import (
	"math/rand/v2"
	"testing"

	"weft/internal/mm"
)

// runOn runs code on a fresh machine with engine e: once with the whole budget, or in
// steps of step instructions (budgets that end inside blocks), and returns the last stop,
// the registers, the retired count and the stack.
func runOn(t *testing.T, e Engine, code []byte, budget, step uint64) (Stop, Context, uint64, []byte) {
	saved := DefaultEngine
	DefaultEngine = e
	as, h := fuzzMachine(t, code, mm.PermRead|mm.PermExec)
	DefaultEngine = saved
	var s Stop
	for h.Retired < budget {
		if s = h.Run(min(step, budget-h.Retired)); s.Reason != StopBudget {
			break
		}
	}
	var c Context
	h.Save(&c)
	m := make([]byte, 2*mm.PageSize)
	if err := as.ReadAt(m, fuzzStackTop-2*mm.PageSize); err != nil {
		t.Fatal(err)
	}
	return s, c, h.Retired, m
}

// checkEngines runs code on every engine, whole and in steps, and requires the
// reference interpreter's results from all of them.
func checkEngines(t *testing.T, code []byte) {
	t.Helper()
	const budget = 3000
	rs, rc, rn, rm := runOn(t, Interpreter, code, budget, budget)
	for _, e := range Engines()[1:] {
		for _, step := range []uint64{budget, 1, 3, 7} {
			s, c, n, m := runOn(t, e, code, budget, step)
			if s != rs || c != rc || n != rn || string(m) != string(rm) {
				if debugEngines {
					for a := 0; a+2 <= len(code); {
						lo := uint16(code[a]) | uint16(code[a+1])<<8
						w := uint32(lo)
						if InstLen(lo) == 4 && a+4 <= len(code) {
							w |= uint32(code[a+2])<<16 | uint32(code[a+3])<<24
						}
						t.Logf("0x%x: %v", fuzzCodeBase+a, Decode(w))
						a += InstLen(lo)
					}
				}
				t.Fatalf("%s in steps of %d: stop %+v, retired %d, ctx %+v\ninterp: stop %+v, retired %d, ctx %+v (stacks equal: %v)",
					e.Name(), step, s, n, c, rs, rn, rc, string(m) == string(rm))
			}
		}
	}
}

// debugEngines makes checkEngines list the program it fails on.
const debugEngines = true

// TestEnginesAgree runs random programs built from the instructions the block engine
// specialises and fuses (shifts and adds, moves, constants, indexed and global loads,
// stores, counted branches, calls and returns) on every engine.
func TestEnginesAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	reg := func() uint8 { return uint8(1 + rng.IntN(15)) }
	base := func() uint8 { return uint8(8 + rng.IntN(8)) } // x8-x15 point into the stack
	for prog := 0; prog < 300; prog++ {
		var words []uint32
		n := 8 + rng.IntN(40)
		for i := 0; i < n; i++ {
			r := reg()
			switch rng.IntN(14) {
			case 0:
				words = append(words, asmI(SLLI, r, reg(), int64(rng.IntN(4))), asmR(ADD, r, r, reg()))
			case 1:
				words = append(words, asmI(ADDI, r, reg(), int64(rng.IntN(64))-32), asmR(ADD, r, reg(), r))
			case 2:
				words = append(words, asmI(ADDI, r, reg(), 0), asmI(ADDI, reg(), reg(), 0))
			case 3:
				// An indexed load: x7 is a small index.
				words = append(words, asmI(ADDI, 7, 0, int64(rng.IntN(8))*8), asmR(ADD, r, base(), 7),
					asmI([]Op{LD, LW, LWU, LBU}[rng.IntN(4)], reg(), r, int64(rng.IntN(8))*8))
			case 4:
				// A global: an address in the stack built from lui/addi, then a load.
				words = append(words, asmU(LUI, r, int64(fuzzStackTop-mm.PageSize)), asmI(ADDI, r, r, 16),
					asmI([]Op{LD, LW}[rng.IntN(2)], reg(), r, int64(rng.IntN(8))*8))
			case 5:
				words = append(words, asmU(AUIPC, r, 0), asmI(ADDI, r, r, int64(rng.IntN(32))*2))
			case 6:
				words = append(words, asmS(SD, reg(), base(), int64(rng.IntN(8))*8))
			case 7:
				words = append(words, asmI(ADDIW, r, reg(), int64(rng.IntN(16))-8))
			case 8:
				// A counted loop: addi then a branch back over it.
				words = append(words, asmI(ADDI, 5, 0, int64(1+rng.IntN(5))), asmI(ADDI, 6, 6, 1),
					asmI(ADDI, 5, 5, -1), asmB(BNE, 5, 0, -4))
			case 9:
				words = append(words, asmI(ADDI, r, r, 1), asmB([]Op{BEQ, BNE, BLT, BGE, BLTU, BGEU}[rng.IntN(6)], r, reg(), 8), asmI(ADDI, reg(), reg(), 3))
			case 10:
				// A call to the next instruction but one, which returns.
				words = append(words, asmJAL(1, 8), asmJAL(0, 8), asmI(JALR, 0, 1, 0))
			case 11:
				words = append(words, asmR([]Op{MUL, XOR, SUB, SLTU, SRL}[rng.IntN(5)], r, reg(), reg()))
			case 12:
				words = append(words, asmI(ADDI, r, 0, int64(rng.IntN(2048))), asmI(ADDIW, r, r, -5))
			default:
				words = append(words, asmU(LUI, r, int64(rng.IntN(1<<19))<<12), asmI(ADDI, r, r, int64(rng.IntN(4096))-2048))
			}
		}
		words = append(words, uint32(ecall))
		checkEngines(t, assembleWords(words))
	}
}

func assembleWords(ws []uint32) []byte {
	parts := make([]any, len(ws))
	for i, w := range ws {
		parts[i] = w
	}
	return assemble(parts...)
}

// FuzzEngines runs random code on every engine (go test -fuzz FuzzEngines).
func FuzzEngines(f *testing.F) {
	f.Add(assembleWords([]uint32{asmI(SLLI, 5, 6, 3), asmR(ADD, 5, 5, 7), uint32(ecall)}))
	f.Fuzz(func(t *testing.T, code []byte) { checkEngines(t, code) })
}

// TestCodeCacheBounded runs code on many pages, each once, on every engine, with the
// code cache's bounds lowered: the cache evicts its oldest pages and stays within them,
// and evicted code still runs correctly when it runs again.
func TestCodeCacheBounded(t *testing.T) {
	savedBytes, savedPages := maxCodeBytes, maxCodePages
	defer func() { maxCodeBytes, maxCodePages = savedBytes, savedPages }()
	maxCodeBytes, maxCodePages = 256<<10, 16
	const pages = 64
	for _, e := range Engines() {
		as := mm.New(&mm.Pool{})
		if err := as.Map(codeBase, pages*mm.PageSize, mm.PermRead|mm.PermExec, false, ""); err != nil {
			t.Fatal(err)
		}
		// Each page adds 1 to x5 and jumps to the next page; the last one ecalls.
		for p := uint64(0); p < pages; p++ {
			next := asmJAL(0, mm.PageSize-4)
			if p == pages-1 {
				next = uint32(ecall)
			}
			if err := as.Poke(codeBase+p*mm.PageSize, assembleWords([]uint32{asmI(ADDI, 5, 5, 1), next})); err != nil {
				t.Fatal(err)
			}
		}
		bus := Bus{Engine: e}
		h := bus.NewHart()
		for round := 0; round < 2; round++ {
			h.Load(&Context{PC: codeBase}, as)
			s := h.Run(10 * pages)
			var c Context
			h.Save(&c)
			if s.Reason != StopEcall || c.X[5] != pages {
				t.Fatalf("%s round %d: %v at 0x%x, x5=%d; want an ecall with x5=%d", e.Name(), round, s.Reason, s.PC, c.X[5], pages)
			}
			if bus.code.live > maxCodePages || bus.CodeBytes() > maxCodeBytes && bus.code.live > 1 {
				t.Errorf("%s: %d pages, %d bytes of decoded code; bounds %d pages, %d bytes",
					e.Name(), bus.code.live, bus.CodeBytes(), maxCodePages, maxCodeBytes)
			}
		}
		if bus.code.evicted == 0 {
			t.Errorf("%s: nothing was evicted", e.Name())
		}
	}
}

// TestRewrittenCodeBounded rewrites and runs the same page of code many times (as a JIT
// does): every engine runs the new code each time, and the code cache does not keep the
// stale pages.
func TestRewrittenCodeBounded(t *testing.T) {
	for _, e := range Engines() {
		as := mm.New(&mm.Pool{})
		if err := as.Map(codeBase, mm.PageSize, mm.PermRead|mm.PermWrite|mm.PermExec, false, ""); err != nil {
			t.Fatal(err)
		}
		bus := Bus{Engine: e}
		h := bus.NewHart()
		for i := int64(0); i < 2000; i++ {
			// The kernel's write (as by a syscall) invalidates the decoded page.
			if err := as.WriteAt(assembleWords([]uint32{asmI(ADDI, 5, 0, i%1000), uint32(ecall)}), codeBase); err != nil {
				t.Fatal(err)
			}
			h.Load(&Context{PC: codeBase}, as)
			if s := h.Run(10); s.Reason != StopEcall {
				t.Fatalf("%s: %v at 0x%x", e.Name(), s.Reason, s.PC)
			}
			var c Context
			h.Save(&c)
			if c.X[5] != uint64(i%1000) {
				t.Fatalf("%s, round %d: x5 = %d, the stale code ran", e.Name(), i, c.X[5])
			}
		}
		if n := len(bus.code.pages) - bus.code.head; n > 2*bus.code.live+64 {
			t.Errorf("%s: the code cache holds %d pages, %d of them valid", e.Name(), n, bus.code.live)
		}
	}
}
