package login

import (
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

// TestThrottleCountsFailuresOnly: refunded attempts (right passwords) cost
// nothing; kept ones (failures) drain the bucket.
func TestThrottleCountsFailuresOnly(t *testing.T) {
	th := newThrottle(10.0/60, 20)
	now := time.Unix(1_000_000, 0)
	for range 100 { // a hundred correct sign-ins from one office address
		if ok, _ := th.take("a", now); !ok {
			t.Fatal("an address with no failures was refused")
		}
		th.refund("a")
	}
	for i := range 20 {
		if ok, _ := th.take("a", now); !ok {
			t.Fatalf("failure %d refused within the burst", i+1)
		}
	}
	ok, warn := th.take("a", now)
	if ok || !warn {
		t.Fatalf("after 20 failures: ok %v warn %v, want refused with a warning", ok, warn)
	}
	if ok, warn := th.take("a", now.Add(time.Second)); ok || warn {
		t.Fatalf("next refusal: ok %v warn %v, want refused without a second warning", ok, warn)
	}
	if ok, _ := th.take("b", now); !ok {
		t.Fatal("another key was refused")
	}
	// 10 a minute: after 6 s one more attempt.
	if ok, _ := th.take("a", now.Add(7*time.Second)); !ok {
		t.Fatal("no refill")
	}
	// Idle keys are forgotten at the next prune.
	later := now.Add(time.Hour)
	th.take("c", later)
	if _, ok := th.buckets["b"]; ok {
		t.Fatal("idle bucket kept")
	}
	if len(th.buckets) != 1 {
		t.Fatalf("%d buckets after prune", len(th.buckets))
	}
}

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	cases := []struct {
		remote, xff string
		trusted     []netip.Prefix
		want        string
	}{
		{"192.0.2.7:5555", "", nil, "192.0.2.7"},
		{"192.0.2.7:5555", "203.0.113.9", nil, "192.0.2.7"},           // no trusted proxy
		{"198.51.100.4:5555", "203.0.113.9", proxies, "198.51.100.4"}, // the peer is no proxy: its header is the client's own
		{"192.0.2.7:5555", "198.51.100.1, 203.0.113.9", proxies, "203.0.113.9"},
		{"192.0.2.7:5555", "6.6.6.6, 203.0.113.9, 10.1.2.3", proxies, "203.0.113.9"}, // past two proxies; the client's own entry ignored
		{"10.0.0.1:1", "10.0.0.2, 10.0.0.3", proxies, "10.0.0.2"},                    // every hop a proxy: the first
		{"10.0.0.1:1", "garbage, 10.0.0.3", proxies, "10.0.0.3"},
		{"[2001:db8:1:2:3:4:5:6]:443", "", nil, "2001:db8:1:2::/64"},
		{"[::ffff:192.0.2.8]:1", "", nil, "192.0.2.8"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/ui/login/password", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := clientIP(r, c.trusted); got != c.want {
			t.Errorf("clientIP(%s, %q, %v) = %s, want %s", c.remote, c.xff, c.trusted, got, c.want)
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
