package kernel

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/mm"
	"weft/internal/vfs"
)

// Core dumps (core(5)). A process killed by a signal whose default action is "Core"
// writes an ELF core file, named by /proc/sys/kernel/core_pattern ("core" in its
// working directory unless changed), when RLIMIT_CORE allows one and the process is
// dumpable; its wait status then has the core-dump bit (WCOREDUMP) and waitid(2)
// reports CLD_DUMPED. The file holds a PT_NOTE (NT_PRSTATUS per thread, NT_PRPSINFO)
// and a PT_LOAD per mapping, with what coredump_filter selects: anonymous memory,
// private or shared, and the first page of a file mapped from its start (its ELF
// header). Pages never touched are holes, as in Linux, and count against nothing.
//
// weft writes core files only into its own file system (a host mount takes them like
// any other write through the guest). A pattern starting with "|" asks Linux to pipe
// the dump to a helper program; weft runs no helpers, so there is then no dump.

// defaultCorePattern is core_pattern's default.
const defaultCorePattern = "core"

// coreFilterDefault is /proc/PID/coredump_filter's default (0x33): anonymous private
// and shared memory, ELF headers, private huge pages.
const coreFilterDefault = 0x33

// coredump_filter bits (core(5)).
const (
	coreAnonPrivate = 1 << 0
	coreAnonShared  = 1 << 1
	coreFilePrivate = 1 << 2
	coreFileShared  = 1 << 3
	coreELFHeaders  = 1 << 4
)

// coreSignal reports whether sig's default action dumps core (signal(7)).
func coreSignal(sig Signal) bool {
	switch sig {
	case linux.SIGQUIT, linux.SIGILL, linux.SIGTRAP, linux.SIGABRT, linux.SIGBUS, linux.SIGFPE,
		linux.SIGSEGV, linux.SIGXCPU, linux.SIGXFSZ, linux.SIGSYS:
		return true
	}
	return false
}

// CorePattern is /proc/sys/kernel/core_pattern.
func (k *Kernel) CorePattern() string {
	if !k.corePatternSet {
		return defaultCorePattern
	}
	return k.corePattern
}

// killedBy ends t's process by sig's default action, dumping core first if sig's
// action is to.
func (k *Kernel) killedBy(t *Task, sig Signal) {
	if coreSignal(sig) && !t.TG.Exited {
		t.TG.CoreDumped = k.coreDump(t, sig)
	}
	k.exitGroup(t.TG, 0, sig)
}

// coreDump writes t's process's core file and reports whether it did (do_coredump).
func (k *Kernel) coreDump(t *Task, sig Signal) bool {
	tg := t.TG
	limit := tg.Rlimits[RLIMIT_CORE].Cur
	// binfmt_elf's min_coredump: a limit under a page allows no dump at all.
	if limit < mm.PageSize || tg.NotDumpable {
		return false
	}
	pattern := k.CorePattern()
	if pattern == "" || strings.HasPrefix(pattern, "|") {
		return false
	}
	name := k.coreName(t, sig, pattern)
	if name == "" {
		return false
	}
	fs := k.FS
	c := tg.FSCred()
	dir, base, err := fs.LookupParent(c, tg.Cwd, name)
	if err != nil {
		return false
	}
	// Linux removes an old file of that name and creates the core exclusively, so
	// that it never writes through a link someone planted.
	fs.Unlink(c, dir, base, false)
	n, err := fs.Create(c, dir, base, vfs.S_IFREG|0o600)
	if err != nil {
		return false
	}
	f := vfs.Open(n, vfs.O_WRONLY, name)
	defer f.DecRef()
	// As in binfmt_elf, the dump counts as made once the file is there: a core cut
	// short by RLIMIT_CORE (or by the memory cap) still sets WCOREDUMP.
	k.writeCore(t, sig, f, limit)
	return true
}

// coreName expands core_pattern's % specifiers (core(5)); "" if the name is empty.
func (k *Kernel) coreName(t *Task, sig Signal, pattern string) string {
	tg := t.TG
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		ch := pattern[i]
		if ch != '%' || i+1 == len(pattern) {
			b.WriteByte(ch)
			continue
		}
		i++
		switch pattern[i] {
		case '%':
			b.WriteByte('%')
		case 'p', 'P':
			b.WriteString(strconv.Itoa(tg.PID))
		case 'i', 'I':
			b.WriteString(strconv.Itoa(t.TID))
		case 'u':
			b.WriteString(strconv.FormatUint(uint64(tg.Creds.UID), 10))
		case 'g':
			b.WriteString(strconv.FormatUint(uint64(tg.Creds.GID), 10))
		case 's':
			b.WriteString(strconv.Itoa(int(sig)))
		case 't':
			b.WriteString(strconv.FormatInt(k.realtimeSeconds(), 10))
		case 'h':
			b.WriteString(Hostname)
		case 'e':
			b.WriteString(strings.ReplaceAll(tg.Comm, "/", "!"))
		case 'E':
			b.WriteString(strings.ReplaceAll(tg.Exe, "/", "!"))
		case 'c':
			lim := tg.Rlimits[RLIMIT_CORE].Cur
			b.WriteString(strconv.FormatUint(lim, 10))
		case 'd':
			b.WriteString("1") // the dumpable mode: weft's processes are dumpable or not at all
		}
		// Unknown specifiers are dropped, as format_corename does.
	}
	name := b.String()
	if k.coreUsesPID && !strings.Contains(pattern, "%p") {
		name += "." + strconv.Itoa(tg.PID)
	}
	return name
}

// ELF constants for a core file.
const (
	etCore     = 4
	emRISCV    = 243
	ptLoad     = 1
	ptNote     = 4
	ntPRStatus = 1
	ntPRPSInfo = 3
	ehdrSize   = 64
	phdrSize   = 56
	prStatusSz = 376
	prPSInfoSz = 136
)

// coreSegment is one mapping in the core: its VMA and how many bytes of it are dumped.
type coreSegment struct {
	v    *mm.VMA
	dump uint64
}

// dumpSize is how much of v the filter selects (vma_dump_size in binfmt_elf.c).
func dumpSize(v *mm.VMA, filter uint32) uint64 {
	size := v.End - v.Start
	if v.DontDump {
		return 0
	}
	anon := v.Pager == nil && (v.Name == "" || strings.HasPrefix(v.Name, "[") || v.Holder != nil || strings.HasPrefix(v.Name, "/dev/zero") || strings.HasPrefix(v.Name, "/SYSV"))
	switch {
	case v.Shared && anon:
		if filter&coreAnonShared != 0 {
			return size
		}
		return 0
	case v.Shared:
		if filter&coreFileShared != 0 {
			return size
		}
		return 0
	case anon:
		if filter&coreAnonPrivate != 0 {
			return size
		}
		return 0
	}
	// A private file mapping: written data segments are anonymous memory by now (a
	// writable one is dumped whole as Linux's anon_vma test would); a file mapped from
	// its start gives its first page, for the ELF header.
	if v.Perm&mm.PermWrite != 0 && filter&coreAnonPrivate != 0 || filter&coreFilePrivate != 0 {
		return size
	}
	if filter&coreELFHeaders != 0 && v.Off == 0 && v.Perm&mm.PermRead != 0 {
		return mm.PageSize
	}
	return 0
}

// writeCore writes the ELF core of t's process to f, stopping where it would pass
// limit bytes or a write fails (it reports which).
func (k *Kernel) writeCore(t *Task, sig Signal, f *vfs.File, limit uint64) bool {
	tg := t.TG
	le := binary.LittleEndian
	var segs []coreSegment
	for _, v := range tg.MM.VMAs() {
		segs = append(segs, coreSegment{v, dumpSize(v, tg.coreFilter())})
	}
	// Notes: the dumping thread's registers first, then the other threads', then the
	// process's.
	var notes []byte
	threads := []*Task{t}
	for _, o := range tg.Tasks {
		if o != t && o.State != TaskDead {
			threads = append(threads, o)
		}
	}
	for _, th := range threads {
		notes = appendNote(notes, ntPRStatus, k.prStatus(th, sig))
	}
	notes = appendNote(notes, ntPRPSInfo, k.prPSInfo(tg))

	nph := 1 + len(segs)
	hdr := make([]byte, ehdrSize+nph*phdrSize)
	copy(hdr, "\x7fELF")
	hdr[4], hdr[5], hdr[6] = 2, 1, 1 // ELFCLASS64, little-endian, EV_CURRENT
	le.PutUint16(hdr[16:], etCore)
	le.PutUint16(hdr[18:], emRISCV)
	le.PutUint32(hdr[20:], 1)
	le.PutUint64(hdr[32:], ehdrSize) // e_phoff
	le.PutUint16(hdr[52:], ehdrSize)
	le.PutUint16(hdr[54:], phdrSize)
	le.PutUint16(hdr[56:], uint16(nph))
	noteOff := uint64(len(hdr))
	ph := hdr[ehdrSize:]
	le.PutUint32(ph[0:], ptNote)
	le.PutUint64(ph[8:], noteOff)
	le.PutUint64(ph[32:], uint64(len(notes)))
	off := (noteOff + uint64(len(notes)) + mm.PageSize - 1) &^ (mm.PageSize - 1)
	for i, s := range segs {
		p := ph[(i+1)*phdrSize:]
		flags := uint32(0)
		if s.v.Perm&mm.PermRead != 0 {
			flags |= 4
		}
		if s.v.Perm&mm.PermWrite != 0 {
			flags |= 2
		}
		if s.v.Perm&mm.PermExec != 0 {
			flags |= 1
		}
		le.PutUint32(p[0:], ptLoad)
		le.PutUint32(p[4:], flags)
		le.PutUint64(p[8:], off)
		le.PutUint64(p[16:], s.v.Start)
		le.PutUint64(p[32:], s.dump)
		le.PutUint64(p[40:], s.v.End-s.v.Start)
		le.PutUint64(p[48:], mm.PageSize)
		off += s.dump
	}
	end := off

	written := uint64(0)
	emit := func(b []byte, at uint64) bool {
		if written+uint64(len(b)) > limit {
			return false
		}
		written += uint64(len(b))
		c, err := f.PWrite(b, int64(at))
		return err == nil && c == len(b)
	}
	if !emit(hdr, 0) || !emit(notes, noteOff) {
		return false
	}
	// The pages present, in address order, without faulting any in: a page never
	// touched is a hole. Walking them rather than every address of the mappings keeps
	// the work bounded by the memory the process holds, however large its mappings.
	type page struct {
		vaddr uint64
		f     *mm.Frame
	}
	var present []page
	tg.MM.EachPage(func(vaddr uint64, fr *mm.Frame, _ bool) {
		present = append(present, page{vaddr, fr})
	})
	off = (noteOff + uint64(len(notes)) + mm.PageSize - 1) &^ (mm.PageSize - 1)
	for _, s := range segs {
		end := s.v.Start + s.dump
		i := sort.Search(len(present), func(i int) bool { return present[i].vaddr >= s.v.Start })
		for ; i < len(present) && present[i].vaddr < end; i++ {
			if !emit(present[i].f.Data[:mm.PageSize], off+present[i].vaddr-s.v.Start) {
				return false
			}
		}
		off += s.dump
	}
	// The holes at the end still count in the file's size.
	if int64(end) > f.Inode.Size() {
		if f.Inode.Truncate(int64(end)) != nil {
			return false
		}
	}
	return true
}

// appendNote appends an ELF note named "CORE".
func appendNote(b []byte, typ uint32, desc []byte) []byte {
	var h [12]byte
	le := binary.LittleEndian
	le.PutUint32(h[0:], 5) // "CORE\0"
	le.PutUint32(h[4:], uint32(len(desc)))
	le.PutUint32(h[8:], typ)
	b = append(b, h[:]...)
	b = append(b, "CORE\x00\x00\x00\x00"...)
	b = append(b, desc...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// prStatus is a thread's struct elf_prstatus (riscv64): signal, IDs, times and
// registers (pc, then x1..x31).
func (k *Kernel) prStatus(t *Task, sig Signal) []byte {
	b := make([]byte, prStatusSz)
	le := binary.LittleEndian
	tg := t.TG
	le.PutUint32(b[0:], uint32(sig))
	le.PutUint16(b[12:], uint16(sig))
	le.PutUint64(b[16:], t.sigPending.set|t.TG.sigPending.set)
	le.PutUint64(b[24:], uint64(t.SigMask))
	le.PutUint32(b[32:], uint32(t.TID))
	if tg.Parent != nil {
		le.PutUint32(b[36:], uint32(tg.Parent.PID))
	}
	le.PutUint32(b[40:], uint32(tg.PGID))
	le.PutUint32(b[44:], uint32(tg.SID))
	ut := t.Stats.CPUTime
	le.PutUint64(b[48:], ut/1e9)
	le.PutUint64(b[56:], ut%1e9/1e3)
	le.PutUint64(b[112:], t.Ctx.PC)
	for i := 1; i < 32; i++ {
		le.PutUint64(b[112+8*i:], t.Ctx.X[i])
	}
	return b
}

// prPSInfo is the process's struct elf_prpsinfo: state, IDs, name and arguments.
func (k *Kernel) prPSInfo(tg *ThreadGroup) []byte {
	b := make([]byte, prPSInfoSz)
	le := binary.LittleEndian
	b[1] = 'R'
	le.PutUint32(b[16:], tg.Creds.UID)
	le.PutUint32(b[20:], tg.Creds.GID)
	le.PutUint32(b[24:], uint32(tg.PID))
	if tg.Parent != nil {
		le.PutUint32(b[28:], uint32(tg.Parent.PID))
	}
	le.PutUint32(b[32:], uint32(tg.PGID))
	le.PutUint32(b[36:], uint32(tg.SID))
	copy(b[40:55], tg.Comm)
	copy(b[56:135], strings.Join(tg.Args, " "))
	return b
}

// coreFilter is the process's coredump_filter.
func (tg *ThreadGroup) coreFilter() uint32 {
	if !tg.coreFilterSet {
		return coreFilterDefault
	}
	return tg.CoreFilter
}

// coreFilterFile is /proc/PID/coredump_filter's contents.
func (tg *ThreadGroup) coreFilterFile() []byte {
	return []byte(fmt.Sprintf("%08x\n", tg.coreFilter()))
}
