package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// garbageProto is not a protobuf message: a varint that never ends, then a
// field with number 0.
var garbageProto = []byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x07}

// rawCodec sends bytes as they are, so a gRPC client can send garbage.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.([]byte), nil }
func (rawCodec) Unmarshal(b []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), b...)
	return nil
}
func (rawCodec) Name() string { return "proto" }

func (e *env) post(path, contentType string, body []byte, hdr ...string) (*http.Response, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestGarbageProtobufIsInvalidArgument: a request body that is not a protobuf
// message is the client's fault on every protocol — Connect 400 with a
// Connect error body, gRPC-Web grpc-status 3 (HTTP 200, as gRPC-Web reports
// every RPC error), gRPC InvalidArgument — never grpc-go's Internal / 500. It
// is refused before authentication (as connect-go and ZITADEL's REST gateway
// decode before their interceptors), the user is untouched, and a valid call
// on the same connection works afterwards.
func TestGarbageProtobufIsInvalidArgument(t *testing.T) {
	e := startEnv(t, engines(t)["sqlite"](t))
	id := e.importHuman("garbage")
	const lock = "/zitadel.management.v1.ManagementService/LockUser"
	for _, token := range []string{e.token, "", "not-a-token"} {
		auth := []string{}
		if token != "" {
			auth = []string{"Authorization", "Bearer " + token}
		}
		// Connect, binary.
		resp, b := e.post(lock, "application/proto", garbageProto, append([]string{"Connect-Protocol-Version", "1"}, auth...)...)
		var ce struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if resp.StatusCode != 400 || json.Unmarshal(b, &ce) != nil || ce.Code != "invalid_argument" || !strings.Contains(ce.Message, "WARDEN-PROTO") {
			t.Errorf("connect, token %q: %d %s", token, resp.StatusCode, b)
		}
		// Connect over the v2 service too.
		resp, b = e.post("/zitadel.user.v2.UserService/LockUser", "application/proto", garbageProto, append([]string{"Connect-Protocol-Version", "1"}, auth...)...)
		if resp.StatusCode != 400 || !strings.Contains(string(b), `"invalid_argument"`) {
			t.Errorf("connect v2, token %q: %d %s", token, resp.StatusCode, b)
		}
		// gRPC-Web, binary and text.
		for _, ct := range []string{"application/grpc-web+proto", "application/grpc-web-text"} {
			body := grpcWebFrame(0, garbageProto)
			if strings.HasSuffix(ct, "-text") {
				body = []byte(base64.StdEncoding.EncodeToString(body))
			}
			resp, b = e.post(lock, ct, body, append([]string{"X-Grpc-Web", "1"}, auth...)...)
			if strings.HasSuffix(ct, "-text") {
				b, _ = base64.StdEncoding.DecodeString(string(b))
			}
			st := grpcWebStatus(resp, b)
			if resp.StatusCode != 200 || st != "3" {
				t.Errorf("%s, token %q: HTTP %d grpc-status %q %q", ct, token, resp.StatusCode, st, b)
			}
		}
		// Native gRPC.
		ctx := e.authCtx(token)
		var out []byte
		err := e.grpcConn().Invoke(ctx, lock, garbageProto, &out, grpc.ForceCodec(rawCodec{}))
		if status.Code(err) != codes.InvalidArgument || detailID(err) != "WARDEN-PROTO" {
			t.Errorf("gRPC, token %q: %v (detail %q)", token, err, detailID(err))
		}
	}
	if got := e.must(e.admin("GET", "/management/v1/users/"+id, ""), 200).str("user", "state"); got != "USER_STATE_ACTIVE" {
		t.Fatalf("user is %s after garbage requests", got)
	}
	// The same connection and server still serve valid calls.
	if _, err := management.NewManagementServiceClient(e.grpcConn()).LockUser(e.authCtx(e.token), &management.LockUserRequest{Id: id}); err != nil {
		t.Fatalf("valid lock after garbage: %v", err)
	}
}

// grpcWebStatus is a gRPC-Web answer's grpc-status: from the headers of a
// trailers-only answer, else from the trailer frame ("" if there is none).
func grpcWebStatus(resp *http.Response, body []byte) string {
	if st := resp.Header.Get("Grpc-Status"); st != "" {
		return st
	}
	for len(body) >= 5 {
		n := int(binary.BigEndian.Uint32(body[1:5]))
		if len(body) < 5+n {
			return ""
		}
		if body[0]&0x80 != 0 {
			for _, line := range strings.Split(string(body[5:5+n]), "\r\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "grpc-status") {
					return strings.TrimSpace(v)
				}
			}
		}
		body = body[5+n:]
	}
	return ""
}
