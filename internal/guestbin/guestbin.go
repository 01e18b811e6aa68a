// Package guestbin carries the guest programs that `weft demo` and `weft bench` run,
// inside the weft binary, so that both work right after `go build` or `go install`,
// anywhere, without a riscv64 cross compiler: the lesson programs (examples/lessons)
// and the cost programs (bench/costs), with the cost programs' C sources for the
// native runs. scripts/embed-guests.sh builds them from the repository's sources, and
// TestEmbeddedMatchSources checks that what is embedded is what those sources give.
package guestbin

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

//go:embed MANIFEST lessons/*.gz costs/*.gz costs/src
var files embed.FS

// Sets of programs.
const (
	Lessons = "lessons" // weft demo
	Costs   = "costs"   // weft bench
)

// Extract writes the programs of a set to a new temporary directory, as DIR/bin/NAME,
// and for the cost programs their sources as DIR/NAME.c (the layout of bench/costs).
// It returns DIR/bin and a function that removes DIR.
func Extract(set string) (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "weft-"+set+"-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	bin = filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		cleanup()
		return "", nil, err
	}
	names, err := Names(set)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	for _, name := range names {
		data, err := Program(set, name)
		if err == nil {
			err = os.WriteFile(filepath.Join(bin, name), data, 0o755)
		}
		if err != nil {
			cleanup()
			return "", nil, err
		}
	}
	srcs, _ := fs.ReadDir(files, path.Join(set, "src"))
	for _, s := range srcs {
		data, err := files.ReadFile(path.Join(set, "src", s.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, s.Name()), data, 0o644)
		}
		if err != nil {
			cleanup()
			return "", nil, err
		}
	}
	return bin, cleanup, nil
}

// Names lists the programs of a set.
func Names(set string) ([]string, error) {
	ents, err := fs.ReadDir(files, set)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range ents {
		if name, ok := strings.CutSuffix(e.Name(), ".gz"); ok {
			names = append(names, name)
		}
	}
	return names, nil
}

// Program returns one embedded program, uncompressed.
func Program(set, name string) ([]byte, error) {
	gz, err := files.ReadFile(path.Join(set, name+".gz"))
	if err != nil {
		return nil, err
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// Manifest returns scripts/embed-guests.sh's record: the compiler that built the
// programs, and each one's SHA-256.
func Manifest() string {
	m, _ := files.ReadFile("MANIFEST")
	return string(m)
}
