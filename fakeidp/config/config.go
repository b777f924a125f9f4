// Package config is the fixtures file: clients, users, phones, test-only
// keys and error-case presets, read from YAML.
//
// Loading rejects unknown fields and Validate reports every problem at once,
// each naming its field, so a broken fixtures file is fixed in one pass.
// Defaults are filled in one place, Defaults. The structs here are plain data
// and are shared read-only between servers: nothing may mutate a Config after
// Load returns it.
//
// It imports no other fakeidp package but fixtures, which embeds the default,
// and internal/hostport, which checks host names.
package config

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fakeidp/fakeidp/fakeidp/internal/hostport"
	problemlist "github.com/fakeidp/fakeidp/fakeidp/internal/problems"
	"github.com/fakeidp/fakeidp/fixtures"
)

// Config is a whole fixtures file.
//
// A list field tagged merge:"key" holds entries named by that key (or
// keys): an overlay merges its entries onto the base's by name rather than
// replacing the list (see Overlay).
type Config struct {
	Server         Server          `yaml:"server"`
	Sites          map[string]Site `yaml:"sites"`
	Keys           []Key           `yaml:"keys"`
	SpareKeys      []Key           `yaml:"spare_keys"`
	Kontur         Kontur          `yaml:"kontur"`
	Doktornarabote Doktornarabote  `yaml:"doktornarabote"`
	Livedigital    Livedigital     `yaml:"livedigital"`
	Presets        []Preset        `yaml:"presets" merge:"name"`
	// Stubs are what the API sites answer once a token is accepted; the
	// stub package reads and validates them (it sits above config). An
	// overlay's stubs are added to the base's, but for one with the id of
	// a base stub, which replaces that stub.
	Stubs []yaml.Node `yaml:"stubs" merge:"id"`
	TLS   TLS         `yaml:"tls"`
}

// TLS names a certificate the user brings for the HTTPS listener, instead
// of the one fakeidp's own CA issues. Paths are as given (relative ones to
// the working directory). The certificate file may hold the chain after
// the leaf.
type TLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// Server holds limits that apply to every site.
type Server struct {
	// MaxBodyBytes caps every site request body; larger ones are
	// refused. The control API has its own cap, 1 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxTokens caps each grant store; the oldest entries go first.
	MaxTokens int `yaml:"max_tokens"`
	// JournalSize is how many requests the journal keeps.
	JournalSize int `yaml:"journal_size"`
	// MaxFaultRules caps the fault rules a server holds, spent ones and
	// presets' included; adding more is refused.
	MaxFaultRules int `yaml:"max_fault_rules"`
	// MaxSandboxes caps how many sandboxes exist at once; creating one
	// more is refused (429) until one is deleted or expires.
	MaxSandboxes int `yaml:"max_sandboxes"`
	// MaxStreams caps the journal streams (Server-Sent Events) open at
	// once on the whole host, sandboxes' included; one more gets 429 with
	// Retry-After until one closes.
	MaxStreams int `yaml:"max_streams"`
	// MaxStateBytes bounds, for the whole host (the root and every
	// sandbox together), the bytes held by stubs added at run time and by
	// sandbox overlays; beyond it adding one is refused (507). The
	// per-instance caps multiply with max_sandboxes; this one does not.
	// 0 means the default, 256 MiB (docs/sandboxes.md says why).
	MaxStateBytes int64 `yaml:"max_state_bytes"`
	// PublicNames are host names, besides localhost, loopback IPs and the
	// listen address, by which clients reach the control API, such as a
	// compose service name. The control API refuses any other Host, which
	// is what stops DNS rebinding.
	PublicNames []string `yaml:"public_names"`
	// ExplainHeader adds "Fakeidp-Reason: CODE: message" to every refused
	// answer (docs/explain.md), so that an application's own HTTP logs say
	// why. Off by default: the default wire is the provider's. A sandbox
	// may turn it on or off.
	ExplainHeader bool `yaml:"explain_header"`
}

// Site overrides where a site says it lives.
type Site struct {
	// PublicURL is the site's base URL as clients see it, e.g.
	// "https://identity.testkontur.ru". Empty means: derived from the
	// listen address and the site's prefix (or, for requests routed by
	// Host header, from that host).
	PublicURL string `yaml:"public_url"`
	// Hosts are further host names the site answers under, besides its
	// own (e.g. another name for the Extern API, whose real one is INFER).
	Hosts []string `yaml:"hosts"`
}

// Keys are published in the JWKS; the first signs. SpareKeys are taken,
// in order, by key rotation before any key is generated, so rotated tokens
// are reproducible too.

// Key is an RS256 signing key in PEM (PKCS#1 or PKCS#8).
type Key struct {
	// PEM is the private key. Keys in the default fixtures are test-only.
	PEM string `yaml:"pem"`
}

// Preset is a named list of fault rules, kept as data.
type Preset struct {
	Name        string      `yaml:"name"`
	Description string      `yaml:"description"`
	Rules       []yaml.Node `yaml:"rules"`
	// Actions are non-rule effects, such as "rotate_keys".
	Actions []string `yaml:"actions"`
}

// Duration is a time.Duration written as "5m", "45s" or "1209599s".
type Duration time.Duration

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return fmt.Errorf("line %d: want a duration such as \"5m\"", n.Line)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration back as a string.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// D is the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Seconds is the duration in whole seconds, as expires_in wants it.
func (d Duration) Seconds() int64 { return int64(time.Duration(d) / time.Second) }

// Parse reads a whole fixtures file, fills defaults and validates it. Its
// errors are those of Overlay: a *ValidationError naming each problem's path.
func Parse(data []byte) (*Config, error) {
	return applyDoc(new(Config), data, OverlayFile)
}

// Load reads and parses the fixtures file at path: the whole fixtures,
// replacing the defaults (fakeidp --config FILE --no-defaults).
func Load(path string) (*Config, error) {
	return loadWith(path, Parse)
}

// LoadOverlay reads the fixtures file at path as an overlay on base
// (fakeidp --config FILE, base being Default()).
func LoadOverlay(path string, base *Config) (*Config, error) {
	return loadWith(path, func(doc []byte) (*Config, error) { return Overlay(base, doc, OverlayFile) })
}

// loadWith reads a fixtures file, no more than MaxDocumentBytes of it,
// and hands it to parse; errors name the file.
func loadWith(path string, parse func([]byte) (*Config, error)) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One byte more than allowed lets parse refuse a file that is too large.
	data, err := io.ReadAll(io.LimitReader(f, MaxDocumentBytes+1))
	if err != nil {
		return nil, err
	}
	c, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

var (
	defaultOnce sync.Once
	defaultCfg  *Config
	defaultErr  error
)

// Default is the embedded default fixtures, parsed once per process and
// shared read-only.
func Default() (*Config, error) {
	defaultOnce.Do(func() { defaultCfg, defaultErr = Parse(fixtures.DefaultYAML) })
	return defaultCfg, defaultErr
}

// DefaultMaxStateBytes is server.max_state_bytes unless the fixtures set
// it: 256 MiB, room for 2,000 stubs of 64 KiB or 40 sandboxes with a 1 MiB
// overlay, more than a test suite needs and small for a laptop's memory.
// docs/sandboxes.md gives the whole server's worst case.
const DefaultMaxStateBytes = 256 << 20

// Defaults fills every unset value. It is the only place defaults live.
func (c *Config) Defaults() {
	if c.Server.MaxBodyBytes == 0 {
		c.Server.MaxBodyBytes = 64 << 10
	}
	if c.Server.MaxTokens == 0 {
		c.Server.MaxTokens = 100_000
	}
	if c.Server.JournalSize == 0 {
		c.Server.JournalSize = 1000
	}
	if c.Server.MaxFaultRules == 0 {
		c.Server.MaxFaultRules = 10_000
	}
	if c.Server.MaxSandboxes == 0 {
		c.Server.MaxSandboxes = 1000
	}
	if c.Server.MaxStreams == 0 {
		// A dashboard tab holds one; 64 is many tabs and a few scripts,
		// at about 23 KB each (4,000 streams took 91 MB).
		c.Server.MaxStreams = 64
	}
	if c.Server.MaxStateBytes == 0 {
		c.Server.MaxStateBytes = DefaultMaxStateBytes
	}
	c.Kontur.defaults()
	c.Doktornarabote.defaults()
	c.Livedigital.defaults()
}

// Problems collects validation failures so that all are reported at once:
// the one problems type, shared with fault rules, stubs and sandboxes.
type Problems = problemlist.List

// unique records a problem when key is empty or already in seen, and adds
// it to seen: ids, usernames and emails must each name one thing.
func unique(p *Problems, field, what, key string, seen map[string]bool) {
	switch {
	case key == "":
		p.Addf(field, "is empty")
	case seen[key]:
		p.Addf(field, "duplicate %s %q", what, key)
	}
	seen[key] = true
}

// nonEmpty records a problem when value is empty.
func nonEmpty(p *Problems, field, value string) {
	if value == "" {
		p.Addf(field, "is empty")
	}
}

// ValidationError lists every problem found in a fixtures file, one per
// line.
type ValidationError = problemlist.Error

// invalid is the *ValidationError of probs.
func invalid(probs ...string) error { return Problems(probs).FileErr("fixtures") }

// SiteNames are the sites fakeidp serves.
var SiteNames = []string{"kontur", "doktornarabote-api", "doktornarabote-auth", "livedigital", "medi-api", "extern-api"}

// Validate reports every problem in c.
func (c *Config) Validate() error {
	var p Problems
	if c.Server.MaxBodyBytes < 1024 {
		p.Addf("server.max_body_bytes", "must be at least 1024, got %d", c.Server.MaxBodyBytes)
	}
	if c.Server.MaxTokens < 100 {
		p.Addf("server.max_tokens", "must be at least 100, got %d", c.Server.MaxTokens)
	}
	if c.Server.JournalSize < 0 {
		p.Addf("server.journal_size", "must not be negative")
	}
	if c.Server.MaxFaultRules < 1 {
		p.Addf("server.max_fault_rules", "must be at least 1, got %d", c.Server.MaxFaultRules)
	}
	if c.Server.MaxStateBytes < 1<<20 {
		p.Addf("server.max_state_bytes", "must be at least 1048576 (1 MiB), got %d", c.Server.MaxStateBytes)
	}
	if c.Server.MaxSandboxes < 0 {
		p.Addf("server.max_sandboxes", "must not be negative (0 means the default, 1000)")
	}
	if c.Server.MaxStreams < 0 {
		p.Addf("server.max_streams", "must not be negative (0 means the default, 64)")
	}
	for i, name := range c.Server.PublicNames {
		if !hostport.ValidName(name) {
			p.Addf(fmt.Sprintf("server.public_names[%d]", i), "%q is not a host name (no scheme, port or path)", name)
		}
	}
	for name, s := range c.Sites {
		known := false
		for _, n := range SiteNames {
			known = known || n == name
		}
		if !known {
			p.Addf("sites."+name, "unknown site; known: %s", strings.Join(SiteNames, ", "))
		}
		if s.PublicURL != "" && !(strings.HasPrefix(s.PublicURL, "http://") || strings.HasPrefix(s.PublicURL, "https://")) {
			p.Addf("sites."+name+".public_url", "must start with http:// or https://")
		}
		if strings.HasSuffix(s.PublicURL, "/") {
			p.Addf("sites."+name+".public_url", "must not end with a slash (the issuer has none)")
		}
		for i, h := range s.Hosts {
			if h == "" || strings.ContainsAny(h, ":/ ") {
				p.Addf(fmt.Sprintf("sites.%s.hosts[%d]", name, i), "%q is not a host name (no scheme, port or path)", h)
			}
		}
	}
	for i, k := range c.Keys {
		if strings.TrimSpace(k.PEM) == "" {
			p.Addf(fmt.Sprintf("keys[%d].pem", i), "is empty")
		}
	}
	for i, k := range c.SpareKeys {
		if strings.TrimSpace(k.PEM) == "" {
			p.Addf(fmt.Sprintf("spare_keys[%d].pem", i), "is empty")
		}
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		p.Addf("tls", "give both cert_file and key_file, or neither")
	}
	c.Kontur.validate(&p)
	c.Doktornarabote.validate(&p)
	c.Livedigital.validate(&p)
	seen := map[string]bool{}
	for i, pr := range c.Presets {
		unique(&p, fmt.Sprintf("presets[%d].name", i), "preset", pr.Name, seen)
	}
	return p.FileErr("fixtures")
}
