package explore

import (
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"path/filepath"
	"sort"
)

// Inlined functions in report stacks. A compiler that inlines f into g leaves one
// machine frame, g's; DWARF describes the inlining (DW_TAG_inlined_subroutine: the
// ranges of f's code inside g, f's name through its abstract origin, and the file and
// line of the call in g). A report frame at a pc inside inlined code is shown as the
// inlined function with the pc's line, then the function it was inlined into at the
// line of the call, as ThreadSanitizer and debuggers show them.

// inlineSite is one inlined call: the code ranges, the inlined function's name, and
// where it was called; depth orders nested inlining (innermost deepest).
type inlineSite struct {
	lo, hi   uint64
	name     string
	callFile string
	callLine int64
	depth    int
}

// inlines holds the inlined calls of a program, by start address.
type inlines struct{ sites []inlineSite }

// readInlines reads exe's inlined calls; a program without DWARF has none.
func readInlines(exe []byte) *inlines {
	in := &inlines{}
	f, err := elf.NewFile(bytes.NewReader(exe))
	if err != nil {
		return in
	}
	d, err := f.DWARF()
	if err != nil {
		return in
	}
	r := d.Reader()
	var files []*dwarf.LineFile
	depth := 0
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if e.Tag == 0 {
			depth--
			continue
		}
		switch e.Tag {
		case dwarf.TagCompileUnit:
			files = nil
			if lr, err := d.LineReader(e); err == nil && lr != nil {
				files = lr.Files()
			}
			depth = 0
		case dwarf.TagInlinedSubroutine:
			site := inlineSite{depth: depth}
			if off, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
				site.name = originName(d, off)
			}
			if i, ok := e.Val(dwarf.AttrCallFile).(int64); ok && i >= 0 && int(i) < len(files) && files[i] != nil {
				site.callFile = filepath.Base(files[i].Name)
			}
			site.callLine, _ = e.Val(dwarf.AttrCallLine).(int64)
			if rs, err := d.Ranges(e); err == nil {
				for _, rg := range rs {
					s := site
					s.lo, s.hi = rg[0], rg[1]
					if s.hi > s.lo && s.name != "" {
						in.sites = append(in.sites, s)
					}
				}
			}
		}
		if e.Children {
			depth++
		}
	}
	sort.SliceStable(in.sites, func(i, j int) bool { return in.sites[i].lo < in.sites[j].lo })
	return in
}

// originName is the name of the subprogram at off, following abstract origins and
// specifications.
func originName(d *dwarf.Data, off dwarf.Offset) string {
	for range 4 {
		r := d.Reader()
		r.Seek(off)
		e, err := r.Next()
		if err != nil || e == nil {
			return ""
		}
		if n, ok := e.Val(dwarf.AttrName).(string); ok {
			return n
		}
		next, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
		if !ok {
			next, ok = e.Val(dwarf.AttrSpecification).(dwarf.Offset)
		}
		if !ok {
			return ""
		}
		off = next
	}
	return ""
}

// at returns the inlined calls whose code holds pc, innermost first.
func (in *inlines) at(pc uint64) []inlineSite {
	var out []inlineSite
	n := sort.Search(len(in.sites), func(i int) bool { return in.sites[i].lo > pc })
	for _, s := range in.sites[:n] {
		if pc < s.hi {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].depth > out[j].depth })
	return out
}
