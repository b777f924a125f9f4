package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var listenLine = regexp.MustCompile(`listening on (http://\S+)`)

// measureStartup starts the fakeidp binary n times on a free loopback port
// and reports how long each took from exec to the first 200 on Kontur's
// discovery document, and the idle resident set size after that.
func measureStartup(bin string, n int) error {
	var took []time.Duration
	var rss []int
	client := &http.Client{Timeout: time.Second}
	for range n {
		t0 := time.Now()
		cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--log-level", "error")
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		m := listenLine.FindStringSubmatch(line)
		if err != nil || m == nil {
			_ = cmd.Process.Kill()
			return fmt.Errorf("no start line from %s: %q", bin, line)
		}
		for {
			resp, err := client.Get(m[1] + "/kontur/.well-known/openid-configuration")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Since(t0) > 5*time.Second {
				_ = cmd.Process.Kill()
				return fmt.Errorf("no 200 on discovery within 5 s")
			}
		}
		took = append(took, time.Since(t0))
		time.Sleep(200 * time.Millisecond)
		rss = append(rss, residentKB(cmd.Process.Pid))
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	slices.Sort(took)
	slices.Sort(rss)
	fmt.Printf("startup to first 200 on discovery, %d runs: median %v, min %v, max %v\n", n, took[n/2], took[0], took[n-1])
	fmt.Printf("idle RSS: median %d kB\n", rss[n/2])
	return nil
}

// residentKB reads VmRSS from /proc (Linux only; 0 elsewhere).
func residentKB(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb
		}
	}
	return 0
}
