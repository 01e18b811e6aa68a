// net/http on localhost: a server on 127.0.0.1:0 with two handlers, and a client that
// GETs (by IP and by the name localhost, which /etc/hosts resolves), POSTs a body and
// reuses its keep-alive connection. Only statuses, headers weft controls and bodies
// are printed.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s %s", r.Method, r.URL.Query().Get("name"))
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Length", fmt.Sprint(len(b)))
		w.Write([]byte(strings.ToUpper(string(b))))
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	go http.Serve(l, mux)
	port := l.Addr().(*net.TCPAddr).Port
	for _, host := range []string{"127.0.0.1", "localhost"} {
		url := fmt.Sprintf("http://%s:%d/hello?name=%s", host, port, host)
		resp, err := http.Get(url)
		if err != nil {
			fmt.Println("get:", err)
			os.Exit(1)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.Status, string(b))
	}
	for i := range 3 {
		body := strings.Repeat(fmt.Sprintf("post %d ", i), 1000*(i+1))
		resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/echo", port), "text/plain", strings.NewReader(body))
		if err != nil {
			fmt.Println("post:", err)
			os.Exit(1)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.Status, "X-Length", resp.Header.Get("X-Length"), "upper-cased:", string(b) == strings.ToUpper(body))
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/missing", port))
	if err == nil {
		fmt.Println(resp.Status)
		resp.Body.Close()
	}
}
