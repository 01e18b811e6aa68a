// File I/O through the os package (which tries epoll on every file it opens and
// falls back to blocking I/O for regular files): create, write, append, read, seek,
// stat, rename, directory listing, a pipe between goroutines, and removal, all in a
// fresh temporary directory.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func check(err error) {
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
}

func main() {
	dir, err := os.MkdirTemp("", "weft-gofileio-")
	check(err)
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "a.txt")
	check(os.WriteFile(p, []byte("line one\nline two\n"), 0o644))
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	check(err)
	fmt.Fprintf(f, "line %s\n", "three")
	check(f.Close())
	b, err := os.ReadFile(p)
	check(err)
	fmt.Printf("contents: %q\n", b)
	st, err := os.Stat(p)
	check(err)
	fmt.Println("size:", st.Size(), "mode:", st.Mode())

	f, err = os.Open(p)
	check(err)
	_, err = f.Seek(5, io.SeekStart)
	check(err)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fmt.Println("scanned:", sc.Text())
	}
	f.Close()

	check(os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	check(os.Rename(p, filepath.Join(dir, "sub", "b.txt")))
	for _, name := range []string{"c", "a", "b"} {
		check(os.WriteFile(filepath.Join(dir, name), []byte(name), 0o600))
	}
	ents, err := os.ReadDir(dir)
	check(err)
	var names []string
	for _, e := range ents {
		names = append(names, fmt.Sprintf("%s(dir=%v)", e.Name(), e.IsDir()))
	}
	sort.Strings(names)
	fmt.Println("entries:", strings.Join(names, " "))
	_, err = os.Stat(p)
	fmt.Println("old name gone:", os.IsNotExist(err))

	// An os.Pipe is pollable: reads and writes go through the netpoller.
	r, w, err := os.Pipe()
	check(err)
	done := make(chan string)
	go func() {
		data, err := io.ReadAll(r)
		check(err)
		done <- string(data)
	}()
	for i := 0; i < 3; i++ {
		fmt.Fprintf(w, "chunk %d;", i)
	}
	w.Close()
	fmt.Println("through the pipe:", <-done)

	big := strings.Repeat("0123456789", 20000)
	r2, w2, _ := os.Pipe()
	go func() { io.WriteString(w2, big); w2.Close() }()
	got, _ := io.ReadAll(r2)
	fmt.Println("200000 bytes through a pipe intact:", string(got) == big)
}
