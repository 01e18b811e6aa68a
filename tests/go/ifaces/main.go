// The loopback interface as Go's net package sees it: net.Interfaces and
// net.InterfaceAddrs read a NETLINK_ROUTE socket (RTM_GETLINK, RTM_GETADDR dumps).
// Only the loopback interface is printed, so that the host's other interfaces under
// qemu do not matter.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	ifs, err := net.Interfaces()
	if err != nil {
		fmt.Println("interfaces:", err)
		os.Exit(1)
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagLoopback == 0 {
			continue
		}
		fmt.Println(ifc.Name, ifc.Flags, ifc.MTU > 0)
		addrs, err := ifc.Addrs()
		if err != nil {
			fmt.Println("addrs:", err)
			os.Exit(1)
		}
		for _, a := range addrs {
			fmt.Println(" ", a)
		}
		byName, err := net.InterfaceByName(ifc.Name)
		fmt.Println("by name:", err == nil && byName.Index == ifc.Index)
	}
}
