package guestprof

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"
)

// TestWrite writes a profile of a real guest program's functions and reads the encoding
// back: the string table names the functions the counts fall in, and the values are the
// counts.
func TestWrite(t *testing.T) {
	exe, err := os.ReadFile("../../tests/c/bin/hello")
	if err != nil {
		t.Skipf("tests/c is not built: %v", err)
	}
	sym := newSymbolizer(exe)
	var mainAddr uint64
	for _, f := range sym.funcs {
		if f.Name == "main" {
			mainAddr = f.Value
		}
	}
	if mainAddr == 0 {
		t.Fatal("no main in the symbol table")
	}
	if name, _, _ := sym.lookup(mainAddr + 2); name != "main" {
		t.Fatalf("lookup(main+2) = %q", name)
	}
	var buf bytes.Buffer
	if err := Write(&buf, exe, map[uint64]uint64{mainAddr: 12345, 0x1: 7}); err != nil {
		t.Fatal(err)
	}
	z, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range [][]byte{[]byte("main"), []byte("instructions"), appendVarint(nil, 12345)} {
		if !bytes.Contains(raw, want) {
			t.Errorf("the profile lacks %q", want)
		}
	}
}
