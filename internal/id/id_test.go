package id

import (
	"strconv"
	"sync"
	"testing"
)

func TestUniqueOrdered18Digits(t *testing.T) {
	g := NewGenerator()
	const n = 50000
	seen := make(map[string]bool, n)
	var prev uint64
	for i := 0; i < n; i++ {
		s := g.Next()
		if len(s) != 18 {
			t.Fatalf("id %q is not 18 digits", s)
		}
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if v <= prev {
			t.Fatalf("id %d not after %d", v, prev)
		}
		prev = v
		if seen[s] {
			t.Fatalf("duplicate %s", s)
		}
		seen[s] = true
	}
}

func TestConcurrentUnique(t *testing.T) {
	g := NewGenerator()
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				s := g.Next()
				mu.Lock()
				if seen[s] {
					t.Errorf("duplicate %s", s)
				}
				seen[s] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// TestLastIDFits: the largest id the layout can make is still 18 digits.
func TestLastIDFits(t *testing.T) {
	if s := strconv.FormatUint(base+(1<<59-1), 10); len(s) != 18 {
		t.Fatalf("the last id %s is not 18 digits", s)
	}
}
