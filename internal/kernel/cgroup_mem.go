package kernel

import (
	"fmt"
	"slices"
	"strings"

	"weft/internal/abi/linux"
	"weft/internal/cpu"
	"weft/internal/mm"
	"weft/internal/vfs"
)

// The memory controller (cgroup-v2.rst, "Memory"). Each group's counter (mm.MemCounter)
// holds the frames charged to it and to its descendants: a frame is charged when an
// address space of one of its processes allocates it, and uncharged when its last
// mapping goes. A charge that would take a counter past memory.max first reclaims,
// in the processes of that counter's group and below, what Linux reclaims without
// swap: the clean pages MADV_FREE let go of and the pages of MAP_DROPPABLE mappings
// (mm's Reclaim). If that is not enough, the group's OOM killer ends the process
// with the most resident pages in it (SIGKILL; ties go to the lowest PID), and the
// charge is tried again. The killing is done at once (a SIGKILL ends a weft process
// where it stands), so the memory is back before the faulting access retries.
//
// weft has no swap area: memory.swap.current is 0, and memory.swap.max, which can be
// set, has nothing to limit. memory.min and memory.low protect against reclaim that
// weft only does within a group over its own limit; they are kept and shown.
// memory.high is kept and shown, and not enforced (Linux throttles above it).

// memcgState is a group's memory controller.
type memcgState struct {
	counter mm.MemCounter
	// high, low and min are memory.high, memory.low and memory.min in pages
	// (mm.Unlimited for max); swapMax is memory.swap.max.
	high, low, min, swapMax int64
	// events count memory.events for the group and its descendants, local for the
	// group alone (memory.events.local).
	events, local memEvents
	// lazyFree counts pages MADV_FREE marked in the group's processes, reclaimed
	// the pages Reclaim dropped (memory.stat's pglazyfree, pglazyfreed).
	lazyFree, reclaimed uint64
}

// memEvents are the counts memory.events shows.
type memEvents struct {
	low, high, max, oom, oomKill uint64
}

func (m *memcgState) init(cg *Cgroup, parent *mm.MemCounter) {
	m.counter = mm.MemCounter{Parent: parent, Max: mm.Unlimited, Owner: cg}
	m.high, m.swapMax = mm.Unlimited, mm.Unlimited
}

// memEvent counts one event of the kind sel picks in cg's memory.events.local, and in
// memory.events of cg and its ancestors (only cg's with memory_localevents).
func (k *Kernel) memEvent(cg *Cgroup, sel func(*memEvents) *uint64) {
	*sel(&cg.mem.local)++
	for c := cg; c != nil; c = c.parent {
		*sel(&c.mem.events)++
		if k.cgroups.localEvents {
			break
		}
	}
}

func evMax(e *memEvents) *uint64     { return &e.max }
func evOOM(e *memEvents) *uint64     { return &e.oom }
func evOOMKill(e *memEvents) *uint64 { return &e.oomKill }

// memcgReclaim is the pool's Reclaim: a charge of as would take over past its limit.
// It reclaims in over's group; failing that, and only when the kernel acts for a
// system call (an access from guest code faults instead, and memcgFault decides), it
// kills the group's largest process unless that is the one charging. It reports
// whether the charge should be tried again.
func (k *Kernel) memcgReclaim(over *mm.MemCounter, as *mm.AddressSpace) bool {
	cg, _ := over.Owner.(*Cgroup)
	if cg == nil {
		return false
	}
	k.memEvent(cg, evMax)
	if k.reclaimCgroup(cg) > 0 {
		return true
	}
	if k.current == nil {
		return false
	}
	k.memEvent(cg, evOOM)
	victim := k.oomVictim(cg)
	if victim == nil || victim.MM == as {
		return false
	}
	k.oomKill(cg, victim)
	return true
}

// reclaimCgroup drops what can be dropped without loss in the address spaces of cg's
// processes and its descendants' (mm's Reclaim), and reports how many pages it took.
func (k *Kernel) reclaimCgroup(cg *Cgroup) int {
	n := 0
	var done []*mm.AddressSpace
	for _, tg := range k.subtreeProcs(cg) {
		as := tg.MM
		if as == nil || slices.Contains(done, as) {
			continue
		}
		done = append(done, as)
		if got := as.Reclaim(); got > 0 {
			n += got
			if mc, _ := as.Memcg.Owner.(*Cgroup); mc != nil {
				mc.mem.reclaimed += uint64(got)
			}
		}
	}
	return n
}

// oomVictim picks the process the OOM killer of cg ends: the one in cg or below with
// the highest badness (oom.go: its resident pages, shifted by oom_score_adj in
// thousandths of the group's limit), the lowest PID among equals; never one whose
// oom_score_adj is -1000, weft's init, nor a process whose memory is another's (vfork).
func (k *Kernel) oomVictim(cg *Cgroup) *ThreadGroup {
	total := cg.mem.counter.Max
	if total >= mm.Unlimited {
		total = int64(k.MemoryCap() / mm.PageSize)
	}
	var best *ThreadGroup
	var most int64
	for _, tg := range k.subtreeProcs(cg) {
		if tg == k.initProc || tg.sharesMM || tg.liveTasks == 0 {
			continue
		}
		if b, ok := oomBadness(tg, total); ok && (best == nil || b > most) {
			best, most = tg, b
		}
	}
	return best
}

// oomKill ends victim for cg's OOM killer, and says so as Linux's kernel log does.
func (k *Kernel) oomKill(cg *Cgroup, victim *ThreadGroup) {
	k.memEvent(cg, evOOMKill)
	k.notice("memory cgroup %s out of memory: killed pid %d (%s)", cg.Path(), victim.PID, victim.Comm)
	k.SignalProcess(victim, SigInfo{Signo: linux.SIGKILL, Code: SI_KERNEL})
}

// memcgFault handles a guest access that could not be charged to its memory cgroup
// (mm.CgroupOOM): the OOM killer of the group that is full ends its largest process.
// If that is another one, the access is tried again (it reports true); if it is the
// faulting process, it reports false and the fault kills it.
func (k *Kernel) memcgFault(t *Task, stop cpu.Stop) bool {
	over := t.TG.MM.Memcg.Full()
	if over == nil {
		return true // memory came back meanwhile
	}
	cg, _ := over.Owner.(*Cgroup)
	if cg == nil {
		return false
	}
	k.memEvent(cg, evOOM)
	victim := k.oomVictim(cg)
	if victim == nil || victim == t.TG {
		k.memEvent(cg, evOOMKill)
		return false
	}
	k.oomKill(cg, victim)
	return true
}

// setMemoryMax sets memory.max and, if the group is over it now, reclaims and then
// kills until it is not (memory_max_write).
func (k *Kernel) setMemoryMax(cg *Cgroup, pages int64) {
	cg.mem.counter.Max = pages
	for cg.mem.counter.Pages > pages {
		k.memEvent(cg, evMax)
		if k.reclaimCgroup(cg) > 0 {
			continue
		}
		k.memEvent(cg, evOOM)
		victim := k.oomVictim(cg)
		if victim == nil {
			return
		}
		k.oomKill(cg, victim)
	}
}

// CountLazyFree records pages that madvise(MADV_FREE) marked in tg (memory.stat's
// pglazyfree, in the group its pages are charged to).
func (tg *ThreadGroup) CountLazyFree(n int) {
	if tg.MM.Memcg == nil {
		return
	}
	if cg, _ := tg.MM.Memcg.Owner.(*Cgroup); cg != nil {
		cg.mem.lazyFree += uint64(n)
	}
}

// parseMemBytes parses a memory limit as the memory files take it: "max", or a number
// of bytes with an optional K, M, G, T, P or E suffix (Linux's memparse), rounded down to
// whole pages (page_counter_memparse). It returns pages.
func parseMemBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "max" {
		return mm.Unlimited, nil
	}
	v, overflow, err := vfs.Memparse(s)
	switch {
	case err != nil:
		return 0, err
	case overflow || v > 1<<63-1:
		return mm.Unlimited, nil
	}
	return int64(min(v/mm.PageSize, uint64(mm.Unlimited))), nil
}

// memBytes shows a limit in pages as the memory files do: bytes, or "max".
func memBytes(pages int64) string {
	if pages >= mm.Unlimited {
		return "max\n"
	}
	return fmt.Sprintf("%d\n", pages*mm.PageSize)
}

// memoryStat is memory.stat: what the group holds, by kind, in bytes, then event
// counts. weft charges only anonymous memory (a process's own frames), so file,
// kernel and shmem memory are 0.
func (k *Kernel) memoryStat(cg *Cgroup) string {
	var faults, lazy, reclaimed uint64
	var walk func(c *Cgroup)
	walk = func(c *Cgroup) {
		faults += c.mem.counter.Faults
		lazy += c.mem.lazyFree
		reclaimed += c.mem.reclaimed
		for _, d := range c.children {
			walk(d)
		}
	}
	walk(cg)
	anon := uint64(cg.mem.counter.Pages) * mm.PageSize
	var b strings.Builder
	for _, f := range []struct {
		name string
		v    uint64
	}{
		{"anon", anon}, {"file", 0}, {"kernel", 0}, {"shmem", 0}, {"file_mapped", 0},
		{"pgfault", faults}, {"pgmajfault", 0}, {"pglazyfree", lazy}, {"pglazyfreed", reclaimed},
	} {
		fmt.Fprintf(&b, "%s %d\n", f.name, f.v)
	}
	return b.String()
}

// memoryEvents formats memory.events or memory.events.local.
func memoryEvents(e memEvents) string {
	return fmt.Sprintf("low %d\nhigh %d\nmax %d\noom %d\noom_kill %d\noom_group_kill 0\n",
		e.low, e.high, e.max, e.oom, e.oomKill)
}
