package hostport

import "testing"

func TestValid(t *testing.T) {
	tests := []struct {
		hostport string
		want     bool
	}{
		{"", true},
		{"identity.testkontur.ru", true},
		{"identity.testkontur.ru:8080", true},
		{"Identity.TestKontur.RU.:443", true},
		{"127.0.0.1:0", true},
		{"fakeidp_1:8080", true},
		{"localhost:", true},
		{"[::1]", true},
		{"[::1]:8080", true},
		{"identity.testkontur.ru:%2F%2Fevil", false},
		{"identity.testkontur.ru:80/evil", false},
		{"identity.testkontur.ru:65536", false},
		{"identity.testkontur.ru:080080", false},
		{"evil.example/identity.testkontur.ru", false},
		{"user@identity.testkontur.ru", false},
		{"identity..testkontur.ru", false},
		{".", false},
		{":8080", false},
		{"::1", false},
		{"[::1", false},
		{"[127.0.0.1]", false},
		{"[fe80::1%25eth0]:80", false},
		{"[::1]x", false},
		{"a b", false},
		{"ид.рф", false},
	}
	for _, tt := range tests {
		if got := Valid(tt.hostport); got != tt.want {
			t.Errorf("Valid(%q) = %v, want %v", tt.hostport, got, tt.want)
		}
	}
}

func TestName(t *testing.T) {
	for hostport, want := range map[string]string{
		"LocalHost:8080": "localhost", "[::1]:8080": "::1", "[::1]": "::1", "fakeidp": "fakeidp",
	} {
		if got := Name(hostport); got != want {
			t.Errorf("Name(%q) = %q, want %q", hostport, got, want)
		}
	}
}

// BenchmarkValid is the front door's cost per request; compare it with a
// whole request's (BenchmarkTokenWithRules in package fakeidp):
//
//	go test -run '^$' -bench Valid ./fakeidp/internal/hostport/
func BenchmarkValid(b *testing.B) {
	for _, host := range []string{"127.0.0.1:8080", "identity.testkontur.ru:8080", "[::1]:8080"} {
		b.Run(host, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !Valid(host) {
					b.Fatal(host)
				}
			}
		})
	}
}

func TestValidNameLengths(t *testing.T) {
	label := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = 'a'
		}
		return string(b)
	}
	long := label(63) + "." + label(63) + "." + label(63) + "." + label(61) // 253
	for name, want := range map[string]bool{
		label(63) + ".ru": true, label(64) + ".ru": false, long: true, long + "a": false, "a.": true, ".a": false,
	} {
		if got := ValidName(name); got != want {
			t.Errorf("ValidName(%d bytes %.10q…) = %v, want %v", len(name), name, got, want)
		}
	}
}
