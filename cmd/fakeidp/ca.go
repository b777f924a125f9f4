package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/tlsca"
)

// tlsFlags are the HTTPS options, shared by serving and "fakeidp ca" so
// that both make the same CA.
type tlsFlags struct {
	addr, dir string
	hosts     presetList
}

func (f *tlsFlags) register(fs *flag.FlagSet, serving bool) {
	if serving {
		fs.StringVar(&f.addr, "tls-addr", "", "also serve HTTPS on host:port (e.g. 127.0.0.1:8443 or 0.0.0.0:443), with the same sites and state")
	}
	fs.StringVar(&f.dir, "tls-dir", os.Getenv("FAKEIDP_TLS_DIR"), "directory keeping the HTTPS CA ("+tlsca.CertFile+", "+tlsca.KeyFile+"): made on the first start, reused after (default $FAKEIDP_TLS_DIR; none: a new CA in memory at each start)")
	fs.Var(&f.hosts, "tls-host", "a further DNS name or IP address the CA may vouch for and the certificate covers (repeatable)")
}

const caUsage = `usage: fakeidp ca --tls-dir DIR [--config overlay.yaml] [--tls-host NAME]... [--bundle]

Creates the CA of fakeidp's HTTPS listener in DIR if it holds none, and
prints its certificate (PEM), so that CI can install the CA before the
server starts. A later "fakeidp --tls-addr ... --tls-dir DIR" serves a
certificate from that CA. The CA vouches for TLS servers only; its name
constraints permit the sites' test host names (not identity.kontur.ru or
medi-api.kontur.ru), the names --config adds (sites.<name>.hosts),
localhost, 127.0.0.0/8, ::1 and the --tls-host names given when it is
made: give it the --config the server gets.

With --bundle it prints the system roots followed by the CA: the file
for variables that replace the system roots rather than add to them
(SSL_CERT_FILE for Go, Python's httpx, urllib and PyJWT;
REQUESTS_CA_BUNDLE for Python requests), so that the application trusts
the fake and still the real services beside it. The system roots are
read as Go reads them on Linux: SSL_CERT_FILE or the distribution's
bundle, and SSL_CERT_DIR or /etc/ssl/certs.
`

// runCA is "fakeidp ca".
func runCA(args []string, stdout, stderr io.Writer) int {
	var f tlsFlags
	var cfgPath string
	fs := newFlagSet("fakeidp ca", stderr)
	f.register(fs, false)
	fs.StringVar(&cfgPath, "config", "", "the fixtures overlay the server gets: the CA also permits its sites.<name>.hosts")
	var bundle bool
	fs.BoolVar(&bundle, "bundle", false, "print the system roots followed by the CA, for SSL_CERT_FILE or REQUESTS_CA_BUNDLE")
	if code, exit := parseFlags(fs, args, caUsage, stdout, stderr); exit {
		return code
	}
	if f.dir == "" {
		fail(stderr, "fakeidp ca", errors.New("--tls-dir (or FAKEIDP_TLS_DIR) is required: the CA is worth printing only if it is kept"))
		return 2
	}
	cfg, err := loadConfig(cfgPath, false)
	if err != nil {
		fail(stderr, "fakeidp ca", err)
		return 2
	}
	names, err := fakeidp.TLSNames(cfg, f.hosts)
	if err != nil {
		fail(stderr, "fakeidp ca", err)
		return 2
	}
	now := time.Now()
	ca, err := tlsca.LoadOrCreate(f.dir, names, now)
	if err == nil {
		// A kept CA permits only the names it was made with.
		_, err = ca.Issue(names, now)
	}
	if err != nil {
		fail(stderr, "fakeidp ca", err)
		return 1
	}
	out := ca.CertPEM()
	if bundle {
		if out, err = bundlePEM(out, os.Getenv); err != nil {
			fail(stderr, "fakeidp ca", err)
			return 1
		}
	}
	_, _ = stdout.Write(out)
	return 0
}
