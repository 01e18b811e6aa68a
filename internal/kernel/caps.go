package kernel

// Capabilities (capabilities(7)): the effective, permitted, inheritable and bounding
// sets of a process. A process that starts as root has every capability; the sets
// follow the rules of capabilities(7) when the user IDs change and at execve (no file
// capabilities: a program gets the full sets when run by root, none otherwise), and
// capset(2) may drop them. weft checks the capabilities in mount(2), System V IPC,
// memory locks, leases, clock_settime(2) and the set*id calls; its other privileged
// paths (file permissions, kill(2), resource limits) still ask for effective user ID 0.

// Capability numbers (linux/capability.h).
const (
	CAP_CHOWN                  = 0
	CAP_DAC_OVERRIDE           = 1
	CAP_FOWNER                 = 3
	CAP_KILL                   = 5
	CAP_SETGID                 = 6
	CAP_SETUID                 = 7
	CAP_SETPCAP                = 8
	CAP_LINUX_IMMUTABLE        = 9
	CAP_IPC_LOCK               = 14
	CAP_IPC_OWNER              = 15
	CAP_SYS_ADMIN              = 21
	CAP_SYS_NICE               = 23
	CAP_SYS_RESOURCE           = 24
	CAP_SYS_TIME               = 25
	CAP_LEASE                  = 28
	CAP_LAST_CAP               = 40 // CAP_CHECKPOINT_RESTORE, the last in Linux 6.12
	capFull             uint64 = 1<<(CAP_LAST_CAP+1) - 1
)

// Caps are a process's capability sets, one bit per capability.
type Caps struct {
	Eff, Prm, Inh, Bnd uint64
}

// initialCaps are the sets of the first process, run as uid.
func initialCaps(uid uint32) Caps {
	if uid == 0 {
		return Caps{Eff: capFull, Prm: capFull, Bnd: capFull}
	}
	return Caps{Bnd: capFull}
}

// Capable reports whether the credentials have capability cap in their effective set.
func (c *Creds) Capable(cap int) bool { return c.Caps.Eff&(1<<cap) != 0 }

// FixUIDCaps applies capabilities(7)'s "Effect of user ID changes on capabilities"
// after a set*uid call changed the user IDs from oldR, oldE, oldS.
func (c *Creds) FixUIDCaps(oldR, oldE, oldS uint32) {
	if (oldR == 0 || oldE == 0 || oldS == 0) && c.UID != 0 && c.EUID != 0 && c.SUID != 0 {
		c.Caps.Prm, c.Caps.Eff = 0, 0
	}
	switch {
	case oldE == 0 && c.EUID != 0:
		c.Caps.Eff = 0
	case oldE != 0 && c.EUID == 0:
		c.Caps.Eff = c.Caps.Prm
	}
}

// execCaps transforms the sets at execve of a program without file capabilities: root
// (real or effective) gets the bounding set permitted, and effective if its effective
// user ID is 0; anyone else ends up with no capabilities.
func (c *Creds) execCaps() {
	if c.UID == 0 || c.EUID == 0 {
		c.Caps.Prm = c.Caps.Bnd | (c.Caps.Inh & c.Caps.Bnd)
		c.Caps.Eff = 0
		if c.EUID == 0 {
			c.Caps.Eff = c.Caps.Prm
		}
		return
	}
	c.Caps.Prm, c.Caps.Eff = 0, 0
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
	return true
}
