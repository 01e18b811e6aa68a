package cpu

import (
	"encoding/binary"
	"testing"

	"weft/internal/mm"
)

// FuzzDecode: Decode never panics; Len is 2 for compressed encodings (low bits != 11)
// and 4 otherwise; the result is ILLEGAL or a real op with a mnemonic; register fields
// are in range; a compressed decode ignores the upper half-word; and a valid 32-bit
// decode re-encodes to an instruction that decodes the same way.
func FuzzDecode(f *testing.F) {
	if cases, err := readGolden(); err == nil {
		for _, c := range cases {
			f.Add(c.bits)
		}
	}
	for _, b := range []uint32{0, 0xffffffff, 0x00000073, 0x8330000f, 0x9002, 0x6101, 0x0000001f} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, bits uint32) {
		in := Decode(bits)
		want := uint8(4)
		if bits&3 != 3 {
			want = 2
		}
		if in.Len != want {
			t.Fatalf("Decode(0x%08x).Len = %d, want %d", bits, in.Len, want)
		}
		if in.Op != ILLEGAL {
			if in.Op == opUndecoded || in.Op >= opCross || in.Op.String() == "" || in.Op.String() == "op?" {
				t.Fatalf("Decode(0x%08x) = %v: not a real op", bits, in)
			}
		}
		if in.Rd > 31 || in.Rs1 > 31 || in.Rs2 > 31 || in.Rs3 > 31 || in.RM > 7 {
			t.Fatalf("Decode(0x%08x) = %v: field out of range", bits, in)
		}
		if want == 2 {
			if hi := Decode(bits&0xffff | 0x5a5a0000); hi != in {
				t.Fatalf("Decode(0x%08x) = %v, but with another upper half %v", bits, in, hi)
			}
			return
		}
		if in.Op == ILLEGAL {
			return
		}
		re := encode(in)
		if got := Decode(re); got.Op != in.Op || got.Len != 4 {
			t.Fatalf("Decode(0x%08x) = %v; re-encoded as 0x%08x it decodes as %v", bits, in, re, got)
		}
	})
}

// fuzzSeedPrograms are real instruction sequences for FuzzRun's corpus.
func fuzzSeedPrograms() [][]byte {
	inc := asmI(ADDI, 5, 5, 1)
	progs := [][]byte{
		assemble(inc, inc, uint32(ecall)),
		// A counted loop.
		assemble(asmI(ADDI, 6, 0, 100), inc, asmB(BLT, 5, 6, -4), uint32(ecall)),
		// Memory on the stack, an AMO and LR/SC.
		assemble(asmI(ADDI, 10, 2, -64), asmS(SD, 5, 10, 0), asmI(LD, 6, 10, 0),
			asmAMO(AMOADD_D, 7, 6, 10), asmAMO(LR_W, 8, 0, 10), asmAMO(SC_W, 9, 6, 10), uint32(ecall)),
		// Floating point, with a dynamic rounding mode.
		assemble(asmI(ADDI, 6, 0, 3), asmCSR(CSRRW, 0, 2, 6), asmFP(FCVT_D_L, 1, 6, 0, rmDyn),
			asmFP(FDIV_D, 2, 1, 0, rmDyn), asmFP(FCVT_W_D, 7, 2, 0, 1), asmCSR(CSRRS, 8, 1, 0), uint32(ecall)),
		// Compressed code.
		assemble(cLI(8, 5), cADDI(8, -1), cBNEZ(8, -2), cADDI4SPN(9, 16), cSD(8, 9, 0), cLD(10, 9, 0), uint32(ecall)),
		// Self-modifying code: rewrite the first instruction, fence.i, jump back.
		assemble(asmU(AUIPC, 10, 0), asmI(ADDI, 11, 0, 0x13), asmS(SW, 11, 10, 0), uint32(fenceI),
			asmB(BNE, 12, 0, 12), asmI(ADDI, 12, 0, 1), asmJAL(0, -24), uint32(ecall)),
		// Faults and traps.
		assemble(asmS(SD, 5, 0, 8), uint32(ecall)),
		assemble(uint32(ebreak)),
		assemble(uint32(0xffffffff)),
		assemble(asmI(JALR, 0, 0, 0x100)),
		assemble(asmJAL(0, 0)),
	}
	// A 4-byte instruction straddling the first page boundary, then a jump back.
	nops := make([]any, mm.PageSize/2-1)
	for i := range nops {
		nops[i] = c16(0x0001)
	}
	progs = append(progs, assemble(nops, inc, asmJAL(0, -mm.PageSize-2)))
	return progs
}

const fuzzCodeBase = 0x10000

// FuzzRun interprets the input as code mapped rwx at 0x10000, with a small stack, runs
// it for up to 10000 instructions (resuming after ecalls a few times) and checks that
// Run never panics and always returns a well-formed Stop.
func FuzzRun(f *testing.F) {
	for _, p := range fuzzSeedPrograms() {
		f.Add(p)
	}
	if cases, err := readGolden(); err == nil {
		var b []byte
		for _, c := range cases {
			if c.bits&3 == 3 {
				b = binary.LittleEndian.AppendUint32(b, c.bits)
			} else {
				b = binary.LittleEndian.AppendUint16(b, uint16(c.bits))
			}
		}
		for len(b) > 0 {
			n := min(len(b), 64)
			f.Add(b[:n])
			b = b[n:]
		}
	}
	f.Fuzz(fuzzRunOnce)
}

// fuzzRunOnce is FuzzRun's body.
func fuzzRunOnce(t *testing.T, code []byte) {
	fuzzRunChecked(t, code)
	fuzzRunStepped(t, code)
}

// fuzzMachine maps code (with the given permissions) and a stack, and loads a hart with
// registers that point into them, so that random loads, stores, atomics and jumps reach
// real memory as often as not.
func fuzzMachine(t *testing.T, code []byte, perm mm.Perm) (*mm.AddressSpace, *Hart) {
	if len(code) > 4*mm.PageSize {
		code = code[:4*mm.PageSize]
	}
	as := mm.New(&mm.Pool{Limit: 64 * mm.PageSize})
	size := max((uint64(len(code))+mm.PageMask)&^mm.PageMask, mm.PageSize)
	if err := as.Map(fuzzCodeBase, size, perm, false, ""); err != nil {
		t.Fatal(err)
	}
	if err := as.Map(fuzzStackTop-2*mm.PageSize, 2*mm.PageSize, mm.PermRead|mm.PermWrite, false, "[stack]"); err != nil {
		t.Fatal(err)
	}
	if err := as.Poke(fuzzCodeBase, code); err != nil {
		t.Fatal(err)
	}
	var bus Bus
	h := bus.NewHart()
	ctx := Context{PC: fuzzCodeBase}
	ctx.X[1] = fuzzCodeBase
	ctx.X[2] = fuzzStackTop - 16
	for r := 8; r < 16; r++ {
		ctx.X[r] = fuzzStackTop - 512 + uint64(r)*24
	}
	ctx.X[16] = fuzzCodeBase + 64
	h.Load(&ctx, as)
	return as, h
}

const fuzzStackTop = 0x7ff00000

// fuzzRunStepped runs the code (mapped r-x, so it cannot modify itself) once with the
// whole budget and once an instruction at a time: the decode cache's page walk, same-page
// jumps and budget accounting must give exactly what single steps give.
func fuzzRunStepped(t *testing.T, code []byte) {
	const budget = 2000
	rx := mm.PermRead | mm.PermExec
	as1, h1 := fuzzMachine(t, code, rx)
	s1 := h1.Run(budget)
	as2, h2 := fuzzMachine(t, code, rx)
	var s2 Stop
	for h2.Retired < budget {
		if s2 = h2.Run(1); s2.Reason != StopBudget {
			break
		}
	}
	var c1, c2 Context
	h1.Save(&c1)
	h2.Save(&c2)
	if s1 != s2 || c1 != c2 || h1.Retired != h2.Retired {
		t.Fatalf("one run: %+v, retired %d, ctx %+v\nsingle steps: %+v, retired %d, ctx %+v", s1, h1.Retired, c1, s2, h2.Retired, c2)
	}
	m1 := make([]byte, 2*mm.PageSize)
	m2 := make([]byte, 2*mm.PageSize)
	if as1.ReadAt(m1, fuzzStackTop-2*mm.PageSize) != nil || as2.ReadAt(m2, fuzzStackTop-2*mm.PageSize) != nil || string(m1) != string(m2) {
		t.Fatalf("one run and single steps left different stack contents")
	}
}

// fuzzRunChecked runs the code mapped rwx, resuming after ecalls a few times, and checks
// each Stop.
func fuzzRunChecked(t *testing.T, code []byte) {
	as, h := fuzzMachine(t, code, mm.PermRead|mm.PermWrite|mm.PermExec)
	var ctx Context
	const budget = 10000
	for round := 0; round < 4; round++ {
		before := h.Retired
		stop := h.Run(budget)
		retired := h.Retired - before
		h.Save(&ctx)
		if stop.Reason > StopMisaligned {
			t.Fatalf("Run returned reason %d", stop.Reason)
		}
		if stop.PC != ctx.PC {
			t.Fatalf("Stop.PC 0x%x but the hart's pc is 0x%x", stop.PC, ctx.PC)
		}
		if ctx.X[0] != 0 {
			t.Fatalf("x0 = 0x%x", ctx.X[0])
		}
		if retired > budget || stop.Reason == StopBudget && retired != budget {
			t.Fatalf("%v after %d of %d instructions", stop.Reason, retired, budget)
		}
		if stop.PC&1 != 0 {
			t.Fatalf("pc 0x%x is odd", stop.PC)
		}
		switch stop.Reason {
		case StopIllegal:
			if d := Decode(stop.Insn); d.Op != ILLEGAL {
				// A legal encoding may still trap: a bad CSR, a counter write, a
				// reserved dynamic rounding mode.
				switch {
				case d.Op >= CSRRW && d.Op <= CSRRCI, opClass[d.Op]&hasRM != 0:
				default:
					t.Fatalf("illegal-instruction stop for 0x%08x, which decodes as %v", stop.Insn, d)
				}
			}
		case StopFault:
			if stop.Fault.Access > mm.Fetch || stop.Fault.Kind > mm.OutOfMemory {
				t.Fatalf("bad fault %+v", stop.Fault)
			}
		case StopMisaligned:
			if stop.Fault.Addr&7 == 0 {
				t.Fatalf("misaligned stop at an 8-byte aligned address 0x%x", stop.Fault.Addr)
			}
		case StopEcall:
			ctx.PC += 4
			h.Load(&ctx, as)
			continue
		}
		return
	}
}
