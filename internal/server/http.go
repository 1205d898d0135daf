package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"connectrpc.com/connect"
	"github.com/warden-id/warden/internal/fail"
	"google.golang.org/grpc/codes"
)

// statusJSON writes a google.rpc.Status body the way the transcoder does, for the
// answers Warden gives before a request reaches it.
func statusJSON(w http.ResponseWriter, httpStatus int, e *fail.Error) {
	id, msg, grpcCode := e.ID, e.Message, int(e.Code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatus)
	_, _ = w.Write([]byte(`{"code":` + strconv.Itoa(grpcCode) + `,"message":` + strconv.Quote(msg+" ("+id+")") +
		`,"details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":` + strconv.Quote(id) +
		`,"message":` + strconv.Quote(msg) + `}]}`))
}

// notFound answers what no route took. A path of the gRPC family's shape
// (/package.Service/Method) gets an answer in its caller's protocol: a
// method Warden registers, called with JSON but without Connect's header,
// reached the REST router and gets a hint; any other is unknown, and
// Unimplemented (as grpc-go says for a service it does not have).
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if svc, method, ok := rpcPath(r.URL.Path); ok {
		if s.methods[r.URL.Path] && isREST(r) && r.Header.Get("Connect-Protocol-Version") == "" {
			statusJSON(w, http.StatusBadRequest, errConnectHeader)
			return
		}
		if unknownRPC(w, r, svc, method, s.methods) {
			return
		}
	}
	statusJSON(w, http.StatusNotFound, errNoRoute)
}

// rpcPath splits /package.Service/Method.
func rpcPath(p string) (svc, method string, ok bool) {
	svc, method, ok = strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if !ok || !strings.HasPrefix(p, "/") || !strings.Contains(svc, ".") || method == "" || strings.Contains(method, "/") {
		return "", "", false
	}
	return svc, method, true
}

// unknownRPC answers a call of a method the server does not have with
// Unimplemented in the protocol the request speaks, as a gRPC server would;
// false if the request speaks none of the gRPC family's protocols.
// known holds every registered method's path and each service's "/svc/".
func unknownRPC(w http.ResponseWriter, r *http.Request, svc, method string, known map[string]bool) bool {
	msg := "unknown service " + svc
	if known["/"+svc+"/"] {
		msg = "unknown method " + method + " for service " + svc
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "application/grpc"): // gRPC and gRPC-Web: trailers-only
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Grpc-Status", strconv.Itoa(int(codes.Unimplemented)))
		w.Header().Set("Grpc-Message", grpcMessage(msg))
		w.WriteHeader(http.StatusOK)
	case strings.HasPrefix(ct, "application/connect+"): // a Connect stream: its end message
		end := []byte(`{"error":{"code":"unimplemented","message":` + strconv.Quote(msg) + `}}`)
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(append([]byte{2, byte(len(end) >> 24), byte(len(end) >> 16), byte(len(end) >> 8), byte(len(end))}, end...))
	case r.Header.Get("Connect-Protocol-Version") != "" || r.URL.Query().Get("connect") == "v1":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotImplemented)
		_, _ = w.Write([]byte(`{"code":"unimplemented","message":` + strconv.Quote(msg) + `}`))
	default:
		return false
	}
	return true
}

// grpcMessage percent-encodes a grpc-message value as the gRPC spec asks.
func grpcMessage(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// limitBody refuses bodies over MaxBodyBytes: at once when Content-Length says so,
// and by cutting the stream off when it lies or is chunked.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBodyBytes {
			tooLarge(w)
			return
		}
		if r.ContentLength < 0 && isREST(r) && r.Body != nil && r.Body != http.NoBody {
			// A chunked JSON body of unknown length: read it here, so an overrun
			// is a clean 413 and never a failure half-way through transcoding.
			b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
			r.Body.Close()
			if err != nil {
				statusJSON(w, http.StatusBadRequest, errBodyRead)
				return
			}
			if len(b) > MaxBodyBytes {
				tooLarge(w)
				return
			}
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
			r.Header.Del("Transfer-Encoding")
		}
		r.Body = &cappedBody{ReadCloser: r.Body, left: MaxBodyBytes}
		next.ServeHTTP(w, r)
	})
}

func tooLarge(w http.ResponseWriter) {
	statusJSON(w, http.StatusRequestEntityTooLarge, fail.TooLarge)
}

// cappedBody fails a read past the limit with ResourceExhausted, which the
// transcoder reports as such (a plain read error would become 503).
type cappedBody struct {
	io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, connect.NewError(connect.CodeResourceExhausted, errors.New("request body larger than 4 MiB"))
	}
	if int64(len(p)) > b.left {
		p = p[:b.left+1] // read one byte more than allowed to detect an overrun
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, connect.NewError(connect.CodeResourceExhausted, errors.New("request body larger than 4 MiB"))
	}
	return n, err
}

// rest makes the transcoder's REST answer as ZITADEL's gateway does: bodies
// read as JSON whatever their type, the body of a route that maps none
// ignored, an empty body read as an empty message, and WWW-Authenticate on
// 401. routes are the REST routes next serves.
func rest(next http.Handler, routes *routeNode) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isREST(r) {
			next.ServeHTTP(w, r)
			return
		}
		// ZITADEL's gateway reads every REST body as JSON, whatever the header
		// says (curl -d sends a form type); do the same.
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			r.Header.Set("Content-Type", "application/json")
		}
		if rt, ok := routes.match(r.Method, r.URL.Path); ok {
			switch {
			case !rt.body:
				// The gateway never reads it (a client may well send "{}");
				// the transcoder would fail it with a 500.
				r.Body, r.ContentLength = http.NoBody, 0
				r.Header.Del("Content-Length")
				r.Header.Del("Transfer-Encoding")
			case r.ContentLength == 0:
				// An empty body is an empty message to ZITADEL's gateway; the
				// transcoder would call it a missing one (500).
				r.Body, r.ContentLength = io.NopCloser(strings.NewReader("{}")), 2
			}
		}
		next.ServeHTTP(&challenge{ResponseWriter: w}, r)
	})
}

type challenge struct{ http.ResponseWriter }

func (c *challenge) WriteHeader(code int) {
	if code == http.StatusUnauthorized {
		c.Header().Set("WWW-Authenticate", `Bearer realm="warden", error="invalid_token"`)
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *challenge) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *challenge) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
