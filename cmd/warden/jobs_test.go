package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestPurgeRunsInTheBinary: warden start runs the purge job at once and
// reports it in the job metrics.
func TestPurgeRunsInTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary; skipped in -short mode")
	}
	bin := crashBuildWarden(t)
	metricsAddr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	p, err := startNode(t, bin, t.TempDir(), "--metrics-addr", metricsAddr, "--purge-interval", "1h")
	if err != nil {
		t.Fatal(err)
	}
	if err := waitReady(p.base, http.StatusOK, 20*time.Second); err != nil {
		t.Fatalf("%v; log:\n%s", err, p.logs())
	}
	runs := regexp.MustCompile(`(?m)^warden_job_runs_total\{job="purge_expired"\} (\d+)$`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		body := scrapeText(t, "http://"+metricsAddr+"/debug/metrics")
		if m := runs.FindStringSubmatch(body); m != nil && m[1] != "0" {
			if !strings.Contains(body, `warden_job_failures_total{job="purge_expired"} 0`) {
				t.Fatalf("the purge failed:\n%s\nlog:\n%s", body, p.logs())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no purge run reported within 20s; log:\n%s", p.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if l := p.fullLog(); !strings.Contains(l, "job=purge_expired") || !strings.Contains(l, "interval=1h0m0s") {
		t.Errorf("the job is not in the start log:\n%s", l)
	}
}

func scrapeText(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
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
