package vfs

import (
	"strconv"

	"weft/internal/abi/linux"
)

// Loop devices (loop(4)): /dev/loop-control hands out free /dev/loopN block devices,
// and each one, once bound to a file (LOOP_SET_FD, LOOP_CONFIGURE), reads and writes
// that file. weft mounts no file system from a block device (its mount(2) knows only
// tmpfs), so the devices are for what programs do with them directly: LTP's library
// acquires one for every test that may run on several file systems, and runs those
// tests on the ones the kernel has (tmpfs).
//
// The ioctls themselves, which copy structures to and from guest memory, are in
// internal/syscalls (sys_loop.go); this file keeps the devices' state.

// Device numbers (Documentation/admin-guide/devices.txt): loop devices are block major
// 7; loop-control is misc (10) minor 237.
const (
	LoopMajor       = 7
	loopControlRdev = 10<<8 | 237
	// loopInitial is how many devices exist at boot (CONFIG_BLK_DEV_LOOP_MIN_COUNT's
	// default); LOOP_CTL_GET_FREE and LOOP_CTL_ADD make more, up to LoopMax, so that
	// a guest cannot make weft hold an unbounded number of them.
	loopInitial = 8
	LoopMax     = 256
	// diskGID is the group of Debian's "disk", which owns block devices.
	diskGID = 6
)

// Loop flags (linux/loop.h).
const (
	LO_FLAGS_READ_ONLY = 1
	LO_FLAGS_AUTOCLEAR = 4
	LO_FLAGS_PARTSCAN  = 8
	LO_FLAGS_DIRECT_IO = 16
)

// LoopState is where a loop device is in its life (drivers/block/loop.c).
type LoopState int

const (
	LoopUnbound LoopState = iota
	LoopBound
	// LoopRundown: LOOP_CLR_FD asked to detach while the caller was the only
	// opener; the file goes at the last close, and the device is neither free nor
	// bound meanwhile.
	LoopRundown
)

// Loop is one loop block device.
type Loop struct {
	Number int
	Inode  *Inode
	State  LoopState
	// Backing is the bound file (a reference held until the device is detached).
	Backing   *File
	Offset    uint64
	SizeLimit uint64 // 0: up to the end of the file
	Flags     uint32
	FileName  [64]byte // LOOP_SET_STATUS's lo_file_name, for LOOP_GET_STATUS
	CryptName [64]byte
	BlockSize uint32
	// size is the device's size, measured when the file was bound and again at
	// LOOP_SET_STATUS and LOOP_SET_CAPACITY: as in Linux, a file that grows later
	// does not grow the device until then.
	size    int64
	openers int
}

// loops is the file system's loop devices by number, and /dev where new ones go.
type loops struct {
	dev  *Inode
	byNo map[int]*Loop
}

// addLoopDevices makes /dev/loop-control and /dev/loop0..7.
func (fs *FS) addLoopDevices(dev *Inode) {
	fs.loops = &loops{dev: dev, byNo: map[int]*Loop{}}
	ctl := fs.newInode(S_IFCHR|0o660, 0, diskGID)
	ctl.dev, ctl.Rdev = LoopControl{fs}, loopControlRdev
	fs.link(dev, "loop-control", ctl)
	for i := 0; i < loopInitial; i++ {
		fs.addLoop(i)
	}
}

func (fs *FS) addLoop(n int) *Loop {
	l := &Loop{Number: n, BlockSize: 512}
	l.Inode = fs.newInode(S_IFBLK|0o660, 0, diskGID)
	// new_encode_dev: the minor's low byte, the major above it, the minor's
	// higher bits above that.
	l.Inode.dev, l.Inode.Rdev = l, uint64(n&0xff|LoopMajor<<8|(n&^0xff)<<12)
	fs.link(fs.loops.dev, "loop"+strconv.Itoa(n), l.Inode)
	fs.loops.byNo[n] = l
	return l
}

// LoopControl is /dev/loop-control.
type LoopControl struct{ fs *FS }

func (LoopControl) Read(*File, []byte) (int, error)  { return 0, linux.EINVAL }
func (LoopControl) Write(*File, []byte) (int, error) { return 0, linux.EINVAL }
func (LoopControl) IsTTY() bool                      { return false }

// GetFree is LOOP_CTL_GET_FREE: the lowest-numbered unbound device, made if every one
// is in use.
func (c LoopControl) GetFree() (int, error) {
	ls := c.fs.loops
	for i := 0; i < LoopMax; i++ {
		l := ls.byNo[i]
		if l == nil {
			return c.fs.addLoop(i).Number, nil
		}
		if l.State == LoopUnbound {
			return i, nil
		}
	}
	return 0, linux.ENOSPC
}

// Add is LOOP_CTL_ADD: make /dev/loopN (EEXIST if it exists).
func (c LoopControl) Add(n int64) (int, error) {
	if n < 0 || n >= LoopMax {
		return 0, linux.EINVAL
	}
	if c.fs.loops.byNo[int(n)] != nil {
		return 0, linux.EEXIST
	}
	return c.fs.addLoop(int(n)).Number, nil
}

// Remove is LOOP_CTL_REMOVE: remove an unused, unbound device.
func (c LoopControl) Remove(n int64) (int, error) {
	if n < 0 {
		return 0, linux.EINVAL
	}
	ls := c.fs.loops
	l := ls.byNo[int(n)]
	if l == nil {
		return 0, linux.ENODEV
	}
	if l.State != LoopUnbound || l.openers > 0 {
		return 0, linux.EBUSY
	}
	delete(ls.byNo, int(n))
	if ls.dev.children["loop"+strconv.Itoa(int(n))] == l.Inode {
		delete(ls.dev.children, "loop"+strconv.Itoa(int(n)))
	}
	return 0, nil
}

// Size is the device's size in bytes.
func (l *Loop) Size() int64 { return l.size }

// Resize measures the device again: the file past the offset, cut at the size limit,
// in whole 512-byte sectors (get_size in loop.c).
func (l *Loop) Resize() { l.size = l.measure() }

func (l *Loop) measure() int64 {
	if l.State == LoopUnbound || l.Backing == nil {
		return 0
	}
	fsize := fileSize(l.Backing)
	if uint64(fsize) <= l.Offset {
		return 0
	}
	size := uint64(fsize) - l.Offset
	if l.SizeLimit != 0 && l.SizeLimit < size {
		size = l.SizeLimit
	}
	return int64(size &^ 511)
}

func (l *Loop) IsTTY() bool { return false }

func (l *Loop) Opened(*File) { l.openers++ }

// Release detaches the file at the last close if LOOP_CLR_FD (or LO_FLAGS_AUTOCLEAR)
// asked for it.
func (l *Loop) Release(*File) {
	l.openers--
	if l.openers == 0 && l.Flags&LO_FLAGS_AUTOCLEAR != 0 && l.State != LoopUnbound {
		l.Detach()
	}
}

// Openers is how many open file descriptions refer to the device.
func (l *Loop) Openers() int { return l.openers }

// CheckBind reports whether f may be bound to the device (loop_configure's checks
// before it looks at the configuration): EBUSY if the device is in use, else what
// validateFile finds.
func (l *Loop) CheckBind(f *File) error {
	if l.State != LoopUnbound {
		return linux.EBUSY
	}
	return l.validateFile(f)
}

// validateFile is loop_validate_file: following f down a chain of loop devices, EBADF
// if the chain comes back to this device (reads would recurse without end), EINVAL if
// a device in it is not bound, or if f is neither a regular file nor a block device.
func (l *Loop) validateFile(f *File) error {
	for b := f; ; {
		bl, ok := b.Inode.dev.(*Loop)
		if !ok {
			break
		}
		if bl == l {
			return linux.EBADF
		}
		if bl.State != LoopBound || bl.Backing == nil {
			return linux.EINVAL
		}
		b = bl.Backing
	}
	if t := f.Inode.Mode & S_IFMT; t != S_IFREG && t != S_IFBLK {
		return linux.EINVAL
	}
	return nil
}

// Bind attaches f (LOOP_SET_FD, LOOP_CONFIGURE). writable says whether both the device
// and f were opened for writing; otherwise the device is read-only.
func (l *Loop) Bind(f *File, writable bool) error {
	if err := l.CheckBind(f); err != nil {
		return err
	}
	f.IncRef()
	l.Backing, l.State = f, LoopBound
	l.Offset, l.SizeLimit, l.Flags = 0, 0, 0
	l.FileName, l.CryptName = [64]byte{}, [64]byte{}
	if !writable {
		l.Flags |= LO_FLAGS_READ_ONLY
	}
	l.Resize()
	return nil
}

// ChangeFD is LOOP_CHANGE_FD: a read-only device swaps its file for another of the
// same size (how a live CD's root moves to a copy).
func (l *Loop) ChangeFD(f *File) error {
	if l.State != LoopBound {
		return linux.ENXIO
	}
	if l.Flags&LO_FLAGS_READ_ONLY == 0 {
		return linux.EINVAL
	}
	if err := l.validateFile(f); err != nil {
		return err
	}
	if fileSize(f) != fileSize(l.Backing) {
		return linux.EINVAL
	}
	f.IncRef()
	old := l.Backing
	l.Backing = f
	old.DecRef()
	return nil
}

// ClearFD is LOOP_CLR_FD: the file is detached at the last close; if the caller is the
// only opener the device stops being bound now, so that a second LOOP_CLR_FD is ENXIO.
func (l *Loop) ClearFD() error {
	if l.State != LoopBound {
		return linux.ENXIO
	}
	l.Flags |= LO_FLAGS_AUTOCLEAR
	if l.openers <= 1 {
		l.State = LoopRundown
	}
	return nil
}

// Detach drops the backing file and frees the device.
func (l *Loop) Detach() {
	if l.Backing != nil {
		b := l.Backing
		l.Backing = nil
		b.DecRef()
	}
	l.State, l.Offset, l.SizeLimit, l.Flags = LoopUnbound, 0, 0, 0
	l.FileName, l.CryptName = [64]byte{}, [64]byte{}
	l.BlockSize, l.size = 512, 0
}

// Read reads the bound file at the device offset (nothing from an unbound device).
func (l *Loop) Read(f *File, p []byte) (int, error) {
	c, err := l.PRead(p, f.Offset)
	f.Offset += int64(c)
	return c, err
}

// Write writes the bound file at the device offset.
func (l *Loop) Write(f *File, p []byte) (int, error) {
	c, err := l.PWrite(p, f.Offset)
	f.Offset += int64(c)
	return c, err
}

// PRead reads at a device offset.
func (l *Loop) PRead(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, linux.EINVAL
	}
	size := l.Size()
	if off >= size || l.Backing == nil {
		return 0, nil
	}
	p = p[:min(int64(len(p)), size-off)]
	return l.Backing.PRead(p, off+int64(l.Offset))
}

// PWrite writes at a device offset: EPERM on a read-only device, ENOSPC at its end.
func (l *Loop) PWrite(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, linux.EINVAL
	}
	if l.Backing == nil || l.Flags&LO_FLAGS_READ_ONLY != 0 {
		return 0, linux.EPERM
	}
	size := l.Size()
	if off >= size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, linux.ENOSPC
	}
	p = p[:min(int64(len(p)), size-off)]
	return l.Backing.PWrite(p, off+int64(l.Offset))
}

// fileSize is the size of a file a loop device can be bound to: a regular file's, or a
// block device's (whose st_size is 0).
func fileSize(f *File) int64 {
	if bl, ok := f.Inode.dev.(*Loop); ok {
		return bl.Size()
	}
	return f.Inode.Size()
}
