package api

import (
	"context"
	"fmt"
	"testing"

	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	userv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2beta"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// v2betaRelayed are the methods UserV2beta relays to v2.
var v2betaRelayed = []string{"AddHumanUser", "GetUserByID", "ListUsers", "DeactivateUser", "ReactivateUser",
	"LockUser", "UnlockUser", "DeleteUser", "SetPassword"}

// mirror compares a v2beta message with its v2 twin field by field, the
// nested messages and enums too, and returns every difference. from → to is
// the direction of the relay: the fields of from must all exist in to (diffs
// otherwise); fields only to has are returned in onlyTo.
func mirror(path string, from, to protoreflect.MessageDescriptor, seen map[string]bool) (diffs, onlyTo []string) {
	key := string(from.FullName()) + ">" + string(to.FullName())
	if seen[key] {
		return nil, nil
	}
	seen[key] = true
	ff, tf := from.Fields(), to.Fields()
	for i := 0; i < ff.Len(); i++ {
		f := ff.Get(i)
		p := path + "." + string(f.Name())
		g := tf.ByNumber(f.Number())
		if g == nil {
			diffs = append(diffs, fmt.Sprintf("%s (#%d): no field of that number in %s", p, f.Number(), to.FullName()))
			continue
		}
		if f.Name() != g.Name() || f.JSONName() != g.JSONName() {
			diffs = append(diffs, fmt.Sprintf("%s (#%d): named %s / %s in %s", p, f.Number(), g.Name(), g.JSONName(), to.FullName()))
		}
		if f.Kind() != g.Kind() || f.Cardinality() != g.Cardinality() || f.IsMap() != g.IsMap() || f.HasPresence() != g.HasPresence() {
			diffs = append(diffs, fmt.Sprintf("%s: %v %v (presence %v) vs %v %v (presence %v)", p,
				f.Cardinality(), f.Kind(), f.HasPresence(), g.Cardinality(), g.Kind(), g.HasPresence()))
		}
		fo, gofo := f.ContainingOneof(), g.ContainingOneof()
		if (fo == nil) != (gofo == nil) || (fo != nil && fo.Name() != gofo.Name()) {
			diffs = append(diffs, p+": not in the same oneof")
		}
		switch {
		case f.Message() != nil && g.Message() != nil:
			d, o := mirror(p, f.Message(), g.Message(), seen)
			diffs, onlyTo = append(diffs, d...), append(onlyTo, o...)
		case f.Enum() != nil && g.Enum() != nil:
			fv, gv := f.Enum().Values(), g.Enum().Values()
			for j := 0; j < fv.Len(); j++ {
				v := fv.Get(j)
				if w := gv.ByNumber(v.Number()); w == nil || w.Name() != v.Name() {
					diffs = append(diffs, fmt.Sprintf("%s: enum value %s = %d differs in %s", p, v.Name(), v.Number(), g.Enum().FullName()))
				}
			}
			for j := 0; j < gv.Len(); j++ {
				if w := gv.Get(j); fv.ByNumber(w.Number()) == nil {
					onlyTo = append(onlyTo, fmt.Sprintf("%s: enum value %s", p, w.Name()))
				}
			}
		}
	}
	for i := 0; i < tf.Len(); i++ {
		if g := tf.Get(i); ff.ByNumber(g.Number()) == nil {
			onlyTo = append(onlyTo, path+"."+string(g.Name()))
		}
	}
	return diffs, onlyTo
}

// TestV2betaMessagesMirrorV2 is what makes relay's wire conversion faithful:
// for every relayed method, every field of the v2beta request has the same
// number, name, JSON name, kind, cardinality, presence and oneof in the v2
// request, down through every nested message and enum; and every field of the
// v2 response exists so in the v2beta response, save those v2 added, which
// are listed here and in docs/compat.md.
func TestV2betaMessagesMirrorV2(t *testing.T) {
	beta := userv2beta.File_zitadel_user_v2beta_user_service_proto.Services().ByName("UserService").Methods()
	v2 := userv2.File_zitadel_user_v2_user_service_proto.Services().ByName("UserService").Methods()
	// What v2 has and v2beta lacks: v2beta clients cannot send or see it.
	wantOnlyV2 := map[string]bool{
		"ListUsersRequest.queries.metadata_key_filter":    true,
		"ListUsersRequest.queries.metadata_value_filter":  true,
		"GetUserByIDResponse.user.human.mfa_init_skipped": true,
	}
	seenReq, seenResp := map[string]bool{}, map[string]bool{}
	gotOnlyV2 := map[string]bool{}
	for _, name := range v2betaRelayed {
		b, v := beta.ByName(protoreflect.Name(name)), v2.ByName(protoreflect.Name(name))
		if b == nil || v == nil {
			t.Fatalf("%s: v2beta %v, v2 %v", name, b != nil, v != nil)
		}
		d, only := mirror(name+"Request", b.Input(), v.Input(), seenReq)
		for _, x := range d {
			t.Errorf("request: %s", x)
		}
		for _, o := range only {
			gotOnlyV2[o] = true
		}
		// The answer goes the other way: v2's fields must land in v2beta's.
		d, only = mirror(name+"Response", v.Output(), b.Output(), seenResp)
		for _, x := range d {
			if !wantOnlyV2[pathOf(x)] {
				t.Errorf("response: %s", x)
			}
			gotOnlyV2[pathOf(x)] = true
		}
		if len(only) > 0 {
			t.Errorf("response: v2beta has fields v2 never sets: %v", only)
		}
	}
	for p := range wantOnlyV2 {
		if !gotOnlyV2[p] {
			t.Errorf("%s is no longer v2-only: update the list and docs/compat.md", p)
		}
	}
	for p := range gotOnlyV2 {
		if !wantOnlyV2[p] {
			t.Errorf("v2 has %s, v2beta does not: list it here and in docs/compat.md", p)
		}
	}
}

// pathOf cuts a difference down to its field path.
func pathOf(diff string) string {
	for i, c := range diff {
		if c == ' ' || c == ':' {
			return diff[:i]
		}
	}
	return diff
}

// fakeV2 answers with what it was given, to watch relay's conversion alone.
type fakeV2 struct {
	userv2.UnimplementedUserServiceServer
	gotList *userv2.ListUsersRequest
}

func (f *fakeV2) ListUsers(_ context.Context, r *userv2.ListUsersRequest) (*userv2.ListUsersResponse, error) {
	f.gotList = r
	return &userv2.ListUsersResponse{Result: []*userv2.User{{UserId: "1", State: userv2.UserState_USER_STATE_INITIAL,
		Type: &userv2.User_Human{Human: &userv2.HumanUser{MfaInitSkipped: timestamppb.Now(), PasswordChangeRequired: true}}}}}, nil
}

// TestRelayDropsWhatV2betaDoesNotKnow: a v2beta request carrying a field
// number v2beta lacks but v2 has (ListUsers' metadata filter, #17 of
// SearchQuery) reaches v2 without it; v2beta-known fields arrive intact; and
// a v2-only field of the answer (mfa_init_skipped) does not come back as
// unknown bytes.
func TestRelayDropsWhatV2betaDoesNotKnow(t *testing.T) {
	f := &fakeV2{}
	s := NewUserV2beta(f)
	q := &userv2beta.SearchQuery{Query: &userv2beta.SearchQuery_UserNameQuery{UserNameQuery: &userv2beta.UserNameQuery{UserName: "ann"}}}
	// Field 17 of SearchQuery, as a newer client would send it: unknown to v2beta.
	smuggled := protowire.AppendTag(nil, 17, protowire.BytesType)
	smuggled = protowire.AppendBytes(smuggled, []byte{0x0a, 0x01, 'k'})
	q.ProtoReflect().SetUnknown(smuggled)
	res, err := s.ListUsers(context.Background(), &userv2beta.ListUsersRequest{Queries: []*userv2beta.SearchQuery{q}})
	if err != nil {
		t.Fatal(err)
	}
	got := f.gotList.GetQueries()
	if len(got) != 1 || got[0].GetUserNameQuery().GetUserName() != "ann" || got[0].GetMetadataKeyFilter() != nil ||
		len(got[0].ProtoReflect().GetUnknown()) != 0 {
		t.Fatalf("v2 got %v", f.gotList)
	}
	u := res.GetResult()
	if len(u) != 1 || u[0].GetUserId() != "1" || u[0].GetState() != userv2beta.UserState_USER_STATE_INITIAL ||
		!u[0].GetHuman().GetPasswordChangeRequired() || len(u[0].GetHuman().ProtoReflect().GetUnknown()) != 0 {
		t.Fatalf("v2beta answer %v", res)
	}
}
