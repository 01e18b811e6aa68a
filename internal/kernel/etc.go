package kernel

import "fmt"

// makeEtc writes the /etc that programs look their users, groups and host names up in
// (passwd(5), group(5), hosts(5), nsswitch.conf(5)): root, the usual system accounts,
// nobody, and the guest's own user (Config.UID and GID, "user" at /home/user), as a
// Debian system has them. A guest root (Config.Root) keeps its own: only the files it
// lacks are added.
func (k *Kernel) makeEtc() {
	uid, gid := k.cfg.UID, k.cfg.GID
	passwd := "root:x:0:0:root:/root:/bin/sh\n" +
		"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" +
		"bin:x:2:2:bin:/bin:/usr/sbin/nologin\n" +
		"sys:x:3:3:sys:/dev:/usr/sbin/nologin\n" +
		"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	group := "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\ndisk:x:6:\n" +
		"users:x:100:\nnogroup:x:65534:\n"
	if uid != 0 && uid != 1 && uid != 2 && uid != 3 && uid != 65534 {
		passwd += fmt.Sprintf("user:x:%d:%d:weft user:/home/user:/bin/sh\n", uid, gid)
	}
	if gid != 0 && gid > 6 && gid != 100 && gid != 65534 {
		group += fmt.Sprintf("user:x:%d:\n", gid)
	}
	for _, f := range []struct{ name, data string }{
		{"passwd", passwd},
		{"group", group},
		{"hostname", Hostname + "\n"},
		{"hosts", "127.0.0.1\tlocalhost\n127.0.1.1\t" + Hostname + "\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
		{"nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files\n"},
	} {
		if k.cfg.Root != "" && k.FS.Exists("/etc/"+f.name) {
			continue
		}
		k.FS.AddFile("/etc/"+f.name, []byte(f.data), 0o644)
	}
}

// makeHostConf writes /etc/host.conf (host.conf(5)) with "multi on", as Debian ships
// it: glibc then returns every /etc/hosts line for a name (localhost as 127.0.0.1 and
// ::1), not only the first. It is made after the standard streams, so that their inode
// numbers, which guests print, stay what they were before the file existed.
func (k *Kernel) makeHostConf() {
	if k.cfg.Root != "" && k.FS.Exists("/etc/host.conf") {
		return // a guest root keeps its own
	}
	k.FS.AddFile("/etc/host.conf", []byte("multi on\n"), 0o644)
}
