package kernel

import (
	"fmt"
	"strings"

	"weft/internal/mm"
	"weft/internal/vfs"
)

// The huge page pool's controls: /proc/sys/vm/nr_hugepages and the 2 MiB size's
// directory under /sys/kernel/mm/hugepages (Documentation/admin-guide/mm/hugetlbpage.rst).
// The pool itself is mm.HugePool; its pages are charged to the memory cap as the pool
// grows, so a write asking for more than the cap holds gets what fits, and reading the
// file back tells how many that was.

// hugepagesDir is the size's directory name under /sys/kernel/mm/hugepages.
var hugepagesDir = fmt.Sprintf("hugepages-%dkB", mm.HugeSize>>10)

// nrHugepages is nr_hugepages: the pool's persistent size.
func (k *Kernel) nrHugepages() string { return fmt.Sprint(k.Huge.Persistent()) }

// setNrHugepages resizes the pool, as far as the memory cap lets it grow.
func (k *Kernel) setNrHugepages(s string) error {
	n, err := sysctlInt(s, 0, 1<<62)
	if err != nil {
		return err
	}
	// No more than the machine's memory (MemTotal) could hold, cap or no cap: the
	// pool grows a page at a time.
	k.Huge.SetPersistent(min(n, int64(k.MemoryCap()/(mm.HugeFrames*mm.FrameBytes))))
	return nil
}

// initHugepages makes /sys/kernel/mm/hugepages.
func (k *Kernel) initHugepages() {
	k.hugepagesRoot = k.FS.NewDynamicDir(0o555, 0, 0, nil, nil)
	k.hugepagesRoot.SetDynamic(k.hugepagesFuncs())
	if err := k.FS.Mount("/sys/kernel/mm/hugepages", k.hugepagesRoot); err != nil {
		panic(fmt.Sprintf("kernel: mounting /sys/kernel/mm/hugepages: %v", err))
	}
}

// hugepagesFuncs returns the entries of /sys/kernel/mm/hugepages, computed from k when
// looked up (a restored kernel binds them anew).
func (k *Kernel) hugepagesFuncs() (func(string) *vfs.Inode, func() []string) {
	fs := k.FS
	count := func(get func() int64) func() *vfs.Inode {
		return func() *vfs.Inode {
			return fs.NewGenerated(0o444, 0, 0, func() []byte { return []byte(fmt.Sprintf("%d\n", get())) })
		}
	}
	files := map[string]func() *vfs.Inode{
		"nr_hugepages": func() *vfs.Inode {
			return fs.NewSetting(0o644, func() []byte { return []byte(k.nrHugepages() + "\n") }, func(p []byte) error {
				return k.setNrHugepages(strings.TrimSuffix(string(p), "\n"))
			})
		},
		"free_hugepages":    count(func() int64 { _, f, _, _ := k.Huge.Counts(); return f }),
		"resv_hugepages":    count(func() int64 { _, _, r, _ := k.Huge.Counts(); return r }),
		"surplus_hugepages": count(func() int64 { _, _, _, s := k.Huge.Counts(); return s }),
		// No surplus pages are made on demand: the overcommit limit is 0, as by
		// default.
		"nr_overcommit_hugepages": count(func() int64 { return 0 }),
	}
	lookup := func(name string) *vfs.Inode {
		if name == hugepagesDir {
			return staticDir(fs, files)
		}
		return nil
	}
	return lookup, func() []string { return []string{hugepagesDir} }
}
