package vfs

import (
	"testing"

	"weft/internal/abi/linux"
)

// TestLoopChains: binding or changing a loop device's file checks the whole chain of
// loop devices below it (loop_validate_file): one that comes back to the device is
// EBADF, so that no read recurses without end, and one through an unbound device EINVAL.
func TestLoopChains(t *testing.T) {
	fs := New(0, 0, func(p []byte) { clear(p) })
	img := writeFile(t, fs, mustDir(t, fs, "/tmp"), "img", make([]byte, 4096), 0)
	open := func(n *Inode) *File { return &File{Inode: n, refs: 1} }
	l0, l1, l2, l3 := fs.loops.byNo[0], fs.loops.byNo[1], fs.loops.byNo[2], fs.loops.byNo[3]
	if err := l0.Bind(open(img), false); err != nil {
		t.Fatal(err)
	}
	if err := l1.Bind(open(l0.Inode), false); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"bind to itself", l2.CheckBind(open(l2.Inode)), linux.EBADF},
		{"bind through an unbound device", l2.CheckBind(open(l3.Inode)), linux.EINVAL},
		{"bind through bound devices", l2.CheckBind(open(l1.Inode)), nil},
		{"change to a device over itself", l0.ChangeFD(open(l1.Inode)), linux.EBADF},
		{"change to itself", l1.ChangeFD(open(l1.Inode)), linux.EBADF},
	}
	for _, tt := range tests {
		if tt.err != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if n, err := l1.PRead(make([]byte, 512), 0); n != 512 || err != nil {
		t.Errorf("read through the chain: %d, %v", n, err)
	}
}
