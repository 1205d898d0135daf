package server

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
)

// grpcWebText adapts gRPC-Web's base64 "text" variant, which browsers use where
// binary bodies are awkward, to the binary variant the transcoder speaks. The
// services are unary, so the answer is buffered and encoded in one piece.
func grpcWebText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct := r.Header.Get("Content-Type")
		if !strings.HasPrefix(ct, "application/grpc-web-text") {
			next.ServeHTTP(w, r)
			return
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{base64.NewDecoder(base64.StdEncoding, r.Body), r.Body}
		r.ContentLength = -1
		r.Header.Del("Content-Length")
		r.Header.Set("Content-Type", "application/grpc-web+proto")
		if accept := r.Header.Get("Accept"); strings.HasPrefix(accept, "application/grpc-web-text") {
			r.Header.Set("Accept", "application/grpc-web+proto")
		}
		rec := &textRecorder{header: http.Header{}}
		next.ServeHTTP(rec, r)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		if got := w.Header().Get("Content-Type"); strings.HasPrefix(got, "application/grpc-web") {
			w.Header().Set("Content-Type", "application/grpc-web-text+proto")
		}
		w.Header().Del("Content-Length")
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write([]byte(base64.StdEncoding.EncodeToString(rec.body.Bytes())))
	})
}

type textRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (t *textRecorder) Header() http.Header { return t.header }
func (t *textRecorder) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
}
func (t *textRecorder) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	return t.body.Write(b)
}
func (t *textRecorder) Flush() {}
