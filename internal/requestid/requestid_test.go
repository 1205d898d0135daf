package requestid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/requestid"
)

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"abc-DEF_1.2":           true,
		strings.Repeat("x", 64): true,
		strings.Repeat("x", 65): false,
		"":                      false,
		"a b":                   false,
		"a\nb":                  false,
		`a"b`:                   false,
		"ä":                     false,
	} {
		if requestid.Valid(s) != want {
			t.Errorf("Valid(%q) = %v", s, !want)
		}
	}
	if a, b := requestid.New(), requestid.New(); len(a) != 32 || a == b || !requestid.Valid(a) {
		t.Errorf("New: %q %q", a, b)
	}
	if requestid.Accept("ok-1") != "ok-1" || requestid.Accept("not ok") == "not ok" {
		t.Error("Accept")
	}
}

func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	h := requestid.LogHandler(slog.NewJSONHandler(&buf, nil))
	if requestid.LogHandler(h) != h {
		t.Error("wrapping twice should not add the attribute twice")
	}
	log := slog.New(h).With("component", "x")
	ctx := requestid.With(context.Background(), "r-1")
	log.InfoContext(ctx, "with")
	log.Info("without")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var a, b map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &a)
	_ = json.Unmarshal([]byte(lines[1]), &b)
	if a["request_id"] != "r-1" || a["component"] != "x" {
		t.Errorf("with id: %s", lines[0])
	}
	if _, ok := b["request_id"]; ok {
		t.Errorf("without id: %s", lines[1])
	}
}
