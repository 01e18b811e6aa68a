package guestbin

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEmbeddedMatchSources rebuilds every embedded program from the repository's C
// sources, with the compiler, flags and source paths of the Makefiles (gcc's output is
// reproducible: the same compiler and sources give the same bytes, whatever the
// directory or time), and checks that the embedded one is the same. After changing
// examples/lessons or bench/costs, run scripts/embed-guests.sh.
func TestEmbeddedMatchSources(t *testing.T) {
	const cc = "riscv64-linux-gnu-gcc"
	if _, err := exec.LookPath(cc); err != nil {
		t.Fatalf("%s is needed to check the embedded programs: %v", cc, err)
	}
	v, err := exec.Command(cc, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	version, _, _ := strings.Cut(string(v), "\n")
	manifest := Manifest()
	if want := "compiler " + version + "\n"; !strings.Contains(manifest, want) {
		// Another compiler gives other bytes, not a wrong program.
		t.Skipf("the embedded programs were built by another compiler than this machine's %q:\n%s", version, manifest)
	}
	root := filepath.Join("..", "..")
	builds := []struct {
		set, dir, src string
		flags         []string
	}{
		{Lessons, "examples", "lessons/%s.c", []string{"-O2", "-static", "-Wall", "-pthread"}},
		{Costs, "bench/costs", "%s.c", []string{"-O2", "-Wall", "-static", "-pthread"}},
	}
	tmp := t.TempDir()
	for _, b := range builds {
		names, err := Names(b.set)
		if err != nil || len(names) == 0 {
			t.Fatalf("no embedded %s: %v", b.set, err)
		}
		srcs, _ := filepath.Glob(filepath.Join(root, b.dir, fmt.Sprintf(b.src, "*")))
		// bench/costs/prices.c runs on the host (the cost model's native prices).
		srcs = slices.DeleteFunc(srcs, func(p string) bool { return filepath.Base(p) == "prices.c" })
		if len(srcs) != len(names) {
			t.Errorf("%s: %d sources in %s, %d programs embedded: run scripts/embed-guests.sh", b.set, len(srcs), b.dir, len(names))
		}
		for _, name := range names {
			out := filepath.Join(tmp, b.set+"-"+name)
			args := append(append([]string{}, b.flags...), "-o", out, fmt.Sprintf(b.src, name))
			cmd := exec.Command(cc, args...)
			cmd.Dir = filepath.Join(root, b.dir)
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s %s: %v\n%s", b.set, name, err, msg)
				continue
			}
			built, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			embedded, err := Program(b.set, name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(built, embedded) {
				t.Errorf("%s/%s: the embedded program differs from what %s/%s builds: run scripts/embed-guests.sh",
					b.set, name, b.dir, fmt.Sprintf(b.src, name))
			}
			sum := fmt.Sprintf("%s %s %x\n", b.set, name, sha256.Sum256(embedded))
			if !strings.Contains(manifest, sum) {
				t.Errorf("MANIFEST lacks %q", sum)
			}
		}
	}
}

func TestExtract(t *testing.T) {
	bin, cleanup, err := Extract(Costs)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	for _, f := range []string{filepath.Join(bin, "switch"), filepath.Join(bin, "..", "switch.c"), filepath.Join(bin, "..", "costs.h")} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
}
