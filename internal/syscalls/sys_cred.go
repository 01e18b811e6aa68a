package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

var credCalls = []entry{
	call(linux.SYS_SETUID, "setuid", Setuid, i),
	call(linux.SYS_SETGID, "setgid", Setgid, i),
	call(linux.SYS_SETREUID, "setreuid", Setreuid, i, i),
	call(linux.SYS_SETREGID, "setregid", Setregid, i, i),
	call(linux.SYS_SETRESUID, "setresuid", Setresuid, i, i, i),
	call(linux.SYS_SETRESGID, "setresgid", Setresgid, i, i, i),
	call(linux.SYS_SETFSUID, "setfsuid", Setfsuid, i),
	call(linux.SYS_SETFSGID, "setfsgid", Setfsgid, i),
	call(linux.SYS_GETRESUID, "getresuid", Getresuid, p, p, p),
	call(linux.SYS_GETRESGID, "getresgid", Getresgid, p, p, p),
	call(linux.SYS_GETGROUPS, "getgroups", Getgroups, i, p),
	call(linux.SYS_SETGROUPS, "setgroups", Setgroups, i, p),
}

// The rules below are credentials(7) and the setuid(2) family's man pages: a process
// with effective UID 0 (standing in for CAP_SETUID/CAP_SETGID) may set any ID; any
// other may only move its IDs among its current real, effective and saved values.

// noChange is the -1 that leaves an ID alone.
const noChange = ^uint32(0)

func id(v uint64) uint32 { return uint32(v) }

// kuid maps a user ID argument from the caller's user namespace to a kernel ID
// (make_kuid), -1 staying -1; ok false for an ID the namespace does not map (EINVAL).
func kuid(c *kernel.Creds, v uint64) (uint32, bool) {
	if uint32(v) == noChange {
		return noChange, true
	}
	return c.UserNS.KUID(uint32(v))
}

// kgid is kuid for group IDs.
func kgid(c *kernel.Creds, v uint64) (uint32, bool) {
	if uint32(v) == noChange {
		return noChange, true
	}
	return c.UserNS.KGID(uint32(v))
}

// kids maps n ID arguments with f: EINVAL if one is not mapped.
func kids(c *kernel.Creds, f func(*kernel.Creds, uint64) (uint32, bool), args ...uint64) ([]uint32, error) {
	out := make([]uint32, len(args))
	for i, a := range args {
		v, ok := f(c, a)
		if !ok {
			return nil, linux.EINVAL
		}
		out[i] = v
	}
	return out, nil
}

// set applies setuid/setgid to (real, effective, saved): a privileged caller sets all
// three, any other may only set the effective ID to its real or saved one.
func set(priv bool, r, e, s *uint32, v uint32) error {
	switch {
	case v == noChange:
		return linux.EINVAL
	case priv:
		*r, *e, *s = v, v, v
	case v == *r || v == *s:
		*e = v
	default:
		return linux.EPERM
	}
	return nil
}

// Setuid implements setuid(2).
func Setuid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	c := &t.TG.Creds
	v, err := kids(c, kuid, a[0])
	if err != nil {
		return 0, err
	}
	r, e, s := c.UID, c.EUID, c.SUID
	err = set(c.CapableOwn(kernel.CAP_SETUID), &c.UID, &c.EUID, &c.SUID, v[0])
	c.FixUIDCaps(r, e, s)
	return ret0(followFS(&c.FSUID, &c.EUID, err))
}

// Setgid implements setgid(2).
func Setgid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	c := &t.TG.Creds
	v, err := kids(c, kgid, a[0])
	if err != nil {
		return 0, err
	}
	return ret0(followFS(&c.FSGID, &c.EGID, set(c.CapableOwn(kernel.CAP_SETGID), &c.GID, &c.EGID, &c.SGID, v[0])))
}

// setre applies setreuid/setregid to (real, effective, saved).
func setre(priv bool, r, e, s *uint32, nr, ne uint32) error {
	if !priv {
		if nr != noChange && nr != *r && nr != *e {
			return linux.EPERM
		}
		if ne != noChange && ne != *r && ne != *e && ne != *s {
			return linux.EPERM
		}
	}
	oldR := *r
	if nr != noChange {
		*r = nr
	}
	if ne != noChange {
		*e = ne
	}
	// The saved ID follows the effective one when the real ID is set, or the
	// effective one is set to a value other than the previous real ID.
	if nr != noChange || (ne != noChange && ne != oldR) {
		*s = *e
	}
	return nil
}

// Setreuid implements setreuid(2).
func Setreuid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	c := &t.TG.Creds
	v, err := kids(c, kuid, a[0], a[1])
	if err != nil {
		return 0, err
	}
	r, e, s := c.UID, c.EUID, c.SUID
	err = setre(c.CapableOwn(kernel.CAP_SETUID), &c.UID, &c.EUID, &c.SUID, v[0], v[1])
	c.FixUIDCaps(r, e, s)
	return ret0(followFS(&c.FSUID, &c.EUID, err))
}

// Setregid implements setregid(2).
func Setregid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	c := &t.TG.Creds
	v, err := kids(c, kgid, a[0], a[1])
	if err != nil {
		return 0, err
	}
	return ret0(followFS(&c.FSGID, &c.EGID, setre(c.CapableOwn(kernel.CAP_SETGID), &c.GID, &c.EGID, &c.SGID, v[0], v[1])))
}

// setres applies setresuid/setresgid.
func setres(priv bool, ids [3]*uint32, n [3]uint32) error {
	if !priv {
		for _, v := range n {
			if v != noChange && v != *ids[0] && v != *ids[1] && v != *ids[2] {
				return linux.EPERM
			}
		}
	}
	for i, v := range n {
		if v != noChange {
			*ids[i] = v
		}
	}
	return nil
}

// Setresuid implements setresuid(2).
func Setresuid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	c := &t.TG.Creds
	v, err := kids(c, kuid, a[0], a[1], a[2])
	if err != nil {
		return 0, err
	}
	r, e, s := c.UID, c.EUID, c.SUID
	err = setres(c.CapableOwn(kernel.CAP_SETUID), [3]*uint32{&c.UID, &c.EUID, &c.SUID}, [3]uint32(v))
	c.FixUIDCaps(r, e, s)
	return ret0(followFS(&c.FSUID, &c.EUID, err))
}

// Setresgid implements setresgid(2).
func Setresgid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	c := &t.TG.Creds
	v, err := kids(c, kgid, a[0], a[1], a[2])
	if err != nil {
		return 0, err
	}
	return ret0(followFS(&c.FSGID, &c.EGID, setres(c.CapableOwn(kernel.CAP_SETGID), [3]*uint32{&c.GID, &c.EGID, &c.SGID}, [3]uint32(v))))
}

func putIDs(t *kernel.Task, addrs [3]uint64, ids [3]uint32) error {
	for i, addr := range addrs {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], ids[i])
		if err := copyOut(t, addr, b[:]); err != nil {
			return err
		}
	}
	return nil
}

// Getresuid implements getresuid(2).
func Getresuid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	c := t.TG.Creds
	u := c.UserNS.UIDSeen
	return ret0(putIDs(t, [3]uint64{a[0], a[1], a[2]}, [3]uint32{u(c.UID), u(c.EUID), u(c.SUID)}))
}

// Getresgid implements getresgid(2).
func Getresgid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	c := t.TG.Creds
	g := c.UserNS.GIDSeen
	return ret0(putIDs(t, [3]uint64{a[0], a[1], a[2]}, [3]uint32{g(c.GID), g(c.EGID), g(c.SGID)}))
}

// NGROUPS_MAX is the most supplementary groups a process may have.
const NGROUPS_MAX = 65536

// Getgroups implements getgroups(2).
func Getgroups(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	gs := t.TG.Creds.Groups
	size := int(int32(a[0]))
	switch {
	case size < 0:
		return 0, linux.EINVAL
	case size == 0:
		return uint64(len(gs)), nil
	case size < len(gs):
		return 0, linux.EINVAL
	}
	b := make([]byte, 4*len(gs))
	for i, g := range gs {
		binary.LittleEndian.PutUint32(b[4*i:], t.TG.Creds.UserNS.GIDSeen(g))
	}
	return uint64(len(gs)), copyOut(t, a[1], b)
}

// Setgroups implements setgroups(2): CAP_SETGID in the caller's user namespace only,
// where setgroups is allowed (Creds.MaySetgroups).
func Setgroups(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	n := a[0]
	if n > NGROUPS_MAX {
		return 0, linux.EINVAL
	}
	if !t.TG.Creds.CapableOwn(kernel.CAP_SETGID) || !t.TG.Creds.MaySetgroups() {
		return 0, linux.EPERM
	}
	b, err := copyIn(t, a[1], 4*n)
	if err != nil {
		return 0, err
	}
	gs := make([]uint32, n)
	for i := range gs {
		g, ok := t.TG.Creds.UserNS.KGID(binary.LittleEndian.Uint32(b[4*i:]))
		if !ok {
			return 0, linux.EINVAL
		}
		gs[i] = g
	}
	return 0, t.SetGroups(gs)
}

// Setfsuid implements setfsuid(2): the ID file permission checks use becomes uid if the
// caller is root or uid is its real, effective, saved or current file-system user ID
// (and not -1, which only asks); the call always returns the previous one.
func Setfsuid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	c := &t.TG.Creds
	old := c.UserNS.UIDSeen(c.FSUID)
	v, ok := kuid(c, a[0])
	if ok && v != noChange && (c.CapableOwn(kernel.CAP_SETUID) || v == c.UID || v == c.EUID || v == c.SUID || v == c.FSUID) {
		c.SetFSUID(v)
	}
	return uint64(old), nil
}

// Setfsgid implements setfsgid(2), as setfsuid for the group.
func Setfsgid(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	c := &t.TG.Creds
	old := c.UserNS.GIDSeen(c.FSGID)
	v, ok := kgid(c, a[0])
	if ok && v != noChange && (c.CapableOwn(kernel.CAP_SETGID) || v == c.GID || v == c.EGID || v == c.SGID || v == c.FSGID) {
		c.FSGID = v
	}
	return uint64(old), nil
}

// followFS resets a file-system ID to the effective one after a successful change of
// the IDs (setfsuid(2): "the file system user ID follows the effective user ID").
func followFS(fs, e *uint32, err error) error {
	if err == nil {
		*fs = *e
	}
	return err
}
