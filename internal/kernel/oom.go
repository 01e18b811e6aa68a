package kernel

import (
	"fmt"
	"strconv"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/mm"
	"weft/internal/vfs"
)

// What the OOM killer of a memory cgroup (cgroup_mem.go) weighs: each process's
// resident pages, shifted by its oom_score_adj (proc(5), /proc/PID/oom_score_adj:
// -1000 to 1000, in thousandths of the group's limit; -1000 means never), as Linux's
// oom_badness does. The setting is the process's, inherited by fork and kept by
// execve; lowering it below the lowest value a privileged process set needs
// CAP_SYS_RESOURCE (EACCES), as __set_oom_adj says.

const (
	OOM_SCORE_ADJ_MIN = -1000
	OOM_SCORE_ADJ_MAX = 1000
	// The legacy /proc/PID/oom_adj scale: -17 (OOM_DISABLE) to 15.
	OOM_DISABLE    = -17
	OOM_ADJUST_MAX = 15
)

// oomBadness is tg's score for an OOM killer whose domain holds total pages, or false
// if tg may not be killed (oom_score_adj -1000).
func oomBadness(tg *ThreadGroup, total int64) (int64, bool) {
	if tg.OOMScoreAdj == OOM_SCORE_ADJ_MIN {
		return 0, false
	}
	points := int64(tg.MM.Stats.Resident) + int64(tg.OOMScoreAdj)*total/1000
	return max(points, 1), true
}

// setOOMScoreAdj sets tg's oom_score_adj to v for the writer w; a privileged writer
// of oom_score_adj (not of the legacy oom_adj) also sets the floor.
func setOOMScoreAdj(w *Task, tg *ThreadGroup, v int, legacy bool) error {
	if v < OOM_SCORE_ADJ_MIN || v > OOM_SCORE_ADJ_MAX {
		return linux.EINVAL
	}
	privileged := w != nil && w.TG.Creds.Capable(CAP_SYS_RESOURCE)
	if v < tg.oomScoreAdjMin && !privileged {
		return linux.EACCES
	}
	tg.OOMScoreAdj = v
	if privileged && !legacy {
		tg.oomScoreAdjMin = v
	}
	return nil
}

// procOOMFiles are /proc/PID's oom_score_adj, oom_adj and oom_score.
func (k *Kernel) procOOMFiles(tg *ThreadGroup) map[string]func() *vfs.Inode {
	uid, gid := tg.Creds.EUID, tg.Creds.EGID
	setting := func(gen func() string, set func(v int) error) *vfs.Inode {
		n := k.FS.NewSetting(0o644, func() []byte { return []byte(gen()) }, func(p []byte) error {
			v, err := strconv.Atoi(strings.TrimSpace(string(p)))
			if err != nil {
				return linux.EINVAL
			}
			if tg.Exited {
				return linux.ESRCH
			}
			return set(v)
		})
		n.UID, n.GID = uid, gid
		return n
	}
	return map[string]func() *vfs.Inode{
		"oom_score_adj": func() *vfs.Inode {
			return setting(func() string { return fmt.Sprintf("%d\n", tg.OOMScoreAdj) },
				func(v int) error { return setOOMScoreAdj(k.current, tg, v, false) })
		},
		// oom_adj scales to oom_score_adj by 1000/17, -17 being -1000 (oom_adj_write).
		"oom_adj": func() *vfs.Inode {
			return setting(func() string {
				if tg.OOMScoreAdj == OOM_SCORE_ADJ_MAX {
					return fmt.Sprintf("%d\n", OOM_ADJUST_MAX)
				}
				return fmt.Sprintf("%d\n", tg.OOMScoreAdj*-OOM_DISABLE/OOM_SCORE_ADJ_MAX)
			}, func(v int) error {
				if v < OOM_DISABLE || v > OOM_ADJUST_MAX {
					return linux.EINVAL
				}
				adj := OOM_SCORE_ADJ_MAX
				if v != OOM_ADJUST_MAX {
					adj = v * OOM_SCORE_ADJ_MAX / -OOM_DISABLE
				}
				return setOOMScoreAdj(k.current, tg, adj, true)
			})
		},
		// oom_score is the badness on the scale proc_oom_score uses: 0 to 2000, 1000
		// plus the process's share of all memory (weft's cap) in thousandths.
		"oom_score": func() *vfs.Inode {
			return k.FS.NewGenerated(0o444, uid, gid, func() []byte {
				total := int64(k.MemoryCap() / mm.PageSize)
				b, ok := oomBadness(tg, total)
				if !ok || tg.Exited {
					return []byte("0\n")
				}
				return []byte(fmt.Sprintf("%d\n", 1000+b*1000/total))
			})
		},
	}
}
