package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var listenLine = regexp.MustCompile(`listening on (https?://\S+)`)

// measureStartup starts the fakeidp binary n times on free loopback ports
// and reports how long each took from exec to the first 200 on Kontur's
// discovery document, and the idle resident set size after that. With
// useTLS it also serves HTTPS from a CA kept in a directory made before
// the first start (as a kept --tls-dir is), and the 200 is over HTTPS.
func measureStartup(bin string, n int, useTLS bool) error {
	args := []string{"--addr", "127.0.0.1:0", "--log-level", "error"}
	client := &http.Client{Timeout: time.Second}
	if useTLS {
		dir, err := os.MkdirTemp("", "fakeidp-startup-tls-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		caPEM, err := exec.Command(bin, "ca", "--tls-dir", dir).Output()
		if err != nil {
			return fmt.Errorf("%s ca: %v", bin, err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(caPEM)
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
		args = append(args, "--tls-addr", "127.0.0.1:0", "--tls-dir", dir)
	}
	var took []time.Duration
	var rss []int
	for range n {
		t0 := time.Now()
		cmd := exec.Command(bin, args...)
		out, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		base, err := startLine(bufio.NewReader(out), useTLS)
		if err != nil {
			_ = cmd.Process.Kill()
			return fmt.Errorf("%s: %v", bin, err)
		}
		go func() { _, _ = io.Copy(io.Discard, out) }()
		if err := awaitDiscovery(client, base, t0); err != nil {
			_ = cmd.Process.Kill()
			return err
		}
		took = append(took, time.Since(t0))
		time.Sleep(200 * time.Millisecond)
		rss = append(rss, residentKB(cmd.Process.Pid))
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	slices.Sort(took)
	slices.Sort(rss)
	what := "discovery"
	if useTLS {
		what = "discovery over HTTPS (--tls-addr, kept --tls-dir)"
	}
	fmt.Printf("startup to first 200 on %s, %d runs: median %v, min %v, max %v\n", what, n, took[n/2], took[0], took[n-1])
	fmt.Printf("idle RSS: median %d kB\n", rss[n/2])
	return nil
}

// startLine reads the start lines up to the listener's URL: the HTTP one,
// or with useTLS the HTTPS one.
func startLine(r *bufio.Reader, useTLS bool) (string, error) {
	for {
		line, err := r.ReadString('\n')
		if m := listenLine.FindStringSubmatch(line); m != nil && strings.HasPrefix(m[1], "https://") == useTLS {
			return m[1], nil
		}
		if err != nil {
			return "", fmt.Errorf("no start line (last %q: %v)", line, err)
		}
	}
}

// awaitDiscovery polls Kontur's discovery document until a 200, for up to
// 5 s from t0.
func awaitDiscovery(client *http.Client, base string, t0 time.Time) error {
	for {
		resp, err := client.Get(base + "/kontur/.well-known/openid-configuration")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Since(t0) > 5*time.Second {
			return fmt.Errorf("no 200 on discovery within 5 s")
		}
	}
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
