package kernel

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/mm"
	"weft/internal/vfs"
)

// debugfs (Documentation/filesystems/debugfs.rst): the one tree of kernel debugging
// files, mounted at /sys/kernel/debug as systemd mounts it, and wherever mount(2) puts
// another "debugfs" (every mount shows the same tree). weft's holds the hwpoison
// injector (mm/hwpoison-inject.c, CONFIG_HWPOISON_INJECT): writing a page frame number
// to hwpoison/corrupt-pfn gives that frame a memory failure, and writing one to
// hwpoison/unpoison-pfn puts a frame that had one (or that MADV_SOFT_OFFLINE took out of
// use) back. Frame numbers are those of the memory-failure messages in the kernel log
// (klog.go).

// DebugfsPath is where the guest finds debugfs.
const DebugfsPath = "/sys/kernel/debug"

// hwpoisonAttr is hwpoison/corrupt-pfn (unpoison false) or hwpoison/unpoison-pfn: a
// write-only debugfs attribute that takes a number.
type hwpoisonAttr struct {
	k        *Kernel
	unpoison bool
}

// Read implements vfs.Device: the attributes have no get (simple_attr_read: EACCES).
func (hwpoisonAttr) Read(*vfs.File, []byte) (int, error) { return 0, linux.EACCES }

// IsTTY implements vfs.Device.
func (hwpoisonAttr) IsTTY() bool { return false }

// attrBuf is how much of a write a debugfs attribute reads (simple_attr's set_buf,
// less its terminating NUL).
const attrBuf = 23

// Write implements vfs.Device: the number, in C's notation (0x for hex, 0 for octal)
// with an optional newline, is parsed from the first attrBuf bytes
// (simple_attr_write: EINVAL if it is not a number) and handed to the injector, which
// only CAP_SYS_ADMIN may use (EPERM).
func (a hwpoisonAttr) Write(_ *vfs.File, p []byte) (int, error) {
	// kstrtoull: an optional "+", then 0x or 0 for the base; Go's own prefixes
	// and digit separators are not C's.
	s := strings.TrimPrefix(strings.TrimSuffix(string(p[:min(len(p), attrBuf)]), "\n"), "+")
	l := strings.ToLower(s)
	pfn, err := strconv.ParseUint(s, 0, 64)
	if err != nil || strings.Contains(s, "_") || strings.HasPrefix(l, "0b") || strings.HasPrefix(l, "0o") {
		return 0, linux.EINVAL
	}
	t := a.k.current
	if t == nil || !t.TG.Creds.Capable(CAP_SYS_ADMIN) {
		return 0, linux.EPERM
	}
	if a.unpoison {
		err = a.k.unpoisonPFN(pfn)
	} else {
		err = a.k.corruptPFN(pfn)
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// corruptPFN is hwpoison_inject: a memory failure of the frame (memory_failure), which
// must be one the kernel has (ENXIO) and not already failed (EHWPOISON).
func (k *Kernel) corruptPFN(pfn uint64) error {
	if !k.pool.ValidPFN(pfn) {
		return linux.ENXIO
	}
	k.Logf(KERN_INFO, "Injecting memory failure at pfn %#x", pfn)
	n, err := k.pool.PoisonPFN(pfn)
	if errors.Is(err, mm.ErrPoisoned) {
		k.Logf(KERN_ERR, "Memory failure: %#x: already hardware poisoned", pfn)
		return linux.EHWPOISON
	}
	what := "free buddy page"
	if n > 0 {
		what = "dirty LRU page" // an anonymous page: dropped from every mapping
	}
	k.Logf(KERN_ERR, "Memory failure: %#x: recovery action for %s: Recovered", pfn, what)
	return nil
}

// unpoisonPFN is unpoison_memory: the frame, which must be one the kernel has (ENXIO)
// and have failed (EBUSY), goes back into use.
func (k *Kernel) unpoisonPFN(pfn uint64) error {
	if !k.pool.ValidPFN(pfn) {
		return linux.ENXIO
	}
	if k.pool.UnpoisonPFN(pfn) != nil {
		k.Logf(KERN_INFO, "Memory failure: %#x: page was already unpoisoned", pfn)
		return linux.EBUSY
	}
	k.Logf(KERN_INFO, "Memory failure: %#x: software-unpoisoned page", pfn)
	return nil
}

// Debugfs returns debugfs's root, made on first use: a directory only root may enter
// (debugfs's default mode, 0700) holding hwpoison/, whose attributes only root may
// write (0200).
func (k *Kernel) Debugfs() *vfs.Inode {
	if k.debugfs != nil {
		return k.debugfs
	}
	fs := k.FS
	root := fs.NewDir(0o700, 0, 0)
	hw := fs.NewDir(0o755, 0, 0)
	fs.AddChild(root, "hwpoison", hw)
	fs.AddChild(hw, "corrupt-pfn", fs.NewAttribute(hwpoisonAttr{k: k}, 0o200))
	fs.AddChild(hw, "unpoison-pfn", fs.NewAttribute(hwpoisonAttr{k: k, unpoison: true}, 0o200))
	k.debugfs = root
	return root
}

// mountDebugfs mounts debugfs at DebugfsPath.
func (k *Kernel) mountDebugfs() {
	if err := k.FS.Mount(DebugfsPath, k.Debugfs()); err != nil {
		panic(fmt.Sprintf("kernel: mounting debugfs: %v", err))
	}
}
