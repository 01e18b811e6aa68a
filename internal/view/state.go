// Package view shows a weft run in a browser (weft view): the CPUs' timeline from the
// run's trace, and the machine's state at any instant under the cursor — processes and
// threads, address spaces with the frames they share, descriptor tables with the open
// file descriptions they share, signals.
//
// Time travel is deterministic re-execution: the state at virtual time T is the state
// of a fresh run of the same program, seed and flags paused when every CPU has reached
// T (kernel.Config.PauseAt). Nothing of the run's history is kept but its trace.
package view

import (
	"slices"
	"sort"
	"strconv"

	"weft/internal/kernel"
	"weft/internal/mm"
	"weft/internal/vfs"
)

// State is the machine at one instant, as the page shows it.
type State struct {
	Time      uint64    `json:"time"` // virtual nanoseconds
	Insns     uint64    `json:"insns"`
	Processes []Process `json:"processes"`
	// Detail lists the processes whose resident pages are sent, page by page; the
	// others come with their mappings and page counts only, so that a machine of
	// hundreds of processes stays a small message and a quick drawing.
	Detail []int `json:"detail"`
	// Frames counts, for each frame ID the page colours by (those of the detailed
	// processes' pages), how many page-table entries point at it and which
	// processes, detailed or not, map it.
	Frames map[int]FrameUse `json:"frames"`
}

// DefaultDetail is how many processes' pages a State details when the page names none:
// the first ones with an address space.
const DefaultDetail = 4

// FrameUse says who maps one physical frame.
type FrameUse struct {
	Refs      int   `json:"refs"`      // page-table entries pointing at it
	Processes []int `json:"processes"` // the PIDs that map it, in order
}

// Process is one thread group.
type Process struct {
	PID     int      `json:"pid"`
	PPID    int      `json:"ppid"`
	Comm    string   `json:"comm"`
	Exe     string   `json:"exe"`
	State   string   `json:"state"` // running, zombie (exit status), reaped
	Status  string   `json:"status,omitempty"`
	UID     [4]int   `json:"uid"` // real, effective, saved, file system
	GID     [4]int   `json:"gid"`
	Threads []Thread `json:"threads"`
	Maps    []Map    `json:"maps"`
	// Resident and Shared count the process's present pages, and those another
	// address space or entry may see (see Page.Shared), detailed or not.
	Resident int      `json:"resident"`
	Shared   int      `json:"shared"`
	FDs      []FD     `json:"fds"`
	Pending  uint64   `json:"pending"` // signals pending for the process
	Handled  []string `json:"handled"` // signals with a handler
	Ignored  []string `json:"ignored"`
}

// Thread is one task.
type Thread struct {
	TID     int    `json:"tid"`
	Name    string `json:"name"`
	State   string `json:"state"` // running on CPU n, runnable, blocked on ..., stopped, exited
	CPU     int    `json:"cpu"`   // -1 when not on a CPU
	Insns   uint64 `json:"insns"`
	Blocked uint64 `json:"blocked"` // signal mask
	Pending uint64 `json:"pending"`
}

// Map is one VMA with its resident pages.
type Map struct {
	Start  uint64 `json:"start"`
	End    uint64 `json:"end"`
	Perm   string `json:"perm"`
	Name   string `json:"name"`
	Shared bool   `json:"shared"`
	Pages  []Page `json:"pages"`
}

// Page is a resident page: which frame (an ID stable within one State) and whether it
// is shared with another mapping (copy-on-write after fork, or MAP_SHARED).
type Page struct {
	Addr   uint64 `json:"addr"`
	Frame  int    `json:"frame"`
	Shared bool   `json:"shared"`
	// Copied: the frame was made by copying a shared one when this process wrote
	// to it (copy-on-write after fork).
	Copied bool `json:"copied,omitempty"`
}

// FD is one descriptor and the open file description it refers to.
type FD struct {
	FD      int    `json:"fd"`
	OFD     int    `json:"ofd"` // an ID per open file description, shared by dup and fork
	Path    string `json:"path"`
	Offset  int64  `json:"offset"`
	Flags   uint32 `json:"flags"`
	Cloexec bool   `json:"cloexec"`
}

// maxPagesPerMap bounds what one mapping sends to the page: a view of 64 MiB per map.
const maxPagesPerMap = 16384

// Capture reads the state of k, which must not be running, with the pages of the
// processes detail names (nil: the first DefaultDetail with an address space).
func Capture(k *kernel.Kernel, now uint64, detail []int) *State {
	st := &State{Time: now, Insns: k.TotalInsns(), Frames: map[int]FrameUse{}}
	groups := k.Groups()
	if detail == nil {
		for _, tg := range groups {
			if len(detail) < DefaultDetail && !tg.Exited && tg.MM != nil {
				detail = append(detail, tg.PID)
			}
		}
	}
	st.Detail = detail
	// Who maps each frame, over every process: a detailed page's frame may be shared
	// with a process that is not detailed.
	mappers := map[*mm.Frame][]int{}
	for _, tg := range groups {
		if !tg.Exited && tg.MM != nil {
			tg.MM.EachPage(func(_ uint64, f *mm.Frame, _ bool) {
				if ps := mappers[f]; len(ps) == 0 || ps[len(ps)-1] != tg.PID {
					mappers[f] = append(ps, tg.PID)
				}
			})
		}
	}
	frames := map[*mm.Frame]int{}
	ofds := map[*vfs.File]int{}
	for _, tg := range groups {
		p := Process{PID: tg.PID, Comm: tg.Comm, Exe: tg.Exe, State: "running"}
		if tg.Parent != nil {
			p.PPID = tg.Parent.PID
		}
		c := tg.Creds
		p.UID = [4]int{int(c.UID), int(c.EUID), int(c.SUID), int(c.FSUID)}
		p.GID = [4]int{int(c.GID), int(c.EGID), int(c.SGID), int(c.FSGID)}
		switch {
		case tg.Reaped:
			p.State = "reaped"
		case tg.Exited:
			p.State = "zombie"
		}
		if tg.Exited {
			p.Status = exitText(tg)
		}
		for _, t := range tg.AllTasks() {
			p.Threads = append(p.Threads, thread(t))
		}
		if !tg.Exited && tg.MM != nil {
			p.Maps = maps(tg, slices.Contains(detail, tg.PID), frames, mappers, st, &p)
			for _, fd := range tg.FDs.Open() {
				f, err := tg.FDs.Get(fd)
				if err != nil {
					continue
				}
				id, ok := ofds[f]
				if !ok {
					id = len(ofds) + 1
					ofds[f] = id
				}
				p.FDs = append(p.FDs, FD{FD: fd, OFD: id, Path: f.Path, Offset: f.Offset, Flags: f.Flags, Cloexec: tg.FDs.CloseOnExec(fd)})
			}
			p.Pending = tg.ProcessPending()
			for sig := 1; sig < len(tg.SigActions); sig++ {
				switch h := tg.SigActions[sig].Handler; {
				case h == 1:
					p.Ignored = append(p.Ignored, kernel.Signal(sig).String())
				case h > 1:
					p.Handled = append(p.Handled, kernel.Signal(sig).String())
				}
			}
		}
		st.Processes = append(st.Processes, p)
	}
	return st
}

func thread(t *kernel.Task) Thread {
	th := Thread{TID: t.TID, Name: t.Name(), CPU: -1, Insns: t.Stats.Insns, Blocked: t.SigMask}
	switch t.State {
	case kernel.TaskRunnable:
		th.State = "runnable"
		if c := t.OnCPU(); c >= 0 {
			th.State, th.CPU = "running", c
		}
	case kernel.TaskBlocked:
		th.State = "blocked: " + t.WaitingFor()
	case kernel.TaskStopped:
		th.State = "stopped"
	case kernel.TaskDead:
		th.State = "exited"
	}
	if t.State != kernel.TaskDead {
		th.Pending = t.PendingSignals() &^ t.TG.ProcessPending()
	}
	return th
}

// maps lists tg's mappings, with their pages if detailed, and counts its pages in p.
func maps(tg *kernel.ThreadGroup, detailed bool, frames map[*mm.Frame]int, mappers map[*mm.Frame][]int, st *State, p *Process) []Map {
	var out []Map
	for _, v := range tg.MM.VMAs() {
		out = append(out, Map{Start: v.Start, End: v.End, Perm: v.Perm.String(), Name: v.Name, Shared: v.Shared})
	}
	starts := make([]uint64, 0, len(out))
	for _, m := range out {
		starts = append(starts, m.Start)
	}
	tg.MM.EachPage(func(addr uint64, f *mm.Frame, shared bool) {
		p.Resident++
		if shared {
			p.Shared++
		}
		if !detailed {
			return
		}
		i := sort.Search(len(starts), func(i int) bool { return starts[i] > addr }) - 1
		if i < 0 || addr >= out[i].End || len(out[i].Pages) >= maxPagesPerMap {
			return
		}
		id, ok := frames[f]
		if !ok {
			id = len(frames) + 1
			frames[f] = id
			st.Frames[id] = FrameUse{Refs: f.Refs(), Processes: mappers[f]}
		}
		out[i].Pages = append(out[i].Pages, Page{Addr: addr, Frame: id, Shared: shared, Copied: f.Copied()})
	})
	return out
}

func exitText(tg *kernel.ThreadGroup) string {
	if tg.KillSignal != 0 {
		return "killed by " + tg.KillSignal.String()
	}
	return "exit " + strconv.Itoa(tg.ExitCode)
}
