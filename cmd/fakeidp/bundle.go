package main

import (
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// systemRootFiles are the bundles Go's crypto/x509 reads the system roots
// from on Linux, in its order (the first that exists wins), plus the one
// Alpine, macOS and the BSDs keep; systemRootDirs the directories it reads
// every file of. SSL_CERT_FILE and SSL_CERT_DIR replace them, as for Go
// and OpenSSL.
var (
	systemRootFiles = []string{
		"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo, Arch
		"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
		"/etc/ssl/ca-bundle.pem",                            // openSUSE
		"/etc/pki/tls/cacert.pem",                           // OpenELEC
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
		"/etc/ssl/cert.pem",                                 // Alpine, macOS, the BSDs
	}
	systemRootDirs = []string{"/etc/ssl/certs", "/etc/pki/tls/certs"}
)

// systemRootsPEM reads the system roots as PEM certificates, each once, in
// the order found: the first bundle of systemRootFiles that exists (or
// SSL_CERT_FILE), then the files of systemRootDirs (or SSL_CERT_DIR, a
// colon-separated list). An error when none is found, since a bundle
// without them would replace the system roots by the CA alone.
func systemRootsPEM(getenv func(string) string) ([]*pem.Block, error) {
	files := systemRootFiles
	if f := getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	dirs := systemRootDirs
	if d := getenv("SSL_CERT_DIR"); d != "" {
		dirs = filepath.SplitList(d)
	}
	var (
		certs []*pem.Block
		seen  = map[string]bool{}
	)
	add := func(data []byte) {
		for {
			var b *pem.Block
			b, data = pem.Decode(data)
			if b == nil {
				return
			}
			if b.Type == "CERTIFICATE" && !seen[string(b.Bytes)] {
				seen[string(b.Bytes)] = true
				certs = append(certs, &pem.Block{Type: b.Type, Bytes: b.Bytes})
			}
		}
	}
	bundle := "" // the bundle file read, which the directory may hold too
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			add(data)
			bundle = f
			break
		}
	}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			if e.IsDir() || path == bundle {
				continue
			}
			if data, err := os.ReadFile(path); err == nil {
				add(data)
			}
		}
	}
	if len(certs) == 0 {
		looked := slices.Concat(files, dirs)
		return nil, fmt.Errorf("no system root certificate found in %s; set SSL_CERT_FILE to a PEM file of the roots to include", strings.Join(looked, ", "))
	}
	return certs, nil
}

// bundlePEM is the system roots followed by caPEM, each certificate once:
// a file to point REQUESTS_CA_BUNDLE or SSL_CERT_FILE at, which replace
// the system roots, so that the application trusts the fake and still
// the real services beside it.
func bundlePEM(caPEM []byte, getenv func(string) string) ([]byte, error) {
	roots, err := systemRootsPEM(getenv)
	if err != nil {
		return nil, err
	}
	ca, _ := pem.Decode(caPEM)
	if ca == nil {
		return nil, errors.New("the CA is not PEM")
	}
	var out bytes.Buffer
	for _, b := range roots {
		if !bytes.Equal(b.Bytes, ca.Bytes) { // a bundle made before, given as SSL_CERT_FILE
			_ = pem.Encode(&out, b)
		}
	}
	if out.Len() == 0 {
		return nil, errors.New("the only system root found is the CA itself; set SSL_CERT_FILE to a PEM file of the roots to include")
	}
	out.Write(caPEM)
	return out.Bytes(), nil
}
