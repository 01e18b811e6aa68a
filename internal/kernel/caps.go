package kernel

// Capabilities (capabilities(7)): the effective, permitted, inheritable and bounding
// sets of a process. A process that starts as root has every capability; the sets
// follow the rules of capabilities(7) when the user IDs change and at execve (no file
// capabilities: a program gets the full sets when run by root, none otherwise), and
// capset(2) may drop them. weft checks capabilities, not user IDs, wherever Linux
// does, each in the user namespace Linux asks about (userns.go): file permissions
// (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_CHOWN,
// CAP_MKNOD), mount(2), System V IPC, memory locks, leases, clocks and alarms, kill(2),
// priorities, resource limits, the set*id calls and the creation of namespaces.

// Capability numbers (linux/capability.h).
const (
	CAP_CHOWN                     = 0
	CAP_DAC_OVERRIDE              = 1
	CAP_DAC_READ_SEARCH           = 2
	CAP_FOWNER                    = 3
	CAP_FSETID                    = 4
	CAP_KILL                      = 5
	CAP_SETGID                    = 6
	CAP_SETUID                    = 7
	CAP_SETPCAP                   = 8
	CAP_LINUX_IMMUTABLE           = 9
	CAP_NET_BIND_SERVICE          = 10
	CAP_IPC_LOCK                  = 14
	CAP_IPC_OWNER                 = 15
	CAP_SYS_CHROOT                = 18
	CAP_SYS_PTRACE                = 19
	CAP_SYS_ADMIN                 = 21
	CAP_SYS_NICE                  = 23
	CAP_SYS_RESOURCE              = 24
	CAP_SYS_TIME                  = 25
	CAP_MKNOD                     = 27
	CAP_LEASE                     = 28
	CAP_SETFCAP                   = 31
	CAP_MAC_OVERRIDE              = 32
	CAP_SYSLOG                    = 34
	CAP_WAKE_ALARM                = 35
	CAP_CHECKPOINT_RESTORE        = 40
	CAP_LAST_CAP                  = 40 // CAP_CHECKPOINT_RESTORE, the last in Linux 6.13
	capFull                uint64 = 1<<(CAP_LAST_CAP+1) - 1
)

// Caps are a process's capability sets, one bit per capability. The ambient set is
// always a subset of both the permitted and the inheritable ones.
type Caps struct {
	Eff, Prm, Inh, Bnd, Amb uint64
}

// Secure bits (linux/securebits.h): each flag, and its lock one bit higher.
const (
	SECBIT_NOROOT               = 1 << 0
	SECBIT_NO_SETUID_FIXUP      = 1 << 2
	SECBIT_KEEP_CAPS            = 1 << 4
	SECBIT_NO_CAP_AMBIENT_RAISE = 1 << 6
	secbitAll                   = SECBIT_NOROOT | SECBIT_NO_SETUID_FIXUP | SECBIT_KEEP_CAPS | SECBIT_NO_CAP_AMBIENT_RAISE
	secbitLocks                 = secbitAll << 1
)

// ValidCap reports whether cap names a capability (cap_valid).
func ValidCap(cap uint64) bool { return cap <= CAP_LAST_CAP }

// SetSecurebits implements prctl(PR_SET_SECUREBITS) (cap_task_prctl): it needs
// CAP_SETPCAP, and may neither change a locked bit, unlock a lock, nor set an unknown
// bit (EPERM for each).
func (c *Creds) SetSecurebits(bits uint64) bool {
	old := uint64(c.Securebits)
	if (old&secbitLocks)>>1&(old^bits) != 0 || old&secbitLocks&^bits != 0 || bits&^(secbitAll|secbitLocks) != 0 || !c.Capable(CAP_SETPCAP) {
		return false
	}
	c.Securebits = uint32(bits)
	return true
}

// SetKeepCaps implements prctl(PR_SET_KEEPCAPS): the SECBIT_KEEP_CAPS flag, unless it
// is locked.
func (c *Creds) SetKeepCaps(keep bool) bool {
	if c.Securebits&(SECBIT_KEEP_CAPS<<1) != 0 {
		return false
	}
	c.Securebits &^= SECBIT_KEEP_CAPS
	if keep {
		c.Securebits |= SECBIT_KEEP_CAPS
	}
	return true
}

// RaiseAmbient adds cap to the ambient set (PR_CAP_AMBIENT_RAISE): it must be in the
// permitted and inheritable sets, and SECBIT_NO_CAP_AMBIENT_RAISE clear.
func (c *Creds) RaiseAmbient(cap uint64) bool {
	bit := uint64(1) << cap
	if c.Caps.Prm&bit == 0 || c.Caps.Inh&bit == 0 || c.Securebits&SECBIT_NO_CAP_AMBIENT_RAISE != 0 {
		return false
	}
	c.Caps.Amb |= bit
	return true
}

// initialCaps are the sets of the first process, run as uid.
func initialCaps(uid uint32) Caps {
	if uid == 0 {
		return Caps{Eff: capFull, Prm: capFull, Bnd: capFull}
	}
	return Caps{Bnd: capFull}
}

// FixUIDCaps applies capabilities(7)'s "Effect of user ID changes on capabilities"
// after a set*uid call changed the user IDs from oldR, oldE, oldS.
func (c *Creds) FixUIDCaps(oldR, oldE, oldS uint32) {
	if c.Securebits&SECBIT_NO_SETUID_FIXUP != 0 {
		return
	}
	// Root is the user namespace's user 0 (cap_emulate_setxuid); none if unmapped.
	r, mapped := c.rootUID()
	isRoot := func(id uint32) bool { return mapped && id == r }
	if (isRoot(oldR) || isRoot(oldE) || isRoot(oldS)) && !isRoot(c.UID) && !isRoot(c.EUID) && !isRoot(c.SUID) {
		if c.Securebits&SECBIT_KEEP_CAPS == 0 {
			c.Caps.Prm, c.Caps.Eff = 0, 0
		}
		c.Caps.Amb = 0 // programs from before ambient sets expect setuid+exec to drop all
	}
	switch {
	case isRoot(oldE) && !isRoot(c.EUID):
		c.Caps.Eff = 0
	case !isRoot(oldE) && isRoot(c.EUID):
		c.Caps.Eff = c.Caps.Prm
	}
}

// capFSMask are the capabilities that go with file system user ID 0 (CAP_FS_MASK).
const capFSMask = 1<<CAP_CHOWN | 1<<CAP_DAC_OVERRIDE | 1<<CAP_DAC_READ_SEARCH | 1<<CAP_FOWNER |
	1<<CAP_FSETID | 1<<CAP_LINUX_IMMUTABLE | 1<<CAP_MKNOD | 1<<CAP_MAC_OVERRIDE

// SetFSUID makes uid the file system user ID, which takes the file system
// capabilities out of the effective set when it leaves the namespace's root, and
// back in from the permitted set when it returns (cap_task_fix_setuid, LSM_SETID_FS).
func (c *Creds) SetFSUID(uid uint32) {
	old := c.FSUID
	c.FSUID = uid
	if c.Securebits&SECBIT_NO_SETUID_FIXUP != 0 {
		return
	}
	r, mapped := c.rootUID()
	switch {
	case mapped && old == r && uid != r:
		c.Caps.Eff &^= capFSMask
	case mapped && old != r && uid == r:
		c.Caps.Eff |= c.Caps.Prm & capFSMask
	}
}

// execCaps transforms the sets at execve of a program without file capabilities: root
// (real or effective) gets the bounding set permitted, and effective if its effective
// user ID is 0; anyone else ends up with no capabilities.
// The ambient set passes on: it joins the permitted set, and is the effective set
// of a program not run with effective user ID 0 (cap_bprm_creds_from_file).
// SECBIT_NOROOT takes root's privilege away; SECBIT_KEEP_CAPS is cleared.
func (c *Creds) execCaps() {
	c.Securebits &^= SECBIT_KEEP_CAPS
	r, mapped := c.rootUID() // root is the namespace's user 0 (cap_bprm_creds_from_file)
	root := mapped && (c.UID == r || c.EUID == r) && c.Securebits&SECBIT_NOROOT == 0
	switch {
	case root:
		c.Caps.Prm = c.Caps.Bnd | c.Caps.Inh // handle_privileged_root
	default:
		c.Caps.Prm = c.Caps.Amb
	}
	c.Caps.Eff = c.Caps.Amb
	if root && c.EUID == r {
		c.Caps.Eff = c.Caps.Prm
	}
}

// SetCaps implements capset(2)'s rules (cap_capset): the new permitted set must be a
// subset of the old, the effective of the new permitted, and the inheritable of the old
// inheritable and permitted (any of the bounding set with CAP_SETPCAP).
func (c *Creds) SetCaps(eff, prm, inh uint64) bool {
	old := c.Caps
	allowedInh := old.Inh | old.Prm
	if c.Capable(CAP_SETPCAP) {
		allowedInh = old.Inh | old.Bnd
	}
	if inh&^allowedInh != 0 || inh&^(old.Inh|old.Bnd) != 0 || prm&^old.Prm != 0 || eff&^prm != 0 {
		return false
	}
	c.Caps.Eff, c.Caps.Prm, c.Caps.Inh = eff, prm, inh
	c.Caps.Amb &= prm & inh // what leaves either set leaves the ambient one
	return true
}
