package vfs

// NewSocketFile returns an open file description for a new socket whose behaviour is d
// (internal/net): an inode of type S_IFSOCK that no directory links, as sockfs gives
// one, named "socket:[INO]" in /proc/PID/fd. The description is open for reading and
// writing; flags adds O_NONBLOCK.
func (fs *FS) NewSocketFile(d Device, uid, gid uint32, flags uint32) *File {
	n := fs.newInode(S_IFSOCK|0o777, uid, gid)
	n.dev = d
	return Open(n, O_RDWR|flags&O_NONBLOCK, "socket:["+itoa(n.Ino)+"]")
}

// Device returns the device behind f (a socket, a pipe end), or nil for a file or
// directory.
func (f *File) Device() Device { return f.Inode.dev }
