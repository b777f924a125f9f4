// Package tlsca is fakeidp's local certificate authority. It makes a CA
// for TLS servers only (extended key usage serverAuth, no e-mail or URI
// names) whose X.509 name constraints permit only the names fakeidp
// serves, keeps it in a directory so that trust installed once survives
// restarts, and issues the leaf certificate of a TLS listener.
//
// The constraints are the point: a test CA leaks (it sits in CI volumes
// and developers' trust stores), and a constrained one cannot vouch for
// anything but the fakes' servers.
//
// It must not import any other fakeidp package.
package tlsca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"slices"
	"strings"
	"time"
)

// Lifetimes. The leaf stays within the 398 days that browsers and Apple's
// TLS stack accept; the CA outlives many leaves, so trust is installed once.
const (
	caLifetime   = 10 * 365 * 24 * time.Hour
	leafLifetime = 397 * 24 * time.Hour
	// backdate covers clocks a little behind this machine's.
	backdate = time.Hour
)

// nowhere is the one e-mail and URI name constraint: names under the
// reserved top-level domain "invalid" (RFC 6761), which never resolves.
// A name constraint that permits some names of a form is how X.509 says
// that other names of that form are not permitted; a CA that lists none
// permits all of them. An empty excluded subtree is not read alike: Go
// and NSS take it as every name, OpenSSL as none.
const nowhere = ".invalid"

// CA is a certificate authority constrained to a set of names.
type CA struct {
	cert    *x509.Certificate
	key     crypto.Signer
	certPEM []byte
}

// New makes a CA in memory whose name constraints permit exactly names
// (see Names), valid from now.
func New(names Names, now time.Time) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tag := make([]byte, 4)
	if _, err := rand.Read(tag); err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		// The random tag tells CAs from different starts apart in a trust
		// store listing.
		Subject:               pkix.Name{Organization: []string{"fakeidp"}, CommonName: "fakeidp test-only CA " + hex.EncodeToString(tag)},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caLifetime),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		// The CA vouches for TLS servers only: Go applies a CA's extended
		// key usage to the whole chain, and OpenSSL does for its TLS and
		// S/MIME purposes, so a leaf forged for client authentication,
		// e-mail or (in Go) code signing fails there. OpenSSL's codesign
		// purpose looks at no issuer's extended key usage.
		ExtKeyUsage:                 []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		PermittedDNSDomainsCritical: true, // RFC 5280: name constraints MUST be critical
		PermittedDNSDomains:         names.DNS,
		PermittedIPRanges:           names.ipRanges(),
		PermittedEmailAddresses:     []string{nowhere},
		PermittedURIDomains:         []string{nowhere},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return fromDER(der, key)
}

func fromDER(der []byte, key crypto.Signer) (*CA, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n
}

// CertPEM is the CA certificate in PEM, what clients install as trusted.
func (c *CA) CertPEM() []byte { return c.certPEM }

// Certificate is the parsed CA certificate.
func (c *CA) Certificate() *x509.Certificate { return c.cert }

// Pool is a certificate pool holding only this CA.
func (c *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.cert)
	return p
}

// Issue makes a leaf certificate for names, valid from now, and checks
// that the CA may vouch for every one of them: a CA kept from an earlier
// start permits only the names it was made with.
func (c *CA) Issue(names Names, now time.Time) (*tls.Certificate, error) {
	der, key, err := c.sign(names, now)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	// With no DNSName, Verify checks the chain and the name constraints
	// against every name in the leaf.
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: c.Pool(), CurrentTime: now}); err != nil {
		if refused := c.refused(names, now); len(refused) > 0 {
			return nil, fmt.Errorf("the CA does not vouch for %s: it was made without them (it permits %s)", strings.Join(refused, ", "), c.Permits())
		}
		return nil, fmt.Errorf("the CA does not vouch for the names %s (it permits %s): %w", names, c.Permits(), err)
	}
	return &tls.Certificate{Certificate: [][]byte{der, c.cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// refused lists the names the CA's constraints do not permit, each tried
// alone in a leaf of its own, so that an error can name exactly those.
func (c *CA) refused(names Names, now time.Time) []string {
	var refused []string
	try := func(one Names, name string) {
		der, _, err := c.sign(one, now)
		if err == nil {
			var leaf *x509.Certificate
			if leaf, err = x509.ParseCertificate(der); err == nil {
				_, err = leaf.Verify(x509.VerifyOptions{Roots: c.Pool(), CurrentTime: now})
			}
		}
		if err != nil {
			refused = append(refused, name)
		}
	}
	for _, d := range names.DNS {
		try(Names{DNS: []string{d}}, d)
	}
	for _, ip := range names.IPs {
		try(Names{IPs: []net.IP{ip}}, ip.String())
	}
	return refused
}

// sign makes a leaf certificate for names without checking it.
func (c *CA) sign(names Names, now time.Time) ([]byte, crypto.Signer, error) {
	if now.After(c.cert.NotAfter) {
		return nil, nil, fmt.Errorf("the CA expired on %s", c.cert.NotAfter.Format(time.DateOnly))
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	notAfter := now.Add(leafLifetime)
	if notAfter.After(c.cert.NotAfter) {
		notAfter = c.cert.NotAfter
	}
	cn := "localhost"
	if len(names.DNS) > 0 {
		cn = names.DNS[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"fakeidp"}, CommonName: cn},
		NotBefore:    now.Add(-backdate),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     names.DNS,
		IPAddresses:  names.IPs,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, key.Public(), c.key)
	return der, key, err
}

// Permits describes the CA's name constraints, for error messages.
func (c *CA) Permits() string {
	var parts []string
	parts = append(parts, c.cert.PermittedDNSDomains...)
	for _, r := range c.cert.PermittedIPRanges {
		parts = append(parts, r.String())
	}
	if len(parts) == 0 {
		return "any name"
	}
	return fmt.Sprint(parts)
}

// errNotCA: a certificate file holds something other than a CA this
// package can sign with.
var errNotCA = errors.New("not a CA certificate")

// errNotServersOnly: a kept CA from before fakeidp limited its CA to TLS
// servers. Such a CA, leaked, vouches for client certificates, code and
// e-mail too; it is refused rather than used, and the fix named.
var errNotServersOnly = errors.New("this CA vouches for more than TLS servers (it was made by an earlier fakeidp, without the serverAuth-only extended key usage and the e-mail and URI name constraints); delete " + CertFile + " and " + KeyFile + " in that directory to make a new CA, and trust it again")

// checkPair makes sure cert is a CA for TLS servers only and key is its
// private key.
func checkPair(cert *x509.Certificate, key crypto.Signer) error {
	if !cert.IsCA || !cert.BasicConstraintsValid {
		return errNotCA
	}
	pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(key.Public()) {
		return errors.New("the private key does not belong to the CA certificate")
	}
	if !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) || len(cert.UnknownExtKeyUsage) > 0 ||
		!slices.Equal(cert.PermittedEmailAddresses, []string{nowhere}) || !slices.Equal(cert.PermittedURIDomains, []string{nowhere}) {
		return errNotServersOnly
	}
	return nil
}

// ipRange is one address as a name constraint that permits it alone.
func ipRange(ip net.IP) *net.IPNet {
	if v4 := ip.To4(); v4 != nil {
		return &net.IPNet{IP: v4, Mask: net.CIDRMask(32, 32)}
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(128, 128)}
}
