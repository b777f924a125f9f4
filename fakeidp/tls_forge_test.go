package fakeidp_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/tlsca"
)

// forgery is a leaf that someone holding a copy of ca-key.pem signs, and
// how a client would check it: Go's key usage, OpenSSL's purpose.
type forgery struct {
	name    string
	leaf    x509.Certificate
	usage   x509.ExtKeyUsage
	purpose string // openssl verify -purpose
	// dnsName is the host a TLS client asks for; "" checks no host name.
	dnsName string
	// opensslSkipsCA: OpenSSL checks this purpose on the leaf alone. Its
	// codesign purpose (3.2 on) asks of an issuer only that it be a CA
	// (check_purpose_code_sign in crypto/x509/v3_purp.c), never its
	// extended key usage; the one CA setting it would obey, a directory
	// name constraint, Go refuses as an unhandled critical extension.
	opensslSkipsCA bool
}

func forgeries(t *testing.T) []forgery {
	t.Helper()
	uri, err := url.Parse("spiffe://identity.testkontur.ru/client")
	if err != nil {
		t.Fatal(err)
	}
	server := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	return []forgery{
		{name: "e-mail (S/MIME)", purpose: "smimesign", usage: x509.ExtKeyUsageEmailProtection, leaf: x509.Certificate{
			Subject: pkix.Name{CommonName: "user@login.ru"}, EmailAddresses: []string{"user@login.ru"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		}},
		{name: "URI SAN", purpose: "sslserver", usage: x509.ExtKeyUsageServerAuth, dnsName: "identity.testkontur.ru", leaf: x509.Certificate{
			DNSNames: []string{"identity.testkontur.ru"}, URIs: []*url.URL{uri}, ExtKeyUsage: server,
		}},
		{name: "clientAuth", purpose: "sslclient", usage: x509.ExtKeyUsageClientAuth, leaf: x509.Certificate{
			Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}},
		{name: "codeSigning", purpose: "codesign", usage: x509.ExtKeyUsageCodeSigning, opensslSkipsCA: true, leaf: x509.Certificate{
			Subject:     pkix.Name{Organization: []string{"SKB Kontur"}, CommonName: "SKB Kontur"},
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		}},
		{name: "production identity.kontur.ru", purpose: "sslserver", usage: x509.ExtKeyUsageServerAuth, dnsName: "identity.kontur.ru", leaf: x509.Certificate{
			DNSNames: []string{"identity.kontur.ru"}, ExtKeyUsage: server,
		}},
		{name: "production medi-api.kontur.ru", purpose: "sslserver", usage: x509.ExtKeyUsageServerAuth, dnsName: "medi-api.kontur.ru", leaf: x509.Certificate{
			DNSNames: []string{"medi-api.kontur.ru"}, ExtKeyUsage: server,
		}},
	}
}

// keptCA reads the CA that a server keeps in dir, key included, as
// someone who copied the directory would.
func keptCA(t *testing.T, dir string) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode(data)
		if block == nil {
			t.Fatalf("%s: no PEM", name)
		}
		return block.Bytes
	}
	cert, err := x509.ParseCertificate(read(tlsca.CertFile))
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.ParsePKCS8PrivateKey(read(tlsca.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	return cert, key.(crypto.Signer)
}

// forge signs tmpl with the CA's key and writes it to a PEM file.
func forge(t *testing.T, ca *x509.Certificate, caKey crypto.Signer, tmpl x509.Certificate) (*x509.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "leaf.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return leaf, path
}

// opensslVerify runs "openssl verify" on a leaf; ok is false when openssl
// cannot check that purpose at all (codesign came in OpenSSL 3.2).
func opensslVerify(t *testing.T, caFile, leafFile, purpose string) (verified, ok bool, out string) {
	t.Helper()
	cmd := exec.Command("openssl", "verify", "-CAfile", caFile, "-purpose", purpose, leafFile)
	b, err := cmd.CombinedOutput()
	out = string(b)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, true, out
	case !errors.As(err, &exit):
		t.Fatalf("openssl: %v", err)
	case strings.Contains(out, "Invalid purpose"):
		return false, false, out
	}
	return false, true, out
}

// A copy of ca-key.pem signs leaves for every use but a TLS server of the
// fakes: an e-mail address, a URI, a TLS client, code, a production
// Kontur host. Go and OpenSSL refuse each, while a leaf for a fake's test
// host still verifies in both (so the refusals are not the harness's).
func TestLeakedCAVouchesForTestServersOnly(t *testing.T) {
	dir := t.TempDir()
	srv := fakeidp.StartTLS(t, fakeidp.Options{TLSDir: dir})
	ca, caKey := keptCA(t, dir)
	caFile := filepath.Join(dir, tlsca.CertFile)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(srv.CACertPEM())
	_, hasOpenSSL := exec.LookPath("openssl")

	t.Run("control: a test host", func(t *testing.T) {
		leaf, file := forge(t, ca, caKey, x509.Certificate{DNSNames: []string{"identity.testkontur.ru"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "identity.testkontur.ru"}); err != nil {
			t.Fatalf("Go: %v", err)
		}
		if hasOpenSSL != nil {
			t.Skip("no openssl binary")
		}
		if verified, _, out := opensslVerify(t, caFile, file, "sslserver"); !verified {
			t.Fatalf("openssl: %s", out)
		}
	})
	for _, f := range forgeries(t) {
		t.Run(f.name, func(t *testing.T) {
			leaf, file := forge(t, ca, caKey, f.leaf)
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: f.dnsName, KeyUsages: []x509.ExtKeyUsage{f.usage}}); err == nil {
				t.Error("Go verified the forged leaf")
			}
			if hasOpenSSL != nil {
				t.Skip("no openssl binary")
			}
			verified, ok, out := opensslVerify(t, caFile, file, f.purpose)
			if !ok {
				t.Skipf("this openssl cannot check -purpose %s: %s", f.purpose, out)
			}
			switch {
			case verified && f.opensslSkipsCA:
				t.Skipf("openssl -purpose %s does not look at the CA's extended key usage (known, see opensslSkipsCA): %s", f.purpose, out)
			case verified:
				t.Errorf("openssl verified the forged leaf: %s", out)
			}
		})
	}
}

// The production names are out of the certificate by default, and
// --tls-host puts one back, into the certificate and the CA.
func TestTLSProductionNamesOnlyWhenAsked(t *testing.T) {
	leafOf := func(srv *fakeidp.Server) *x509.Certificate {
		t.Helper()
		resp, err := srv.Client().Get(srv.TLSURL() + "/_fakeidp/ca.pem")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.TLS.PeerCertificates[0]
	}
	def := leafOf(fakeidp.StartTLS(t, fakeidp.Options{}))
	for _, name := range []string{"identity.kontur.ru", "medi-api.kontur.ru"} {
		if def.VerifyHostname(name) == nil {
			t.Errorf("the default certificate covers %s", name)
		}
	}
	if err := def.VerifyHostname("identity.testkontur.ru"); err != nil {
		t.Error(err)
	}
	asked := fakeidp.StartTLS(t, fakeidp.Options{TLSHosts: []string{"identity.kontur.ru"}})
	leaf := leafOf(asked)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(asked.CACertPEM())
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "identity.kontur.ru"}); err != nil {
		t.Errorf("--tls-host identity.kontur.ru: %v", err)
	}
	if leaf.VerifyHostname("medi-api.kontur.ru") == nil {
		t.Error("asking for identity.kontur.ru also added medi-api.kontur.ru")
	}
	// Production URLs work through Client with the name asked for.
	if got := issuerVia(t, asked.Client(), "https://identity.kontur.ru", ""); got != "https://identity.kontur.ru" {
		t.Errorf("issuer %q", got)
	}
}
