package kernel

// kernelConfig is the kernel configuration weft's behaviour corresponds to, for
// programs (LTP's tst_kconfig) that decide from it what to test. It states only what is
// true of weft: an option is set where weft implements the feature (dnotify:
// internal/vfs/dnotify.go; PID and user namespaces: pidns.go, userns.go; cgroups:
// cgroup.go; memory failure: internal/mm's Poison; debugfs and its hwpoison injector:
// debugfs.go; mount namespaces, which no option selects, are mntns.go), and "is not
// set" where weft does not have it (the UTS, IPC and cgroup namespaces, ext4,
// hugetlbfs, swap, inotify); block devices are the loop driver only
// (internal/vfs/loop.go). Module support is there with every driver built in (=y,
// listed in modules.builtin) and loading disabled (kernel.modules_disabled=1).
// Options nothing asks about are left out, as in any configuration that never selected
// them.
const kernelConfig = `#
# Automatically generated file; DO NOT EDIT.
# Linux/riscv ` + KernelRelease + ` Kernel Configuration (weft)
#
CONFIG_RISCV=y
CONFIG_64BIT=y
CONFIG_MMU=y
CONFIG_PGTABLE_LEVELS=4
CONFIG_SMP=y
CONFIG_DEFAULT_HOSTNAME="` + Hostname + `"
CONFIG_SYSVIPC=y
CONFIG_FUTEX=y
CONFIG_PROC_FS=y
CONFIG_TMPFS=y
CONFIG_SHMEM=y
CONFIG_MULTIUSER=y
CONFIG_SECCOMP=y
# CONFIG_SECCOMP_FILTER is not set
# CONFIG_SWAP is not set
CONFIG_MODULES=y
CONFIG_NAMESPACES=y
# CONFIG_UTS_NS is not set
CONFIG_TIME_NS=y
# CONFIG_IPC_NS is not set
CONFIG_USER_NS=y
CONFIG_PID_NS=y
CONFIG_NET_NS=y
CONFIG_CGROUPS=y
CONFIG_MEMCG=y
CONFIG_CGROUP_PIDS=y
# CONFIG_CGROUP_FREEZER is not set
# CONFIG_CPUSETS is not set
# CONFIG_CGROUP_SCHED is not set
CONFIG_BLOCK=y
CONFIG_BLK_DEV_LOOP=y
CONFIG_BLK_DEV_LOOP_MIN_COUNT=8
# CONFIG_BLK_DEV_RAM is not set
# CONFIG_EXT4_FS is not set
# CONFIG_SQUASHFS is not set
CONFIG_DNOTIFY=y
# CONFIG_INOTIFY_USER is not set
# CONFIG_IO_URING is not set
CONFIG_MEMORY_FAILURE=y
CONFIG_HWPOISON_INJECT=y
CONFIG_DEBUG_FS=y
# CONFIG_KSM is not set
# CONFIG_TRANSPARENT_HUGEPAGE is not set
CONFIG_HUGETLBFS=y
CONFIG_HUGETLB_PAGE=y
# CONFIG_KVM is not set
# CONFIG_KASAN is not set
# CONFIG_UBSAN is not set
# CONFIG_LOCKDEP is not set
# CONFIG_FAULT_INJECTION is not set
# CONFIG_SECURITY_LOCKDOWN_LSM is not set
`

// makeBootConfig writes kernelConfig where Debian keeps a kernel's configuration,
// /boot/config-RELEASE. (Linux can also offer it as /proc/config.gz, but reading that
// takes zcat and a shell, which a guest root need not have: LTP's tst_kconfig looks in
// both places.)
func (k *Kernel) makeBootConfig() {
	k.FS.AddFile("/boot/config-"+KernelRelease, []byte(kernelConfig), 0o644)
	k.FS.AddFile(modulesDir+"/modules.builtin", []byte(modulesBuiltin), 0o644)
	k.FS.AddFile(modulesDir+"/modules.builtin.bin", modulesBuiltinIndex(modulesBuiltin), 0o644) // modindex.go
}

// modulesDir is where Debian keeps a kernel's module lists: /lib/modules/RELEASE, which
// is /usr/lib/modules/RELEASE on a merged-/usr system (what the guest root is).
const modulesDir = "/usr/lib/modules/" + KernelRelease

// modulesBuiltin is modules.builtin: the drivers weft has, of those Linux can build
// as modules, each built in (=y above), by the path its module would have.
const modulesBuiltin = `kernel/drivers/block/loop.ko
kernel/mm/hwpoison-inject.ko
`
