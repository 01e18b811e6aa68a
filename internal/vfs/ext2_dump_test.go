package vfs

import (
	"bytes"
	"os"
	"testing"
)

func TestExt2Dump(t *testing.T) {
	for i, geo := range []struct{ bs, blocks, bpg, ipg uint32 }{{1024, 4096, 1024, 64}, {4096, 1024, 512, 128}} {
		fs := newFS(t)
		dev := makeExt2(geo.bs, geo.blocks, geo.bpg, geo.ipg)
		m, top := mountExt2At(t, fs, "mnt", dev, 0)
		writeFile(t, fs, top, "small", []byte("hello"), 0)
		writeFile(t, fs, top, "big", make([]byte, 400<<10), 0)
		writeFile(t, fs, top, "sparse", []byte("end"), 3<<20)
		sub, _ := fs.Create(root, top, "sub", S_IFDIR|0o750)
		fs.Symlink(root, sub, "long", string(bytes.Repeat([]byte("ab"), 50)))
		fs.Symlink(root, sub, "s", "small")
		fs.Mknod(root, sub, "null", S_IFCHR|0o666, 1<<8|3)
		top.child("small").SetXattr(root, "user.colour", []byte("blue"), 0)
		fs.Unmount(m, false, nil)
		os.WriteFile("/work/scratch/ext2/img"+string(rune('0'+i)), dev.b, 0o644)
	}
}

func TestExt2Host(t *testing.T) {
	p := os.Getenv("EXT2_IMG")
	if p == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(p)
	dev := &memDevice{b}
	fs := newFS(t)
	m, top := mountExt2At(t, fs, "mnt", dev, 0)
	t.Logf("root entries %v", top.Names())
	writeFile(t, fs, top, "small", []byte("hello"), 0)
	writeFile(t, fs, top, "big", make([]byte, 5<<20), 0)
	sub, _ := fs.Create(root, top, "sub", S_IFDIR|0o750)
	for i := 0; i < 300; i++ {
		fs.Create(root, sub, "file-with-a-long-name-"+string(rune('a'+i%26))+string(rune('a'+i/26)), S_IFREG|0o644)
	}
	fs.Symlink(root, sub, "s", "small")
	t.Logf("statfs %+v", fs.StatFS(top))
	fs.Unmount(m, false, nil)
	os.WriteFile(p+".out", dev.b, 0o644)
}
