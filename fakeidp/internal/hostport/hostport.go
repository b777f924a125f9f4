// Package hostport checks the syntax of Host header values and host names:
// what the server accepts as a Host before the value reaches a site (and
// so an issuer), and what the fixtures accept as a public name.
//
// It imports no other fakeidp package, so that config may use it too.
package hostport

import (
	"net/netip"
	"strings"
)

// Valid reports whether hostport is host[:port] as RFC 9110 §7.2 has it:
// a DNS name or IPv4 address, or an IPv6 address in brackets, then an
// optional port of digits. The empty string is valid too: an HTTP/1.0
// request may leave Host out.
//
// net/http lets through values such as "identity.testkontur.ru:%2F%2Fevil",
// which would end up in the issuer and every URL built from it.
func Valid(hostport string) bool {
	if hostport == "" {
		return true
	}
	host, port := split(hostport)
	if !validPort(port) {
		return false
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		a, err := netip.ParseAddr(host[1 : len(host)-1])
		// A zone ("%25eth0") names an interface of the client's
		// machine; it has no meaning in a URL this server hands out.
		return err == nil && a.Is6() && a.Zone() == ""
	}
	return ValidName(host)
}

// validPort: RFC 3986's port is any run of digits, empty included; a
// number past 65535 names no port.
func validPort(port string) bool {
	if len(port) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(port); i++ {
		c := port[i]
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}

// ValidName reports whether host is a DNS name or an IPv4 address: dot-
// separated labels of letters, digits, '-' and '_' (which container and
// compose service names use), at most 63 bytes each and 253 in all, with
// an optional trailing dot.
func ValidName(host string) bool {
	host = strings.TrimSuffix(host, ".")
	if host == "" || len(host) > 253 {
		return false
	}
	label := 0 // length of the label so far
	for i := 0; i < len(host); i++ {
		c := host[i]
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_':
			if label++; label > 63 {
				return false
			}
		default:
			return false
		}
	}
	return label > 0
}

// Name is hostport's host in lower case, without port or brackets:
// "[::1]:8080" gives "::1". hostport must be Valid.
func Name(hostport string) string {
	host, _ := split(hostport)
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.ToLower(host)
}

// split cuts hostport at the colon before the port, if there is one; a
// colon inside an IPv6 address's brackets is no such colon.
func split(hostport string) (host, port string) {
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.HasSuffix(hostport, "]") {
		return hostport[:i], hostport[i+1:]
	}
	return hostport, ""
}
