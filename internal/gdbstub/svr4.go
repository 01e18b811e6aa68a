package gdbstub

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// qXfer:libraries-svr4:read: the list of a dynamically linked program's shared
// objects, as the dynamic linker keeps it in the program's memory (the SVR4 r_debug
// protocol, <link.h>): the program's PT_DYNAMIC, found through the auxiliary vector's
// AT_PHDR, has a DT_DEBUG entry that the dynamic linker points at its struct r_debug,
// whose r_map heads the list of struct link_map, one per object loaded, the program
// first. gdb reads the list in one packet instead of walking it word by word itself
// (GDB manual, "Library List Format for SVR4 Targets"):
//
//	<library-list-svr4 version="1.0" main-lm="0x...">
//	  <library name="/lib/ld.so" lm="0x..." l_addr="0x..." l_ld="0x..." lmid="0x0"/>
//	</library-list-svr4>
//
// A static program has no PT_DYNAMIC: the read fails (E01), as gdbserver's does, and gdb
// knows there are no libraries. Before the dynamic linker has filled DT_DEBUG in, the
// list is empty.

// ELF and <link.h> constants (elf(5)).
const (
	atPHDR  = 3
	atPHENT = 4
	atPHNUM = 5
	ptDYN   = 2
	ptPHDR  = 6
	dtNULL  = 0
	dtDEBUG = 21

	maxLinkMaps = 4096 // a longer (or circular) list is taken as corrupt
	maxDynamic  = 4096 // entries of PT_DYNAMIC read at most
	maxLibName  = 4096 // PATH_MAX
)

var errNoDynamic = errors.New("gdbstub: not a dynamically linked program")

// librariesSVR4 builds the library list of process pid.
func (s *Stub) librariesSVR4(pid int) (string, error) {
	read := func(addr uint64, n int) ([]byte, error) {
		b := make([]byte, n)
		return b, s.target.ReadMem(pid, addr, b)
	}
	word := func(addr uint64) (uint64, error) {
		b, err := read(addr, 8)
		return binary.LittleEndian.Uint64(b), err
	}
	auxv := s.target.Auxv(pid)
	if auxv == nil {
		return "", errNoProcess
	}
	var phdr, phent, phnum uint64
	for i := 0; i+16 <= len(auxv); i += 16 {
		v := binary.LittleEndian.Uint64(auxv[i+8:])
		switch binary.LittleEndian.Uint64(auxv[i:]) {
		case atPHDR:
			phdr = v
		case atPHENT:
			phent = v
		case atPHNUM:
			phnum = v
		}
	}
	if phdr == 0 || phent < 56 || phnum == 0 || phnum > 0xffff {
		return "", errNoDynamic
	}
	// The program headers: PT_PHDR gives the load bias, PT_DYNAMIC the dynamic
	// section (Elf64_Phdr: p_type at 0, p_vaddr at 16).
	var bias, dyn uint64
	haveDyn := false
	for i := uint64(0); i < phnum; i++ {
		h, err := read(phdr+i*phent, 56)
		if err != nil {
			return "", err
		}
		vaddr := binary.LittleEndian.Uint64(h[16:])
		switch binary.LittleEndian.Uint32(h) {
		case ptPHDR:
			bias = phdr - vaddr
		case ptDYN:
			dyn, haveDyn = vaddr, true
		}
	}
	if !haveDyn {
		return "", errNoDynamic
	}
	dyn += bias
	var rdebug uint64
	for i := uint64(0); i < maxDynamic; i++ {
		e, err := read(dyn+16*i, 16)
		if err != nil {
			return "", err
		}
		tag := binary.LittleEndian.Uint64(e)
		if tag == dtNULL {
			break
		}
		if tag == dtDEBUG {
			rdebug = binary.LittleEndian.Uint64(e[8:])
			break
		}
	}
	var b strings.Builder
	b.WriteString(`<library-list-svr4 version="1.0"`)
	if rdebug == 0 {
		b.WriteString("/>\n") // the dynamic linker has not said where its list is yet
		return b.String(), nil
	}
	// struct r_debug: r_version (int), then r_map at 8.
	lm, err := word(rdebug + 8)
	if err != nil {
		return "", err
	}
	var libs strings.Builder
	prev := uint64(0)
	for n := 0; lm != 0; n++ {
		if n == maxLinkMaps {
			return "", fmt.Errorf("gdbstub: more than %d link maps", maxLinkMaps)
		}
		// struct link_map: l_addr, l_name, l_ld, l_next, l_prev.
		m, err := read(lm, 40)
		if err != nil {
			return "", err
		}
		f := func(i int) uint64 { return binary.LittleEndian.Uint64(m[8*i:]) }
		if f(4) != prev {
			return "", fmt.Errorf("gdbstub: link map %#x: l_prev %#x, want %#x", lm, f(4), prev)
		}
		if prev == 0 {
			fmt.Fprintf(&b, ` main-lm="0x%x"`, lm) // the program itself
		} else {
			name, err := s.cString(pid, f(1), maxLibName)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&libs, "<library name=\"%s\" lm=\"0x%x\" l_addr=\"0x%x\" l_ld=\"0x%x\" lmid=\"0x0\"/>\n",
				xmlEscape(name), lm, f(0), f(2))
		}
		prev, lm = lm, f(3)
	}
	b.WriteString(">\n")
	b.WriteString(libs.String())
	b.WriteString("</library-list-svr4>\n")
	return b.String(), nil
}

// cString reads a NUL-terminated string of at most max bytes at addr.
func (s *Stub) cString(pid int, addr uint64, max int) (string, error) {
	var out []byte
	var buf [64]byte
	for len(out) < max {
		n := min(len(buf), 4096-int((addr+uint64(len(out)))&4095)) // no read across a page
		if err := s.target.ReadMem(pid, addr+uint64(len(out)), buf[:n]); err != nil {
			return "", err
		}
		for _, c := range buf[:n] {
			if c == 0 {
				return string(out), nil
			}
			out = append(out, c)
		}
	}
	return "", fmt.Errorf("gdbstub: string at %#x longer than %d bytes", addr, max)
}
