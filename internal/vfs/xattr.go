package vfs

import (
	"sort"
	"strings"

	"weft/internal/abi/linux"
)

// Extended attributes (xattr(7)) of weft's own files live with the inode, charged to
// the memory cap. Files of host mounts and of a guest root's lower layer show none: a
// guest root's file gets its own when the guest sets one (after copy-up); a host
// mount's refuses them (EOPNOTSUPP), as weft never changes host attributes.

// Limits of include/uapi/linux/limits.h.
const (
	XattrNameMax = 255
	XattrSizeMax = 65536
	XattrListMax = 65536
)

// setxattr(2) flags.
const (
	XATTR_CREATE  = 1
	XATTR_REPLACE = 2
)

// xattrNamespace checks an attribute's name: its namespace must be one weft keeps
// (user, trusted, security; system holds ACLs, which weft does not implement), and
// user attributes belong only to regular files and directories (xattr(7)).
func (n *Inode) xattrNamespace(c Cred, name string, write bool) error {
	if name == "" || len(name) > XattrNameMax {
		return linux.ERANGE
	}
	ns, _, ok := strings.Cut(name, ".")
	switch {
	case !ok:
		return linux.EOPNOTSUPP
	case ns == "user":
		if t := n.Mode & S_IFMT; t != S_IFREG && t != S_IFDIR {
			if write {
				return linux.EPERM
			}
			return linux.ENODATA
		}
	case ns == "trusted":
		if !c.Has(PrivSysAdmin, n) {
			if write {
				return linux.EPERM
			}
			return linux.ENODATA
		}
	case ns == "security":
	default:
		return linux.EOPNOTSUPP
	}
	return nil
}

// GetXattr returns the value of the attribute name (ENODATA if n has none).
func (n *Inode) GetXattr(c Cred, name string) ([]byte, error) {
	if err := n.xattrNamespace(c, name, false); err != nil {
		return nil, err
	}
	if strings.HasPrefix(name, "user.") && !Check(c, n, MayRead) {
		return nil, linux.EACCES
	}
	v, ok := n.xattrs[name]
	if !ok {
		return nil, linux.ENODATA
	}
	return v, nil
}

// ListXattr returns the names of n's attributes the caller may see, each followed by
// a NUL, in sorted order.
func (n *Inode) ListXattr(c Cred) []byte {
	names := make([]string, 0, len(n.xattrs))
	for k := range n.xattrs {
		if !strings.HasPrefix(k, "trusted.") || c.Has(PrivSysAdmin, n) {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var out []byte
	for _, k := range names {
		out = append(append(out, k...), 0)
	}
	return out
}

// SetXattr sets (value non-nil) or removes (value nil) the attribute name, as
// setxattr(2) and removexattr(2) do; only the owner or root may change user
// attributes of a file they can write.
func (n *Inode) SetXattr(c Cred, name string, value []byte, flags int) error {
	if flags&^(XATTR_CREATE|XATTR_REPLACE) != 0 {
		return linux.EINVAL
	}
	if err := n.xattrNamespace(c, name, true); err != nil {
		return err
	}
	if len(value) > XattrSizeMax {
		return linux.E2BIG
	}
	if n.AppendOnly() {
		return linux.EPERM // xattr_permission
	}
	if err := n.Writable(); err != nil {
		return err
	}
	if n.onHost() {
		return linux.EOPNOTSUPP
	}
	if (strings.HasPrefix(name, "security.") || strings.HasPrefix(name, "trusted.")) && !c.Has(PrivSysAdmin, n) {
		return linux.EPERM
	}
	if strings.HasPrefix(name, "user.") && !Check(c, n, MayWrite) {
		return linux.EACCES
	}
	old, exists := n.xattrs[name]
	switch {
	case value == nil && !exists:
		return linux.ENODATA
	case value != nil && flags&XATTR_CREATE != 0 && exists:
		return linux.EEXIST
	case value != nil && flags&XATTR_REPLACE != 0 && !exists:
		return linux.ENODATA
	}
	if err := n.CopyUp(); err != nil {
		return err
	}
	if e := n.ext2Of(); e != nil && value != nil && !e.xattrsFit(n.xattrs, name, value) {
		return linux.ENOSPC // ext2 keeps a file's attributes in one block
	}
	grow := int64(len(value) - len(old))
	if !exists {
		grow += int64(len(name) + slotCost)
	} else if value == nil {
		grow = -int64(len(old) + len(name) + slotCost)
	}
	if grow > 0 && (n.fs == nil || !n.fs.charge(grow)) {
		return linux.ENOSPC
	}
	if grow < 0 && n.fs != nil {
		n.fs.uncharge(-grow)
	}
	n.charged += grow
	if value == nil {
		delete(n.xattrs, name)
		return nil
	}
	if n.xattrs == nil {
		n.xattrs = map[string][]byte{}
	}
	n.xattrs[name] = append([]byte{}, value...)
	if n.fs != nil {
		n.Ctime = n.fs.now()
	}
	return nil
}
