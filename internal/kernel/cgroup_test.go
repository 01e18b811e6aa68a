package kernel

import (
	"io"
	"strings"
	"testing"

	"weft/internal/abi/linux"
	"weft/internal/mm"
	"weft/internal/vfs"
)

func newCgroupKernel(t *testing.T) *Kernel {
	t.Helper()
	k, err := New(Config{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// cgFile reads the file at path below /sys/fs/cgroup, as root.
func cgFile(t *testing.T, k *Kernel, path string) string {
	t.Helper()
	return rootRead(t, k, "/sys/fs/cgroup/"+path)
}

// cgWrite writes s to the file at path below /sys/fs/cgroup, as root.
func cgWrite(k *Kernel, path, s string) error {
	n, err := k.FS.Lookup(rootCred, nil, "/sys/fs/cgroup/"+path, true)
	if err != nil {
		return err
	}
	f := vfs.Open(n, vfs.O_WRONLY, path)
	defer f.DecRef()
	_, err = f.Write([]byte(s))
	return err
}

func cgMkdir(k *Kernel, path string) error {
	dir, name, err := k.FS.LookupParent(rootCred, nil, "/sys/fs/cgroup/"+path)
	if err != nil {
		return err
	}
	_, err = k.FS.Create(rootCred, dir, name, vfs.S_IFDIR|0o755)
	return err
}

func cgRmdir(k *Kernel, path string) error {
	dir, name, err := k.FS.LookupParent(rootCred, nil, "/sys/fs/cgroup/"+path)
	if err != nil {
		return err
	}
	return k.FS.Unlink(rootCred, dir, name, true)
}

func TestParseMemBytes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  error
	}{
		{"max", mm.Unlimited, nil},
		{"max\n", mm.Unlimited, nil},
		{"0", 0, nil},
		{"4095", 0, nil},
		{"4096", 1, nil},
		{"8191\n", 1, nil},
		{"1K", 0, nil},
		{"4k", 1, nil},
		{"1M", 256, nil},
		{"2G", 512 << 10, nil},
		{"0x2000", 2, nil},
		{"", 0, linux.EINVAL},
		{"-1", 0, linux.EINVAL},
		{"12X", 0, linux.EINVAL},
		{"99999999999T", mm.Unlimited, nil},
	}
	for _, tc := range tests {
		got, err := parseMemBytes(tc.in)
		if got != tc.want || err != tc.err {
			t.Errorf("parseMemBytes(%q) = %d, %v, want %d, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestCgroupMountOptions(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  error
	}{
		{"", "", nil},
		{"nsdelegate,memory_recursiveprot", "nsdelegate,memory_recursiveprot", nil},
		{"nsdelegate,nsdelegate", "nsdelegate", nil},
		{"size=1M", "", linux.EINVAL},
	}
	for _, tc := range tests {
		got, err := CgroupMountOptions(tc.in)
		if strings.Join(got, ",") != tc.want || err != tc.err {
			t.Errorf("CgroupMountOptions(%q) = %q, %v, want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// TestSubtreeControl follows cgroup-v2.rst's rules for cgroup.subtree_control, in
// order, on /a with /a/b below it and a process in /a/b.
func TestSubtreeControl(t *testing.T) {
	k := newCgroupKernel(t)
	for _, d := range []string{"a", "a/b"} {
		if err := cgMkdir(k, d); err != nil {
			t.Fatalf("mkdir %s: %v", d, err)
		}
	}
	b := k.cgroups.root.child("a").child("b")
	// A process of one task in b, which also does the writes (as root).
	tg := &ThreadGroup{PID: 50, Cgroup: b, liveTasks: 1, Creds: Creds{Caps: initialCaps(0)}, MM: mm.New(&k.pool)}
	task := &Task{k: k, TID: 50, TG: tg}
	tg.Tasks = []*Task{task}
	k.groups = append(k.groups, tg)
	k.live[50] = task
	k.current = task
	steps := []struct {
		file, write string
		err         error
	}{
		{"a/cgroup.subtree_control", "+memory", linux.ENOENT}, // the root has not handed it down
		{"cgroup.subtree_control", "+memory +pids", nil},
		{"cgroup.subtree_control", "+cpu", linux.EINVAL},
		{"cgroup.subtree_control", "memory", linux.EINVAL},
		{"a/cgroup.subtree_control", "+memory", nil},
		{"a/b/cgroup.subtree_control", "+memory", linux.EBUSY}, // b has a process
		{"a/cgroup.subtree_control", "-memory +pids", nil},
		{"a/cgroup.subtree_control", "+memory -memory", nil},
		{"a/b/cgroup.procs", "50", nil},
		{"a/cgroup.procs", "50", linux.EBUSY}, // a hands controllers down
		{"cgroup.procs", "50", nil},
		{"a/b/cgroup.subtree_control", "+pids", nil},
		{"a/cgroup.subtree_control", "-pids", linux.EBUSY}, // b still hands pids down
		{"a/b/cgroup.procs", "51", linux.ESRCH},
		{"a/b/cgroup.procs", "x", linux.EINVAL},
	}
	for i, s := range steps {
		if err := cgWrite(k, s.file, s.write); err != s.err {
			t.Fatalf("step %d: write %q to %s = %v, want %v", i, s.write, s.file, err, s.err)
		}
	}
	if got := cgFile(t, k, "a/cgroup.subtree_control"); got != "pids\n" {
		t.Errorf("a/cgroup.subtree_control = %q, want %q", got, "pids\n")
	}
	if got := cgFile(t, k, "a/b/cgroup.controllers"); got != "pids\n" {
		t.Errorf("a/b/cgroup.controllers = %q, want %q", got, "pids\n")
	}
	if err := cgRmdir(k, "a"); err != linux.EBUSY {
		t.Errorf("rmdir a with a child = %v, want EBUSY", err)
	}
	if err := cgRmdir(k, "a/b"); err != nil {
		t.Errorf("rmdir a/b = %v, want nil", err)
	}
	if _, err := k.FS.Lookup(rootCred, nil, "/sys/fs/cgroup/a/b", true); err != linux.ENOENT {
		t.Errorf("lookup of removed a/b = %v, want ENOENT", err)
	}
}

// TestCgroupCheckpoint checks that a kernel with groups can be checkpointed and that
// the restored one has the hierarchy and its mount.
func TestCgroupCheckpoint(t *testing.T) {
	k := newCgroupKernel(t)
	if err := cgMkdir(k, "x"); err != nil {
		t.Fatal(err)
	}
	ck, err := k.Checkpoint()
	if err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
	r, err := ck.Restore(RestoreConfig{})
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if err := cgMkdir(r, "y"); err != nil {
		t.Fatalf("mkdir in the restored kernel: %v", err)
	}
	if got := cgFile(t, r, "cgroup.stat"); !strings.HasPrefix(got, "nr_descendants 2\n") {
		t.Errorf("restored cgroup.stat = %q, want 2 descendants", got)
	}
	if got := cgFile(t, k, "cgroup.stat"); !strings.HasPrefix(got, "nr_descendants 1\n") {
		t.Errorf("original cgroup.stat = %q, want 1 descendant", got)
	}
	if r.pool.Reclaim == nil {
		t.Errorf("restored kernel has no memory cgroup reclaim")
	}
}

// rootCred is root with root's file privileges (the hierarchy's root directory is
// mode 0555, as on Linux: root makes groups there by CAP_DAC_OVERRIDE).
var rootCred = vfs.Cred{Priv: vfs.PrivDACOverride | vfs.PrivDACReadSearch | vfs.PrivFowner | vfs.PrivFsetid | vfs.PrivSysAdmin}
