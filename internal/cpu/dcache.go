package cpu

import (
	"encoding/binary"
	"unsafe"

	"weft/internal/mm"
)

const slotsPerPage = mm.PageSize / 2

// inst is a decode-cache slot: an Inst prepared for execution. Integer destinations
// that are x0 point at the scratch register, and pc-relative immediates (auipc, jal,
// branches) are absolute addresses.
type inst struct {
	op                    Op
	rd, rs1, rs2, rs3, rm uint8
	len                   uint8
	imm                   int64
}

// decodedPage caches the decoded instructions of one frame, as mapped at one virtual
// page. Slots are decoded lazily, the first time they execute.
type decodedPage struct {
	vpn   uint64
	frame *mm.Frame
	valid bool
	cc    *codeCache
	// insns has two sentinel slots past the page (opPageEnd): where execution lands
	// after the page's last instruction, whether it was 2 or 4 bytes long.
	insns [slotsPerPage + 2]inst
}

// Invalidate marks the page stale; the hart re-decodes it before running it again.
func (dp *decodedPage) Invalidate() {
	if dp.valid {
		dp.valid = false
		dp.cc.release(decodedPageSize)
	}
}

func (dp *decodedPage) isValid() bool { return dp.valid }

func (dp *decodedPage) drop() {
	dp.Invalidate()
	if dp.frame.Decoded == mm.Invalidator(dp) {
		dp.frame.Decoded = nil
	}
}

// decodedPageSize is the host memory of one decoded page, as the code cache charges it.
const decodedPageSize = int64(unsafe.Sizeof(decodedPage{}))

// prepare turns a decoded instruction at pc into a cache slot.
func prepare(in Inst, pc uint64) inst {
	s := inst{op: in.Op, rd: in.Rd, rs1: in.Rs1, rs2: in.Rs2, rs3: in.Rs3, rm: in.RM, len: in.Len, imm: in.Imm}
	if opClass[in.Op]&xRd != 0 && s.rd == 0 {
		s.rd = zeroReg
	}
	switch in.Op {
	case AUIPC, JAL, BEQ, BNE, BLT, BGE, BLTU, BGEU:
		s.imm = int64(pc + uint64(in.Imm))
	}
	return s
}

// decodedFor returns the decoded page for the page containing pc, building it if needed.
func (h *Hart) decodedFor(pc uint64) (*decodedPage, *mm.Fault) {
	vpn := pc >> mm.PageShift
	e := &h.tlb.itlb[vpn%itlbSize]
	if e.key == h.tlb.key(vpn) && e.dp.valid {
		return e.dp, nil
	}
	f, fault := h.page(pc, mm.Fetch)
	if fault != nil {
		return nil, fault
	}
	dp, _ := f.Decoded.(*decodedPage)
	if dp == nil || !dp.valid || dp.vpn != vpn {
		dp = &decodedPage{vpn: vpn, frame: f, valid: true, cc: &h.bus.code}
		h.bus.code.add(dp, decodedPageSize)
		dp.insns[slotsPerPage].op = opPageEnd
		dp.insns[slotsPerPage+1].op = opPageEnd
		f.Decoded = dp
		// The frame may sit in any hart's write TLB: flush them, so that stores to it
		// take the slow path, which invalidates the decoded page.
		h.bus.flushWrites(nil)
	}
	*e = itlbEntry{key: h.tlb.key(vpn), dp: dp}
	return dp, nil
}

// fetch reads the instruction at pc, which may cross into the next page.
func (h *Hart) fetch(dp *decodedPage, pc uint64) (uint32, *mm.Fault) {
	off := pc & mm.PageMask
	lo := binary.LittleEndian.Uint16(dp.frame.Data[off:])
	if InstLen(lo) == 2 {
		return uint32(lo), nil
	}
	if off+4 <= mm.PageSize {
		return binary.LittleEndian.Uint32(dp.frame.Data[off:]), nil
	}
	next, fault := h.page(pc+2, mm.Fetch)
	if fault != nil {
		return 0, fault
	}
	return uint32(lo) | uint32(binary.LittleEndian.Uint16(next.Data[0:]))<<16, nil
}
