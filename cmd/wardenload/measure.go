package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// result is one run's outcome. Latencies are in milliseconds for JSON readers.
type result struct {
	Protocol   string  `json:"protocol"`
	Targets    int     `json:"targets"`
	Clients    int     `json:"clients"`
	DurationS  float64 `json:"duration_s"`
	Ops        int     `json:"ops"`
	OpsPerSec  float64 `json:"ops_per_s"`
	P50Ms      float64 `json:"p50_ms"`
	P90Ms      float64 `json:"p90_ms"`
	P99Ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"first_error,omitempty"`
}

func (r result) line() string {
	return fmt.Sprintf("protocol=%s clients=%d duration=%.1fs ops=%d ops/s=%.0f p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms errors=%d",
		r.Protocol, r.Clients, r.DurationS, r.Ops, r.OpsPerSec, r.P50Ms, r.P90Ms, r.P99Ms, r.MaxMs, r.Errors)
}

// clientStats is one client's record; each client writes only its own, so the
// hot loop takes no lock.
type clientStats struct {
	lat      []time.Duration
	errors   int
	firstErr error
}

// measure runs every client in a closed loop for warmup+duration and records
// the operations that started after the warmup and finished before the end.
// It always returns by the deadline: in-flight calls are cancelled then and
// not counted.
func measure(parent context.Context, d driver, clients int, warmup, duration time.Duration) result {
	start := time.Now()
	measureFrom := start.Add(warmup)
	end := measureFrom.Add(duration)
	// Cancel at the end rather than set a deadline: gRPC would send the
	// deadline as grpc-timeout, the server would answer DeadlineExceeded a
	// moment before the client's own context expires, and those artefacts
	// would count as errors.
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	stopTimer := time.AfterFunc(time.Until(end), cancel)
	defer stopTimer.Stop()

	stats := make([]clientStats, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := &stats[i]
			for n := 0; ctx.Err() == nil; n++ {
				t0 := time.Now()
				err := d.op(ctx, i, n)
				t1 := time.Now()
				if ctx.Err() != nil || t0.Before(measureFrom) {
					continue // cut off by the deadline, or warmup
				}
				if err != nil {
					st.errors++
					if st.firstErr == nil {
						st.firstErr = err
					}
					continue
				}
				st.lat = append(st.lat, t1.Sub(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(measureFrom)
	if elapsed > duration {
		elapsed = duration // the goroutines' exit is not part of the run
	}

	var all []time.Duration
	res := result{Clients: clients, DurationS: elapsed.Seconds()}
	for _, st := range stats {
		all = append(all, st.lat...)
		res.Errors += st.errors
		if res.FirstError == "" && st.firstErr != nil {
			res.FirstError = st.firstErr.Error()
		}
	}
	slices.Sort(all)
	res.Ops = len(all)
	if elapsed > 0 {
		res.OpsPerSec = float64(res.Ops) / elapsed.Seconds()
	}
	if len(all) > 0 {
		res.P50Ms = ms(percentile(all, 0.50))
		res.P90Ms = ms(percentile(all, 0.90))
		res.P99Ms = ms(percentile(all, 0.99))
		res.MaxMs = ms(all[len(all)-1])
	}
	return res
}

// percentile uses the nearest-rank method on sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(p*float64(len(sorted))+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
