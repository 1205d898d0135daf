package server

import (
	"bytes"
	"errors"
	"io"

	"connectrpc.com/connect"
	"net/http"
	"strconv"
	"strings"
)

// statusJSON writes a google.rpc.Status body the way the transcoder does, for the
// answers Warden gives before a request reaches it.
func statusJSON(w http.ResponseWriter, httpStatus, grpcCode int, id, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(httpStatus)
	_, _ = w.Write([]byte(`{"code":` + strconv.Itoa(grpcCode) + `,"message":` + strconv.Quote(msg+" ("+id+")") +
		`,"details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":` + strconv.Quote(id) +
		`,"message":` + strconv.Quote(msg) + `}]}`))
}

func notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/zitadel.") && r.Method == http.MethodPost && isREST(r) {
		// A Connect call without its protocol header reaches the REST router.
		statusJSON(w, http.StatusBadRequest, 3, "WARDEN-CONNECT", "Connect requests need the header Connect-Protocol-Version: 1")
		return
	}
	statusJSON(w, http.StatusNotFound, 5, "WARDEN-NOROUTE", "No such endpoint")
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
				statusJSON(w, http.StatusBadRequest, 3, "WARDEN-BODY", "Request body could not be read")
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
	statusJSON(w, http.StatusRequestEntityTooLarge, 8, "WARDEN-SIZE", "Request body too large")
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

// rest adds what ZITADEL's REST gateway adds: WWW-Authenticate on 401.
func rest(next http.Handler) http.Handler {
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
		// An empty body is an empty message to ZITADEL's gateway; the
		// transcoder would call it a missing one (500).
		if r.ContentLength == 0 && (r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch) {
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader("{}")), 2
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
