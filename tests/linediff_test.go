package tests

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A small unified-style line differ, so that a failing test shows where the
// outputs diverge without depending on external tools or modules.

const (
	diffContext  = 3         // unchanged lines shown around each change
	diffMaxLines = 80        // cap on the lines of diff printed
	diffMaxCells = 4_000_000 // largest LCS table computed; beyond it, fall back to replace-all
)

type diffOp struct {
	kind byte // ' ' unchanged, '-' only in a, '+' only in b
	text string
	a, b int // 0-based line numbers in a and b (of the next line, for insertions/deletions)
}

// splitLines splits s after each newline; the last line lacks "\n" if s
// does not end with one.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// diffLines computes an edit script turning a into b.
func diffLines(a, b []string) []diffOp {
	var ops []diffOp
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		ops = append(ops, diffOp{' ', a[p], p, p})
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	am, bm := a[p:len(a)-s], b[p:len(b)-s]
	if len(am)*len(bm) > diffMaxCells {
		for i, l := range am {
			ops = append(ops, diffOp{'-', l, p + i, p})
		}
		for j, l := range bm {
			ops = append(ops, diffOp{'+', l, p + len(am), p + j})
		}
	} else {
		// lcs[i][j] = length of the longest common subsequence of am[i:], bm[j:].
		w := len(bm) + 1
		lcs := make([]int32, (len(am)+1)*w)
		for i := len(am) - 1; i >= 0; i-- {
			for j := len(bm) - 1; j >= 0; j-- {
				if am[i] == bm[j] {
					lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
				} else {
					lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(am) || j < len(bm) {
			switch {
			case i < len(am) && j < len(bm) && am[i] == bm[j]:
				ops = append(ops, diffOp{' ', am[i], p + i, p + j})
				i++
				j++
			case i < len(am) && (j == len(bm) || lcs[(i+1)*w+j] >= lcs[i*w+j+1]):
				ops = append(ops, diffOp{'-', am[i], p + i, p + j})
				i++
			default:
				ops = append(ops, diffOp{'+', bm[j], p + i, p + j})
				j++
			}
		}
	}
	for k := 0; k < s; k++ {
		ops = append(ops, diffOp{' ', a[len(a)-s+k], len(a) - s + k, len(b) - s + k})
	}
	return ops
}

// showLine renders one diff line, making control characters and invalid
// UTF-8 visible and flagging a missing final newline.
func showLine(kind byte, l string) string {
	text, nl := strings.CutSuffix(l, "\n")
	if !utf8.ValidString(text) || strings.ContainsFunc(text, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
		text = strconv.Quote(text)
	}
	out := string(kind) + text + "\n"
	if !nl {
		out += "\\ No newline at end of file\n"
	}
	return out
}

// lineDiff returns a unified-style diff of a and b, limited to
// diffMaxLines lines.
func lineDiff(aName, a, bName, b string) string {
	ops := diffLines(splitLines(a), splitLines(b))
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", aName, bName)
	printed := 0
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		// A hunk: from diffContext lines before this change to diffContext
		// lines after the last change that is within 2*diffContext of the
		// previous one.
		start := max(k-diffContext, 0)
		end := k
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*diffContext {
				end = min(end+diffContext, len(ops))
				break
			}
			end = run
		}
		aCount, bCount := 0, 0
		for _, op := range ops[start:end] {
			if op.kind != '+' {
				aCount++
			}
			if op.kind != '-' {
				bCount++
			}
		}
		fmt.Fprintf(&sb, "@@ -%d,%d +%d,%d @@\n", ops[start].a+1, aCount, ops[start].b+1, bCount)
		for i, op := range ops[start:end] {
			if printed >= diffMaxLines {
				rest := 0
				for _, o := range ops[start+i:] {
					if o.kind != ' ' {
						rest++
					}
				}
				fmt.Fprintf(&sb, "... diff truncated (%d more changed lines)\n", rest)
				return sb.String()
			}
			sb.WriteString(showLine(op.kind, op.text))
			printed++
		}
		k = end
	}
	return sb.String()
}
