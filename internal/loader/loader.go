// Package loader turns a riscv64 ELF executable into a process image: its segments
// mapped into an address space, and the initial stack with argc, argv, envp and the
// auxiliary vector that glibc's start-up code reads (System V ABI, and the RISC-V ELF
// psABI). A dynamically linked program names its interpreter (PT_INTERP, the dynamic
// linker ld.so); the kernel finds that file and loads it beside the program with
// LoadInterp, and the program starts in the interpreter, which finds the program
// through the auxiliary vector (AT_PHDR, AT_ENTRY, AT_BASE).
package loader

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"unicode"
	"unicode/utf8"

	"weft/internal/mm"
)

// Address-space layout, as Linux lays out an Sv39 riscv64 process without randomization.
const (
	StackTop  = 0x40_0000_0000                 // the stack grows down from here
	StackSize = 8 << 20                        // mapped for the stack (RLIMIT_STACK's default)
	MmapBase  = StackTop - StackSize - 128<<20 // mmap allocates top-down below this
	PIEBase   = 0x2a_aaaa_a000                 // where a static-pie executable is placed
	// MaxArgs bounds the bytes of argv and envp strings together: a quarter of the
	// stack, as Linux allows (execve(2)); MaxArgString bounds one of them
	// (MAX_ARG_STRLEN).
	MaxArgs      = StackSize / 4
	MaxArgString = 128 << 10
)

// MaxProgramSize bounds the program files weft reads whole to load (weft run's program,
// execve's): larger ones are refused rather than read into host memory.
const MaxProgramSize = 256 << 20

// maxShown bounds how much of a string from the file a message or report shows.
const maxShown = 200

// printable returns a string taken from a program file as it is when it is short and
// plain, else quoted (control characters escaped) and cut to maxShown bytes: a message
// quoting a hostile file can neither flood the terminal nor drive it.
func printable(s string) string {
	plain := len(s) > 0 && len(s) <= maxShown && utf8.ValidString(s)
	for _, r := range s {
		if !plain {
			break
		}
		plain = unicode.IsPrint(r) && r != ' ' && r != '"' && r != '\\'
	}
	switch {
	case plain:
		return s
	case len(s) <= maxShown:
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:maxShown]) + "... (" + strconv.Itoa(len(s)-maxShown) + " more bytes)"
}

// Error is a loader error: the program cannot be run, and why.
type Error struct {
	Msg string
}

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// Binary is a parsed, validated executable.
type Binary struct {
	data  []byte
	file  *elf.File
	loads []elf.ProgHeader
	pie   bool
	// Interp is the program's interpreter (PT_INTERP), "" for a static program.
	Interp string
	// Symbols maps addresses to names, for reports; empty for a stripped binary.
	Symbols []Symbol
}

// Symbol is a function or object in the executable's symbol table.
type Symbol struct {
	Name       string
	Addr, Size uint64
}

// MaxInterpPath bounds PT_INTERP's path (PATH_MAX).
const MaxInterpPath = 4096

// Parse validates data as a riscv64 executable or shared object (an interpreter).
func Parse(data []byte) (b *Binary, err error) {
	if len(data) < 4 || !bytes.Equal(data[:4], []byte(elf.ELFMAG)) {
		return nil, errorf("not an ELF file")
	}
	if len(data) > int(elf.EI_CLASS) && elf.Class(data[elf.EI_CLASS]) == elf.ELFCLASS32 {
		return nil, errorf("32-bit ELF file: weft runs 64-bit RISC-V (riscv64) programs")
	}
	defer func() {
		// debug/elf is meant to return errors for malformed files; should one slip
		// through as a panic, it is still just a bad file.
		if r := recover(); r != nil {
			b, err = nil, errorf("malformed ELF file (%v)", r)
		}
	}()
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, errorf("malformed ELF file: %v", err)
	}
	if f.Class != elf.ELFCLASS64 {
		return nil, errorf("ELF class %v: weft runs 64-bit RISC-V (riscv64) programs", f.Class)
	}
	if f.Machine != elf.EM_RISCV {
		return nil, errorf("not a RISC-V program (machine %v): weft runs riscv64 programs", f.Machine)
	}
	if f.Data != elf.ELFDATA2LSB {
		return nil, errorf("big-endian ELF file: riscv64 is little-endian")
	}
	b = &Binary{data: data, file: f}
	switch f.Type {
	case elf.ET_EXEC:
	case elf.ET_DYN:
		b.pie = true
	default:
		return nil, errorf("ELF type %v is not an executable", f.Type)
	}
	for i, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			// binfmt_elf's rules: the path lies in the file, is at most PATH_MAX bytes
			// and ends with its NUL.
			if p.Off > uint64(len(data)) || p.Filesz > uint64(len(data))-p.Off || p.Filesz < 2 || p.Filesz > MaxInterpPath {
				return nil, errorf("ELF: program header %d: interpreter path [0x%x, +0x%x) is not in the file or not a path", i, p.Off, p.Filesz)
			}
			s := data[p.Off : p.Off+p.Filesz]
			if s[len(s)-1] != 0 || bytes.IndexByte(s[:len(s)-1], 0) >= 0 {
				return nil, errorf("ELF: program header %d: interpreter path %s is not one NUL-terminated string", i, printable(string(s)))
			}
			b.Interp = string(s[:len(s)-1])
		case elf.PT_LOAD:
			if p.Memsz == 0 {
				continue
			}
			if p.Filesz > p.Memsz {
				return nil, errorf("ELF: program header %d: file size 0x%x exceeds memory size 0x%x", i, p.Filesz, p.Memsz)
			}
			if p.Off > uint64(len(data)) || p.Filesz > uint64(len(data))-p.Off {
				return nil, errorf("ELF: program header %d: segment [0x%x, 0x%x) lies past the end of the file (%d bytes): truncated file?", i, p.Off, p.Off+p.Filesz, len(data))
			}
			if p.Vaddr%mm.PageSize != p.Off%mm.PageSize {
				return nil, errorf("ELF: program header %d: address 0x%x and file offset 0x%x disagree modulo the page size", i, p.Vaddr, p.Off)
			}
			if p.Vaddr+p.Memsz < p.Vaddr || p.Vaddr+p.Memsz > PIEBase {
				return nil, errorf("ELF: program header %d: segment [0x%x, 0x%x) is outside the user address space", i, p.Vaddr, p.Vaddr+p.Memsz)
			}
			b.loads = append(b.loads, p.ProgHeader)
		}
	}
	if len(b.loads) == 0 {
		return nil, errorf("ELF: no loadable segments")
	}
	if !b.pie && b.Interp == "" {
		for _, p := range f.Progs {
			if p.Type == elf.PT_DYNAMIC {
				return nil, errorf("dynamically linked but names no interpreter (PT_INTERP)")
			}
		}
	}
	sort.Slice(b.loads, func(i, j int) bool { return b.loads[i].Vaddr < b.loads[j].Vaddr })
	if b.pie {
		// A static-pie is placed at PIEBase: its whole extent must fit below the mmap
		// area and the stack.
		first, last := b.loads[0], b.loads[len(b.loads)-1]
		if span := last.Vaddr + last.Memsz - first.Vaddr&^mm.PageMask; span > MmapBase-PIEBase-(1<<30) {
			return nil, errorf("ELF: position-independent image spans 0x%x bytes, more than weft's layout allows", span)
		}
	}
	for i := 1; i < len(b.loads); i++ {
		prev, p := b.loads[i-1], b.loads[i]
		if p.Vaddr < prev.Vaddr+prev.Memsz {
			return nil, errorf("ELF: segment at 0x%x overlaps the segment [0x%x, 0x%x)", p.Vaddr, prev.Vaddr, prev.Vaddr+prev.Memsz)
		}
	}
	if syms, err := f.Symbols(); err == nil {
		for _, s := range syms {
			t := elf.ST_TYPE(s.Info)
			if (t == elf.STT_FUNC || t == elf.STT_OBJECT) && s.Value != 0 && s.Name != "" {
				b.Symbols = append(b.Symbols, Symbol{Name: printable(s.Name), Addr: s.Value, Size: s.Size})
			}
		}
		sort.Slice(b.Symbols, func(i, j int) bool { return b.Symbols[i].Addr < b.Symbols[j].Addr })
	}
	return b, nil
}

// Image says where a loaded program lies.
type Image struct {
	Entry    uint64 // the entry point
	Bias     uint64 // added to every ELF address (non-zero for static-pie)
	Phdr     uint64 // address of the program headers in memory (AT_PHDR)
	Phent    uint64
	Phnum    uint64
	BrkStart uint64 // the initial program break: the page after the highest segment
	// Where SetupStack put the environment strings: [EnvStart, EnvEnd), which
	// /proc/PID/environ reads from the process's memory as Linux does.
	EnvStart, EnvEnd uint64
	// Auxv is the auxiliary vector SetupStack gave the program, as tag and value
	// words ending with AT_NULL: /proc/PID/auxv and a debugger read this copy, as
	// Linux keeps mm->saved_auxv, since the program may overwrite its stack.
	Auxv []uint64
}

// Load maps the program's segments into as, which should be empty, and sets up the heap
// and the mmap area. name labels the segments' mappings (/proc/PID/maps).
func (b *Binary) Load(as *mm.AddressSpace, name string) (*Image, error) {
	var bias uint64
	if b.pie {
		bias = PIEBase - b.loads[0].Vaddr&^mm.PageMask
	}
	img, err := b.load(as, name, bias)
	if err != nil {
		return nil, err
	}
	as.BrkStart, as.Brk = img.BrkStart, img.BrkStart
	as.MmapBase = MmapBase
	return img, nil
}

// LoadInterp maps an interpreter (a position-independent shared object, the dynamic
// linker) into as after the program: where the next mmap would go, top-down below the
// stack, as Linux places it. Its bias is the program's AT_BASE.
func (b *Binary) LoadInterp(as *mm.AddressSpace, name string) (*Image, error) {
	if !b.pie {
		return nil, errorf("interpreter is not position-independent (ELF type %v)", b.file.Type)
	}
	first, last := b.loads[0], b.loads[len(b.loads)-1]
	start := first.Vaddr &^ mm.PageMask
	span := (last.Vaddr + last.Memsz + mm.PageMask) &^ mm.PageMask
	base := as.FindFree(span - start)
	if base == 0 {
		return nil, errorf("no room for the interpreter's 0x%x bytes", span-start)
	}
	return b.load(as, name, base-start)
}

// load maps the segments at bias.
func (b *Binary) load(as *mm.AddressSpace, name string, bias uint64) (*Image, error) {
	img := &Image{
		Entry: b.file.Entry + bias,
		Bias:  bias,
		Phent: 56, // sizeof(Elf64_Phdr)
		Phnum: uint64(len(b.file.Progs)),
	}
	phoff := binary.LittleEndian.Uint64(b.data[32:40]) // e_phoff
	for _, p := range b.file.Progs {
		if p.Type == elf.PT_PHDR {
			img.Phdr = p.Vaddr + bias
		}
	}
	var end uint64
	for _, p := range b.loads {
		if img.Phdr == 0 && phoff >= p.Off && phoff < p.Off+p.Filesz {
			img.Phdr = p.Vaddr + (phoff - p.Off) + bias
		}
		start := (p.Vaddr + bias) &^ mm.PageMask
		stop := (p.Vaddr + bias + p.Memsz + mm.PageMask) &^ mm.PageMask
		perm := segPerm(p.Flags)
		// Two segments may share a page at their boundary: the page gets both
		// permissions, as with Linux's overlapping mappings of one file.
		if v := as.Find(start); v != nil {
			if err := as.Protect(v.Start, v.End-v.Start, v.Perm|perm); err != nil {
				return nil, err
			}
			start += mm.PageSize
		}
		if stop > start {
			if err := as.Map(start, stop-start, perm, false, name); err != nil {
				return nil, fmt.Errorf("ELF: mapping segment at 0x%x: %w", p.Vaddr, err)
			}
		}
		if err := as.Poke(p.Vaddr+bias, b.data[p.Off:p.Off+p.Filesz]); err != nil {
			return nil, fmt.Errorf("ELF: loading segment at 0x%x: %w", p.Vaddr, err)
		}
		if stop > end {
			end = stop
		}
	}
	img.BrkStart = end
	return img, nil
}

func segPerm(f elf.ProgFlag) mm.Perm {
	var p mm.Perm
	if f&elf.PF_R != 0 {
		p |= mm.PermRead
	}
	if f&elf.PF_W != 0 {
		p |= mm.PermWrite
	}
	if f&elf.PF_X != 0 {
		p |= mm.PermExec
	}
	return p
}

// Auxiliary vector tags (include/uapi/linux/auxvec.h).
const (
	AT_NULL   = 0
	AT_PHDR   = 3
	AT_PHENT  = 4
	AT_PHNUM  = 5
	AT_PAGESZ = 6
	AT_BASE   = 7
	AT_FLAGS  = 8
	AT_ENTRY  = 9
	AT_UID    = 11
	AT_EUID   = 12
	AT_GID    = 13
	AT_EGID   = 14
	AT_HWCAP  = 16
	AT_CLKTCK = 17
	AT_SECURE = 23
	AT_RANDOM = 25
	AT_EXECFN = 31
)

// HWCAP is AT_HWCAP for RV64IMAFDC: one bit per extension letter, bit 0 for 'a'.
const HWCAP = 1<<('i'-'a') | 1<<('m'-'a') | 1<<('a'-'a') | 1<<('f'-'a') | 1<<('d'-'a') | 1<<('c'-'a')

// StackArgs is what the initial stack carries besides the image.
type StackArgs struct {
	Argv, Envp           []string
	ExecFn               string // AT_EXECFN: the path the program was executed as
	Base                 uint64 // AT_BASE: where the interpreter is loaded (0: none)
	UID, EUID, GID, EGID uint64
	Random               [16]byte // AT_RANDOM's bytes
}

// ErrArgsTooLong is returned when argv and envp do not fit (E2BIG).
var ErrArgsTooLong = errors.New("argument list too long")

// SetupStack maps the stack and writes the initial process stack as the psABI and
// Linux's create_elf_tables lay it out. It returns the initial stack pointer, which
// points at argc and is 16-byte aligned.
func SetupStack(as *mm.AddressSpace, img *Image, a *StackArgs) (uint64, error) {
	size := len(a.ExecFn) + 1
	for _, list := range [][]string{a.Argv, a.Envp} {
		for _, s := range list {
			if len(s) >= MaxArgString {
				return 0, ErrArgsTooLong
			}
			size += len(s) + 1
		}
	}
	if size > MaxArgs {
		return 0, ErrArgsTooLong
	}
	if err := as.Map(StackTop-StackSize, StackSize, mm.PermRead|mm.PermWrite, false, "[stack]"); err != nil {
		return 0, err
	}
	sp := uint64(StackTop)
	push := func(b []byte) (uint64, error) {
		sp -= uint64(len(b))
		return sp, as.Poke(sp, b)
	}
	pushString := func(s string) (uint64, error) { return push(append([]byte(s), 0)) }

	execfn, err := pushString(a.ExecFn)
	if err != nil {
		return 0, err
	}
	strs := func(list []string) ([]uint64, error) {
		ptrs := make([]uint64, len(list))
		for i := len(list) - 1; i >= 0; i-- {
			p, err := pushString(list[i])
			if err != nil {
				return nil, err
			}
			ptrs[i] = p
		}
		return ptrs, nil
	}
	img.EnvEnd = sp
	envPtrs, err := strs(a.Envp)
	if err != nil {
		return 0, err
	}
	img.EnvStart = sp
	argPtrs, err := strs(a.Argv)
	if err != nil {
		return 0, err
	}
	sp &^= 15
	random, err := push(a.Random[:])
	if err != nil {
		return 0, err
	}

	auxv := [][2]uint64{
		{AT_PHDR, img.Phdr}, {AT_PHENT, img.Phent}, {AT_PHNUM, img.Phnum},
		{AT_PAGESZ, mm.PageSize}, {AT_BASE, a.Base}, {AT_FLAGS, 0}, {AT_ENTRY, img.Entry},
		{AT_UID, a.UID}, {AT_EUID, a.EUID}, {AT_GID, a.GID}, {AT_EGID, a.EGID},
		{AT_HWCAP, HWCAP}, {AT_CLKTCK, 100}, {AT_SECURE, 0}, {AT_RANDOM, random},
		{AT_EXECFN, execfn}, {AT_NULL, 0},
	}
	words := []uint64{uint64(len(a.Argv))}
	words = append(words, argPtrs...)
	words = append(words, 0)
	words = append(words, envPtrs...)
	words = append(words, 0)
	img.Auxv = img.Auxv[:0]
	for _, kv := range auxv {
		words = append(words, kv[0], kv[1])
		img.Auxv = append(img.Auxv, kv[0], kv[1])
	}
	sp -= uint64(8 * len(words))
	sp &^= 15
	buf := make([]byte, 8*len(words))
	for i, w := range words {
		binary.LittleEndian.PutUint64(buf[8*i:], w)
	}
	if err := as.Poke(sp, buf); err != nil {
		return 0, err
	}
	return sp, nil
}
