package demo

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"weft/internal/trace"
)

// printer writes the tour's plain text: headings, program output, tables and
// paragraphs wrapped to a width. It keeps the first write error.
type printer struct {
	w       io.Writer
	width   int
	verbose bool // show every run's whole output
	err     error
}

func newPrinter(w io.Writer, opts Options) *printer {
	width := opts.Width
	if width <= 0 {
		width = 80
	}
	return &printer{w: w, width: width, verbose: opts.Verbose}
}

func (p *printer) write(s string) {
	if p.err == nil {
		_, p.err = io.WriteString(p.w, s)
	}
}

func (p *printer) blank() { p.write("\n") }

// line writes one line as it is, never wrapped.
func (p *printer) line(format string, args ...any) {
	p.write(fmt.Sprintf(format, args...) + "\n")
}

// heading starts a lesson.
func (p *printer) heading(l Lesson) {
	pos := 0
	for i, x := range lessons {
		if x.Name == l.Name {
			pos = i + 1
		}
	}
	first := fmt.Sprintf("Lesson %d of %d: %s", pos, len(lessons), l.Name)
	rule := max(utf8.RuneCountInString(first), utf8.RuneCountInString(l.Title))
	p.line("%s", first)
	p.line("%s", l.Title)
	p.line("%s", strings.Repeat("=", rule))
	p.blank()
}

// section starts a part of a lesson: "What weft measured:".
func (p *printer) section(title string) {
	p.blank()
	p.line("%s", title)
}

// para writes a paragraph wrapped to the width.
func (p *printer) para(format string, args ...any) {
	p.wrapped("", "", fmt.Sprintf(format, args...))
}

// why writes the lesson's explanation.
func (p *printer) why(format string, args ...any) {
	p.blank()
	p.wrapped("", "", "Why: "+fmt.Sprintf(format, args...))
}

// note writes an indented paragraph, wrapped.
func (p *printer) note(format string, args ...any) {
	p.wrapped("  ", "  ", fmt.Sprintf(format, args...))
}

// wrapped writes text word by word, first starting the first line and indent the
// others, breaking lines before they pass the width.
func (p *printer) wrapped(first, indent, text string) {
	var b strings.Builder
	cur := first
	curLen := utf8.RuneCountInString(first)
	start := true
	for _, word := range strings.Fields(text) {
		n := utf8.RuneCountInString(word)
		if !start && curLen+1+n > p.width {
			b.WriteString(strings.TrimRight(cur, " ") + "\n")
			cur, curLen, start = indent, utf8.RuneCountInString(indent), true
		}
		if !start {
			cur += " "
			curLen++
		}
		cur += word
		curLen += n
		start = false
	}
	b.WriteString(cur + "\n")
	p.write(b.String())
}

// output shows a run: its command line and the lines of its output that keep
// selects (all of them in verbose mode, or when keep is nil).
func (p *printer) output(r *guestRun, keep func(string) bool) {
	p.line("  $ %s", r.cmd)
	if r.out == "" {
		return
	}
	for _, l := range strings.Split(strings.TrimRight(r.out, "\n"), "\n") {
		if p.verbose || keep == nil || keep(l) {
			p.line("  %s", l)
		}
	}
}

// table writes rows as aligned columns, indented. Host times may only appear in a
// row's last cell, so that their varying widths never move the other columns.
func (p *printer) table(rows [][]string) {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s\n", strings.Join(r, "\t"))
	}
	tw.Flush()
	for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		p.line("%s", strings.TrimRight(l, " "))
	}
}

// vt formats virtual nanoseconds as weft's summary does.
func vt(ns uint64) string { return trace.Duration(ns) }

// ratio formats a/b as "3.2x".
func ratio(a, b uint64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fx", float64(a)/float64(b))
}

// fdList formats a descriptor table: "0-2 /dev/pts/0, 3 /tmp/x".
func fdList(fds []fdEntry) string {
	var parts []string
	for i := 0; i < len(fds); {
		j := i
		for j+1 < len(fds) && fds[j+1].path == fds[i].path && fds[j+1].fd == fds[j].fd+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d %s", fds[i].fd, fds[j].fd, fds[i].path))
		} else {
			parts = append(parts, fmt.Sprintf("%d %s", fds[i].fd, fds[i].path))
		}
		i = j + 1
	}
	if len(parts) == 0 {
		return "(none)"
	}
	return strings.Join(parts, ", ")
}
