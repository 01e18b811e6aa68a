package kernel

import (
	"fmt"
	"strconv"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/vfs"
)

// User namespaces (user_namespaces(7)). Credentials hold kernel IDs, the user and
// group IDs of the root namespace, as Linux's kuid_t; a process in a user namespace
// sees them through the namespace's uid_map and gid_map (getuid(2) and the like),
// 65534 (the overflow ID) for one that is not mapped, and the IDs it passes in are
// mapped the other way (EINVAL for one that is not mapped). Its capabilities are
// relative to its namespace: the creator of a namespace has every capability in it,
// none outside it; the owner of a namespace (the effective user ID of its creator)
// has every capability in it from the parent namespace (cap_capable).

// MaxUserNSLevel is how deep user namespaces nest (create_user_ns: 32 levels).
const MaxUserNSLevel = 32

// rootUserNSID is the inode number of the root user namespace (PROC_USER_INIT_INO).
const rootUserNSID = 0xEFFFFFFD

// overflowID is what an unmapped user or group ID reads as (/proc/sys/kernel/overflowuid).
const overflowID = 65534

// userNSBytes is what a user namespace is charged against the memory cap.
const userNSBytes = 512

// UserNS is a user namespace below the root one; nil stands for the root namespace,
// whose maps are the identity.
type UserNS struct {
	ID     uint64
	parent *UserNS
	level  int
	// owner and group are the creator's effective user and group IDs.
	owner, group uint32
	// uidMap and gidMap are written once, through /proc/PID/uid_map and gid_map.
	uidMap, gidMap idMap
	// setgroupsDenied: "deny" was written to /proc/PID/setgroups (setgroups(2) is
	// then EPERM in the namespace); inherited from the parent at creation.
	setgroupsDenied bool
	// parentCouldSetfcap: the creator had CAP_SETFCAP where it was (a map of the
	// parent's user 0 written from inside needs it: verify_root_map).
	parentCouldSetfcap bool
}

// idExtent maps count IDs from first in the namespace to lower on in the kernel's
// (root namespace's) IDs.
type idExtent struct{ first, lower, count uint32 }

type idMap []idExtent

// maxExtents is how many lines a map may have (UID_GID_MAP_MAX_EXTENTS).
const maxExtents = 340

// down maps id of the namespace to a kernel ID.
func (m idMap) down(id uint32) (uint32, bool) {
	for _, e := range m {
		if id >= e.first && id-e.first < e.count {
			return e.lower + (id - e.first), true
		}
	}
	return 0, false
}

// downRange maps the count IDs from id of the namespace, which one extent must hold
// whole, to kernel IDs: the first of them (map_id_range_down).
func (m idMap) downRange(id, count uint32) (uint32, bool) {
	for _, e := range m {
		if id >= e.first && id-e.first < e.count && count <= e.count-(id-e.first) {
			return e.lower + (id - e.first), true
		}
	}
	return 0, false
}

// up maps a kernel ID into the namespace.
func (m idMap) up(kid uint32) (uint32, bool) {
	for _, e := range m {
		if kid >= e.lower && kid-e.lower < e.count {
			return e.first + (kid - e.lower), true
		}
	}
	return 0, false
}

// Level is the namespace's depth: 0 for the root.
func (ns *UserNS) Level() int {
	if ns == nil {
		return 0
	}
	return ns.level
}

// UID maps kernel user ID kid into ns (from_kuid): ok false if it has no mapping.
func (ns *UserNS) UID(kid uint32) (uint32, bool) {
	if ns == nil {
		return kid, true
	}
	return ns.uidMap.up(kid)
}

// GID is UID for group IDs.
func (ns *UserNS) GID(kid uint32) (uint32, bool) {
	if ns == nil {
		return kid, true
	}
	return ns.gidMap.up(kid)
}

// KUID maps a user ID of ns to a kernel one (make_kuid): ok false if unmapped.
func (ns *UserNS) KUID(id uint32) (uint32, bool) {
	if ns == nil {
		return id, true
	}
	return ns.uidMap.down(id)
}

// KGID is KUID for group IDs.
func (ns *UserNS) KGID(id uint32) (uint32, bool) {
	if ns == nil {
		return id, true
	}
	return ns.gidMap.down(id)
}

// UIDSeen is kernel user ID kid as a process in ns sees it: the overflow ID if it has
// no mapping there (from_kuid_munged).
func (ns *UserNS) UIDSeen(kid uint32) uint32 {
	if id, ok := ns.UID(kid); ok {
		return id
	}
	return overflowID
}

// GIDSeen is UIDSeen for group IDs.
func (ns *UserNS) GIDSeen(kid uint32) uint32 {
	if id, ok := ns.GID(kid); ok {
		return id
	}
	return overflowID
}

// CapableIn reports whether the credentials have capability cap in user namespace ns
// (ns_capable, by cap_capable's walk): in their own namespace, if the capability is
// effective; in a namespace below their own, if they own the namespace or one of its
// ancestors below their own (its creator, whose effective user ID it keeps); never in
// a namespace above or beside their own.
func (c *Creds) CapableIn(ns *UserNS, cap int) bool {
	for {
		if ns == c.UserNS {
			return c.CapableOwn(cap)
		}
		if ns.Level() <= c.UserNS.Level() {
			return false
		}
		if ns.parent == c.UserNS && ns.owner == c.EUID {
			return true
		}
		ns = ns.parent
	}
}

// Capable reports whether the credentials have capability cap over the whole system:
// in the root user namespace (capable()).
func (c *Creds) Capable(cap int) bool { return c.CapableIn(nil, cap) }

// CapableWrt reports whether the credentials have capability cap over a file owned by
// kernel IDs uid and gid (capable_wrt_inode_uidgid): in their own user namespace,
// which must map both.
func (c *Creds) CapableWrt(cap int, uid, gid uint32) bool {
	return c.CapableOwn(cap) && (c.UserNS == nil || c.UserNS.maps(uid, gid))
}

// maps reports whether the namespace maps kernel user ID uid and group ID gid.
func (ns *UserNS) maps(uid, gid uint32) bool {
	_, uok := ns.UID(uid)
	_, gok := ns.GID(gid)
	return uok && gok
}

// MaySendCreds reports whether t may send credentials naming process pid (a number of
// its own PID namespace) and kernel IDs uid and gid (SCM_CREDENTIALS; scm_check_creds):
// its own process unless it has CAP_SYS_ADMIN over its PID namespace's owner, and its
// own real, effective or saved IDs unless it has CAP_SETUID (CAP_SETGID) in its user
// namespace.
func (t *Task) MaySendCreds(pid int, uid, gid uint32) bool {
	c := &t.TG.Creds
	return (pid == t.PIDOf(t.TG) || c.CapableIn(t.TG.PIDNS.owner, CAP_SYS_ADMIN)) &&
		(uid == c.UID || uid == c.EUID || uid == c.SUID || c.CapableOwn(CAP_SETUID)) &&
		(gid == c.GID || gid == c.EGID || gid == c.SGID || c.CapableOwn(CAP_SETGID))
}

// CapableOwn reports whether the credentials have capability cap in their own user
// namespace (ns_capable(current_user_ns())): what creating namespaces and changing
// one's own IDs ask for.
func (c *Creds) CapableOwn(cap int) bool { return c.Caps.Eff&(1<<cap) != 0 }

// newUserNS puts c into a new user namespace below their own, as create_user_ns and
// set_cred_user_ns do: the creator's effective IDs must be mapped in its namespace,
// a chrooted process may not (EPERM), 32 levels at most (EUSERS). The credentials get
// every capability in the new namespace and no inheritable or ambient ones.
func (k *Kernel) newUserNS(tg *ThreadGroup, c *Creds) error {
	parent := c.UserNS
	if parent.Level() >= MaxUserNSLevel {
		return linux.EUSERS
	}
	if tg.Root != nil {
		return linux.EPERM // current_chrooted
	}
	if _, ok := parent.UID(c.EUID); !ok {
		return linux.EPERM
	}
	if _, ok := parent.GID(c.EGID); !ok {
		return linux.EPERM
	}
	if !k.pool.Charge(userNSBytes) {
		return linux.ENOMEM
	}
	k.lastNSID++
	c.UserNS = &UserNS{ID: initTimeNSID + k.lastNSID, parent: parent, level: parent.Level() + 1,
		owner: c.EUID, group: c.EGID, setgroupsDenied: parent != nil && parent.setgroupsDenied,
		parentCouldSetfcap: c.CapableOwn(CAP_SETFCAP)}
	c.fullCaps()
	return nil
}

// fullCaps gives c every capability in its user namespace, and no inheritable or
// ambient ones and no securebits, as entering a user namespace does.
func (c *Creds) fullCaps() {
	c.Caps = initialCaps(0) // root's
	c.Securebits = 0
}

// rootUID is the kernel ID of user 0 of c's namespace, ok false if it is not mapped:
// who counts as root for the capability rules of execve and of the set*id calls
// (capabilities(7)).
func (c *Creds) rootUID() (uint32, bool) { return c.UserNS.KUID(0) }

// parseIDMap reads the lines of a uid_map or gid_map write: "first lower count" each,
// count above 0, no overflow, no two extents overlapping on either side (map_write).
func parseIDMap(s string) (idMap, error) {
	var m idMap
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, linux.EINVAL
		}
		var v [3]uint32
		for i, x := range f {
			n, err := strconv.ParseUint(x, 10, 32)
			if err != nil {
				return nil, linux.EINVAL
			}
			v[i] = uint32(n)
		}
		e := idExtent{first: v[0], lower: v[1], count: v[2]}
		if e.count == 0 || uint64(e.first)+uint64(e.count) > 1<<32-1 || uint64(e.lower)+uint64(e.count) > 1<<32-1 {
			return nil, linux.EINVAL
		}
		for _, o := range m {
			if e.first < o.first+o.count && o.first < e.first+e.count ||
				e.lower < o.lower+o.count && o.lower < e.lower+e.count {
				return nil, linux.EINVAL
			}
		}
		if m = append(m, e); len(m) > maxExtents {
			return nil, linux.EINVAL
		}
	}
	if len(m) == 0 {
		return nil, linux.EINVAL
	}
	return m, nil
}

// writeIDMap writes /proc/PID/uid_map (gid false) or gid_map of the process whose user
// namespace is ns, for writer w, by map_write's rules: only once; by a process in ns
// or its parent with CAP_SYS_ADMIN over ns; the lower IDs are IDs of the parent
// namespace, which must map them; and either one line mapping the writer's own
// effective ID, by the owner of ns (for gid_map, only once setgroups is denied), or
// the writer has CAP_SETUID (CAP_SETGID) over the parent namespace.
func writeIDMap(w *Creds, ns *UserNS, gid bool, p []byte) error {
	if ns == nil || (w.UserNS != ns && w.UserNS != ns.parent) {
		return linux.EPERM
	}
	if len(p) >= 4096 {
		return linux.EINVAL
	}
	cur, cap := &ns.uidMap, CAP_SETUID
	if gid {
		cur, cap = &ns.gidMap, CAP_SETGID
	}
	if len(*cur) != 0 || !w.CapableIn(ns, CAP_SYS_ADMIN) {
		return linux.EPERM
	}
	m, err := parseIDMap(string(p))
	if err != nil {
		return err
	}
	// The lower IDs are the parent namespace's: map them to kernel IDs.
	parentDown := ns.parent.KUID
	own := w.EUID
	var parentMap idMap
	if ns.parent != nil {
		parentMap = ns.parent.uidMap
	}
	if gid {
		parentDown, own = ns.parent.KGID, w.EGID
		if ns.parent != nil {
			parentMap = ns.parent.gidMap
		}
	}
	permitted := false
	if len(m) == 1 && m[0].count == 1 && ns.owner == w.EUID {
		if kid, ok := parentDown(m[0].lower); ok && kid == own && (!gid || ns.setgroupsDenied) {
			permitted = true
		}
	}
	if !permitted && !w.CapableIn(ns.parent, cap) {
		return linux.EPERM
	}
	if !gid && !rootMapAllowed(w, ns, m) {
		return linux.EPERM
	}
	// Each extent's lower IDs must lie whole in one extent of the parent's map
	// (map_id_range_down); the root namespace's is the identity.
	if ns.parent != nil {
		for i, e := range m {
			kid, ok := parentMap.downRange(e.lower, e.count)
			if !ok {
				return linux.EPERM
			}
			m[i].lower = kid
		}
	}
	*cur = m
	return nil
}

// rootMapAllowed is verify_root_map: a uid_map that maps the parent namespace's user 0
// needs CAP_SETFCAP, of the namespace's creator when written from inside it, of the
// writer over the parent namespace otherwise.
func rootMapAllowed(w *Creds, ns *UserNS, m idMap) bool {
	for _, e := range m {
		if e.lower != 0 {
			continue
		}
		if w.UserNS == ns {
			return ns.parentCouldSetfcap
		}
		return w.CapableIn(ns.parent, CAP_SETFCAP)
	}
	return true
}

// readIDMap is /proc/PID/uid_map (gid false) or gid_map of user namespace ns as a
// reader in from sees it (uid_m_show): the lower IDs as ns's parent numbers them when
// the reader is in ns or its parent, as the reader's own namespace does otherwise
// (4294967295 for one it cannot map).
func readIDMap(from, ns *UserNS, gid bool) string {
	m := idMap{{first: 0, lower: 0, count: 1<<32 - 1}} // the root namespace's
	lowerNS := from
	if ns != nil {
		m = ns.uidMap
		if gid {
			m = ns.gidMap
		}
		if from == ns || from == ns.parent {
			lowerNS = ns.parent
		}
	}
	up := lowerNS.UID
	if gid {
		up = lowerNS.GID
	}
	var b strings.Builder
	for _, e := range m {
		lower, ok := up(e.lower)
		if !ok {
			lower = 1<<32 - 1
		}
		fmt.Fprintf(&b, "%10d %10d %10d\n", e.first, lower, e.count)
	}
	return b.String()
}

// setUserNS is setns(2) into user namespace ns (userns_install): not the caller's own
// (EINVAL), not for a process of several threads (EINVAL), and the caller needs
// CAP_SYS_ADMIN over ns (EPERM). The caller gets every capability in ns.
func (t *Task) setUserNS(ns *UserNS) error {
	c := &t.TG.Creds
	switch {
	case ns == c.UserNS, t.TG.liveTasks != 1:
		return linux.EINVAL
	case !c.CapableIn(ns, CAP_SYS_ADMIN):
		return linux.EPERM
	}
	c.UserNS = ns
	c.fullCaps()
	return nil
}

// procIDMap is /proc/PID/uid_map (gid false) or gid_map: the map of tg's user
// namespace, as the reader sees it, and written once (writeIDMap) by the writer's
// credentials (Linux asks some of its questions of the credentials that opened the
// file; weft of those that write it).
func (k *Kernel) procIDMap(tg *ThreadGroup, gid bool) *vfs.Inode {
	n := k.FS.NewSetting(0o644, func() []byte {
		return []byte(readIDMap(k.viewUserNS(), tg.Creds.UserNS, gid))
	}, func(p []byte) error {
		if k.current == nil {
			return linux.EPERM
		}
		return writeIDMap(&k.current.TG.Creds, tg.Creds.UserNS, gid, p)
	})
	n.UID, n.GID = tg.Creds.EUID, tg.Creds.EGID
	return n
}

// procSetgroups is /proc/PID/setgroups: "allow" or "deny" for setgroups(2) in tg's
// user namespace (proc_setgroups_write): written by a process with CAP_SYS_ADMIN over
// the namespace; "deny" only before gid_map is written, and never "allow" again after
// "deny" (EPERM); the root namespace's cannot change.
func (k *Kernel) procSetgroups(tg *ThreadGroup) *vfs.Inode {
	n := k.FS.NewSetting(0o644, func() []byte {
		if ns := tg.Creds.UserNS; ns != nil && ns.setgroupsDenied {
			return []byte("deny\n")
		}
		return []byte("allow\n")
	}, func(p []byte) error {
		ns := tg.Creds.UserNS
		var deny bool
		switch strings.TrimSpace(string(p)) {
		case "allow":
		case "deny":
			deny = true
		default:
			return linux.EINVAL
		}
		switch {
		case k.current == nil || ns == nil || !k.current.TG.Creds.CapableIn(ns, CAP_SYS_ADMIN):
			return linux.EPERM
		case !deny && ns.setgroupsDenied, deny && len(ns.gidMap) != 0:
			return linux.EPERM
		}
		ns.setgroupsDenied = deny
		return nil
	})
	n.UID, n.GID = tg.Creds.EUID, tg.Creds.EGID
	return n
}

// MaySetgroups reports whether setgroups(2) is allowed in c's user namespace: in the
// root one always; in another once its gid_map is written and unless setgroups is
// denied there (userns_may_setgroups).
func (c *Creds) MaySetgroups() bool {
	ns := c.UserNS
	return ns == nil || (len(ns.gidMap) != 0 && !ns.setgroupsDenied)
}
