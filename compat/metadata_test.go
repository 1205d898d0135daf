package compat

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/zitadel-go/v3/pkg/client"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata"
	metav2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/metadata/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
)

func metaKeysOf[T interface{ GetKey() string }](ms []T) string {
	ks := make([]string, len(ms))
	for i, m := range ms {
		ks[i] = m.GetKey()
	}
	return strings.Join(ks, ",")
}

// TestUserMetadata: zitadel-go v3.29.0's Management, Auth and User v2
// clients set, read, list (by key query) and remove a user's metadata as
// ZITADEL answers them — bytes values, ZITADEL's error ids, the user's
// sequence in the details, user.metadata.set in its history — and a relying
// party asking for urn:zitadel:iam:user:metadata finds the claim at userinfo.
func TestUserMetadata(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		org := myOrg(t, admin)
		name := unique("meta")
		id := importHuman(t, admin, name).GetUserId()

		set, err := admin.SetUserMetadata(ctx(t), &management.SetUserMetadataRequest{Id: id, Key: "color", Value: []byte("blue")})
		mustOK(t, "SetUserMetadata", err)
		wantChangeDetails(t, "SetUserMetadata", set.GetDetails(), 2, org)
		_, err = admin.BulkSetUserMetadata(ctx(t), &management.BulkSetUserMetadataRequest{Id: id, Metadata: []*management.BulkSetUserMetadataRequest_Metadata{
			{Key: "size", Value: []byte("L")}, {Key: "shape", Value: []byte("round")}}})
		mustOK(t, "BulkSetUserMetadata", err)
		got, err := admin.GetUserMetadata(ctx(t), &management.GetUserMetadataRequest{Id: id, Key: "color"})
		mustOK(t, "GetUserMetadata", err)
		if string(got.GetMetadata().GetValue()) != "blue" || got.GetMetadata().GetDetails().GetResourceOwner() != org {
			t.Fatalf("GetUserMetadata: %v", got)
		}
		l, err := admin.ListUserMetadata(ctx(t), &management.ListUserMetadataRequest{Id: id, Queries: []*metadata.MetadataQuery{
			{Query: &metadata.MetadataQuery_KeyQuery{KeyQuery: &metadata.MetadataKeyQuery{Key: "s", Method: object.TextQueryMethod_TEXT_QUERY_METHOD_STARTS_WITH}}}}})
		mustOK(t, "ListUserMetadata", err)
		if metaKeysOf(l.GetResult()) != "size,shape" || l.GetDetails().GetTotalResult() != 2 {
			t.Fatalf("ListUserMetadata: %v", l)
		}
		_, err = admin.SetUserMetadata(ctx(t), &management.SetUserMetadataRequest{Id: id, Key: "empty"})
		wantErr(t, "SetUserMetadata without a value", err, codes.InvalidArgument, "META-2m00f")
		_, err = admin.GetUserMetadata(ctx(t), &management.GetUserMetadataRequest{Id: id, Key: "nope"})
		wantErr(t, "GetUserMetadata of an unknown key", err, codes.NotFound, "QUERY-Rgh32")
		_, err = admin.BulkRemoveUserMetadata(ctx(t), &management.BulkRemoveUserMetadataRequest{Id: id, Keys: []string{"size", "nope"}})
		wantErr(t, "BulkRemoveUserMetadata with an unknown key", err, codes.NotFound, "META-2nnds")
		_, err = admin.RemoveUserMetadata(ctx(t), &management.RemoveUserMetadataRequest{Id: id, Key: "shape"})
		mustOK(t, "RemoveUserMetadata", err)
		wantChanges(t, admin, id, org, "user.human.added", "user.metadata.set", "user.metadata.set", "user.metadata.set", "user.metadata.removed")

		// User v2.
		users := s.users(t, s.adminPAT)
		_, err = users.SetUserMetadata(ctx(t), &userv2.SetUserMetadataRequest{UserId: id, Metadata: []*userv2.Metadata{{Key: "tier", Value: []byte("gold")}}})
		mustOK(t, "v2 SetUserMetadata", err)
		vl, err := users.ListUserMetadata(ctx(t), &userv2.ListUserMetadataRequest{UserId: id, Pagination: &filterv2.PaginationRequest{Asc: true},
			Filters: []*metav2.MetadataSearchFilter{{Filter: &metav2.MetadataSearchFilter_KeyFilter{KeyFilter: &metav2.MetadataKeyFilter{Key: "tier"}}}}})
		mustOK(t, "v2 ListUserMetadata", err)
		if metaKeysOf(vl.GetMetadata()) != "tier" || string(vl.GetMetadata()[0].GetValue()) != "gold" {
			t.Fatalf("v2 ListUserMetadata: %v", vl)
		}
		_, err = users.DeleteUserMetadata(ctx(t), &userv2.DeleteUserMetadataRequest{UserId: id, Keys: []string{"tier"}})
		mustOK(t, "v2 DeleteUserMetadata", err)

		// The caller's own, through Auth v1.
		bot := addMachine(t, admin, unique("bot"))
		pat := addPAT(t, admin, bot).GetToken()
		_, err = admin.SetUserMetadata(ctx(t), &management.SetUserMetadataRequest{Id: bot, Key: "mine", Value: []byte("yes")})
		mustOK(t, "SetUserMetadata", err)
		me := s.authClient(t, client.PAT(pat))
		ml, err := me.ListMyMetadata(ctx(t), &auth.ListMyMetadataRequest{})
		mustOK(t, "ListMyMetadata", err)
		if metaKeysOf(ml.GetResult()) != "mine" {
			t.Fatalf("ListMyMetadata: %v", ml)
		}
		_, err = me.GetMyMetadata(ctx(t), &auth.GetMyMetadataRequest{Key: "color"})
		wantErr(t, "GetMyMetadata of another user's key", err, codes.NotFound, "QUERY-Rgh32")

		// The claim, as a relying party reads it.
		r := newRelyingParty(t, s, []string{oidc.ScopeOpenID, "urn:zitadel:iam:user:metadata"})
		tokens := r.signIn(t, name, humanPassword)
		info, err := rp.Userinfo[*oidc.UserInfo](ctx(t), tokens.AccessToken, oidc.BearerToken, id, r.rp)
		mustOK(t, "userinfo", err)
		md, _ := info.Claims["urn:zitadel:iam:user:metadata"].(map[string]any)
		if md["color"] != base64.RawURLEncoding.EncodeToString([]byte("blue")) || md["size"] != base64.RawURLEncoding.EncodeToString([]byte("L")) || len(md) != 2 {
			t.Fatalf("userinfo metadata claim: %v", info.Claims["urn:zitadel:iam:user:metadata"])
		}
	})
}

// TestOrgMetadata: the Management and OrganizationService v2 clients on an
// org's metadata; another org's owner can neither read nor set it.
func TestOrgMetadata(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		orgs := s.v2Client(t, s.adminPAT).OrganizationServiceV2()
		o, err := orgs.AddOrganization(ctx(t), &orgv2.AddOrganizationRequest{Name: unique("meta")})
		mustOK(t, "AddOrganization", err)
		id := o.GetOrganizationId()
		admin := s.mgmt(t, s.adminPAT)
		in := inOrg(ctx(t), id)
		set, err := admin.SetOrgMetadata(in, &management.SetOrgMetadataRequest{Key: "a", Value: []byte("1")})
		mustOK(t, "SetOrgMetadata", err)
		wantChangeDetails(t, "SetOrgMetadata", set.GetDetails(), 2, id)
		_, err = admin.BulkSetOrgMetadata(in, &management.BulkSetOrgMetadataRequest{Metadata: []*management.BulkSetOrgMetadataRequest_Metadata{{Key: "b", Value: []byte("2")}}})
		mustOK(t, "BulkSetOrgMetadata", err)
		g, err := admin.GetOrgMetadata(in, &management.GetOrgMetadataRequest{Key: "b"})
		mustOK(t, "GetOrgMetadata", err)
		if string(g.GetMetadata().GetValue()) != "2" {
			t.Fatalf("GetOrgMetadata: %v", g)
		}
		_, err = orgs.SetOrganizationMetadata(ctx(t), &orgv2.SetOrganizationMetadataRequest{OrganizationId: id, Metadata: []*orgv2.Metadata{{Key: "c", Value: []byte("3")}}})
		mustOK(t, "SetOrganizationMetadata", err)
		l, err := orgs.ListOrganizationMetadata(ctx(t), &orgv2.ListOrganizationMetadataRequest{OrganizationId: id, Pagination: &filterv2.PaginationRequest{Asc: true}})
		mustOK(t, "ListOrganizationMetadata", err)
		if metaKeysOf(l.GetMetadata()) != "a,b,c" {
			t.Fatalf("ListOrganizationMetadata: %v", l)
		}
		_, err = orgs.DeleteOrganizationMetadata(ctx(t), &orgv2.DeleteOrganizationMetadataRequest{OrganizationId: id, Keys: []string{"c", "zz"}})
		wantErr(t, "DeleteOrganizationMetadata with an unknown key", err, codes.NotFound, "META-2npds")
		_, err = admin.BulkRemoveOrgMetadata(in, &management.BulkRemoveOrgMetadataRequest{Keys: []string{"a", "c"}})
		mustOK(t, "BulkRemoveOrgMetadata", err)
		_, err = admin.RemoveOrgMetadata(in, &management.RemoveOrgMetadataRequest{Key: "a"})
		wantErr(t, "RemoveOrgMetadata of a removed key", err, codes.NotFound, "META-mcnw3")
		ml, err := admin.ListOrgMetadata(in, &management.ListOrgMetadataRequest{})
		mustOK(t, "ListOrgMetadata", err)
		if metaKeysOf(ml.GetResult()) != "b" {
			t.Fatalf("ListOrgMetadata: %v", ml)
		}

		other, err := orgs.AddOrganization(ctx(t), &orgv2.AddOrganizationRequest{Name: unique("evil")})
		mustOK(t, "AddOrganization", err)
		evil := s.orgOwnerPAT(t, other.GetOrganizationId())
		_, err = s.mgmt(t, evil).GetOrgMetadata(inOrg(ctx(t), id), &management.GetOrgMetadataRequest{Key: "b"})
		wantErr(t, "foreign GetOrgMetadata", err, codes.PermissionDenied, "")
		_, err = s.v2Client(t, evil).OrganizationServiceV2().SetOrganizationMetadata(ctx(t), &orgv2.SetOrganizationMetadataRequest{OrganizationId: id,
			Metadata: []*orgv2.Metadata{{Key: "x", Value: []byte("x")}}})
		wantErr(t, "foreign SetOrganizationMetadata", err, codes.PermissionDenied, "")
	})
}
