package scenarios

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// Kind is what the steps talk to.
type Kind int

// The kinds of target.
const (
	// InProcess starts a fakeidp per scenario in this process.
	InProcess Kind = iota
	// Fake is a running fakeidp at Config.URL.
	Fake
	// Real is the providers' own servers, at Config.Sites.
	Real
)

// String names the kind for messages, e.g. "running fakeidp".
func (k Kind) String() string {
	return [...]string{"in-process fakeidp", "running fakeidp", "real providers"}[k]
}

// Config says where the steps send their requests.
type Config struct {
	// URL is the base URL of a running fakeidp, e.g. "http://127.0.0.1:8080".
	// Its sites are under their prefixes (/kontur…) and its control API
	// under /_fakeidp/.
	URL string
	// Sites maps a site name (kontur, doktornarabote-api,
	// doktornarabote-auth, livedigital) to a base URL. With URL set they
	// override single sites; without, they are the real providers.
	Sites map[string]string
	// ControlToken, when set, is sent as a Bearer token on /_fakeidp/ calls.
	ControlToken string
	// Values replace the seed examples' credentials for a real target. A
	// key is "field:seed value", e.g. "client_id:medi_test_client"; fields
	// are client_id, client_secret, username, password, redirect_uri,
	// resource, resource_secret, phone_code and phone_number.
	Values map[string]string
	// SMSCode is the code a real Doktornarabote test phone receives. Empty:
	// steps that need it skip their scenario on a real target.
	SMSCode string
	// Timeout bounds every request; zero means 5 s (15 s for Real).
	Timeout time.Duration
	// Server builds each in-process fakeidp.
	Server fakeidp.Options
	// DialContext, when set, opens every connection; tests use it to send
	// the real host names of a compose setup to a loopback server.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// RootCAs are the CAs trusted for https targets, e.g. a fakeidp's own
	// (verify --ca); nil means the system roots, as for the real providers.
	RootCAs *x509.CertPool
}

// Kind tells which target the Config names.
func (c Config) Kind() Kind {
	switch {
	case c.URL != "":
		return Fake
	case len(c.Sites) > 0:
		return Real
	default:
		return InProcess
	}
}

// Validate reports every problem with the URLs and site names at once.
func (c Config) Validate() error {
	var errs []error
	if c.URL != "" {
		if err := checkURL(c.URL); err != nil {
			errs = append(errs, fmt.Errorf("url: %w", err))
		}
	}
	for _, name := range sortedKeys(c.Sites) {
		if _, ok := site.ByName(name); !ok {
			errs = append(errs, fmt.Errorf("target %q: unknown site; known: %s", name, strings.Join(SiteNames(), ", ")))
			continue
		}
		if err := checkURL(c.Sites[name]); err != nil {
			errs = append(errs, fmt.Errorf("target %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) base URL such as http://127.0.0.1:8080", raw)
	}
	return nil
}

// SiteNames lists the sites a target may name.
func SiteNames() []string {
	var names []string
	for _, s := range site.All {
		names = append(names, s.Name)
	}
	return names
}

// transport is a fresh transport that dials with DialContext.
func (c Config) transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil // the targets are named explicitly
	if c.DialContext != nil {
		t.DialContext = c.DialContext
	}
	if c.RootCAs != nil {
		t.TLSClientConfig = &tls.Config{RootCAs: c.RootCAs}
	}
	return t
}

func (c Config) timeout() time.Duration {
	switch {
	case c.Timeout > 0:
		return c.Timeout
	case c.Kind() == Real:
		return 15 * time.Second
	default:
		return 5 * time.Second
	}
}

// value is the value a step sends for a seed example's value: the
// replacement from Values when there is one.
func (c Config) value(field, seed string) string {
	if v, ok := c.Values[field+":"+seed]; ok {
		return v
	}
	return seed
}

// realValues maps environment variables to the seed values they replace.
var realValues = []struct{ env, key string }{
	{"FAKEIDP_REAL_KONTUR_MEDI_CLIENT_ID", "client_id:medi_test_client"},
	{"FAKEIDP_REAL_KONTUR_MEDI_CLIENT_SECRET", "client_secret:b29d0d9e-872c-4ea5-a92a-71b3abdea091"},
	{"FAKEIDP_REAL_KONTUR_EXTERN_CLIENT_ID", "client_id:extern.api"},
	{"FAKEIDP_REAL_KONTUR_EXTERN_CLIENT_SECRET", "client_secret:extern.api-secret"},
	{"FAKEIDP_REAL_KONTUR_CODE_CLIENT_ID", "client_id:yourClientId"},
	{"FAKEIDP_REAL_KONTUR_CODE_CLIENT_SECRET", "client_secret:yourClientSecret"},
	{"FAKEIDP_REAL_KONTUR_REDIRECT_URI", "redirect_uri:http://www.example.com/"},
	{"FAKEIDP_REAL_KONTUR_USERNAME", "username:user@login.ru"},
	{"FAKEIDP_REAL_KONTUR_PASSWORD", "password:password"},
	{"FAKEIDP_REAL_KONTUR_RESOURCE", "resource:extern.api"},
	{"FAKEIDP_REAL_KONTUR_RESOURCE_SECRET", "resource_secret:extern.api-resource-secret"},
	{"FAKEIDP_REAL_DOKTORNARABOTE_CLIENT_ID", "client_id:98483c47f17f4888b0bf695d1165062e"},
	{"FAKEIDP_REAL_DOKTORNARABOTE_PHONE_CODE", "phone_code:1"},
	{"FAKEIDP_REAL_DOKTORNARABOTE_PHONE_NUMBER", "phone_number:1111111111"},
	{"FAKEIDP_REAL_DOKTORNARABOTE_USERNAME", "username:11111111111"},
	{"FAKEIDP_REAL_LIVEDIGITAL_CLIENT_ID", "client_id:john-smith-livedigital"},
	{"FAKEIDP_REAL_LIVEDIGITAL_CLIENT_SECRET", "client_secret:VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4"},
	{"FAKEIDP_REAL_LIVEDIGITAL_USERNAME", "username:test_user@test.test"},
	{"FAKEIDP_REAL_LIVEDIGITAL_PASSWORD", "password:123456"},
}

// SiteEnv is the environment variable holding a real site's base URL,
// e.g. FAKEIDP_REAL_DOKTORNARABOTE_API_URL for doktornarabote-api.
func SiteEnv(name string) string {
	return "FAKEIDP_REAL_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_URL"
}

// FromEnv builds a Config from the environment:
//
//	FAKEIDP_URL                  a running fakeidp (else in-process)
//	FAKEIDP_CONTROL_TOKEN        Bearer token for /_fakeidp/
//	FAKEIDP_REAL_<SITE>_URL      a real site, e.g. FAKEIDP_REAL_KONTUR_URL
//	FAKEIDP_REAL_…               real credentials replacing the seed ones
//	FAKEIDP_REAL_DOKTORNARABOTE_SMS_CODE  the real test phone's SMS code
//	FAKEIDP_TIMEOUT              per-request timeout, e.g. "10s"
func FromEnv() (Config, error) {
	return ConfigFromLookup(os.LookupEnv)
}

// ConfigFromLookup is FromEnv with another source of variables.
func ConfigFromLookup(lookup func(string) (string, bool)) (Config, error) {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	cfg := Config{URL: get("FAKEIDP_URL"), ControlToken: get("FAKEIDP_CONTROL_TOKEN"), SMSCode: get("FAKEIDP_REAL_DOKTORNARABOTE_SMS_CODE")}
	for _, name := range SiteNames() {
		if v := get(SiteEnv(name)); v != "" {
			if cfg.Sites == nil {
				cfg.Sites = map[string]string{}
			}
			cfg.Sites[name] = v
		}
	}
	cfg.Values = ValuesFromLookup(lookup)
	if t := get("FAKEIDP_TIMEOUT"); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil || d <= 0 {
			return cfg, fmt.Errorf("FAKEIDP_TIMEOUT: %q is not a duration such as \"10s\"", t)
		}
		cfg.Timeout = d
	}
	return cfg, cfg.Validate()
}

// ValuesFromLookup reads the FAKEIDP_REAL_… credential variables.
func ValuesFromLookup(lookup func(string) (string, bool)) map[string]string {
	values := map[string]string{}
	for _, rv := range realValues {
		if v, ok := lookup(rv.env); ok && v != "" {
			values[rv.key] = v
		}
	}
	return values
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
