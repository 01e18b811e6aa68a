package loader

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"testing"

	"weft/internal/mm"
)

// fuzzSeeds are FuzzParse's starting points: a real static riscv64 binary when the C
// tests have been built (else the minimal one built here), the minimal ELF, truncated
// copies, flipped EI_CLASS values, and copies whose program headers point past the end.
func fuzzSeeds() [][]byte {
	minimal := minimalELF().bytes()
	seeds := [][]byte{minimal}
	if real, err := os.ReadFile(helloPath); err == nil {
		seeds = append(seeds, real)
	}
	for _, base := range append([][]byte(nil), seeds...) {
		for _, n := range []int{0, 4, 5, 16, 52, 63, 64, 64 + 56, 200, 0x200, 0x1000, len(base) / 2, len(base) - 1} {
			if n <= len(base) {
				seeds = append(seeds, base[:n])
			}
		}
		for _, class := range []elf.Class{elf.ELFCLASSNONE, elf.ELFCLASS32, 3} {
			c := append([]byte(nil), base...)
			c[elf.EI_CLASS] = byte(class)
			seeds = append(seeds, c)
		}
		// Every program header's p_offset, then e_phoff itself, past the end.
		c := append([]byte(nil), base...)
		phoff := binary.LittleEndian.Uint64(c[32:])
		phnum := binary.LittleEndian.Uint16(c[56:])
		for i := uint64(0); i < uint64(phnum); i++ {
			if at := phoff + 56*i + 8; at+8 <= uint64(len(c)) {
				binary.LittleEndian.PutUint64(c[at:], uint64(len(c))+0x1000*(i+1))
			}
		}
		seeds = append(seeds, c)
		c = append([]byte(nil), base...)
		binary.LittleEndian.PutUint64(c[32:], uint64(len(c))+8)
		seeds = append(seeds, c)
	}
	return seeds
}

// FuzzParse: Parse never panics; when it accepts a file, loading it into a fresh address
// space and setting up the stack must not panic either (errors are fine).
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Parse(data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse error %T (%v), want *loader.Error", err, err)
			}
			return
		}
		as := mm.New(&mm.Pool{Limit: 1 << 28})
		img, err := b.Load(as, "fuzz")
		if err != nil {
			return
		}
		if _, err := SetupStack(as, img, &StackArgs{Argv: []string{"fuzz"}, Envp: []string{"A=B"}, ExecFn: "/fuzz"}); err != nil {
			return
		}
	})
}
