// A TCP echo server and its clients on the loopback network: net.Listen on port 0 of
// 127.0.0.1 and of [::1], a server goroutine per connection that answers each line in
// upper case, clients that dial, write, half-close (CloseWrite) and read to EOF, some of
// them at once. Only what was said is printed, never a port.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
)

func serve(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			r := bufio.NewScanner(c)
			for r.Scan() {
				fmt.Fprintln(c, strings.ToUpper(r.Text()))
			}
		}(c)
	}
}

func ask(addr string, lines ...string) string {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "dial: " + err.Error()
	}
	defer c.Close()
	for _, l := range lines {
		fmt.Fprintln(c, l)
	}
	c.(*net.TCPConn).CloseWrite()
	b, err := io.ReadAll(c)
	if err != nil {
		return "read: " + err.Error()
	}
	return strings.ReplaceAll(strings.TrimSpace(string(b)), "\n", " | ")
}

func main() {
	for _, network := range []string{"127.0.0.1:0", "[::1]:0"} {
		l, err := net.Listen("tcp", network)
		if err != nil {
			fmt.Println("listen:", err)
			os.Exit(1)
		}
		go serve(l)
		addr := l.Addr().(*net.TCPAddr)
		fmt.Println("listening on", addr.IP, "port given:", addr.Port > 0)
		fmt.Println(ask(l.Addr().String(), "hello", "echo server"))
		var wg sync.WaitGroup
		var mu sync.Mutex
		var got []string
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := ask(l.Addr().String(), fmt.Sprintf("client %d", i), "bye")
				mu.Lock()
				got = append(got, a)
				mu.Unlock()
			}()
		}
		wg.Wait()
		sort.Strings(got)
		for _, g := range got {
			fmt.Println(g)
		}
		l.Close()
		_, err = net.Dial("tcp", l.Addr().String())
		fmt.Println("dial after close refused:", err != nil && strings.Contains(err.Error(), "connection refused"))
	}
}
