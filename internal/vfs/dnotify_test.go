package vfs

import (
	"fmt"
	"strings"
	"testing"

	"weft/internal/abi/linux"
)

// TestDnotify drives F_NOTIFY registrations through the file system's changes and
// checks which (description, fd) pairs are signalled, in order.
func TestDnotify(t *testing.T) {
	fs := newFS(t)
	var got []string
	fs.DirNotify = func(f *File, fd int) { got = append(got, fmt.Sprintf("%s:%d", f.Path, fd)) }
	d, e := mkdirIn(t, fs, mustDir(t, fs, "/tmp"), "d"), mkdirIn(t, fs, mustDir(t, fs, "/tmp"), "e")
	tableA, tableB := new(int), new(int)
	open := func(n *Inode, name string) *File { return Open(n, O_RDONLY, name) }
	fd1, fd2, fe := open(d, "d1"), open(d, "d2"), open(e, "e")

	file, err := fs.Create(root, d, "plain", S_IFREG|0o644)
	if err != nil {
		t.Fatal(err)
	}
	pf := open(file, "plain")
	if _, err := pf.SetNotify(tableA, 9, DN_CREATE); err != linux.ENOTDIR {
		t.Errorf("F_NOTIFY on a file = %v, want ENOTDIR", err)
	}
	if on, err := pf.SetNotify(tableA, 9, DN_MULTISHOT); on || err != nil {
		t.Errorf("F_NOTIFY(DN_MULTISHOT) on a file = %v, %v, want false, nil", on, err)
	}
	got = nil // the create above had no watchers

	mustSet := func(f *File, owner any, fd int, mask uint32) {
		t.Helper()
		if _, err := f.SetNotify(owner, fd, mask); err != nil {
			t.Fatalf("SetNotify(%s, %#x) = %v", f.Path, mask, err)
		}
	}
	mustSet(fd1, tableA, 3, DN_CREATE|DN_MULTISHOT)
	mustSet(fd2, tableA, 4, DN_CREATE) // one-shot, newer: signalled first
	mustSet(fe, tableB, 5, DN_CREATE|DN_DELETE|DN_RENAME|DN_MULTISHOT)

	steps := []struct {
		what string
		do   func() error
		want string
	}{
		{"create d/a", func() error { _, err := fs.Create(root, d, "a", S_IFREG|0o644); return err }, "d2:4 d1:3"},
		{"create d/b", func() error { _, err := fs.Create(root, d, "b", S_IFREG|0o644); return err }, "d1:3"},
		{"add DN_DELETE to d1 through fd 7", func() error { _, err := fd1.SetNotify(tableA, 7, DN_DELETE); return err }, ""},
		{"unlink d/a", func() error { return fs.Unlink(root, d, "a", false) }, "d1:7"},
		{"rename d/b e/b", func() error { return fs.Rename(root, d, "b", e, "b", 0) }, "d1:7 e:5"},
		{"rename e/b e/c", func() error { return fs.Rename(root, e, "b", e, "c", 0) }, "e:5 e:5 e:5"},
		{"symlink d/s", func() error { return fs.Symlink(root, d, "s", "x") }, "d1:7"},
		{"another table drops nothing", func() error { fd1.DropNotify(tableB); return nil }, ""},
		{"close in table A", func() error { fd1.DropNotify(tableA); return nil }, ""},
		{"unlink d/s", func() error { return fs.Unlink(root, d, "s", false) }, ""},
		{"mask 0 removes", func() error { _, err := fe.SetNotify(tableB, 5, 0); return err }, ""},
		{"create e/d", func() error { _, err := fs.Create(root, e, "d", S_IFREG|0o644); return err }, ""},
	}
	for _, s := range steps {
		got = nil
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		if g := strings.Join(got, " "); g != s.want {
			t.Errorf("%s: signals %q, want %q", s.what, g, s.want)
		}
	}
	if fs.Watched() {
		t.Errorf("Watched() = true after every registration ended (%d left)", fs.dnWatches)
	}
}

// TestDnotifyChanged checks who hears of an attribute change: a file's directory; a
// directory's parent and the directory itself.
func TestDnotifyChanged(t *testing.T) {
	fs := newFS(t)
	var got []string
	fs.DirNotify = func(f *File, fd int) { got = append(got, f.Path) }
	d := mkdirIn(t, fs, mustDir(t, fs, "/tmp"), "d")
	sub := mkdirIn(t, fs, d, "sub")
	file, err := fs.Create(root, d, "f", S_IFREG|0o644)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		n    *Inode
		name string
	}{{d, "d"}, {sub, "sub"}} {
		if _, err := Open(w.n, O_RDONLY, w.name).SetNotify(0, 3, DN_ATTRIB|DN_MULTISHOT); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		what   string
		n, dir *Inode
		event  uint32
		want   string
	}{
		{"attrib of d/f", file, d, DN_ATTRIB, "d"},
		{"attrib of d/f, directory unknown", file, nil, DN_ATTRIB, ""},
		{"modify of d/f", file, d, DN_MODIFY, ""},
		{"attrib of d/sub", sub, nil, DN_ATTRIB, "d sub"},
		{"attrib of d", d, nil, DN_ATTRIB, "d"},
	} {
		got = nil
		fs.Changed(c.n, c.dir, c.event)
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%s: signals %q, want %q", c.what, g, c.want)
		}
	}
}

func mkdirIn(t *testing.T, fs *FS, dir *Inode, name string) *Inode {
	t.Helper()
	n, err := fs.Create(root, dir, name, S_IFDIR|0o755)
	if err != nil {
		t.Fatalf("mkdir %s: %v", name, err)
	}
	return n
}
