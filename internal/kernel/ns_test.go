package kernel

import (
	"errors"
	"slices"
	"testing"

	"weft/internal/abi/linux"
)

// nsKernel is a kernel with nothing but what PID allocation looks at.
func nsKernel() *Kernel {
	return &Kernel{pidCursor: 1, pidMax: PIDMax, live: map[int]*Task{}, procs: map[int]*ThreadGroup{},
		rootPIDNS: &PIDNS{ID: rootPIDNSID}, pidInfo: map[int]*pidNums{}}
}

// addProc makes global ID g a living process in ns, as Clone would.
func addProc(k *Kernel, g int, ns *PIDNS) *ThreadGroup {
	tg := &ThreadGroup{PID: g, PGID: g, SID: g, PIDNS: ns}
	k.procs[g] = tg
	return tg
}

func TestPIDNamespaceNumbers(t *testing.T) {
	k := nsKernel()
	root := k.rootPIDNS
	for range 5 { // the root's first five IDs are taken
		g, _ := k.allocPIDs(root, nil, &Creds{})
		addProc(k, g, root)
	}
	child, err := k.newPIDNS(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	grand, _ := k.newPIDNS(child, nil)
	var got [][]int
	for _, ns := range []*PIDNS{child, child, grand, grand} {
		g, err := k.allocPIDs(ns, nil, &Creds{})
		if err != nil {
			t.Fatalf("allocPIDs(level %d) = %v", ns.level, err)
		}
		addProc(k, g, ns)
		got = append(got, k.NSpids(g, root))
	}
	want := [][]int{{6, 1}, {7, 2}, {8, 3, 1}, {9, 4, 2}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("NSpids from the root = %v, want %v", got, want)
	}
	tests := []struct {
		g    int
		ns   *PIDNS
		want int
	}{
		{8, root, 8}, {8, child, 3}, {8, grand, 1},
		{6, child, 1}, {6, grand, 0}, // a parent namespace's process is invisible below
		{3, child, 0}, {3, root, 3},
	}
	for _, tt := range tests {
		if got := k.nrIn(tt.g, tt.ns); got != tt.want {
			t.Errorf("nrIn(%d, level %d) = %d, want %d", tt.g, tt.ns.level, got, tt.want)
		}
		if tt.want != 0 {
			if back := k.globalIn(tt.want, tt.ns); back != tt.g {
				t.Errorf("globalIn(%d, level %d) = %d, want %d", tt.want, tt.ns.level, back, tt.g)
			}
		}
	}
	// Once a process is gone its numbers are free again below the root too.
	delete(k.procs, 9)
	k.forgetPID(9)
	if k.globalIn(2, grand) != 0 || k.globalIn(4, child) != 0 {
		t.Errorf("numbers of a forgotten ID still map: %d, %d", k.globalIn(2, grand), k.globalIn(4, child))
	}
	// The cursor goes on from the last number (in order, as in the root).
	g, _ := k.allocPIDs(grand, nil, &Creds{})
	if ids := k.NSpids(g, root); !slices.Equal(ids, []int{10, 5, 3}) {
		t.Errorf("next NSpids = %v, want [10 5 3]", ids)
	}
}

func TestPIDNamespaceSetTID(t *testing.T) {
	admin := &Creds{Caps: Caps{Eff: capFull}}
	none := &Creds{}
	k := nsKernel()
	root := k.rootPIDNS
	g, _ := k.allocPIDs(root, nil, admin)
	addProc(k, g, root) // 1
	child, _ := k.newPIDNS(root, nil)
	tests := []struct {
		name   string
		ns     *PIDNS
		setTID []int
		c      *Creds
		want   error
		ids    []int
	}{
		{"too many levels", root, []int{5, 6}, admin, linux.EINVAL, nil},
		{"zero", root, []int{0}, admin, linux.EINVAL, nil},
		{"past pid_max", root, []int{PIDMax}, admin, linux.EINVAL, nil},
		{"no CAP_SYS_ADMIN", root, []int{50}, none, linux.EPERM, nil},
		{"in use", root, []int{1}, admin, linux.EEXIST, nil},
		{"chosen root pid", root, []int{50}, admin, nil, []int{50}},
		{"not 1 without an init", child, []int{4}, admin, linux.EINVAL, nil},
		{"init of the child", child, []int{1, 60}, admin, nil, []int{60, 1}},
		{"only the deepest level", child, []int{7}, admin, nil, []int{2, 7}},
	}
	for _, tt := range tests {
		g, err := k.allocPIDs(tt.ns, tt.setTID, tt.c)
		if !errors.Is(err, tt.want) || (tt.want != nil) != (err != nil) {
			t.Errorf("%s: allocPIDs(%v) = %v, want %v", tt.name, tt.setTID, err, tt.want)
			continue
		}
		if err != nil {
			continue
		}
		tg := addProc(k, g, tt.ns)
		if tt.ns.level > 0 && tt.ns.reaper == nil {
			tt.ns.reaper = tg
		}
		if ids := k.NSpids(g, root); !slices.Equal(ids, tt.ids) {
			t.Errorf("%s: NSpids = %v, want %v", tt.name, ids, tt.ids)
		}
	}
}

func TestIDMapParse(t *testing.T) {
	tests := []struct {
		in   string
		want idMap
		err  bool
	}{
		{"0 1000 1\n", idMap{{0, 1000, 1}}, false},
		{"0 1000 1\n1 100000 65536", idMap{{0, 1000, 1}, {1, 100000, 65536}}, false},
		{"  0   1000   1  ", idMap{{0, 1000, 1}}, false},
		{"", nil, true},
		{"0 1000 0\n", nil, true},           // count 0
		{"0 1000\n", nil, true},             // two fields
		{"0 1000 1\n0 2000 1\n", nil, true}, // the namespace side overlaps
		{"0 1000 2\n5 1001 1\n", nil, true}, // the lower side overlaps
		{"4294967295 0 1\n", nil, true},     // past the last ID
		{"x 1000 1\n", nil, true},           // not a number
		{"0 1000 1\n\n", nil, true},         // an empty line
		{"-1 1000 1\n", nil, true},          // negative
		{"0 4294967294 2\n", nil, true},     // the lower side overflows
		{"1 1 4294967294\n", idMap{{1, 1, 4294967294}}, false},
	}
	for _, tt := range tests {
		got, err := parseIDMap(tt.in)
		if (err != nil) != tt.err || !slices.Equal(got, tt.want) {
			t.Errorf("parseIDMap(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestCapableIn(t *testing.T) {
	full := Caps{Eff: capFull, Prm: capFull, Bnd: capFull}
	child := &UserNS{level: 1, owner: 1000}
	grand := &UserNS{level: 2, parent: child, owner: 0}
	other := &UserNS{level: 1, owner: 2000}
	rootCreds := Creds{EUID: 0, Caps: full}
	owner := Creds{EUID: 1000}                              // no capabilities, but owns child
	inChild := Creds{EUID: 1000, UserNS: child, Caps: full} // child's creator, inside
	dropped := Creds{EUID: 1000, UserNS: child}             // inside, capabilities dropped
	tests := []struct {
		name string
		c    Creds
		ns   *UserNS
		want bool
	}{
		{"root over root ns", rootCreds, nil, true},
		{"root over a child", rootCreds, child, true},
		{"root over a grandchild", rootCreds, grand, true},
		{"owner over its namespace", owner, child, true},
		{"owner over root ns", owner, nil, false},
		{"owner over another's", owner, other, false},
		{"inside: own namespace", inChild, child, true},
		{"inside: the root ns", inChild, nil, false},
		{"inside: a sibling", inChild, other, false},
		{"inside: a namespace below", inChild, grand, true},
		{"inside without caps: own", dropped, child, false},
		{"inside without caps: below, not its owner", dropped, grand, false},
	}
	for _, tt := range tests {
		if got := tt.c.CapableIn(tt.ns, CAP_SYS_ADMIN); got != tt.want {
			t.Errorf("%s: CapableIn = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestWriteIDMap(t *testing.T) {
	mk := func() *UserNS { return &UserNS{level: 1, owner: 1000, group: 1000} }
	owner := Creds{EUID: 1000, EGID: 1000}
	inside := func(ns *UserNS) *Creds {
		return &Creds{EUID: 1000, EGID: 1000, UserNS: ns, Caps: Caps{Eff: capFull}}
	}
	root := &Creds{Caps: Caps{Eff: capFull}}
	tests := []struct {
		name   string
		w      func(ns *UserNS) *Creds
		gid    bool
		deny   bool
		in     string
		want   error
		mapped idMap
	}{
		{"owner maps its own uid", inside, false, false, "0 1000 1\n", nil, idMap{{0, 1000, 1}}},
		{"owner maps another uid", inside, false, false, "0 0 1\n", linux.EPERM, nil},
		{"owner maps two ids", inside, false, false, "0 1000 2\n", linux.EPERM, nil},
		{"own gid with setgroups allowed", inside, true, false, "0 1000 1\n", linux.EPERM, nil},
		{"own gid with setgroups denied", inside, true, true, "0 1000 1\n", nil, idMap{{0, 1000, 1}}},
		{"root from the parent maps a range", func(*UserNS) *Creds { return root }, false, false, "0 100000 65536\n", nil, idMap{{0, 100000, 65536}}},
		{"parent without capabilities", func(*UserNS) *Creds { return &owner }, false, false, "0 1000 1\n", nil, idMap{{0, 1000, 1}}},
		{"bad line", inside, false, false, "0 1000\n", linux.EINVAL, nil},
	}
	for _, tt := range tests {
		ns := mk()
		ns.setgroupsDenied = tt.deny
		err := writeIDMap(tt.w(ns), ns, tt.gid, []byte(tt.in))
		m := ns.uidMap
		if tt.gid {
			m = ns.gidMap
		}
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) || !slices.Equal(m, tt.mapped) {
			t.Errorf("%s: writeIDMap(%q) = %v, map %v; want %v, %v", tt.name, tt.in, err, m, tt.want, tt.mapped)
		}
		if err == nil {
			if err := writeIDMap(tt.w(ns), ns, tt.gid, []byte(tt.in)); err != linux.EPERM {
				t.Errorf("%s: second write = %v, want EPERM", tt.name, err)
			}
		}
	}
	// A process in a sibling namespace may not write.
	ns := mk()
	if err := writeIDMap(inside(&UserNS{level: 1, owner: 1000}), ns, false, []byte("0 1000 1\n")); err != linux.EPERM {
		t.Errorf("write from a sibling namespace = %v, want EPERM", err)
	}
	// What a reader inside sees, and one in the parent.
	ns.uidMap = idMap{{0, 1000, 1}}
	if got, want := readIDMap(ns, ns, false), "         0       1000          1\n"; got != want {
		t.Errorf("readIDMap(inside) = %q, want %q", got, want)
	}
	if got, want := readIDMap(nil, nil, false), "         0          0 4294967295\n"; got != want {
		t.Errorf("readIDMap(root ns) = %q, want %q", got, want)
	}
	if got, want := ns.UIDSeen(1000), uint32(0); got != want {
		t.Errorf("UIDSeen(1000) = %d, want %d", got, want)
	}
	if got := ns.UIDSeen(0); got != overflowID {
		t.Errorf("UIDSeen(0) = %d, want the overflow ID", got)
	}
}

// TestWriteIDMapNested: a nested namespace's extents must each lie whole in one
// extent of the parent's map (map_id_range_down), and a map of four billion IDs is
// checked at once, not ID by ID.
func TestWriteIDMapNested(t *testing.T) {
	tests := []struct {
		name      string
		parentMap idMap
		in        string
		want      error
		mapped    idMap
	}{
		{"inside one parent extent", idMap{{0, 100000, 1000}, {1000, 101000, 1000}}, "0 1000 10\n", nil, idMap{{0, 101000, 10}}},
		{"across two parent extents", idMap{{0, 100000, 1000}, {1000, 101000, 1000}}, "0 500 1000\n", linux.EPERM, nil},
		{"beyond the parent's map", idMap{{0, 100000, 1000}}, "0 999 2\n", linux.EPERM, nil},
		{"the whole ID space", idMap{{0, 0, 1<<32 - 2}}, "0 0 4294967294\n", nil, idMap{{0, 0, 1<<32 - 2}}},
		{"many extents of the whole space", idMap{{0, 0, 1<<32 - 2}}, "0 1 2147483647\n2147483647 2147483648 2147483646\n", nil,
			idMap{{0, 1, 1<<31 - 1}, {1<<31 - 1, 1 << 31, 1<<31 - 2}}},
	}
	for _, tt := range tests {
		parent := &UserNS{level: 1, uidMap: tt.parentMap}
		ns := &UserNS{level: 2, parent: parent}
		w := &Creds{UserNS: parent, Caps: Caps{Eff: capFull}}
		err := writeIDMap(w, ns, false, []byte(tt.in))
		if err != tt.want || !slices.Equal(ns.uidMap, tt.mapped) {
			t.Errorf("%s: writeIDMap(%q) = %v, map %v; want %v, %v", tt.name, tt.in, err, ns.uidMap, tt.want, tt.mapped)
		}
	}
}
