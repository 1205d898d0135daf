package login

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// throttle is a token bucket per key (a client address, or a login name) that
// only failed password attempts drain (see take), kept in memory on each node. It slows
// down, and makes visible, one address cycling through many user names (to
// guess, or to lock them all out by the lockout policy), and many addresses
// guessing one name — while the people of an office behind one NAT address,
// who type their passwords right, are never refused.
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
	warned time.Time // last warning logged for this key
}

// maxBuckets bounds the map between prunes (a flood of distinct keys).
const maxBuckets = 100_000

func newThrottle(perSecond, burst float64) *throttle {
	return &throttle{rate: perSecond, burst: burst, buckets: map[string]*bucket{}}
}

// take reserves one attempt for key before a password is checked; the
// reservation is kept if the attempt fails and given back (refund) if it
// succeeds, so only failures drain a bucket — and parallel guesses cannot all
// slip past a check made before any of them failed. warn is true on the first
// refusal for the key in a minute, so the caller logs once per key per minute.
func (t *throttle) take(key string, now time.Time) (ok, warn bool) {
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

// refund gives back an attempt that succeeded.
func (t *throttle) refund(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if b := t.buckets[key]; b != nil {
		b.tokens = min(t.burst, b.tokens+1)
	}
}

// prune drops the buckets that have refilled (their key is idle) and, if the
// map is still full, every bucket: forgetting is safer than growing.
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

// clientIP is the address a request is throttled by. It is the connection's
// peer, unless that peer is a trusted proxy: then X-Forwarded-For is read from
// the right, past every trusted proxy, and the first address no trusted proxy
// vouches for is the client. Entries a client wrote itself (left of the first
// untrusted hop) never count, so nobody picks their own bucket. IPv6 addresses
// count by their /64, which one client usually owns whole.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	raw := r.RemoteAddr
	if host, _, err := net.SplitHostPort(raw); err == nil {
		raw = host
	}
	peer, err := netip.ParseAddr(raw)
	if err != nil {
		return raw
	}
	peer = peer.Unmap()
	if isTrusted(peer, trusted) {
		var hops []string
		for _, v := range r.Header.Values("X-Forwarded-For") {
			hops = append(hops, strings.Split(v, ",")...)
		}
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a trusted proxy would not append garbage: stop at the last good hop
			}
			peer = a.Unmap()
			if !isTrusted(peer, trusted) {
				break
			}
		}
	}
	if peer.Is6() {
		p, _ := peer.Prefix(64)
		return p.String()
	}
	return peer.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
