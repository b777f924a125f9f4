package tlsca

import (
	"fmt"
	"net"
	"slices"
	"strings"
)

// Names are what a CA permits and a leaf certificate covers: DNS names and
// IP addresses. A loopback IPv4 address permits all of 127.0.0.0/8.
type Names struct {
	DNS []string
	IPs []net.IP
}

// ForHosts is the names of a fakeidp: the sites' host names, localhost,
// 127.0.0.1 and ::1, and extra names (--tls-host), each a DNS name or an
// IP address. A bad extra name is an error that quotes it.
func ForHosts(siteHosts, extras []string) (Names, error) {
	n := Names{IPs: []net.IP{net.IPv4(127, 0, 0, 1).To4(), net.IPv6loopback}}
	for _, h := range siteHosts {
		n.addDNS(strings.ToLower(h))
	}
	n.addDNS("localhost")
	for _, h := range extras {
		if err := n.Add(h); err != nil {
			return Names{}, err
		}
	}
	return n, nil
}

// Add adds one name given by a user: a DNS name such as
// "api.example.test" or an IP address such as "10.0.0.7".
func (n *Names) Add(host string) error {
	if ip := net.ParseIP(host); ip != nil {
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		if ip.IsUnspecified() {
			return fmt.Errorf("TLS host %q: an unspecified address names no host", host)
		}
		if !slices.ContainsFunc(n.IPs, ip.Equal) {
			n.IPs = append(n.IPs, ip)
		}
		return nil
	}
	if err := checkDNSName(host); err != nil {
		return fmt.Errorf("TLS host %q: %w", host, err)
	}
	n.addDNS(strings.ToLower(host))
	return nil
}

func (n *Names) addDNS(name string) {
	if !slices.Contains(n.DNS, name) {
		n.DNS = append(n.DNS, name)
	}
}

func (n Names) String() string {
	parts := slices.Clone(n.DNS)
	for _, ip := range n.IPs {
		parts = append(parts, ip.String())
	}
	return strings.Join(parts, ", ")
}

// ipRanges are the IP name constraints: each address alone, but loopback
// IPv4 as all of 127.0.0.0/8.
func (n Names) ipRanges() []*net.IPNet {
	var out []*net.IPNet
	loopback := false
	for _, ip := range n.IPs {
		if ip.To4() != nil && ip.IsLoopback() {
			if !loopback {
				out = append(out, &net.IPNet{IP: net.IPv4(127, 0, 0, 0).To4(), Mask: net.CIDRMask(8, 32)})
			}
			loopback = true
			continue
		}
		out = append(out, ipRange(ip))
	}
	return out
}

// checkDNSName accepts a host name as RFC 1123 spells it: dot-separated
// labels of letters, digits and inner hyphens, each 1-63 characters, 253 in
// all. Wildcards, ports, schemes and paths are refused, since a name
// constraint or a certificate holding one would not mean what the user
// meant.
func checkDNSName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("is empty")
	case strings.Contains(name, "://"):
		return fmt.Errorf("want a host name such as api.example.test, not a URL")
	case strings.Contains(name, "*"):
		return fmt.Errorf("wildcards are not allowed; name each host")
	case len(name) > 253:
		return fmt.Errorf("is longer than 253 characters")
	}
	if _, _, err := net.SplitHostPort(name); err == nil {
		return fmt.Errorf("want a host name without a port")
	}
	for _, label := range strings.Split(name, ".") {
		if err := checkLabel(label); err != nil {
			return err
		}
	}
	return nil
}

func checkLabel(label string) error {
	if label == "" || len(label) > 63 {
		return fmt.Errorf("each dot-separated label must have 1 to 63 characters")
	}
	if label[0] == '-' || label[len(label)-1] == '-' {
		return fmt.Errorf("label %q starts or ends with a hyphen", label)
	}
	for _, c := range label {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("%q is not allowed in a host name", c)
		}
	}
	return nil
}
