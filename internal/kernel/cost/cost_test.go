package cost

import (
	"strings"
	"testing"
)

func TestUnitNames(t *testing.T) {
	seen := map[string]bool{}
	for u := range NumUnits {
		name := u.String()
		if name == "" || seen[name] || strings.HasPrefix(name, "Unit(") {
			t.Errorf("unit %d has name %q (empty, repeated or missing)", u, name)
		}
		seen[name] = true
		if back, ok := UnitByName(name); !ok || back != u {
			t.Errorf("UnitByName(%q) = %v, %v; want %v", name, back, ok, u)
		}
		if phrases[u][0] == "" || phrases[u][1] == "" {
			t.Errorf("unit %s has no phrase", name)
		}
	}
	if got := VMACopy.Phrase(1); got != "1 VMA copied" {
		t.Errorf("VMACopy.Phrase(1) = %q, want %q", got, "1 VMA copied")
	}
	if got := FDCopy.Phrase(3); got != "3 fd entries copied" {
		t.Errorf("FDCopy.Phrase(3) = %q", got)
	}
}

func TestWorkArithmetic(t *testing.T) {
	var a, b Work
	a[Insn], a[Trap] = 10, 2
	b[Insn] = 4
	if got := a.Add(b); got[Insn] != 14 || got[Trap] != 2 {
		t.Errorf("Add = %v", got)
	}
	if got := a.Sub(b); got[Insn] != 6 || got[Trap] != 2 {
		t.Errorf("Sub = %v", got)
	}
	if got := a.String(); got != "insn=10 trap=2" {
		t.Errorf("String = %q, want %q", got, "insn=10 trap=2")
	}
	if m := a.Map(); len(m) != 2 || m["insn"] != 10 || m["trap"] != 2 {
		t.Errorf("Map = %v", m)
	}
	m := Model{Price: [NumUnits]uint64{Insn: 1000, Trap: 1500}}
	if got := m.Cost(a); got != 10*1000+2*1500 {
		t.Errorf("Cost = %d ps, want 13000", got)
	}
}

func TestByName(t *testing.T) {
	for _, name := range []string{"default", "zero"} {
		if m, err := ByName(name); err != nil || m.Name != name {
			t.Errorf("ByName(%q) = %v, %v", name, m, err)
		}
	}
	if _, err := ByName("cheap"); err == nil || !strings.Contains(err.Error(), "default, zero") {
		t.Errorf("ByName(cheap) = %v, want an error naming the valid models", err)
	}
}

// Model tests: these check the models' prices themselves.

// The zero model charges guest instructions only, at the default's 1 ns.
func TestModelZeroIsInstructionsOnly(t *testing.T) {
	for u := range NumUnits {
		want := uint64(0)
		if u == Insn {
			want = Default.Price[Insn]
		}
		if Zero.Price[u] != want {
			t.Errorf("zero model: %s costs %d ps, want %d", u, Zero.Price[u], want)
		}
	}
	if Default.Price[Insn] != 1000 {
		t.Errorf("default model: an instruction costs %d ps, want 1000 (weft's 1 ns timebase)", Default.Price[Insn])
	}
}

// Every unit the default model counts has a price, except the TLB flush itself, whose
// cost is the misses that follow (model.go says why).
func TestModelDefaultPricesEveryUnit(t *testing.T) {
	for u := range NumUnits {
		free := u == TLBFlush || u == TLBEntryFlushed
		if (Default.Price[u] == 0) != free {
			t.Errorf("default model: %s costs %d ps", u, Default.Price[u])
		}
	}
}
