package tests

import (
	"strings"
	"testing"
)

// Unit tests for the harness's own helpers.

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  a  b\tc ", []string{"a", "b", "c"}},
		{`"two words" "" x`, []string{"two words", "", "x"}},
		{`'single' a"b c"d`, []string{"'single'", "ab cd"}},
		{`"q\"uote" "back\\slash" a\b`, []string{`q"uote`, `back\slash`, `a\b`}},
	}
	for _, c := range cases {
		got, err := splitArgs(c.in)
		if err != nil {
			t.Errorf("splitArgs(%q): %v", c.in, err)
			continue
		}
		if !equalStrings(got, c.want) {
			t.Errorf("splitArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if _, err := splitArgs(`"open`); err == nil {
		t.Errorf("splitArgs accepted an unterminated quote")
	}
}

func TestLineDiff(t *testing.T) {
	var a, b strings.Builder
	for i := 0; i < 30; i++ {
		line := strings.Repeat("x", i%5) + "\n"
		a.WriteString(line)
		if i == 10 {
			b.WriteString("changed\n")
		} else if i != 20 {
			b.WriteString(line)
		}
	}
	b.WriteString("no newline")
	d := lineDiff("want", a.String(), "got", b.String())
	for _, s := range []string{"--- want\n+++ got\n", "@@ -8,7 +8,7 @@\n", "-\n+changed\n",
		"@@ -18,7 +18,6 @@\n", "@@ -28,3 +27,4 @@\n", "+no newline\n\\ No newline at end of file\n"} {
		if !strings.Contains(d, s) {
			t.Errorf("diff lacks %q:\n%s", s, d)
		}
	}
	if d := lineDiff("a", "same\n", "b", "same\n"); strings.Contains(d, "@@") {
		t.Errorf("identical inputs produced hunks:\n%s", d)
	}
	d = lineDiff("a", "x\x01\n", "b", "x\n")
	if !strings.Contains(d, `-"x\x01"`) {
		t.Errorf("control character not made visible:\n%s", d)
	}
	var big strings.Builder
	for i := 0; i < 500; i++ {
		big.WriteString("line\n")
	}
	d = lineDiff("a", "", "b", big.String())
	if !strings.Contains(d, "diff truncated (420 more changed lines)") {
		t.Errorf("long diff not truncated as expected:\n%s", d[len(d)-200:])
	}
}
