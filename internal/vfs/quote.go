package vfs

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// MaxQuoted bounds how much of an untrusted string (a guest path, a name from a
// program file) a message shows.
const MaxQuoted = 200

// Quote returns s as a Go-quoted string, shortened to MaxQuoted bytes with the number
// of bytes left out: a message that shows a string a guest or a program file chose
// cannot then flood the terminal or carry control characters to it.
func Quote(s string) string {
	if len(s) <= MaxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:MaxQuoted]) + "... (" + strconv.Itoa(len(s)-MaxQuoted) + " more bytes)"
}

// Printable returns s as it is when it is short and plain (printable UTF-8, no spaces
// or quotes that would make a message ambiguous), else Quote(s): ordinary paths read
// as they always did, and hostile ones come out quoted and cut short.
func Printable(s string) string {
	if len(s) > MaxQuoted || !utf8.ValidString(s) || s == "" {
		return Quote(s)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || r == ' ' || r == '"' || r == '\\' {
			return Quote(s)
		}
	}
	return s
}

func quote(s string) string { return Quote(s) }
