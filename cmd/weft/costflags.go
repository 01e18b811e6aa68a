package main

import (
	"flag"
	"fmt"
	"io"

	"weft/internal/kernel/cost"
)

// costFlags are the flags that choose how weft prices the kernel's work, shared by
// run, bench and demo.
type costFlags struct {
	model string
	asid  string
}

func addCostFlags(set *flag.FlagSet) *costFlags {
	c := &costFlags{}
	set.StringVar(&c.model, "cost-model", "default", "price the kernel's counted work with `MODEL`: default "+
		"(prices measured on a real machine, internal/kernel/cost/model.go) or zero (guest instructions only, 1 ns each)")
	set.StringVar(&c.asid, "asid", "on", "on: each CPU's TLB keeps the translations of recent address spaces "+
		"across switches, tagged as ASIDs/PCIDs do (modern Linux on x86-64 and RISC-V); off: a switch of address "+
		"space flushes it")
	return c
}

// parse checks the flags' values; it reports a usage error on stderr and returns
// ok=false when one is not valid.
func (c *costFlags) parse(stderr io.Writer) (m *cost.Model, noASID bool, ok bool) {
	m, err := cost.ByName(c.model)
	if err != nil {
		fmt.Fprintf(stderr, "weft: --cost-model: %v\n", err)
		return nil, false, false
	}
	switch c.asid {
	case "on":
	case "off":
		noASID = true
	default:
		fmt.Fprintf(stderr, "weft: --asid %q: must be on or off\n", c.asid)
		return nil, false, false
	}
	return m, noASID, true
}
