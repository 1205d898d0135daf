// Package requestid gives every request an id that ties its log lines, its
// response and (when tracing is on) its span together. The id travels in the
// request's context; LogHandler copies it into every slog record logged with
// that context, so code that logs with ...Context(ctx, ...) needs no extra work.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
)

// Header is the HTTP header that carries the id in and out.
const Header = "X-Request-Id"

// MaxLen bounds an incoming id: long enough for UUIDs and most proxies' ids,
// short enough that a client cannot bloat every log line.
const MaxLen = 64

// LogKey is the attribute name in log records.
const LogKey = "request_id"

type ctxKey struct{}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the id in ctx, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Valid reports whether an incoming id may be reused as is: 1..MaxLen characters
// of [A-Za-z0-9._-]. Anything else (spaces, quotes, control characters) could
// forge log fields or headers, so it is replaced rather than escaped.
func Valid(s string) bool {
	if s == "" || len(s) > MaxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// New returns a fresh id: 16 random bytes in hex.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return hex.EncodeToString(b[:])
}

// Accept returns incoming if it is Valid, else a new id.
func Accept(incoming string) string {
	if Valid(incoming) {
		return incoming
	}
	return New()
}

// LogHandler wraps h so that records logged with a context that carries an id
// get a request_id attribute. Attributes added through WithGroup on the wrapper
// land inside that group, as any attribute would.
func LogHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(logHandler); ok {
		return h
	}
	return logHandler{h}
}

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := From(ctx); id != "" {
		r.AddAttrs(slog.String(LogKey, id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(as)}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{h.Handler.WithGroup(name)}
}
