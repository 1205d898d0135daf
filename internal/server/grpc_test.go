package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/message"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

func (e *env) grpcConn() *grpc.ClientConn {
	conn, err := grpc.NewClient(e.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { conn.Close() })
	return conn
}

func (e *env) authCtx(token string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

func detailID(err error) string {
	for _, d := range status.Convert(err).Details() {
		if ed, ok := d.(*message.ErrorDetail); ok {
			return ed.GetId()
		}
	}
	return ""
}

// TestGRPC drives the services over native gRPC (h2c) with the generated clients.
func TestGRPC(t *testing.T) {
	e := startEnv(t, engines(t)["sqlite"](t))
	id := e.importHuman("grpc")
	conn := e.grpcConn()
	m := management.NewManagementServiceClient(conn)
	ctx := e.authCtx(e.token)

	res, err := m.LockUser(ctx, &management.LockUserRequest{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	if d := res.GetDetails(); d.GetSequence() != 2 || d.GetResourceOwner() != e.orgID || d.GetChangeDate() == nil || d.GetCreationDate() != nil {
		t.Fatalf("details %v", d)
	}
	_, err = m.LockUser(ctx, &management.LockUserRequest{Id: id})
	if status.Code(err) != codes.FailedPrecondition || detailID(err) != "COMMAND-3NN8v" ||
		status.Convert(err).Message() != "User is not active or initial (COMMAND-3NN8v)" {
		t.Fatalf("second lock: %v", err)
	}
	if _, err := m.LockUser(ctx, &management.LockUserRequest{}); status.Code(err) != codes.InvalidArgument || detailID(err) != "COMMAND-2M0sd" {
		t.Fatalf("empty id: %v", err)
	}
	if _, err := m.LockUser(context.Background(), &management.LockUserRequest{Id: id}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("no token: %v", err)
	}
	if _, err := m.GetIAM(ctx, &management.GetIAMRequest{}); status.Code(err) != codes.Unimplemented {
		t.Fatalf("unimplemented: %v", err)
	}
	u := userv2.NewUserServiceClient(conn)
	ur, err := u.GetUserByID(ctx, &userv2.GetUserByIDRequest{UserId: id})
	if err != nil || ur.GetUser().GetState() != userv2.UserState_USER_STATE_LOCKED || ur.GetUser().GetHuman().GetEmail().GetEmail() != "grpc@example.com" {
		t.Fatalf("v2 get: %v %v", ur, err)
	}
	ul, err := u.UnlockUser(ctx, &userv2.UnlockUserRequest{UserId: id})
	if err != nil || ul.GetDetails().GetSequence() != 3 || ul.GetDetails().GetResourceOwner() != e.orgID {
		t.Fatalf("v2 unlock: %v %v", ul, err)
	}
	_, err = u.UnlockUser(ctx, &userv2.UnlockUserRequest{UserId: id})
	if status.Code(err) != codes.FailedPrecondition || detailID(err) != "COMMAND-olb9vb0oca" {
		t.Fatalf("v2 unlock twice: %v", err)
	}
	// v2 AddHumanUser without password: INITIAL, which v2 numbers 5.
	add, err := u.AddHumanUser(ctx, &userv2.AddHumanUserRequest{
		Profile: &userv2.SetHumanProfile{GivenName: "I", FamilyName: "N"},
		Email:   &userv2.SetHumanEmail{Email: "initial@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := u.GetUserByID(ctx, &userv2.GetUserByIDRequest{UserId: add.GetUserId()})
	if err != nil || got.GetUser().GetState() != userv2.UserState_USER_STATE_INITIAL || got.GetUser().GetUsername() != "initial@example.com" {
		t.Fatalf("v2 initial user: %v %v", got, err)
	}
	if _, err := u.DeactivateUser(ctx, &userv2.DeactivateUserRequest{UserId: add.GetUserId()}); status.Code(err) != codes.FailedPrecondition || detailID(err) != "COMMAND-gvx4kct9r2" {
		t.Fatalf("deactivate initial: %v", err)
	}
}

// grpcWebFrame frames one message the way gRPC-Web does.
func grpcWebFrame(flag byte, payload []byte) []byte {
	b := make([]byte, 5+len(payload))
	b[0] = flag
	binary.BigEndian.PutUint32(b[1:5], uint32(len(payload)))
	copy(b[5:], payload)
	return b
}

// grpcWebCall posts one gRPC-Web request and returns the message and trailers.
func (e *env) grpcWebCall(path, contentType string, req proto.Message) ([]byte, string) {
	e.t.Helper()
	pb, _ := proto.Marshal(req)
	body := grpcWebFrame(0, pb)
	text := strings.HasSuffix(contentType, "-text")
	if text {
		body = []byte(base64.StdEncoding.EncodeToString(body))
	}
	hr, _ := http.NewRequest("POST", e.base+path, bytes.NewReader(body))
	hr.Header.Set("Content-Type", contentType)
	hr.Header.Set("Authorization", "Bearer "+e.token)
	hr.Header.Set("X-Grpc-Web", "1")
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		e.t.Fatalf("grpc-web status %d: %s", resp.StatusCode, raw)
	}
	if text {
		if raw, err = base64.StdEncoding.DecodeString(string(raw)); err != nil {
			e.t.Fatal(err)
		}
	}
	var msg []byte
	var trailers string
	for len(raw) >= 5 {
		n := binary.BigEndian.Uint32(raw[1:5])
		frame := raw[5 : 5+n]
		if raw[0]&0x80 != 0 {
			trailers = string(frame)
		} else {
			msg = frame
		}
		raw = raw[5+n:]
	}
	if trailers == "" { // trailers-only responses put the status in headers
		trailers = "grpc-status:" + resp.Header.Get("Grpc-Status") + "\r\ngrpc-message:" + resp.Header.Get("Grpc-Message")
	}
	// Normalise "Grpc-Status: 0" and "grpc-status:0" alike.
	return msg, strings.ReplaceAll(strings.ToLower(trailers), ": ", ":")
}

// TestGRPCWeb drives LockUser/UnlockUser as a browser's gRPC-Web client would,
// binary and text encodings, and the error path.
func TestGRPCWeb(t *testing.T) {
	e := startEnv(t, engines(t)["sqlite"](t))
	id := e.importHuman("web")
	msg, tr := e.grpcWebCall("/zitadel.management.v1.ManagementService/LockUser", "application/grpc-web+proto", &management.LockUserRequest{Id: id})
	var res management.LockUserResponse
	if err := proto.Unmarshal(msg, &res); err != nil || res.GetDetails().GetSequence() != 2 || !strings.Contains(tr, "grpc-status:0") {
		t.Fatalf("lock: %v %v %q", &res, err, tr)
	}
	_, tr = e.grpcWebCall("/zitadel.management.v1.ManagementService/LockUser", "application/grpc-web+proto", &management.LockUserRequest{Id: id})
	if !strings.Contains(tr, "grpc-status:9") || !strings.Contains(tr, "command-3nn8v") {
		t.Fatalf("second lock trailers %q", tr)
	}
	msg, tr = e.grpcWebCall("/zitadel.user.v2.UserService/UnlockUser", "application/grpc-web-text", &userv2.UnlockUserRequest{UserId: id})
	var ur userv2.UnlockUserResponse
	if err := proto.Unmarshal(msg, &ur); err != nil || ur.GetDetails().GetSequence() != 3 || !strings.Contains(tr, "grpc-status:0") {
		t.Fatalf("text unlock: %v %v %q", &ur, err, tr)
	}
}

// TestConnect: the Connect protocol with JSON, as connect-go/connect-web send it.
func TestConnect(t *testing.T) {
	e := startEnv(t, engines(t)["sqlite"](t))
	id := e.importHuman("connect")
	r := e.must(e.admin("POST", "/zitadel.user.v2.UserService/LockUser", `{"userId":"`+id+`"}`, "Connect-Protocol-Version", "1"), 200)
	if r.str("details", "sequence") != "2" {
		t.Fatalf("connect lock: %s", r.raw)
	}
	r = e.admin("POST", "/zitadel.user.v2.UserService/LockUser", `{"userId":"`+id+`"}`, "Connect-Protocol-Version", "1")
	if r.status != 400 || r.body["code"] != "failed_precondition" || !strings.Contains(r.raw, "COMMAND-lgws8wtsqf") {
		t.Fatalf("connect lock twice: %d %s", r.status, r.raw)
	}
}
