package syscalls

import (
	"encoding/binary"
	"math"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
	"weft/internal/vfs"
)

// Loop and block-device ioctls (linux/loop.h, linux/fs.h); the devices are in
// internal/vfs/loop.go.
const (
	LOOP_SET_FD        = 0x4c00
	LOOP_CLR_FD        = 0x4c01
	LOOP_SET_STATUS    = 0x4c02
	LOOP_GET_STATUS    = 0x4c03
	LOOP_SET_STATUS64  = 0x4c04
	LOOP_GET_STATUS64  = 0x4c05
	LOOP_CHANGE_FD     = 0x4c06
	LOOP_SET_CAPACITY  = 0x4c07
	LOOP_SET_DIRECT_IO = 0x4c08
	LOOP_SET_BLOCKSIZE = 0x4c09
	LOOP_CONFIGURE     = 0x4c0a
	LOOP_CTL_ADD       = 0x4c80
	LOOP_CTL_REMOVE    = 0x4c81
	LOOP_CTL_GET_FREE  = 0x4c82

	BLKROGET     = 0x125e
	BLKGETSIZE   = 0x1260
	BLKFLSBUF    = 0x1261
	BLKSSZGET    = 0x1268
	BLKBSZGET    = 0x80081270
	BLKGETSIZE64 = 0x80081272
	BLKPBSZGET   = 0x127b
)

// Sizes of the structures (riscv64): struct loop_info, loop_info64, loop_config.
const (
	loopInfoSize   = 160
	loopInfo64Size = 232
	loopConfigSize = 304
)

// Flags LOOP_CONFIGURE may set, and those LOOP_SET_STATUS may set and clear.
const (
	loopConfigureSettable = vfs.LO_FLAGS_READ_ONLY | vfs.LO_FLAGS_AUTOCLEAR | vfs.LO_FLAGS_PARTSCAN | vfs.LO_FLAGS_DIRECT_IO
	loopStatusSettable    = vfs.LO_FLAGS_AUTOCLEAR | vfs.LO_FLAGS_PARTSCAN
	loopStatusClearable   = vfs.LO_FLAGS_AUTOCLEAR
)

// loopIoctl answers ioctls on /dev/loop-control and the loop devices; ok is false
// for any other file.
func loopIoctl(t *kernel.Task, f *vfs.File, req, arg uint64) (r uint64, ok bool, err error) {
	switch d := f.Device().(type) {
	case vfs.LoopControl:
		r, err = loopControlIoctl(d, req, arg)
		return r, true, err
	case *vfs.Loop:
		r, err = loopDevIoctl(t, f, d, req, arg)
		return r, true, err
	}
	return 0, false, nil
}

func loopControlIoctl(c vfs.LoopControl, req, arg uint64) (uint64, error) {
	var n int
	var err error
	switch req {
	case LOOP_CTL_GET_FREE:
		n, err = c.GetFree()
	case LOOP_CTL_ADD:
		n, err = c.Add(int64(arg))
	case LOOP_CTL_REMOVE:
		n, err = c.Remove(int64(arg))
	default:
		return 0, linux.ENOSYS // loop_control_ioctl's answer to other requests
	}
	return uint64(n), err
}

func loopDevIoctl(t *kernel.Task, f *vfs.File, l *vfs.Loop, req, arg uint64) (uint64, error) {
	// Changing a device needs it open for writing or CAP_SYS_ADMIN (lo_ioctl).
	mayChange := f.Writable() || t.TG.Creds.Capable(kernel.CAP_SYS_ADMIN)
	switch req {
	case LOOP_SET_FD:
		return 0, loopConfigure(t, f, l, int32(arg), 0, nil)
	case LOOP_CONFIGURE:
		b, err := copyIn(t, arg, loopConfigSize)
		if err != nil {
			return 0, err
		}
		le := binary.LittleEndian
		return 0, loopConfigure(t, f, l, int32(le.Uint32(b[0:])), le.Uint32(b[4:]), b[8:8+loopInfo64Size])
	case LOOP_CHANGE_FD:
		bf, err := openFile(t, arg)
		if err != nil {
			return 0, err
		}
		return 0, l.ChangeFD(bf)
	case LOOP_CLR_FD:
		return 0, l.ClearFD()
	case LOOP_SET_STATUS, LOOP_SET_STATUS64:
		if !mayChange {
			return 0, linux.EPERM
		}
		size := uint64(loopInfo64Size)
		if req == LOOP_SET_STATUS {
			size = loopInfoSize
		}
		b, err := copyIn(t, arg, size)
		if err != nil {
			return 0, err
		}
		if l.State != vfs.LoopBound {
			return 0, linux.ENXIO
		}
		if req == LOOP_SET_STATUS {
			b = loopInfoFromOld(b)
		}
		prev := l.Flags
		if err := loopSetInfo(l, b); err != nil {
			return 0, err
		}
		l.Flags &= loopStatusSettable
		l.Flags |= prev &^ loopStatusSettable
		l.Flags |= prev &^ loopStatusClearable
		l.Resize()
		return 0, nil
	case LOOP_GET_STATUS, LOOP_GET_STATUS64:
		if arg == 0 {
			return 0, linux.EINVAL
		}
		if l.State != vfs.LoopBound {
			return 0, linux.ENXIO
		}
		b := loopGetInfo(l)
		if req == LOOP_GET_STATUS {
			var err error
			if b, err = loopInfoToOld(b); err != nil {
				return 0, err
			}
		}
		return 0, copyOut(t, arg, b)
	case LOOP_SET_CAPACITY, LOOP_SET_DIRECT_IO, LOOP_SET_BLOCKSIZE:
		if !mayChange {
			return 0, linux.EPERM
		}
		if l.State != vfs.LoopBound {
			return 0, linux.ENXIO
		}
		switch req {
		case LOOP_SET_CAPACITY:
			l.Resize()
		case LOOP_SET_DIRECT_IO:
			if arg > 1 {
				return 0, linux.EINVAL
			}
			l.Flags &^= vfs.LO_FLAGS_DIRECT_IO
			if arg == 1 {
				l.Flags |= vfs.LO_FLAGS_DIRECT_IO
			}
		case LOOP_SET_BLOCKSIZE:
			if !validBlockSize(arg) {
				return 0, linux.EINVAL
			}
			l.BlockSize = uint32(arg)
		}
		return 0, nil
	case BLKGETSIZE64:
		return 0, putU64(t, arg, uint64(l.Size()))
	case BLKGETSIZE:
		return 0, putU64(t, arg, uint64(l.Size())>>9)
	case BLKSSZGET, BLKPBSZGET:
		return 0, putU32(t, arg, l.BlockSize)
	case BLKBSZGET:
		// The soft block size: the page size, for a device whose size allows it.
		return 0, putU32(t, arg, 4096)
	case BLKROGET:
		ro := uint32(0)
		if l.Flags&vfs.LO_FLAGS_READ_ONLY != 0 {
			ro = 1
		}
		return 0, putU32(t, arg, ro)
	case BLKFLSBUF:
		if !t.TG.Creds.Capable(kernel.CAP_SYS_ADMIN) {
			return 0, linux.EACCES
		}
		return 0, nil // writes go straight to the file: nothing is buffered
	}
	return 0, linux.EINVAL // lo_simple_ioctl's answer to other requests
}

// loopConfigure binds the file open as fd (LOOP_SET_FD, LOOP_CONFIGURE with info; nil
// for none) as loop_configure does.
func loopConfigure(t *kernel.Task, f *vfs.File, l *vfs.Loop, fd int32, blockSize uint32, info []byte) error {
	bf, err := openFile(t, uint64(uint32(fd)))
	if err != nil {
		return err
	}
	if err := l.CheckBind(bf); err != nil {
		return err
	}
	if info != nil {
		flags := binary.LittleEndian.Uint32(info[52:])
		if flags&^loopConfigureSettable != 0 {
			return linux.EINVAL
		}
	}
	if blockSize != 0 && !validBlockSize(uint64(blockSize)) {
		return linux.EINVAL
	}
	if err := l.Bind(bf, f.Writable() && bf.Writable()); err != nil {
		return err
	}
	if blockSize != 0 {
		l.BlockSize = blockSize
	}
	if info != nil {
		ro := l.Flags & vfs.LO_FLAGS_READ_ONLY
		if err := loopSetInfo(l, info); err != nil {
			l.Detach()
			return err
		}
		l.Flags |= ro
		l.Resize()
	}
	return nil
}

func validBlockSize(n uint64) bool {
	return n >= 512 && n <= 4096 && n&(n-1) == 0
}

// loopSetInfo takes offset, size limit, flags and names from a struct loop_info64
// (loop_set_status_from_info).
func loopSetInfo(l *vfs.Loop, b []byte) error {
	le := binary.LittleEndian
	off, limit := le.Uint64(b[24:]), le.Uint64(b[32:])
	if off > math.MaxInt64 || limit > math.MaxInt64 {
		return linux.EOVERFLOW
	}
	l.Offset, l.SizeLimit = off, limit
	l.Flags = le.Uint32(b[52:])
	copy(l.FileName[:], b[56:120])
	copy(l.CryptName[:], b[120:184])
	l.FileName[63], l.CryptName[63] = 0, 0
	return nil
}

// loopGetInfo encodes the device as a struct loop_info64.
func loopGetInfo(l *vfs.Loop) []byte {
	b := make([]byte, loopInfo64Size)
	le := binary.LittleEndian
	bi := l.Backing.Inode
	le.PutUint64(b[0:], 1) // lo_device: the st_dev weft's stat(2) reports for every file
	le.PutUint64(b[8:], bi.Ino)
	if bi.Mode&vfs.S_IFMT == vfs.S_IFBLK {
		le.PutUint64(b[16:], bi.Rdev)
	} else {
		le.PutUint64(b[16:], 1)
	}
	le.PutUint64(b[24:], l.Offset)
	le.PutUint64(b[32:], l.SizeLimit)
	le.PutUint32(b[40:], uint32(l.Number))
	le.PutUint32(b[52:], l.Flags)
	copy(b[56:120], l.FileName[:])
	copy(b[120:184], l.CryptName[:])
	return b
}

// loopInfoFromOld widens a struct loop_info to a loop_info64 (loop_info64_from_old).
func loopInfoFromOld(o []byte) []byte {
	le := binary.LittleEndian
	b := make([]byte, loopInfo64Size)
	le.PutUint64(b[0:], uint64(le.Uint32(o[4:])))
	le.PutUint64(b[8:], le.Uint64(o[8:]))
	le.PutUint64(b[16:], uint64(le.Uint32(o[16:])))
	le.PutUint64(b[24:], uint64(int64(int32(le.Uint32(o[20:]))))) // int lo_offset, sign-extended
	le.PutUint32(b[40:], le.Uint32(o[0:]))
	le.PutUint32(b[52:], le.Uint32(o[32:]))
	copy(b[56:120], o[36:100])
	return b
}

// loopInfoToOld narrows a loop_info64 to a struct loop_info, EOVERFLOW if a field does
// not fit (loop_info64_to_old).
func loopInfoToOld(b []byte) ([]byte, error) {
	le := binary.LittleEndian
	dev, ino, rdev, off := le.Uint64(b[0:]), le.Uint64(b[8:]), le.Uint64(b[16:]), le.Uint64(b[24:])
	if dev > math.MaxUint32 || rdev > math.MaxUint32 || off > math.MaxInt32 {
		return nil, linux.EOVERFLOW
	}
	o := make([]byte, loopInfoSize)
	le.PutUint32(o[0:], le.Uint32(b[40:]))
	le.PutUint32(o[4:], uint32(dev))
	le.PutUint64(o[8:], ino)
	le.PutUint32(o[16:], uint32(rdev))
	le.PutUint32(o[20:], uint32(off))
	le.PutUint32(o[32:], le.Uint32(b[52:]))
	copy(o[36:100], b[56:120])
	return o, nil
}

func putU64(t *kernel.Task, addr, v uint64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return copyOut(t, addr, b[:])
}

func putU32(t *kernel.Task, addr uint64, v uint32) error {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return copyOut(t, addr, b[:])
}
