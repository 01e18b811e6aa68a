// Package cost is weft's cost model: the units of work the kernel counts where it does
// them, and a price for each unit in virtual time.
//
// Virtual time advances only by priced work: an operation (fork, clone, exec, exit, a
// process or thread switch) has no price of its own; it costs what the units it was
// counted doing cost. So a change to how the kernel implements an operation (an eager
// copying fork, a per-process table copy) shows up in the numbers by itself.
//
// The kernel keeps a Work vector of counts. Prices are in picoseconds per unit so that
// cheap units (a byte copied) need no rounding; the kernel carries the remainder below
// a nanosecond from one charge to the next.
package cost

import (
	"fmt"
	"strings"
)

// Unit is one kind of counted work.
type Unit uint8

const (
	// Insn is a guest instruction retired.
	Insn Unit = iota
	// Trap is one entry into the kernel and return to the guest: an ecall, or a page
	// fault (first touch or copy-on-write) that the hardware would raise.
	Trap
	// PageZeroed is a frame allocated zero-filled for a first touch.
	PageZeroed
	// PageCopied is a frame allocated and copied on a write after fork.
	PageCopied
	// PageFreed is a frame whose last reference was dropped (unmap, exit, exec).
	PageFreed
	// PTNodeAlloc is a page-table node allocated (a zeroed 4 KiB table).
	PTNodeAlloc
	// PTNodeCopy is a page-table node copied: the root a fork copies, or a node shared
	// since fork that a write below it copies (512 entries).
	PTNodeCopy
	// PTNodeFree is a page-table node whose last reference was dropped.
	PTNodeFree
	// PTRef is a reference taken or dropped on a shared page-table node or frame.
	PTRef
	// VMACopy is a mapping record (VMA) copied by fork.
	VMACopy
	// FDCopy is an fd-table entry copied by fork (a reference on an open file).
	FDCopy
	// SigActionCopy is a signal-handler entry copied by fork.
	SigActionCopy
	// TaskInit is a task structure (a thread's kernel state) allocated and filled in.
	TaskInit
	// ProcInit is a process structure (credentials, limits, tables' owners) allocated
	// and filled in.
	ProcInit
	// RegCopy is one register (integer, float, pc, fcsr) saved or restored when a CPU
	// switches from one task to another.
	RegCopy
	// ByteCopied is a byte the kernel copied between guest memory and itself (read,
	// write, pipes, path names, the program and stack that exec loads).
	ByteCopied
	// QueueOp is a task added to or removed from a run queue, wait queue or futex queue.
	QueueOp
	// ASSwitch is a CPU switching to another address space's page table (a satp or
	// CR3 write), with what the hardware does for it.
	ASSwitch
	// TLBFlush is a flush of the translations a CPU cached for one address space.
	TLBFlush
	// TLBEntryFlushed is a live translation a flush threw away.
	TLBEntryFlushed
	// TLBMiss is a translation the CPU had to look up in the page table because its TLB
	// did not hold it (data or instruction fetch).
	TLBMiss
	// PathStep is a path component the kernel looked up for the guest (a symbolic
	// link's target counts its own components).
	PathStep

	NumUnits
)

var names = [NumUnits]string{
	Insn: "insn", Trap: "trap",
	PageZeroed: "page_zeroed", PageCopied: "page_copied", PageFreed: "page_freed",
	PTNodeAlloc: "pt_node_alloc", PTNodeCopy: "pt_node_copy", PTNodeFree: "pt_node_free", PTRef: "pt_ref",
	VMACopy: "vma_copy", FDCopy: "fd_copy", SigActionCopy: "sigaction_copy",
	TaskInit: "task_init", ProcInit: "proc_init", RegCopy: "reg_copy",
	ByteCopied: "byte_copied", QueueOp: "queue_op",
	ASSwitch: "as_switch", TLBFlush: "tlb_flush", TLBEntryFlushed: "tlb_entry_flushed", TLBMiss: "tlb_miss",
	PathStep: "path_step",
}

// phrases say what n units are, for people: "3 VMAs copied".
var phrases = [NumUnits][2]string{
	Insn:            {"guest instruction", "guest instructions"},
	Trap:            {"trap into the kernel", "traps into the kernel"},
	PageZeroed:      {"page zero-filled", "pages zero-filled"},
	PageCopied:      {"page copied on write", "pages copied on write"},
	PageFreed:       {"page freed", "pages freed"},
	PTNodeAlloc:     {"page-table node allocated", "page-table nodes allocated"},
	PTNodeCopy:      {"page-table node copied", "page-table nodes copied"},
	PTNodeFree:      {"page-table node freed", "page-table nodes freed"},
	PTRef:           {"page-table/frame reference taken or dropped", "page-table/frame references taken or dropped"},
	VMACopy:         {"VMA copied", "VMAs copied"},
	FDCopy:          {"fd entry copied", "fd entries copied"},
	SigActionCopy:   {"signal action copied", "signal actions copied"},
	TaskInit:        {"task structure set up", "task structures set up"},
	ProcInit:        {"process structure set up", "process structures set up"},
	RegCopy:         {"register saved or restored", "registers saved or restored"},
	ByteCopied:      {"byte copied to or from the guest", "bytes copied to or from the guest"},
	QueueOp:         {"run/wait-queue operation", "run/wait-queue operations"},
	ASSwitch:        {"address-space switch", "address-space switches"},
	TLBFlush:        {"TLB flush", "TLB flushes"},
	TLBEntryFlushed: {"TLB entry flushed", "TLB entries flushed"},
	TLBMiss:         {"TLB miss refilled", "TLB misses refilled"},
	PathStep:        {"path component looked up", "path components looked up"},
}

func (u Unit) String() string {
	if u < NumUnits {
		return names[u]
	}
	return fmt.Sprintf("Unit(%d)", uint8(u))
}

// Phrase says what n units are in words: "1 VMA copied", "3 VMAs copied".
func (u Unit) Phrase(n float64) string {
	p := phrases[u][1]
	if n == 1 {
		p = phrases[u][0]
	}
	switch {
	case n == float64(int64(n)):
		return fmt.Sprintf("%d %s", int64(n), p)
	case n < 10:
		return fmt.Sprintf("%.2f %s", n, p)
	case n < 100:
		return fmt.Sprintf("%.1f %s", n, p)
	}
	return fmt.Sprintf("%.0f %s", n, p)
}

// UnitByName returns the unit called name ("vma_copy").
func UnitByName(name string) (Unit, bool) {
	for u, n := range names {
		if n == name {
			return Unit(u), true
		}
	}
	return 0, false
}

// Work counts units of work.
type Work [NumUnits]uint64

// Add returns w + o.
func (w Work) Add(o Work) Work {
	for i := range w {
		w[i] += o[i]
	}
	return w
}

// Sub returns w - o; every count of o must be at most w's.
func (w Work) Sub(o Work) Work {
	for i := range w {
		w[i] -= o[i]
	}
	return w
}

// Map returns the non-zero counts by unit name, for JSON.
func (w Work) Map() map[string]uint64 {
	m := map[string]uint64{}
	for u, n := range w {
		if n != 0 {
			m[names[u]] = n
		}
	}
	return m
}

// String lists the non-zero counts in unit order: "insn=120 trap=2".
func (w Work) String() string {
	var b strings.Builder
	for u, n := range w {
		if n != 0 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%s=%d", names[u], n)
		}
	}
	return b.String()
}

// Model prices each unit of work.
type Model struct {
	Name string
	// Price is each unit's virtual time in picoseconds.
	Price [NumUnits]uint64
}

// Cost is the virtual time of w in picoseconds.
func (m *Model) Cost(w Work) uint64 {
	var ps uint64
	for u, n := range w {
		ps += n * m.Price[u]
	}
	return ps
}

// PriceNS is u's price in virtual nanoseconds.
func (m *Model) PriceNS(u Unit) float64 { return float64(m.Price[u]) / 1000 }

// Prices returns every unit's price in virtual nanoseconds by unit name, for JSON.
func (m *Model) Prices() map[string]float64 {
	p := map[string]float64{}
	for u := range NumUnits {
		p[names[u]] = m.PriceNS(u)
	}
	return p
}

// Models lists the models a user can pick (--cost-model).
var Models = []*Model{&Default, &Zero}

// ByName returns the model called name.
func ByName(name string) (*Model, error) {
	var valid []string
	for _, m := range Models {
		if m.Name == name {
			return m, nil
		}
		valid = append(valid, m.Name)
	}
	return nil, fmt.Errorf("unknown cost model %q (valid: %s)", name, strings.Join(valid, ", "))
}

// Zero charges guest instructions only (1 ns each, weft's timebase) and no kernel work
// at all: what a figure is without the model's prices.
var Zero = Model{Name: "zero", Price: [NumUnits]uint64{Insn: 1000}}
