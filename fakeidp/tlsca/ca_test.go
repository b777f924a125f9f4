package tlsca

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func testNames(t *testing.T, extras ...string) Names {
	t.Helper()
	n, err := ForHosts([]string{"identity.testkontur.ru", "moodhood-api.livedigital.space"}, extras)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIssueCoversEveryName(t *testing.T) {
	ca, err := New(testNames(t, "api.example.test", "10.1.2.3"), now)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(testNames(t, "api.example.test", "10.1.2.3"), now)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"identity.testkontur.ru", "moodhood-api.livedigital.space", "localhost", "api.example.test", "127.0.0.1", "::1", "10.1.2.3"} {
		_, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: name, CurrentTime: now})
		if err != nil {
			t.Errorf("verify %s: %v", name, err)
		}
	}
}

// A leaked test CA must not vouch for any other site: a certificate it
// signs for another name fails verification on the name constraints.
func TestNameConstraintsRefuseOtherNames(t *testing.T) {
	ca, err := New(testNames(t), now)
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []string{"bank.example.com", "kontur.ru", "evil-identity.testkontur.ru.example.com", "10.0.0.1", "192.168.1.1"} {
		var n Names
		if err := n.Add(other); err != nil {
			t.Fatal(err)
		}
		der, _, err := ca.sign(n, now)
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		_, err = leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: other, CurrentTime: now})
		var invalid x509.CertificateInvalidError
		if !errors.As(err, &invalid) || invalid.Reason != x509.CANotAuthorizedForThisName {
			t.Errorf("%s: got %v, want CANotAuthorizedForThisName", other, err)
		}
		if _, err := ca.Issue(n, now); err == nil {
			t.Errorf("Issue(%s) succeeded", other)
		}
	}
	// 127.0.0.0/8 is permitted whole.
	var n Names
	_ = n.Add("127.0.0.2")
	if _, err := ca.Issue(n, now); err != nil {
		t.Errorf("127.0.0.2: %v", err)
	}
}

func TestForHostsRefusesBadNames(t *testing.T) {
	for _, bad := range []string{"", "https://api.example.test", "*.example.test", "api.example.test:443", "under_score.test", "-lead.test", "a..b", "0.0.0.0", "space name", strings.Repeat("a", 64) + ".test"} {
		if _, err := ForHosts(nil, []string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		} else if !strings.Contains(err.Error(), "TLS host") {
			t.Errorf("%q: %v does not say which host", bad, err)
		}
	}
}

func TestDirKeepsTheCA(t *testing.T) {
	dir := t.TempDir()
	first, err := LoadOrCreate(dir, testNames(t), now)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key mode %o, want 600", mode)
	}
	second, err := LoadOrCreate(dir, testNames(t), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.CertPEM(), second.CertPEM()) {
		t.Fatal("a second start made a new CA")
	}
	if _, err := second.Issue(testNames(t), now); err != nil {
		t.Fatal(err)
	}
	// A name the kept CA was not made for is refused, not silently left
	// out, and the error names exactly the names it lacks.
	_, err = second.Issue(testNames(t, "api.example.test", "10.9.9.9"), now)
	if want := "the CA does not vouch for api.example.test, 10.9.9.9: it was made without them"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("new names with a kept CA: %v, want %q", err, want)
	}
}

func TestDirErrors(t *testing.T) {
	write := func(t *testing.T, dir, name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	valid := func(t *testing.T) string {
		dir := t.TempDir()
		if _, err := LoadOrCreate(dir, testNames(t), now); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	tests := []struct {
		name     string
		dir      func(t *testing.T) string
		wantFile string
	}{
		{"a file, not a dir", func(t *testing.T) string {
			d := t.TempDir()
			write(t, d, "f", "x")
			return filepath.Join(d, "f")
		}, "not a directory"},
		{"corrupt cert", func(t *testing.T) string { d := valid(t); write(t, d, CertFile, "garbage"); return d }, CertFile},
		{"corrupt key", func(t *testing.T) string { d := valid(t); write(t, d, KeyFile, "garbage"); return d }, KeyFile},
		{"key of another CA", func(t *testing.T) string {
			d, other := valid(t), valid(t)
			key, _ := os.ReadFile(filepath.Join(other, KeyFile))
			write(t, d, KeyFile, string(key))
			return d
		}, CertFile},
		{"cert without key", func(t *testing.T) string { d := valid(t); os.Remove(filepath.Join(d, KeyFile)); return d }, KeyFile},
		{"key without cert", func(t *testing.T) string { d := valid(t); os.Remove(filepath.Join(d, CertFile)); return d }, CertFile},
		{"key readable by others", func(t *testing.T) string { d := valid(t); os.Chmod(filepath.Join(d, KeyFile), 0o644); return d }, "chmod 600"},
		{"key writable by the group", func(t *testing.T) string { d := valid(t); os.Chmod(filepath.Join(d, KeyFile), 0o620); return d }, "chmod 600"},
		{"a CA from before serverAuth only", func(t *testing.T) string {
			d := t.TempDir()
			ca, err := New(testNames(t), now)
			if err != nil {
				t.Fatal(err)
			}
			ca.cert.ExtKeyUsage, ca.cert.PermittedEmailAddresses, ca.cert.PermittedURIDomains = nil, nil, nil
			der, err := x509.CreateCertificate(rand.Reader, ca.cert, ca.cert, ca.key.Public(), ca.key)
			if err != nil {
				t.Fatal(err)
			}
			old, err := fromDER(der, ca.key)
			if err != nil {
				t.Fatal(err)
			}
			if err := old.save(filepath.Join(d, CertFile), filepath.Join(d, KeyFile)); err != nil {
				t.Fatal(err)
			}
			return d
		}, "more than TLS servers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir(t)
			before, _ := os.ReadFile(filepath.Join(dir, CertFile))
			_, err := LoadOrCreate(dir, testNames(t), now)
			if err == nil || !strings.Contains(err.Error(), tt.wantFile) {
				t.Fatalf("got %v, want an error naming %s", err, tt.wantFile)
			}
			after, _ := os.ReadFile(filepath.Join(dir, CertFile))
			if !bytes.Equal(before, after) {
				t.Error("the CA certificate was rewritten")
			}
		})
	}
}

// A missing --tls-dir is made, private to its owner, with the CA in it.
func TestDirMadeWhenMissing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "tls")
	if _, err := LoadOrCreate(dir, testNames(t), now); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o700 {
		t.Errorf("dir mode %o, want 700", mode)
	}
	if _, err := LoadOrCreate(dir, testNames(t), now); err != nil {
		t.Fatalf("second start: %v", err)
	}
}

// The key's mode is checked before it is read: the message names the file
// and the fix, and says nothing of the key.
func TestKeyModeMessage(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadOrCreate(dir, testNames(t), now); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, KeyFile)
	if err := os.Chmod(key, 0o604); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreate(dir, testNames(t), now)
	if err == nil || !strings.HasPrefix(err.Error(), key+": ") || !strings.Contains(err.Error(), "chmod 600 "+key) || strings.Contains(err.Error(), "PRIVATE") {
		t.Fatalf("got %v", err)
	}
	if err := os.Chmod(key, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(dir, testNames(t), now); err != nil {
		t.Errorf("mode 400: %v", err)
	}
}

func TestDirUnwritable(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if os.Geteuid() == 0 {
		// root writes to read-only directories, but not to /proc.
		dir = "/proc/self"
		if _, err := os.Stat(dir); err != nil {
			t.Skip("running as root without /proc")
		}
	}
	_, err := LoadOrCreate(dir, testNames(t), now)
	if err == nil || !strings.Contains(err.Error(), "cannot write") || !strings.Contains(err.Error(), KeyFile) {
		t.Fatalf("got %v", err)
	}
}

func TestExpiredCA(t *testing.T) {
	ca, err := New(testNames(t), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.Issue(testNames(t), now.Add(11*365*24*time.Hour)); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("got %v", err)
	}
}
