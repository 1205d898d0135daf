package metrics

import (
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestJobMetrics: a registered job's series exist at zero; runs, failures,
// items, duration and the last success follow what the scheduler reports.
func TestJobMetrics(t *testing.T) {
	m := New("test")
	m.JobRegistered("purge_expired")
	out := scrape(t, m)
	for _, want := range []string{
		`warden_job_runs_total{job="purge_expired"} 0`,
		`warden_job_failures_total{job="purge_expired"} 0`,
		`warden_job_items_total{job="purge_expired"} 0`,
		`warden_job_last_success_timestamp_seconds{job="purge_expired"} 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("before any run: no %q in\n%s", want, out)
		}
	}
	before := time.Now()
	m.JobRan("purge_expired", 20*time.Millisecond, 2500, nil)
	m.JobRan("purge_expired", time.Millisecond, 0, errors.New("database down"))
	out = scrape(t, m)
	for _, want := range []string{
		`warden_job_runs_total{job="purge_expired"} 2`,
		`warden_job_failures_total{job="purge_expired"} 1`,
		`warden_job_items_total{job="purge_expired"} 2500`,
		`warden_job_duration_seconds_count{job="purge_expired"} 2`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	last := regexp.MustCompile(`warden_job_last_success_timestamp_seconds\{job="purge_expired"\} (\S+)`).FindStringSubmatch(out)
	if last == nil || last[1] == "0" {
		t.Fatalf("last success not set: %v", last)
	}
	var ts float64
	if _, err := fmt.Sscan(last[1], &ts); err != nil || ts < float64(before.Unix()) {
		t.Errorf("last success %s, want at least %d", last[1], before.Unix())
	}
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
