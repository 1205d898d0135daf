// Package id generates Warden's object ids: decimal strings of exactly 18 digits,
// time-ordered like ZITADEL's, unique across nodes without coordination.
package id

import (
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"sync"
	"time"
)

// Layout (59 bits, so the decimal form never exceeds 18 digits):
// 41 bits milliseconds since epoch | 8 bits node | 10 bits counter,
// plus base.
const (
	nodeBits    = 8
	counterBits = 10
	maxCounter  = 1<<counterBits - 1
	// base makes every id exactly 18 digits, as ZITADEL's are: clients check
	// the length (the Terraform provider's import accepts only ^\d{18}$).
	// 1e17 + 2^59 < 1e18; ids made before base was added are shorter and so
	// smaller, which keeps the order.
	base = 100_000_000_000_000_000
)

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Generator hands out ids; safe for concurrent use.
type Generator struct {
	mu      sync.Mutex
	node    uint64
	lastMS  uint64
	counter uint64
}

// NewGenerator returns a generator with a random node number, so that several
// nodes on one database collide only if they also share a millisecond and a
// counter value, and then the primary key refuses the insert.
func NewGenerator() *Generator {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Generator{node: binary.LittleEndian.Uint64(b[:]) & (1<<nodeBits - 1)}
}

// Next returns a new id.
func (g *Generator) Next() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	ms := uint64(time.Since(epoch).Milliseconds())
	if ms < g.lastMS { // clock stepped back: keep ids monotonic
		ms = g.lastMS
	}
	if ms == g.lastMS {
		g.counter++
		if g.counter > maxCounter {
			ms++
			g.counter = 0
		}
	} else {
		g.counter = 0
	}
	g.lastMS = ms
	v := ms<<(nodeBits+counterBits) | g.node<<counterBits | g.counter
	return strconv.FormatUint(base+v, 10)
}
