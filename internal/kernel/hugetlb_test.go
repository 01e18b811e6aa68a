package kernel

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"weft/internal/abi/linux"
	"weft/internal/mm"
	"weft/internal/vfs"
)

// rootRead reads the file at path as root.
func rootRead(t *testing.T, k *Kernel, path string) string {
	t.Helper()
	n, err := k.FS.Lookup(rootCred, nil, path, true)
	if err != nil {
		t.Fatalf("lookup %s: %v", path, err)
	}
	f := vfs.Open(n, vfs.O_RDONLY, path)
	defer f.DecRef()
	b := make([]byte, 8192)
	m, _ := f.Read(b)
	return string(b[:m])
}

// rootWrite writes s to the file at path as root.
func rootWrite(t *testing.T, k *Kernel, path, s string) error {
	t.Helper()
	n, err := k.FS.Lookup(rootCred, nil, path, true)
	if err != nil {
		t.Fatalf("lookup %s: %v", path, err)
	}
	f := vfs.Open(n, vfs.O_WRONLY, path)
	defer f.DecRef()
	_, err = f.Write([]byte(s))
	return err
}

// meminfoLine returns the line of /proc/meminfo that starts with key.
func meminfoLine(t *testing.T, k *Kernel, key string) string {
	t.Helper()
	for _, l := range strings.Split(rootRead(t, k, "/proc/meminfo"), "\n") {
		if strings.HasPrefix(l, key+":") {
			return l
		}
	}
	t.Fatalf("/proc/meminfo has no %s", key)
	return ""
}

func TestHugepagesFiles(t *testing.T) {
	// Room for 3 huge pages and a little more, not 4.
	huge := uint64(mm.HugeFrames * mm.FrameBytes)
	k, err := New(Config{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Seed: 1, MaxMemory: 3*huge + huge/2})
	if err != nil {
		t.Fatal(err)
	}
	const nr = "/proc/sys/vm/nr_hugepages"
	const sys = "/sys/kernel/mm/hugepages/hugepages-2048kB/"
	steps := []struct {
		write   string
		err     error
		nr      string // nr_hugepages after
		meminfo []string
		sys     map[string]string
	}{
		{"", nil, "0\n", []string{"HugePages_Total:       0", "Hugepagesize:       2048 kB", "Hugetlb:               0 kB"}, nil},
		{"2", nil, "2\n", []string{"HugePages_Total:       2", "HugePages_Free:        2", "HugePages_Rsvd:        0", "HugePages_Surp:        0", "Hugetlb:            4096 kB"},
			map[string]string{"nr_hugepages": "2\n", "free_hugepages": "2\n", "resv_hugepages": "0\n", "surplus_hugepages": "0\n", "nr_overcommit_hugepages": "0\n"}},
		// More than the memory cap holds: the write succeeds with what fits.
		{"10\n", nil, "3\n", []string{"HugePages_Total:       3"}, map[string]string{"free_hugepages": "3\n"}},
		{"1", nil, "1\n", []string{"HugePages_Free:        1"}, nil},
		{"-1", linux.EINVAL, "1\n", nil, nil},
		{"x", linux.EINVAL, "1\n", nil, nil},
	}
	for _, s := range steps {
		if s.write != "" {
			if err := rootWrite(t, k, nr, s.write); err != s.err {
				t.Errorf("write %q to nr_hugepages = %v, want %v", s.write, err, s.err)
			}
		}
		if got := rootRead(t, k, nr); got != s.nr {
			t.Errorf("after %q: nr_hugepages = %q, want %q", s.write, got, s.nr)
		}
		for _, want := range s.meminfo {
			key, _, _ := strings.Cut(want, ":")
			if got := meminfoLine(t, k, key); got != want {
				t.Errorf("after %q: meminfo %q, want %q", s.write, got, want)
			}
		}
		for name, want := range s.sys {
			if got := rootRead(t, k, sys+name); got != want {
				t.Errorf("after %q: %s = %q, want %q", s.write, name, got, want)
			}
		}
	}
	// The sysfs file sets the pool too.
	if err := rootWrite(t, k, sys+"nr_hugepages", "2"); err != nil {
		t.Fatal(err)
	}
	if got := rootRead(t, k, nr); got != "2\n" {
		t.Errorf("nr_hugepages after the sysfs write = %q, want 2", got)
	}
	for _, tc := range []struct {
		v   string
		err error
	}{{"3", nil}, {"1", nil}, {"4", nil}, {"0", linux.EINVAL}, {"5", linux.EINVAL}} {
		if err := rootWrite(t, k, "/proc/sys/vm/drop_caches", tc.v); err != tc.err {
			t.Errorf("drop_caches %s = %v, want %v", tc.v, err, tc.err)
		}
	}
	if fs := rootRead(t, k, "/proc/filesystems"); !strings.Contains(fs, "nodev\thugetlbfs\n") {
		t.Errorf("/proc/filesystems = %q, without hugetlbfs", fs)
	}
}

// TestHugepagesNoCap: without --max-memory, the pool is bounded by MemTotal (and a
// huge request ends at once).
func TestHugepagesNoCap(t *testing.T) {
	k := newCgroupKernel(t)
	if err := rootWrite(t, k, "/proc/sys/vm/nr_hugepages", "1000000000000"); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%d\n", k.MemoryCap()/(mm.HugeFrames*mm.FrameBytes))
	if got := rootRead(t, k, "/proc/sys/vm/nr_hugepages"); got != want {
		t.Errorf("nr_hugepages = %q, want %q", got, want)
	}
}
