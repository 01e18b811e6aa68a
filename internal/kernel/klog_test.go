package kernel

import "testing"

func TestKmsgPrefix(t *testing.T) {
	for _, c := range []struct {
		in   string
		prio uint32
		text string
	}{
		{"plain", 12, "plain"},
		{"<3>err", 11, "err"},
		{"<14>info", 14, "info"},
		{"<>empty", 8, "empty"},
		{"<5x>no", 12, "<5x>no"},
		{"<6", 12, "<6"},
		{"<191>local7 debug", 191, "local7 debug"},
	} {
		prio, text := kmsgPrefix(c.in)
		if prio != c.prio || text != c.text {
			t.Errorf("kmsgPrefix(%q) = %d, %q; want %d, %q", c.in, prio, text, c.prio, c.text)
		}
	}
}

func TestFormatRecord(t *testing.T) {
	for _, c := range []struct {
		r    logRecord
		want string
	}{
		{logRecord{seq: 0, usec: 0, prio: 6, text: "hello"}, "6,0,0,-;hello\n"},
		{logRecord{seq: 7, usec: 1234, prio: 12, text: "a\tb\\c\x7f"}, "12,7,1234,-;a\\x09b\\x5cc\\x7f\n"},
		{logRecord{seq: 1, usec: 5, prio: 3, text: "two\nlines"}, "3,1,5,-;two\\x0alines\n"},
	} {
		if got := formatRecord(c.r); got != c.want {
			t.Errorf("formatRecord(%+v) = %q, want %q", c.r, got, c.want)
		}
	}
}

func TestSyslogText(t *testing.T) {
	for _, c := range []struct {
		r    logRecord
		want string
	}{
		{logRecord{prio: 5, usec: 0, text: "boot"}, "<5>[    0.000000] boot\n"},
		{logRecord{prio: 14, usec: 123456789, text: "a\nb"}, "<14>[  123.456789] a\n<14>[  123.456789] b\n"},
	} {
		if got := syslogText(c.r); got != c.want {
			t.Errorf("syslogText(%+v) = %q, want %q", c.r, got, c.want)
		}
	}
}
