package fakeidp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/tlsca"
)

// tlsState is what the HTTPS listener serves: a certificate and what
// clients should trust for it.
type tlsState struct {
	cert tls.Certificate
	// ca is fakeidp's own CA; nil when the fixtures name the certificate.
	ca *tlsca.CA
	// trust is what Client trusts: the CA, or the last certificate of the
	// fixtures' chain (its issuer, or itself when self-signed).
	trust *x509.CertPool
}

// tlsState makes the server's TLS material once: from the fixtures'
// tls.cert_file, else a CA kept in TLSDir, else a fresh CA in memory.
func (s *host) tlsState() (*tlsState, error) {
	s.tlsOnce.Do(func() {
		st, err := s.loadTLS()
		if err != nil {
			s.tlsErr = err
			return
		}
		s.tls.Store(st)
	})
	return s.tls.Load(), s.tlsErr
}

func (s *host) loadTLS() (*tlsState, error) {
	// Certificates are checked against the clients' wall clocks, not the
	// server's clock, which tests move.
	now := time.Now()
	names, err := TLSNames(s.cfg, s.tlsHosts)
	if err != nil {
		return nil, err
	}
	if f := s.cfg.TLS; f.CertFile != "" {
		if s.tlsDir != "" {
			return nil, errors.New("the fixtures' tls.cert_file and a TLS directory (--tls-dir) exclude each other: the certificate would not come from the directory's CA")
		}
		return loadCertFile(f.CertFile, f.KeyFile)
	}
	var ca *tlsca.CA
	if s.tlsDir != "" {
		ca, err = tlsca.LoadOrCreate(s.tlsDir, names, now)
	} else {
		ca, err = tlsca.New(names, now)
	}
	if err != nil {
		return nil, err
	}
	cert, err := ca.Issue(names, now)
	if err != nil {
		if s.tlsDir != "" {
			return nil, fmt.Errorf("%s: %w; to add names (--tls-host, sites.<name>.hosts), delete %s and %s in that directory to make a new CA with them, and trust it again", filepath.Join(s.tlsDir, tlsca.CertFile), err, tlsca.CertFile, tlsca.KeyFile)
		}
		return nil, err
	}
	return &tlsState{cert: *cert, ca: ca, trust: ca.Pool()}, nil
}

// TLSNames are the names the HTTPS certificate covers and fakeidp's CA
// permits, for the fixtures cfg: the sites' host names but the production
// ones (site.Site.Production), those the fixtures add (sites.<name>.hosts),
// localhost, loopback addresses and extras (--tls-host).
func TLSNames(cfg *config.Config, extras []string) (tlsca.Names, error) {
	names, err := tlsca.ForHosts(site.CertHosts(), extras)
	if err != nil {
		return tlsca.Names{}, err
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Sites)) {
		for i, h := range cfg.Sites[name].Hosts {
			if err := names.Add(h); err != nil {
				return tlsca.Names{}, fmt.Errorf("sites.%s.hosts[%d]: %w", name, i, err)
			}
		}
	}
	return names, nil
}

func loadCertFile(certFile, keyFile string) (*tlsState, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("fixtures tls.cert_file %s, tls.key_file %s: %w", certFile, keyFile, err)
	}
	last, err := x509.ParseCertificate(cert.Certificate[len(cert.Certificate)-1])
	if err != nil {
		return nil, fmt.Errorf("fixtures tls.cert_file %s: %w", certFile, err)
	}
	trust := x509.NewCertPool()
	trust.AddCert(last)
	return &tlsState{cert: cert, trust: trust}, nil
}

func (st *tlsState) serverConfig() *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{st.cert},
		// Listed here rather than left to net/http, which adds h2 only to
		// the first server's TLS config it sees.
		NextProtos: []string{"h2", "http/1.1"},
	}
}

// certCovers reports whether the HTTPS certificate covers host: the
// production host names, say, are left out unless asked for.
func (s *host) certCovers(host string) bool {
	st := s.tls.Load()
	return st != nil && (st.cert.Leaf == nil || st.cert.Leaf.VerifyHostname(host) == nil)
}

// caCertPEM is Server.CACertPEM.
func (s *host) caCertPEM() []byte {
	st, err := s.tlsState()
	if err != nil || st.ca == nil {
		return nil
	}
	return st.ca.CertPEM()
}

// caPEM serves GET /_fakeidp/ca.pem. It is public, like the CA itself:
// clients fetch it before they can trust anything.
func (s *host) caPEM(w http.ResponseWriter, _ *http.Request) {
	st := s.tls.Load()
	switch {
	case st == nil:
		writeControlError(w, http.StatusNotFound, "no HTTPS listener: start fakeidp with --tls-addr")
		return
	case st.ca == nil:
		writeControlError(w, http.StatusNotFound, "the HTTPS certificate comes from the fixtures (tls.cert_file): fakeidp has no CA of its own")
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(st.ca.CertPEM())
}

// httpClient is Server.Client.
func (s *host) httpClient() *http.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		s.client = s.newTransport()
	}
	return &http.Client{Transport: s.client, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// isSiteHost reports whether host is one of the sites' host names, their
// own or the fixtures' sites.<name>.hosts.
func (s *host) isSiteHost(host string) bool {
	_, ok := s.byHost[strings.ToLower(host)]
	return ok
}

// newTransport is Client's transport; s.mu is held.
func (s *host) newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	redirect := map[string]string{"80": s.listenAt[0], "443": s.listenAt[1]}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil && s.isSiteHost(host) && redirect[port] != "" {
			addr = redirect[port]
		}
		return dialer.DialContext(ctx, network, addr)
	}
	if st := s.tls.Load(); st != nil {
		t.TLSClientConfig = &tls.Config{RootCAs: st.trust}
		// A custom dialer and TLS config turn HTTP/2 off unless asked for.
		t.ForceAttemptHTTP2 = true
	}
	return t
}
