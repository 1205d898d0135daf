package login

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// throttle is a token bucket per client address for password attempts, kept in
// memory on each node: it slows down and makes visible one address cycling
// through many user names (to guess, or to lock them all out by the lockout
// policy), which the per-user policy alone cannot.
type throttle struct {
	mu        sync.Mutex
	rate      float64 // tokens per second
	burst     float64
	buckets   map[string]*bucket
	lastPrune time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
	warned time.Time // last warning logged for this address
}

// maxBuckets bounds the map between prunes (a flood of distinct addresses).
const maxBuckets = 100_000

func newThrottle(perSecond, burst float64) *throttle {
	return &throttle{rate: perSecond, burst: burst, buckets: map[string]*bucket{}}
}

// allow takes one token for key. warn is true on the first refusal for the key
// in a minute, so the caller logs once per address per minute.
func (t *throttle) allow(key string, now time.Time) (ok, warn bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.lastPrune) >= time.Minute || len(t.buckets) >= maxBuckets {
		t.prune(now)
	}
	b := t.buckets[key]
	if b == nil {
		b = &bucket{tokens: t.burst, last: now}
		t.buckets[key] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(t.burst, b.tokens+el*t.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, false
	}
	if now.Sub(b.warned) >= time.Minute {
		b.warned = now
		return false, true
	}
	return false, false
}

// prune drops the buckets that have refilled (their address is idle) and,
// if the map is still full, every bucket: forgetting is safer than growing.
func (t *throttle) prune(now time.Time) {
	t.lastPrune = now
	for k, b := range t.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*t.rate >= t.burst && now.Sub(b.warned) >= time.Minute {
			delete(t.buckets, k)
		}
	}
	if len(t.buckets) >= maxBuckets {
		clear(t.buckets)
	}
}

// clientIP is the address a request is throttled by: the connection's peer, or
// the last X-Forwarded-For entry when the proxy in front is trusted to append
// it. IPv6 addresses count by their /64, which one client usually owns whole.
func clientIP(r *http.Request, trustForwarded bool) string {
	raw := r.RemoteAddr
	if host, _, err := net.SplitHostPort(raw); err == nil {
		raw = host
	}
	if trustForwarded {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if last := strings.TrimSpace(parts[len(parts)-1]); last != "" {
				raw = last
			}
		}
	}
	addr, err := netip.ParseAddr(raw)
	if err != nil {
		return raw
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}
