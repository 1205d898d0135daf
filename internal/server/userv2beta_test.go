package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/warden-id/warden/internal/store/testdb"
	objv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2beta"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	userv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2beta"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// betaEnv is a running Warden and one gRPC connection to it.
type betaEnv struct {
	*env
	conn *grpc.ClientConn
}

// protocols a v2beta client may speak.
var protocols = []string{"gRPC", "gRPC-Web", "Connect", "REST"}

// rpcErr is an error answer, whatever the protocol: its gRPC code and message.
type rpcErr struct {
	code codes.Code
	msg  string
}

func (r *rpcErr) String() string {
	if r == nil {
		return "ok"
	}
	return r.code.String() + " " + r.msg
}

const betaService = "/zitadel.user.v2beta.UserService/"

// betaCall calls a v2beta method over protocol p with the given token, using
// grpc-go (gRPC), connect-go (gRPC-Web, binary; Connect, JSON) or plain
// JSON at the method's annotated REST path.
func betaCall[Req, Res any, PReq interface {
	*Req
	proto.Message
}, PRes interface {
	*Res
	proto.Message
}](t *testing.T, e *betaEnv, p, method, token string, req PReq) (PRes, *rpcErr) {
	t.Helper()
	res := PRes(new(Res))
	switch p {
	case "gRPC":
		err := e.conn.Invoke(e.authCtx(token), betaService+method, req, res)
		if err != nil {
			st := status.Convert(err)
			return nil, &rpcErr{st.Code(), st.Message()}
		}
		return res, nil
	case "gRPC-Web", "Connect":
		opt := connect.WithGRPCWeb()
		if p == "Connect" {
			opt = connect.WithProtoJSON()
		}
		c := connect.NewClient[Req, Res](http.DefaultClient, e.base+betaService+method, opt)
		r := connect.NewRequest((*Req)(req))
		r.Header().Set("Authorization", "Bearer "+token)
		out, err := c.CallUnary(context.Background(), r)
		if err != nil {
			var ce *connect.Error
			if !errors.As(err, &ce) {
				t.Fatalf("%s %s: %v", p, method, err)
			}
			return nil, &rpcErr{codes.Code(ce.Code()), ce.Message()}
		}
		return PRes(out.Msg), nil
	}
	// REST at the annotation's path; path variables from the request.
	md := userv2beta.File_zitadel_user_v2beta_user_service_proto.Services().ByName("UserService").Methods().ByName(protoreflect.Name(method))
	b := bindings(md.Parent().(protoreflect.ServiceDescriptor), md)[0]
	path := pathVar.ReplaceAllStringFunc(b.template, func(v string) string {
		f := md.Input().Fields().ByName(protoreflect.Name(strings.Trim(v, "{}")))
		return req.ProtoReflect().Get(f).String()
	})
	body := ""
	if b.method != "GET" && b.method != "DELETE" {
		raw, err := protojson.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		body = string(raw)
	}
	r := e.do(b.method, path, token, body)
	if r.status != 200 {
		code, _ := r.body["code"].(float64)
		msg, _ := r.body["message"].(string)
		return nil, &rpcErr{codes.Code(code), msg}
	}
	// Strict: a field the v2beta message lacks would fail here.
	if err := protojson.Unmarshal([]byte(r.raw), res); err != nil {
		t.Fatalf("REST %s %s: %v in %s", b.method, path, err, r.raw)
	}
	return res, nil
}

// asBeta is v2's answer in v2beta's message, as the relay converts it.
func asBeta(t *testing.T, v2 proto.Message, beta proto.Message) proto.Message {
	t.Helper()
	b, err := proto.Marshal(v2)
	if err != nil {
		t.Fatal(err)
	}
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, beta); err != nil {
		t.Fatal(err)
	}
	return beta
}

// checkChange checks the details of a state change field by field.
func checkChange(t *testing.T, what string, d *objv2beta.Details, seq uint64, org string) {
	t.Helper()
	if d.GetSequence() != seq || d.GetResourceOwner() != org || d.GetChangeDate() == nil || d.GetCreationDate() != nil {
		t.Fatalf("%s: details %v, want sequence %d of org %s, a change date and no creation date", what, d, seq, org)
	}
}

func wantErr(t *testing.T, what string, err *rpcErr, code codes.Code, id string) {
	t.Helper()
	if err == nil || err.code != code || !strings.Contains(err.msg, id) {
		t.Fatalf("%s: %v, want %v with %s", what, err, code, id)
	}
}

// TestUserV2betaEveryMethod drives every method v2beta serves over gRPC,
// gRPC-Web, Connect and REST, on both engines, and checks the relay field by
// field: the state changes' details (sequence, change date, organisation, no
// creation date) and effects; reads equal to v2's answer for the same user
// converted to v2beta's messages; errors with v2's codes and ids; no token,
// no call.
func TestUserV2betaEveryMethod(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := &betaEnv{env: startEnv(t, open(t))}
		e.conn = e.grpcConn()
		v2 := userv2.NewUserServiceClient(e.conn)
		ctx := e.authCtx(e.token)
		v2state := func(id string) userv2.UserState {
			t.Helper()
			r, err := v2.GetUserByID(ctx, &userv2.GetUserByIDRequest{UserId: id})
			if err != nil {
				t.Fatalf("v2 get %s: %v", id, err)
			}
			return r.GetUser().GetState()
		}
		for _, p := range protocols {
			t.Run(p, func(t *testing.T) {
				n := strings.ToLower(strings.ReplaceAll(p, "-", ""))
				t.Run("LockUser", func(t *testing.T) {
					id := e.importHuman("lock-" + n)
					r, err := betaCall[userv2beta.LockUserRequest, userv2beta.LockUserResponse](t, e, p, "LockUser", e.token, &userv2beta.LockUserRequest{UserId: id})
					if err != nil {
						t.Fatal(err)
					}
					checkChange(t, "lock", r.GetDetails(), 2, e.orgID)
					if s := v2state(id); s != userv2.UserState_USER_STATE_LOCKED {
						t.Fatalf("state %v after the lock", s)
					}
					_, err = betaCall[userv2beta.LockUserRequest, userv2beta.LockUserResponse](t, e, p, "LockUser", e.token, &userv2beta.LockUserRequest{UserId: id})
					wantErr(t, "lock twice", err, codes.FailedPrecondition, "COMMAND-lgws8wtsqf")
					_, err = betaCall[userv2beta.LockUserRequest, userv2beta.LockUserResponse](t, e, p, "LockUser", "", &userv2beta.LockUserRequest{UserId: id})
					wantErr(t, "no token", err, codes.Unauthenticated, "")
				})
				t.Run("UnlockUser", func(t *testing.T) {
					id := e.importHuman("unlock-" + n)
					e.must(e.admin("POST", "/management/v1/users/"+id+"/_lock", "{}"), 200)
					r, err := betaCall[userv2beta.UnlockUserRequest, userv2beta.UnlockUserResponse](t, e, p, "UnlockUser", e.token, &userv2beta.UnlockUserRequest{UserId: id})
					if err != nil {
						t.Fatal(err)
					}
					checkChange(t, "unlock", r.GetDetails(), 3, e.orgID)
					if s := v2state(id); s != userv2.UserState_USER_STATE_ACTIVE {
						t.Fatalf("state %v after the unlock", s)
					}
					_, err = betaCall[userv2beta.UnlockUserRequest, userv2beta.UnlockUserResponse](t, e, p, "UnlockUser", e.token, &userv2beta.UnlockUserRequest{UserId: id})
					wantErr(t, "unlock twice", err, codes.FailedPrecondition, "COMMAND-olb9vb0oca")
				})
				t.Run("DeactivateUser", func(t *testing.T) {
					id := e.importHuman("deact-" + n)
					r, err := betaCall[userv2beta.DeactivateUserRequest, userv2beta.DeactivateUserResponse](t, e, p, "DeactivateUser", e.token, &userv2beta.DeactivateUserRequest{UserId: id})
					if err != nil {
						t.Fatal(err)
					}
					checkChange(t, "deactivate", r.GetDetails(), 2, e.orgID)
					if s := v2state(id); s != userv2.UserState_USER_STATE_INACTIVE {
						t.Fatalf("state %v after the deactivation", s)
					}
					_, err = betaCall[userv2beta.DeactivateUserRequest, userv2beta.DeactivateUserResponse](t, e, p, "DeactivateUser", e.token, &userv2beta.DeactivateUserRequest{UserId: id})
					wantErr(t, "deactivate twice", err, codes.FailedPrecondition, "COMMAND-5gunjw0cd7")
				})
				t.Run("ReactivateUser", func(t *testing.T) {
					id := e.importHuman("react-" + n)
					e.must(e.admin("POST", "/management/v1/users/"+id+"/_deactivate", "{}"), 200)
					r, err := betaCall[userv2beta.ReactivateUserRequest, userv2beta.ReactivateUserResponse](t, e, p, "ReactivateUser", e.token, &userv2beta.ReactivateUserRequest{UserId: id})
					if err != nil {
						t.Fatal(err)
					}
					checkChange(t, "reactivate", r.GetDetails(), 3, e.orgID)
					if s := v2state(id); s != userv2.UserState_USER_STATE_ACTIVE {
						t.Fatalf("state %v after the reactivation", s)
					}
					_, err = betaCall[userv2beta.ReactivateUserRequest, userv2beta.ReactivateUserResponse](t, e, p, "ReactivateUser", e.token, &userv2beta.ReactivateUserRequest{UserId: id})
					wantErr(t, "reactivate twice", err, codes.FailedPrecondition, "COMMAND-s5qqcz97hf")
				})
				t.Run("DeleteUser", func(t *testing.T) {
					id := e.importHuman("del-" + n)
					r, err := betaCall[userv2beta.DeleteUserRequest, userv2beta.DeleteUserResponse](t, e, p, "DeleteUser", e.token, &userv2beta.DeleteUserRequest{UserId: id})
					if err != nil {
						t.Fatal(err)
					}
					checkChange(t, "delete", r.GetDetails(), 2, e.orgID)
					if _, err := v2.GetUserByID(ctx, &userv2.GetUserByIDRequest{UserId: id}); status.Code(err) != codes.NotFound {
						t.Fatalf("v2 get after the delete: %v", err)
					}
					_, err = betaCall[userv2beta.DeleteUserRequest, userv2beta.DeleteUserResponse](t, e, p, "DeleteUser", e.token, &userv2beta.DeleteUserRequest{UserId: id})
					wantErr(t, "delete twice", err, codes.NotFound, "COMMAND-bd4ir1mblj")
				})
				t.Run("AddHumanUserAndGetUserByID", func(t *testing.T) {
					name := "added-" + n
					r, err := betaCall[userv2beta.AddHumanUserRequest, userv2beta.AddHumanUserResponse](t, e, p, "AddHumanUser", e.token, &userv2beta.AddHumanUserRequest{
						Username:     proto.String(name),
						Organization: &objv2beta.Organization{Org: &objv2beta.Organization_OrgId{OrgId: e.orgID}},
						Profile: &userv2beta.SetHumanProfile{GivenName: "Given", FamilyName: "Family", NickName: proto.String("Nick"),
							DisplayName: proto.String("Display"), PreferredLanguage: proto.String("de"), Gender: userv2beta.Gender_GENDER_DIVERSE.Enum()},
						Email:        &userv2beta.SetHumanEmail{Email: name + "@example.com", Verification: &userv2beta.SetHumanEmail_IsVerified{IsVerified: true}},
						Phone:        &userv2beta.SetHumanPhone{Phone: "+41791234567", Verification: &userv2beta.SetHumanPhone_IsVerified{IsVerified: true}},
						PasswordType: &userv2beta.AddHumanUserRequest_Password{Password: &userv2beta.Password{Password: "Secret-Pass-1", ChangeRequired: true}},
					})
					if err != nil {
						t.Fatal(err)
					}
					d := r.GetDetails()
					if r.GetUserId() == "" || d.GetSequence() != 1 || d.GetResourceOwner() != e.orgID || d.GetCreationDate() == nil || d.GetChangeDate() == nil {
						t.Fatalf("add: %v", r)
					}
					got, err := betaCall[userv2beta.GetUserByIDRequest, userv2beta.GetUserByIDResponse](t, e, p, "GetUserByID", e.token, &userv2beta.GetUserByIDRequest{UserId: r.GetUserId()})
					if err != nil {
						t.Fatal(err)
					}
					h := got.GetUser().GetHuman()
					if got.GetUser().GetUsername() != name || got.GetUser().GetState() != userv2beta.UserState_USER_STATE_ACTIVE ||
						h.GetProfile().GetGivenName() != "Given" || h.GetProfile().GetNickName() != "Nick" || h.GetProfile().GetGender() != userv2beta.Gender_GENDER_DIVERSE ||
						h.GetProfile().GetPreferredLanguage() != "de" || h.GetEmail().GetEmail() != name+"@example.com" || !h.GetEmail().GetIsVerified() ||
						h.GetPhone().GetPhone() != "+41791234567" || !h.GetPasswordChangeRequired() {
						t.Fatalf("the user as added: %v", got)
					}
					// Field by field what v2 answers, in v2beta's messages.
					want, err2 := v2.GetUserByID(ctx, &userv2.GetUserByIDRequest{UserId: r.GetUserId()})
					if err2 != nil {
						t.Fatal(err2)
					}
					if w := asBeta(t, want, &userv2beta.GetUserByIDResponse{}); !proto.Equal(got, w) {
						t.Fatalf("v2beta GetUserByID\n%v\nv2's answer\n%v", got, w)
					}
					// An INITIAL user (no password): v2's number 5, v2beta's too.
					ini, err := betaCall[userv2beta.AddHumanUserRequest, userv2beta.AddHumanUserResponse](t, e, p, "AddHumanUser", e.token, &userv2beta.AddHumanUserRequest{
						Profile: &userv2beta.SetHumanProfile{GivenName: "I", FamilyName: "N"}, Email: &userv2beta.SetHumanEmail{Email: "initial-" + n + "@example.com"}})
					if err != nil {
						t.Fatal(err)
					}
					gi, err := betaCall[userv2beta.GetUserByIDRequest, userv2beta.GetUserByIDResponse](t, e, p, "GetUserByID", e.token, &userv2beta.GetUserByIDRequest{UserId: ini.GetUserId()})
					if err != nil || gi.GetUser().GetState() != userv2beta.UserState_USER_STATE_INITIAL {
						t.Fatalf("initial user: %v %v", gi, err)
					}
					_, err = betaCall[userv2beta.GetUserByIDRequest, userv2beta.GetUserByIDResponse](t, e, p, "GetUserByID", e.token, &userv2beta.GetUserByIDRequest{UserId: "4242"})
					wantErr(t, "get unknown", err, codes.NotFound, "")
					// What Warden refuses in v2 it refuses in v2beta.
					_, err = betaCall[userv2beta.AddHumanUserRequest, userv2beta.AddHumanUserResponse](t, e, p, "AddHumanUser", e.token, &userv2beta.AddHumanUserRequest{
						Profile: &userv2beta.SetHumanProfile{GivenName: "T", FamilyName: "O"}, Email: &userv2beta.SetHumanEmail{Email: "totp-" + n + "@example.com"},
						TotpSecret: proto.String("JBSWY3DPEHPK3PXP")})
					wantErr(t, "TOTP secret", err, codes.InvalidArgument, "WARDEN-V2UNSUP")
				})
				t.Run("ListUsers", func(t *testing.T) {
					e.importHuman("list-" + n + "-a")
					e.importHuman("list-" + n + "-b")
					req := &userv2beta.ListUsersRequest{SortingColumn: userv2beta.UserFieldName_USER_FIELD_NAME_USER_NAME,
						Query: &objv2beta.ListQuery{Asc: true},
						Queries: []*userv2beta.SearchQuery{{Query: &userv2beta.SearchQuery_UserNameQuery{UserNameQuery: &userv2beta.UserNameQuery{
							UserName: "list-" + n + "-", Method: objv2beta.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH}}}}}
					got, err := betaCall[userv2beta.ListUsersRequest, userv2beta.ListUsersResponse](t, e, p, "ListUsers", e.token, req)
					if err != nil {
						t.Fatal(err)
					}
					if len(got.GetResult()) != 2 || got.GetDetails().GetTotalResult() != 2 || got.GetResult()[0].GetUsername() != "list-"+n+"-a" ||
						got.GetSortingColumn() != userv2beta.UserFieldName_USER_FIELD_NAME_USER_NAME {
						t.Fatalf("list: %v", got)
					}
					var v2req userv2.ListUsersRequest
					asBeta(t, req, &v2req) // the same query, in v2's message
					want, err2 := v2.ListUsers(ctx, &v2req)
					if err2 != nil {
						t.Fatal(err2)
					}
					if w := asBeta(t, want, &userv2beta.ListUsersResponse{}); !proto.Equal(got, w) {
						t.Fatalf("v2beta ListUsers\n%v\nv2's answer\n%v", got, w)
					}
				})
				t.Run("SetPassword", func(t *testing.T) {
					id := e.importHuman("pw-" + n)
					r, err := betaCall[userv2beta.SetPasswordRequest, userv2beta.SetPasswordResponse](t, e, p, "SetPassword", e.token, &userv2beta.SetPasswordRequest{
						UserId: id, NewPassword: &userv2beta.Password{Password: "Another-Pass-2"}})
					if err != nil {
						t.Fatal(err)
					}
					checkChange(t, "set password", r.GetDetails(), 2, e.orgID)
					// The new password is the current one now; the old is not.
					_, err = betaCall[userv2beta.SetPasswordRequest, userv2beta.SetPasswordResponse](t, e, p, "SetPassword", e.token, &userv2beta.SetPasswordRequest{
						UserId: id, NewPassword: &userv2beta.Password{Password: "Third-Pass-3"},
						Verification: &userv2beta.SetPasswordRequest_CurrentPassword{CurrentPassword: "Secret-Pass-1"}})
					_, v2err := v2.SetPassword(ctx, &userv2.SetPasswordRequest{UserId: id, NewPassword: &userv2.Password{Password: "Third-Pass-3"},
						Verification: &userv2.SetPasswordRequest_CurrentPassword{CurrentPassword: "Secret-Pass-1"}})
					if err == nil || v2err == nil || err.code != status.Code(v2err) || err.msg != status.Convert(v2err).Message() {
						t.Fatalf("old password as the current one: v2beta %v, v2 %v", err, v2err)
					}
					if _, err := betaCall[userv2beta.SetPasswordRequest, userv2beta.SetPasswordResponse](t, e, p, "SetPassword", e.token, &userv2beta.SetPasswordRequest{
						UserId: id, NewPassword: &userv2beta.Password{Password: "Third-Pass-3"},
						Verification: &userv2beta.SetPasswordRequest_CurrentPassword{CurrentPassword: "Another-Pass-2"}}); err != nil {
						t.Fatalf("the new password as the current one: %v", err)
					}
				})
			})
		}
	})
}

// TestUserV2betaREST: v2beta's REST paths, in the JSON a curl user writes.
func TestUserV2betaREST(t *testing.T) {
	e := startEnv(t, testdb.SQLite(t))
	id := e.importHuman("beta-rest")
	r := e.must(e.admin("POST", "/v2beta/users/"+id+"/lock", ""), 200) // an empty body, as curl -X POST sends
	if r.str("details", "sequence") != "2" || r.str("details", "resourceOwner") != e.orgID {
		t.Fatalf("lock: %s", r.raw)
	}
	r = e.must(e.admin("GET", "/v2beta/users/"+id, ""), 200)
	var got struct {
		User struct {
			UserID string `json:"userId"`
			State  string `json:"state"`
		} `json:"user"`
	}
	if json.Unmarshal([]byte(r.raw), &got) != nil || got.User.UserID != id || got.User.State != "USER_STATE_LOCKED" {
		t.Fatalf("get: %s", r.raw)
	}
	r = e.admin("POST", "/v2beta/users/"+id+"/lock", "{}")
	if r.status != 400 || r.errID() != "COMMAND-lgws8wtsqf" {
		t.Fatalf("lock twice: %d %s", r.status, r.raw)
	}
}
