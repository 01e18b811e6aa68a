package syscalls

import (
	"strconv"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

var mountCalls = []entry{
	call(linux.SYS_MOUNT, "mount", Mount, path, path, path, x, p).partial("tmpfs, hugetlbfs, debugfs, ext2, ext3 and ext4 on a loop device, and cgroup2; remounts change flags; bind and move mounts are EINVAL; size= and nr_inodes= are accepted but a tmpfs shares the memory cap"),
	call(linux.SYS_UMOUNT2, "umount2", Umount2, path, x),
}

// mountString reads one of mount(2)'s string arguments; a NULL pointer is "" (the
// source and type may be NULL for a remount).
func mountString(t *kernel.Task, addr uint64) (string, error) {
	if addr == 0 {
		return "", nil
	}
	s, ok, err := t.TG.MM.ReadString(addr, 4096)
	switch {
	case err != nil:
		return "", linux.EFAULT
	case !ok:
		return "", linux.ENAMETOOLONG
	}
	return s, nil
}

// Mount implements mount(2): a new tmpfs, an ext2 file system on a loop device, the
// cgroup2 hierarchy, or a remount that changes a mount's flags. Only a privileged caller
// may mount (EPERM otherwise), and it finds out only after the target has been looked
// up, as on Linux (path_mount checks may_mount after user_path_at).
func Mount(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	source, err := mountString(t, a[0])
	if err != nil {
		return 0, err
	}
	fstype, err := mountString(t, a[2])
	if err != nil {
		return 0, err
	}
	data, err := mountString(t, a[4])
	if err != nil {
		return 0, err
	}
	n, _, err := lookup(t, atFDCWD, a[1], true)
	if err != nil {
		return 0, err
	}
	if !t.MayMount() {
		return 0, linux.EPERM
	}
	flags := a[3]
	if flags&vfs.MS_MGC_MSK == vfs.MS_MGC_VAL {
		flags &^= vfs.MS_MGC_MSK
	}
	fs := t.Kernel().FS
	propagation := flags & (vfs.MS_SHARED | vfs.MS_PRIVATE | vfs.MS_SLAVE | vfs.MS_UNBINDABLE)
	switch {
	case flags&vfs.MS_REMOUNT != 0:
		m := fs.MountOf(n)
		if m == nil {
			return 0, linux.EINVAL
		}
		if flags&vfs.MS_BIND == 0 {
			var err error
			switch {
			case vfs.IsExt2Type(m.Type):
				// The superblock belongs to the root user namespace (do_remount
				// asks for CAP_SYS_ADMIN over the superblock's s_user_ns).
				if err = vfs.CheckExt2Options(m.Type, data); err == nil && !t.TG.Creds.Capable(kernel.CAP_SYS_ADMIN) {
					err = linux.EPERM
				}
			case m.Type == "cgroup2":
				_, err = kernel.CgroupMountOptions(data)
			case m.Type == "hugetlbfs":
				_, err = vfs.ParseHugeOptions(data, t.Kernel().Huge)
			case m.Type == "debugfs":
				// debugfs ignores the options it does not know (see Mount).
			default:
				_, _, _, err = tmpfsOptions(data)
			}
			if err != nil {
				return 0, err
			}
		}
		return ret0(fs.Remount(m, flags))
	case propagation != 0:
		// weft has no propagation between mounts (nor between mount namespaces):
		// every mount is private already, so making one private, a slave (of nothing) or
		// unbindable changes nothing; sharing is what weft cannot do.
		if propagation&(propagation-1) != 0 || (n != fs.Root && fs.MountOf(n) == nil) {
			return 0, linux.EINVAL
		}
		if propagation == vfs.MS_SHARED {
			return 0, linux.EINVAL
		}
		return 0, nil
	case flags&(vfs.MS_BIND|vfs.MS_MOVE) != 0:
		return 0, linux.EINVAL
	}
	switch fstype {
	case "tmpfs":
	case "ext2", "ext3", "ext4":
		// A file system on a block device: the source is the device, looked up
		// after the mount point (lookup_bdev in get_tree_bdev); none is EINVAL
		// ("No source specified").
		if a[0] == 0 {
			return 0, linux.EINVAL
		}
		// ext2 cannot be mounted from a user namespace (no FS_USERNS_MOUNT):
		// mount_capable asks for CAP_SYS_ADMIN in the root one, once the options
		// have been parsed and before the device is looked up.
		if err := vfs.CheckExt2Options(fstype, data); err != nil {
			return 0, err
		}
		if !t.TG.Creds.Capable(kernel.CAP_SYS_ADMIN) {
			return 0, linux.EPERM
		}
		src, _, err := lookup(t, atFDCWD, a[0], true)
		if err != nil {
			return 0, err
		}
		if !n.IsDir() {
			return 0, linux.ENOTDIR
		}
		_, err = fs.MountBlockDevice(t.TG.MntNS, n, src, source, fstype, flags, data)
		if err == vfs.ErrNeedsRecovery {
			// Linux would replay the journal; weft says why it refuses.
			t.Kernel().Notice("mount of %s: %v", source, err)
			return 0, linux.EINVAL
		}
		return 0, err
	case "cgroup2":
		// The cgroup v2 hierarchy (internal/kernel/cgroup.go): every mount shows
		// the same one.
		if !n.IsDir() {
			return 0, linux.ENOTDIR
		}
		opts, err := kernel.CgroupMountOptions(data)
		if err != nil {
			return 0, err
		}
		_, err = fs.MountTree(t.TG.MntNS, n, source, flags, "cgroup2", strings.Join(opts, ","), t.Kernel().CgroupView(opts))
		return ret0(err)
	case "debugfs":
		// debugfs (internal/kernel/debugfs.go): one tree, whatever mounts it; not
		// mountable from a user namespace (mount_capable). It ignores options it
		// does not know, as Linux's does; weft's ignores uid=, gid= and mode= too.
		if !t.TG.Creds.Capable(kernel.CAP_SYS_ADMIN) {
			return 0, linux.EPERM
		}
		if !n.IsDir() {
			return 0, linux.ENOTDIR
		}
		_, err := fs.MountTree(t.TG.MntNS, n, source, flags, "debugfs", "", t.Kernel().Debugfs())
		return ret0(err)
	case "hugetlbfs":
		// A file system of huge page files (vfs/hugetlbfs.go).
		if !n.IsDir() {
			return 0, linux.ENOTDIR
		}
		opts, err := vfs.ParseHugeOptions(data, t.Kernel().Huge)
		if err != nil {
			return 0, err
		}
		_, err = fs.MountHugetlbfs(t.TG.MntNS, n, source, flags, opts)
		return ret0(err)
	case "":
		return 0, linux.EINVAL
	default:
		return 0, linux.ENODEV // a file system type weft does not have (mount(2))
	}
	if !n.IsDir() {
		return 0, linux.ENOTDIR
	}
	mode, uid, gid, err := tmpfsOptions(data)
	if err != nil {
		return 0, err
	}
	m, err := fs.MountTmpfsIn(t.TG.MntNS, n, source, flags)
	if err != nil {
		return 0, err
	}
	root := fs.MountRoot(m)
	if mode >= 0 {
		root.Mode = vfs.S_IFDIR | uint32(mode)
	}
	if uid >= 0 {
		root.UID = uint32(uid)
	}
	if gid >= 0 {
		root.GID = uint32(gid)
	}
	return 0, nil
}

// tmpfsOptions parses tmpfs's mount options (tmpfs(5)): the root directory's mode, uid
// and gid (-1 where not given). Sizes and the other options are accepted; an option
// tmpfs does not have is EINVAL.
func tmpfsOptions(data string) (mode, uid, gid int64, err error) {
	mode, uid, gid = -1, -1, -1
	for _, opt := range strings.Split(data, ",") {
		name, val, _ := strings.Cut(opt, "=")
		var v uint64
		var perr error
		switch name {
		case "":
		case "mode":
			v, perr = strconv.ParseUint(val, 8, 32)
			mode = int64(v & 0o7777)
		case "uid":
			v, perr = strconv.ParseUint(val, 10, 32)
			uid = int64(v)
		case "gid":
			v, perr = strconv.ParseUint(val, 10, 32)
			gid = int64(v)
		case "size", "nr_blocks", "nr_inodes", "huge", "mpol", "inode32", "inode64",
			"noswap", "quota", "usrquota", "grpquota", "rw", "ro", "nosuid", "nodev",
			"noexec", "relatime", "noatime", "strictatime", "lazytime":
		default:
			return 0, 0, 0, linux.EINVAL
		}
		if perr != nil {
			return 0, 0, 0, linux.EINVAL
		}
	}
	return mode, uid, gid, nil
}

// Umount2 implements umount2(2) for the tmpfs mounts the guest made. weft's own root,
// /proc and the host directories mounted by the user stay (EBUSY, as for a root file
// system in use); a directory that is no mount point is EINVAL.
func Umount2(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	flags := a[1]
	if flags&^(vfs.MNT_FORCE|vfs.MNT_DETACH|vfs.MNT_EXPIRE|vfs.UMOUNT_NOFOLLOW) != 0 ||
		(flags&vfs.MNT_EXPIRE != 0 && flags&(vfs.MNT_FORCE|vfs.MNT_DETACH) != 0) {
		return 0, linux.EINVAL
	}
	n, _, err := lookup(t, atFDCWD, a[0], flags&vfs.UMOUNT_NOFOLLOW == 0)
	if err != nil {
		return 0, err
	}
	if !t.MayMount() {
		return 0, linux.EPERM
	}
	fs := t.Kernel().FS
	m := fs.MountOf(n)
	switch {
	case m == nil && fs.IsFixedMount(n):
		return 0, linux.EBUSY
	case m == nil:
		return 0, linux.EINVAL
	}
	k := t.Kernel()
	busy := func(d *vfs.Inode) bool {
		for _, tg := range k.Groups() {
			if tg.Cwd == d && !tg.Exited {
				return true
			}
		}
		return false
	}
	if flags&vfs.MNT_EXPIRE != 0 {
		// umount2(2): the first MNT_EXPIRE marks an unused mount expired and fails
		// with EAGAIN; a second one unmounts it. (Linux also clears the mark when the
		// mount is used in between; weft does not track use of a mount.)
		if !m.Expired {
			m.Expired = true
			return 0, linux.EAGAIN
		}
	}
	return ret0(fs.UnmountIn(t.TG.MntNS, m, flags&vfs.MNT_DETACH != 0, busy))
}
