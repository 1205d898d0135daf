package compat

import (
	"strings"
	"testing"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/change"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/message"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	objv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// errorDetail returns the zitadel.v1.ErrorDetail carried by err's status, or nil.
func errorDetail(err error) *message.ErrorDetail {
	for _, d := range status.Convert(err).Details() {
		if ed, ok := d.(*message.ErrorDetail); ok {
			return ed
		}
	}
	return nil
}

// wantErr asserts err has gRPC code want and, when id is not empty, an
// ErrorDetail with that id (ZITADEL clients branch on these ids).
func wantErr(t testing.TB, what string, err error, want codes.Code, id string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got OK, want %s %s", what, want, id)
	}
	if got := status.Code(err); got != want {
		t.Fatalf("%s: code %s, want %s (err: %v)", what, got, want, err)
	}
	if id == "" {
		return
	}
	d := errorDetail(err)
	if d == nil {
		t.Fatalf("%s: no zitadel.v1.ErrorDetail in status details (err: %v)", what, err)
	}
	if d.GetId() != id {
		t.Fatalf("%s: ErrorDetail id %q, want %q (message %q)", what, d.GetId(), id, d.GetMessage())
	}
	if d.GetMessage() == "" {
		t.Errorf("%s: ErrorDetail %s has an empty message", what, id)
	}
}

func mustOK(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// recent asserts ts is set and close to now (the server runs on this machine).
func recent(t testing.TB, what string, ts *timestamppb.Timestamp) {
	t.Helper()
	if ts == nil {
		t.Fatalf("%s: timestamp not set", what)
	}
	if d := time.Since(ts.AsTime()); d < -5*time.Second || d > time.Minute {
		t.Fatalf("%s: timestamp %s is %s away from now", what, ts.AsTime(), d)
	}
}

// wantChangeDetails checks the ObjectDetails of a state change: the sequence is
// the user's next one, it is owned by org, and it carries the change time.
func wantChangeDetails(t testing.TB, what string, d *object.ObjectDetails, seq uint64, org string) {
	t.Helper()
	if d == nil {
		t.Fatalf("%s: no details", what)
	}
	if d.GetSequence() != seq {
		t.Fatalf("%s: details.sequence %d, want %d", what, d.GetSequence(), seq)
	}
	if d.GetResourceOwner() != org {
		t.Fatalf("%s: details.resource_owner %q, want %q", what, d.GetResourceOwner(), org)
	}
	recent(t, what+": details.change_date", d.GetChangeDate())
}

// wantChangeDetailsV2 is wantChangeDetails for zitadel.object.v2.Details.
func wantChangeDetailsV2(t testing.TB, what string, d *objv2.Details, seq uint64, org string) {
	t.Helper()
	if d == nil {
		t.Fatalf("%s: no details", what)
	}
	if d.GetSequence() != seq {
		t.Fatalf("%s: details.sequence %d, want %d", what, d.GetSequence(), seq)
	}
	if d.GetResourceOwner() != org {
		t.Fatalf("%s: details.resource_owner %q, want %q", what, d.GetResourceOwner(), org)
	}
	recent(t, what+": details.change_date", d.GetChangeDate())
}

// getUser fetches a user over v1 and checks the fields every user must have.
func getUser(t testing.TB, m management.ManagementServiceClient, id string) *user.User {
	t.Helper()
	r, err := m.GetUserByID(ctx(t), &management.GetUserByIDRequest{Id: id})
	mustOK(t, "GetUserByID "+id, err)
	u := r.GetUser()
	if u.GetId() != id {
		t.Fatalf("GetUserByID %s: got user id %q", id, u.GetId())
	}
	if u.GetDetails().GetSequence() == 0 {
		t.Fatalf("GetUserByID %s: details.sequence is 0", id)
	}
	return u
}

func wantState(t testing.TB, m management.ManagementServiceClient, id string, want user.UserState) *user.User {
	t.Helper()
	u := getUser(t, m, id)
	if u.GetState() != want {
		t.Fatalf("user %s: state %s, want %s", id, u.GetState(), want)
	}
	return u
}

// myOrg returns the id of the caller's organisation.
func myOrg(t testing.TB, m management.ManagementServiceClient) string {
	t.Helper()
	r, err := m.GetMyOrg(ctx(t), &management.GetMyOrgRequest{})
	mustOK(t, "GetMyOrg", err)
	if r.GetOrg().GetId() == "" {
		t.Fatal("GetMyOrg: empty org id")
	}
	return r.GetOrg().GetId()
}

func importHuman(t testing.TB, m management.ManagementServiceClient, userName string) *management.ImportHumanUserResponse {
	t.Helper()
	r, err := m.ImportHumanUser(ctx(t), &management.ImportHumanUserRequest{
		UserName: userName,
		Profile: &management.ImportHumanUserRequest_Profile{
			FirstName: "Ada", LastName: "Lovelace", DisplayName: "Ada Lovelace", PreferredLanguage: "en",
		},
		Email:    &management.ImportHumanUserRequest_Email{Email: userName + "@example.com", IsEmailVerified: true},
		Password: "Secr3t-Passw0rd!",
	})
	mustOK(t, "ImportHumanUser "+userName, err)
	if r.GetUserId() == "" {
		t.Fatalf("ImportHumanUser %s: empty user_id", userName)
	}
	return r
}

func addMachine(t testing.TB, m management.ManagementServiceClient, userName string) string {
	t.Helper()
	r, err := m.AddMachineUser(ctx(t), &management.AddMachineUserRequest{
		UserName: userName, Name: "Robot " + userName, Description: "compat test",
		AccessTokenType: user.AccessTokenType_ACCESS_TOKEN_TYPE_BEARER,
	})
	mustOK(t, "AddMachineUser "+userName, err)
	if r.GetUserId() == "" {
		t.Fatalf("AddMachineUser %s: empty user_id", userName)
	}
	if r.GetDetails().GetSequence() != 1 {
		t.Errorf("AddMachineUser %s: details.sequence %d, want 1 (first event)", userName, r.GetDetails().GetSequence())
	}
	return r.GetUserId()
}

// changes lists a user's events oldest first.
func changes(t testing.TB, m management.ManagementServiceClient, id string) []*change.Change {
	t.Helper()
	r, err := m.ListUserChanges(ctx(t), &management.ListUserChangesRequest{
		UserId: id, Query: &change.ChangeQuery{Asc: true, Limit: 1000},
	})
	mustOK(t, "ListUserChanges "+id, err)
	return r.GetResult()
}

// eventName accepts the event type as ZITADEL prints it: the key
// ("EventTypes.user.locked") or the bare type in key or message.
func eventName(c *change.Change) string {
	for _, s := range []string{c.GetEventType().GetKey(), c.GetEventType().GetLocalizedMessage()} {
		if i := strings.Index(s, "user."); i >= 0 {
			return s[i:]
		}
	}
	return c.GetEventType().GetKey()
}

// wantChanges asserts the user's history is exactly these event types with
// sequences 1..n, in order.
func wantChanges(t testing.TB, m management.ManagementServiceClient, id, org string, want ...string) {
	t.Helper()
	got := changes(t, m, id)
	names := make([]string, len(got))
	for i, c := range got {
		names[i] = eventName(c)
	}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("ListUserChanges %s: events %v, want %v", id, names, want)
	}
	for i, c := range got {
		if c.GetSequence() != uint64(i+1) {
			t.Fatalf("ListUserChanges %s: event %d (%s) has sequence %d, want %d", id, i, names[i], c.GetSequence(), i+1)
		}
		if c.GetResourceOwnerId() != org {
			t.Errorf("ListUserChanges %s: event %d resource_owner_id %q, want %q", id, i, c.GetResourceOwnerId(), org)
		}
		recent(t, "ListUserChanges change_date", c.GetChangeDate())
		if i > 0 && c.GetChangeDate().AsTime().Before(got[i-1].GetChangeDate().AsTime()) {
			t.Errorf("ListUserChanges %s: event %d is older than event %d", id, i, i-1)
		}
	}
}
