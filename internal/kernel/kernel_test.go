package kernel

import (
	"testing"

	"weft/internal/abi/linux"
	"weft/internal/mm"
	"weft/internal/vfs"
)

func TestWaitStatusEncoding(t *testing.T) {
	tests := []struct {
		code int
		sig  Signal
		want uint32
	}{
		{0, 0, 0x0000},
		{1, 0, 0x0100},
		{255, 0, 0xff00},
		{256, 0, 0x0000}, // only the low 8 bits survive (exit(3))
		{0, linux.SIGKILL, 0x0009},
		{0, linux.SIGSEGV, 0x000b},
		{0, linux.SIGTERM, 0x000f},
		{0, linux.SIGRTMIN + 3, 35},
	}
	for _, tt := range tests {
		tg := &ThreadGroup{Exited: true, ExitCode: tt.code, KillSignal: tt.sig}
		if got := tg.Status(); got != tt.want {
			t.Errorf("Status(exit %d, signal %v) = %#04x, want %#04x", tt.code, tt.sig, got, tt.want)
		}
	}
}

func newFile(fs *vfs.FS) *vfs.File {
	return vfs.Open(fs.NewFile(nil, 0o644, 0, 0), vfs.O_RDWR, "/tmp/f")
}

// Descriptions are shared by dup and fork (one offset), descriptors are not.
func TestFDTableSharing(t *testing.T) {
	fs := vfs.New(1000, 1000, func([]byte) {})
	tab := FDTable{pool: &mm.Pool{}}
	f := newFile(fs)
	fd, err := tab.Install(f, false, 0, 1024)
	if err != nil || fd != 0 {
		t.Fatalf("Install = %d, %v; want 0, nil", fd, err)
	}
	f.IncRef()
	dup, _ := tab.Install(f, true, 0, 1024)
	if dup != 1 || !tab.CloseOnExec(dup) || tab.CloseOnExec(fd) {
		t.Fatalf("dup = %d, cloexec %v/%v; want 1 with only the dup close-on-exec", dup, tab.CloseOnExec(fd), tab.CloseOnExec(dup))
	}
	child, _ := tab.Fork()
	cf, err := child.Get(0)
	if err != nil || cf != f {
		t.Fatalf("child's fd 0 = %p, %v; want the parent's description", cf, err)
	}
	cf.Write([]byte("hello"))
	if f.Offset != 5 {
		t.Errorf("parent's offset after the child's write = %d, want 5 (shared description)", f.Offset)
	}
	child.Close(0)
	if _, err := tab.Get(0); err != nil {
		t.Errorf("closing the child's fd 0 closed the parent's: %v", err)
	}
	child.closeOnExec()
	if _, err := child.Get(1); err != linux.EBADF {
		t.Errorf("close-on-exec fd survived exec: %v", err)
	}
	for i := 2; i < 5; i++ {
		g := newFile(fs)
		if _, err := tab.Install(g, false, 0, 4); i < 4 && err != nil {
			t.Fatalf("Install below the limit: %v", err)
		} else if i == 4 && err != linux.EMFILE {
			t.Errorf("Install past RLIMIT_NOFILE = %v, want EMFILE", err)
		}
	}
}

func TestPermissionChecks(t *testing.T) {
	fs := vfs.New(1000, 1000, func([]byte) {})
	owner := vfs.Cred{UID: 1000, GID: 1000}
	group := vfs.Cred{UID: 1001, GID: 1000}
	member := vfs.Cred{UID: 1002, GID: 50, Groups: []uint32{1000}}
	other := vfs.Cred{UID: 1003, GID: 1003}
	root := vfs.Cred{UID: 0, GID: 0, Priv: vfs.PrivDACOverride | vfs.PrivDACReadSearch}
	capless := vfs.Cred{UID: 0, GID: 0}                                     // root without capabilities
	searcher := vfs.Cred{UID: 1003, GID: 1003, Priv: vfs.PrivDACReadSearch} // CAP_DAC_READ_SEARCH alone
	unmapped := root                                                        // in a user namespace that does not map the file's IDs
	unmapped.Maps = func(uid, gid uint32) bool { return uid != 1000 }
	tests := []struct {
		mode uint32
		who  vfs.Cred
		mask uint32
		want bool
	}{
		{0o640, owner, vfs.MayRead | vfs.MayWrite, true},
		{0o640, group, vfs.MayRead, true},
		{0o640, group, vfs.MayWrite, false},
		{0o640, member, vfs.MayRead, true},
		{0o640, other, vfs.MayRead, false},
		{0o604, group, vfs.MayRead, false}, // the group class applies, not other
		{0o000, root, vfs.MayRead | vfs.MayWrite, true},
		{0o644, root, vfs.MayExec, false}, // root needs an execute bit to execute
		{0o744, root, vfs.MayExec, true},
		{0o070, owner, vfs.MayRead, false}, // the owner class applies, even if weaker
		{0o000, capless, vfs.MayRead, false},
		{0o004, capless, vfs.MayRead, true},
		{0o000, searcher, vfs.MayRead, true},
		{0o000, searcher, vfs.MayWrite, false},
		{0o000, searcher, vfs.MayExec, false},
		{0o000, unmapped, vfs.MayRead, false},
	}
	for _, tt := range tests {
		n := fs.NewFile(nil, tt.mode, 1000, 1000)
		if got := vfs.Check(tt.who, n, tt.mask); got != tt.want {
			t.Errorf("Check(uid %d gid %d, mode %04o, mask %d) = %v, want %v", tt.who.UID, tt.who.GID, tt.mode, tt.mask, got, tt.want)
		}
	}
}

// TestFDTableCharged checks that descriptor slots count against the memory cap: a dup2
// to a descriptor far past the open ones fails with ENOMEM when the slots do not fit.
func TestFDTableCharged(t *testing.T) {
	fs := vfs.New(1000, 1000, func([]byte) {})
	pool := &mm.Pool{Limit: 1 << 20}
	tab := FDTable{pool: pool}
	f := newFile(fs)
	if err := tab.InstallAt(1000, f, false); err != nil {
		t.Fatalf("InstallAt(1000) = %v, want nil", err)
	}
	if pool.Used() < 1001*fdEntryBytes {
		t.Errorf("a table of 1001 slots charged %d bytes, want at least %d", pool.Used(), 1001*fdEntryBytes)
	}
	f.IncRef()
	if err := tab.InstallAt(1_000_000, f, false); err != linux.ENOMEM {
		t.Errorf("InstallAt(1000000) under a 1 MiB cap = %v, want ENOMEM", err)
	}
	tab.CloseAll()
	if pool.Used() != 0 {
		t.Errorf("after CloseAll the table still holds %d bytes", pool.Used())
	}
}
