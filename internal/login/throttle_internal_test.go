package login

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestThrottleBucket(t *testing.T) {
	th := newThrottle(10.0/60, 20)
	now := time.Unix(1_000_000, 0)
	for i := range 20 {
		if ok, _ := th.allow("a", now); !ok {
			t.Fatalf("attempt %d refused within the burst", i+1)
		}
	}
	ok, warn := th.allow("a", now)
	if ok || !warn {
		t.Fatalf("21st attempt: ok %v warn %v, want refused with a warning", ok, warn)
	}
	if ok, warn := th.allow("a", now.Add(time.Second)); ok || warn {
		t.Fatalf("next refusal: ok %v warn %v, want refused without a second warning", ok, warn)
	}
	if ok, _ := th.allow("b", now); !ok {
		t.Fatal("another address was refused")
	}
	// 10 a minute: after 6 s one more attempt.
	if ok, _ := th.allow("a", now.Add(7*time.Second)); !ok {
		t.Fatal("no refill")
	}
	// Idle addresses are forgotten at the next prune.
	later := now.Add(time.Hour)
	th.allow("c", later)
	if _, ok := th.buckets["b"]; ok {
		t.Fatal("idle bucket kept")
	}
	if len(th.buckets) != 1 {
		t.Fatalf("%d buckets after prune", len(th.buckets))
	}
}

func TestClientIP(t *testing.T) {
	cases := []struct {
		remote, xff string
		trust       bool
		want        string
	}{
		{"192.0.2.7:5555", "", false, "192.0.2.7"},
		{"192.0.2.7:5555", "203.0.113.9", false, "192.0.2.7"}, // not trusted
		{"192.0.2.7:5555", "198.51.100.1, 203.0.113.9", true, "203.0.113.9"},
		{"[2001:db8:1:2:3:4:5:6]:443", "", false, "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.8]:1", "", false, "192.0.2.8"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/ui/login/password", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := clientIP(r, c.trust); got != c.want {
			t.Errorf("clientIP(%s, %q, %v) = %s, want %s", c.remote, c.xff, c.trust, got, c.want)
		}
	}
}

func TestCSPSource(t *testing.T) {
	cases := map[string]string{
		"https://app.example.com/cb?x=1":  "https://app.example.com",
		"http://127.0.0.1:8080/callback":  "http://127.0.0.1:8080",
		"com.example.app:/oauth/callback": "com.example.app:",
		"":                                "",
		"https://evil.example;script-src": "",
		"/relative":                       "",
	}
	for in, want := range cases {
		if got := cspSource(in); got != want {
			t.Errorf("cspSource(%q) = %q, want %q", in, got, want)
		}
	}
}
