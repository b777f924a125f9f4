package kontur

import (
	"slices"
	"strconv"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp/config"
)

// redirectRegistered says whether the client may be sent back to uri. The
// default is IdentityServer's: the URI must be one the client registered,
// character for character. A client with allow_any_loopback_port may also
// use a registered loopback IP literal URI on any port (RFC 8252 §7.3):
// only the port may differ, nothing else.
func redirectRegistered(c *config.KonturClient, uri string) bool {
	if slices.Contains(c.RedirectURIs, uri) {
		return true
	}
	if !c.AllowAnyLoopbackPort {
		return false
	}
	bare, ok := withoutLoopbackPort(uri)
	if !ok {
		return false
	}
	for _, registered := range c.RedirectURIs {
		if r, ok := withoutLoopbackPort(registered); ok && r == bare {
			return true
		}
	}
	return false
}

// withoutLoopbackPort is uri without its port, if uri is an http URI whose
// host is a loopback IP literal (127.0.0.1 or [::1], RFC 8252 §7.3); the
// rest is left exactly as written. ok is false for any other URI: another
// scheme or host, "localhost" (RFC 8252 §8.3), userinfo, or a port that is
// not 1 to 65535 in plain digits.
func withoutLoopbackPort(uri string) (bare string, ok bool) {
	rest, ok := strings.CutPrefix(uri, "http://")
	if !ok {
		return "", false
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host, tail := rest[:end], rest[end:]
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		if !validPort(host[i+1:]) {
			return "", false
		}
		host = host[:i]
	}
	if host != "127.0.0.1" && host != "[::1]" {
		return "", false
	}
	return "http://" + host + tail, true
}

// validPort: 1 to 65535, digits only, no leading zero.
func validPort(p string) bool {
	if p == "" || p[0] == '0' || len(p) > 5 || strings.Trim(p, "0123456789") != "" {
		return false
	}
	n, err := strconv.Atoi(p)
	return err == nil && n <= 65535
}
