package tests

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// weft view in a real headless Chromium (Debian's chromium): the fork-cow lesson's
// program between its fork and the child's exec. The page, after its scripts ran and
// fetched the state at that instant, must show the two address spaces' 4 MiB buffers
// with every page on the same frame, shared, but the one the child wrote.
func TestViewInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is missing (apt-get install chromium; scripts/setup.sh installs it): %v", err)
	}
	prog := filepath.Join(repoRoot, "examples", "bin", "fork_cow")
	if _, err := os.Stat(prog); err != nil {
		t.Fatalf("%v (make -C examples builds the lesson programs)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, weftBin, "view", "--listen", "127.0.0.1:0", prog)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("weft view printed no URL: %v", err)
	}
	url := regexp.MustCompile(`http://\S+/`).FindString(line)
	if url == "" {
		t.Fatalf("no URL in %q", line)
	}
	resp, err := http.Get(url + "api/run")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Events []struct{ Kind, Time uint64 }
	}
	err = json.NewDecoder(resp.Body).Decode(&rec)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var fork, execAt uint64
	for _, e := range rec.Events {
		if e.Kind == 3 && fork == 0 { // trace.Fork
			fork = e.Time
		}
		if e.Kind == 5 && execAt == 0 { // trace.Exec
			execAt = e.Time
		}
	}
	if fork == 0 || execAt <= fork {
		t.Fatalf("no fork then exec in the run's trace")
	}
	at := (fork + execAt) / 2
	dom, err := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--user-data-dir="+t.TempDir(), "--virtual-time-budget=30000", "--dump-dom",
		fmt.Sprintf("%s#t=%d", url, at)).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	page := string(dom)
	if !strings.Contains(page, fmt.Sprintf(`data-shown="%d"`, at)) {
		t.Fatalf("the page did not show the instant %d:\n%.2000s", at, page)
	}
	// The mapping with the most resident pages in each process is the buffer; its
	// pages, in order.
	rows := regexp.MustCompile(`(?s)<tr data-pid="(\d+)" data-start="\d+" data-size="\d+">(.*?)</tr>`).FindAllStringSubmatch(page, -1)
	pageRE := regexp.MustCompile(`<span class="pg( sh)?" data-frame="(\d+)"`)
	type pg struct {
		frame  string
		shared bool
	}
	buffers := map[string][]pg{}
	for _, r := range rows {
		var pages []pg
		for _, m := range pageRE.FindAllStringSubmatch(r[2], -1) {
			pages = append(pages, pg{m[2], m[1] != ""})
		}
		if len(pages) > len(buffers[r[1]]) {
			buffers[r[1]] = pages
		}
	}
	parent, child := buffers["2"], buffers["3"]
	if len(parent) < 1024 || len(parent) != len(child) {
		t.Fatalf("buffers on the page: parent %d pages, child %d, want the same 1024 or more", len(parent), len(child))
	}
	differ := 0
	for i := range parent {
		if parent[i].frame != child[i].frame {
			differ++
		} else if !parent[i].shared || !child[i].shared {
			t.Errorf("page %d: the same frame in both, not shown shared", i)
		}
	}
	if differ != 1 {
		t.Errorf("%d of %d pages on different frames after the child's one write, want 1", differ, len(parent))
	}
}
