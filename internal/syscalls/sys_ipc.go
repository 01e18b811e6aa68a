package syscalls

import (
	"encoding/binary"

	"weft/internal/abi/linux"
	"weft/internal/kernel"
)

// System V IPC calls: the kernel keeps the objects (kernel/ipc*.go); these handlers
// decode arguments and lay out the structures riscv64 has (asm-generic ipcbuf.h,
// shmbuf.h, sembuf.h, msgbuf.h, all with 64-bit words and no time _high halves).

var ipcCalls = []entry{
	call(linux.SYS_SHMGET, "shmget", Shmget, i, u, oct),
	call(linux.SYS_SHMAT, "shmat", Shmat, i, p, x).hex(),
	call(linux.SYS_SHMDT, "shmdt", Shmdt, p),
	call(linux.SYS_SHMCTL, "shmctl", Shmctl, i, i, p),
}

var le = binary.LittleEndian

// ipcPermSize is sizeof(struct ipc64_perm): key, uid, gid, cuid, cgid, mode (4 bytes
// each), seq and a pad (2 each), two unused longs.
const ipcPermSize = 48

func putIPCPerm(b []byte, p *kernel.IPCPerm) {
	le.PutUint32(b[0:], uint32(p.Key))
	le.PutUint32(b[4:], p.UID)
	le.PutUint32(b[8:], p.GID)
	le.PutUint32(b[12:], p.CUID)
	le.PutUint32(b[16:], p.CGID)
	le.PutUint32(b[20:], p.Mode)
	le.PutUint16(b[24:], p.Seq)
}

// getIPCSet reads the uid, gid and mode IPC_SET takes from a struct ipc64_perm.
func getIPCSet(t *kernel.Task, addr uint64) (*kernel.IPCPerm, error) {
	b, err := copyIn(t, addr, ipcPermSize)
	if err != nil {
		return nil, err
	}
	return &kernel.IPCPerm{UID: le.Uint32(b[4:]), GID: le.Uint32(b[8:]), Mode: le.Uint32(b[20:])}, nil
}

// ipcCmd strips IPC_64 from a *ctl command: riscv64 has only the 64-bit layouts, and
// glibc may say so.
func ipcCmd(a uint64) int { return int(int32(a) &^ kernel.IPC_64) }

// Shmget implements shmget(2).
func Shmget(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	id, err := t.Kernel().ShmGet(t, int32(a[0]), a[1], a[2])
	return uint64(id), err
}

// Shmat implements shmat(2).
func Shmat(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return t.Kernel().ShmAt(t, int(int32(a[0])), a[1], a[2])
}

// Shmdt implements shmdt(2).
func Shmdt(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	return 0, t.Kernel().ShmDt(t, a[0])
}

// shmidDsSize is sizeof(struct shmid64_ds): the perm, segsz, atime, dtime, ctime,
// cpid and lpid (ints), nattch and two unused longs.
const shmidDsSize = ipcPermSize + 64

// Shmctl implements shmctl(2).
func Shmctl(t *kernel.Task, a *kernel.SyscallArgs) (uint64, error) {
	cmd := ipcCmd(a[1])
	var set *kernel.IPCPerm
	if cmd == kernel.IPC_SET {
		var err error
		if set, err = getIPCSet(t, a[2]); err != nil {
			return 0, err
		}
	}
	r, err := t.Kernel().ShmCtl(t, int(int32(a[0])), cmd, set)
	if err != nil {
		return 0, err
	}
	switch {
	case r.Seg != nil:
		s := r.Seg
		b := make([]byte, shmidDsSize)
		putIPCPerm(b, &s.Perm)
		o := ipcPermSize
		le.PutUint64(b[o:], s.Size)
		le.PutUint64(b[o+8:], uint64(s.Atime))
		le.PutUint64(b[o+16:], uint64(s.Dtime))
		le.PutUint64(b[o+24:], uint64(s.Ctime))
		le.PutUint32(b[o+32:], uint32(s.CPID))
		le.PutUint32(b[o+36:], uint32(s.LPID))
		le.PutUint64(b[o+40:], uint64(s.Nattch))
		if err := copyOut(t, a[2], b); err != nil {
			return 0, err
		}
	case r.Info != nil:
		// struct shm_info: int used_ids (padded to 8), then five unsigned longs.
		b := make([]byte, 48)
		le.PutUint32(b[0:], uint32(r.Info.UsedIDs))
		for j, v := range []uint64{r.Info.Tot, r.Info.RSS, r.Info.Swp, r.Info.SwapAttempts, r.Info.SwapSucc} {
			le.PutUint64(b[8+8*j:], v)
		}
		if err := copyOut(t, a[2], b); err != nil {
			return 0, err
		}
	case r.Limits != nil:
		// struct shminfo64: shmmax, shmmin, shmmni, shmseg, shmall, four unused.
		b := make([]byte, 72)
		for j, v := range r.Limits {
			le.PutUint64(b[8*j:], v)
		}
		if err := copyOut(t, a[2], b); err != nil {
			return 0, err
		}
	}
	return uint64(r.Ret), nil
}
