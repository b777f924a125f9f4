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
