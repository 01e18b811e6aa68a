// Unix domain sockets from Go: a stream listener on a path in a fresh temporary
// directory (the socket file exists while it listens), a client that sends lines and
// reads the answers, a datagram pair (net.ListenUnixgram) and a seqpacket
// ("unixpacket") connection keeping message boundaries, and an abstract-namespace
// listener.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dir, err := os.MkdirTemp("", "weft-go-unixsock-")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	st, err := os.Stat(path)
	fmt.Println("socket file:", err == nil && st.Mode()&os.ModeSocket != 0)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		s := bufio.NewScanner(c)
		for s.Scan() {
			fmt.Fprintf(c, "%d %s\n", len(s.Text()), strings.ToUpper(s.Text()))
		}
	}()
	c, err := net.Dial("unix", path)
	if err != nil {
		fmt.Println("dial:", err)
		os.Exit(1)
	}
	r := bufio.NewReader(c)
	for _, w := range []string{"one", "two three", "four"} {
		fmt.Fprintln(c, w)
		line, _ := r.ReadString('\n')
		fmt.Print("stream: ", line)
	}
	c.Close()
	l.Close()
	_, err = os.Stat(path)
	fmt.Println("socket file removed by Close:", os.IsNotExist(err))

	a, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "a"), Net: "unixgram"})
	if err != nil {
		fmt.Println("listen unixgram:", err)
		os.Exit(1)
	}
	b, _ := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "b"), Net: "unixgram"})
	for _, m := range []string{"first", "second datagram"} {
		a.WriteToUnix([]byte(m), b.LocalAddr().(*net.UnixAddr))
	}
	buf := make([]byte, 64)
	for range 2 {
		n, from, _ := b.ReadFromUnix(buf)
		fmt.Printf("datagram: %q from %s\n", buf[:n], filepath.Base(from.Name))
	}
	a.Close()
	b.Close()

	pl, err := net.Listen("unixpacket", filepath.Join(dir, "p"))
	if err != nil {
		fmt.Println("listen unixpacket:", err)
		os.Exit(1)
	}
	done := make(chan bool)
	go func() {
		c, _ := pl.Accept()
		buf := make([]byte, 64)
		for {
			n, err := c.Read(buf)
			if err != nil {
				break
			}
			fmt.Printf("seqpacket record: %q\n", buf[:n])
		}
		c.Close()
		done <- true
	}()
	pc, _ := net.Dial("unixpacket", filepath.Join(dir, "p"))
	pc.Write([]byte("rec1"))
	pc.Write([]byte("record two"))
	pc.Close()
	<-done
	pl.Close()

	al, err := net.Listen("unix", "@weft-go-abstract")
	if err != nil {
		fmt.Println("listen abstract:", err)
		os.Exit(1)
	}
	go func() {
		c, _ := al.Accept()
		c.Write([]byte("from the abstract namespace"))
		c.Close()
	}()
	ac, _ := net.Dial("unix", "@weft-go-abstract")
	got, _ := bufio.NewReader(ac).ReadString(0)
	fmt.Println("abstract:", got)
	ac.Close()
	al.Close()
}
