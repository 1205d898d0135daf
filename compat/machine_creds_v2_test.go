package compat

import (
	"testing"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/auth"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// TestMachineCredentialsV2 drives user v2's secret, key and PAT methods and
// v1's GetPersonalAccessTokenByIDs (the Terraform provider's PAT read) with
// ZITADEL's own client.
func TestMachineCredentialsV2(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		u := s.users(t, s.adminPAT)
		m := s.mgmt(t, s.adminPAT)
		org := myOrg(t, m)
		bot := addMachine(t, m, unique("v2bot"))

		sec, err := u.AddSecret(ctx(t), &userv2.AddSecretRequest{UserId: bot})
		mustOK(t, "v2 AddSecret", err)
		if sec.GetClientSecret() == "" {
			t.Fatal("v2 AddSecret: no secret")
		}
		recent(t, "v2 AddSecret creation_date", sec.GetCreationDate())
		rs, err := u.RemoveSecret(ctx(t), &userv2.RemoveSecretRequest{UserId: bot})
		mustOK(t, "v2 RemoveSecret", err)
		recent(t, "v2 RemoveSecret deletion_date", rs.GetDeletionDate())

		exp := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
		key, err := u.AddKey(ctx(t), &userv2.AddKeyRequest{UserId: bot, ExpirationDate: timestamppb.New(exp)})
		mustOK(t, "v2 AddKey", err)
		if key.GetKeyId() == "" || len(key.GetKeyContent()) == 0 {
			t.Fatalf("v2 AddKey: %v", key)
		}
		byUser := &userv2.KeysSearchFilter{Filter: &userv2.KeysSearchFilter_UserIdFilter{UserIdFilter: &filterv2.IDFilter{Id: bot}}}
		keys, err := u.ListKeys(ctx(t), &userv2.ListKeysRequest{Filters: []*userv2.KeysSearchFilter{byUser}})
		mustOK(t, "v2 ListKeys", err)
		if len(keys.GetResult()) != 1 || keys.GetResult()[0].GetId() != key.GetKeyId() || keys.GetResult()[0].GetOrganizationId() != org ||
			!keys.GetResult()[0].GetExpirationDate().AsTime().Equal(exp) || keys.GetPagination().GetTotalResult() != 1 {
			t.Fatalf("v2 ListKeys: %v", keys)
		}
		_, err = u.RemoveKey(ctx(t), &userv2.RemoveKeyRequest{UserId: bot, KeyId: key.GetKeyId()})
		mustOK(t, "v2 RemoveKey", err)
		_, err = u.RemoveKey(ctx(t), &userv2.RemoveKeyRequest{UserId: bot, KeyId: key.GetKeyId()})
		wantErr(t, "v2 RemoveKey again", err, codes.NotFound, "COMMAND-4m77G")

		pat, err := u.AddPersonalAccessToken(ctx(t), &userv2.AddPersonalAccessTokenRequest{UserId: bot})
		mustOK(t, "v2 AddPersonalAccessToken", err)
		me := auth.NewAuthServiceClient(s.conn(t, pat.GetToken()))
		_, err = me.GetMyUser(ctx(t), &auth.GetMyUserRequest{})
		mustOK(t, "GetMyUser with the v2 PAT", err)
		byID := &userv2.PersonalAccessTokensSearchFilter{Filter: &userv2.PersonalAccessTokensSearchFilter_TokenIdFilter{TokenIdFilter: &filterv2.IDFilter{Id: pat.GetTokenId()}}}
		pats, err := u.ListPersonalAccessTokens(ctx(t), &userv2.ListPersonalAccessTokensRequest{Filters: []*userv2.PersonalAccessTokensSearchFilter{byID}})
		mustOK(t, "v2 ListPersonalAccessTokens", err)
		if len(pats.GetResult()) != 1 || pats.GetResult()[0].GetUserId() != bot || pats.GetResult()[0].GetExpirationDate().AsTime().Year() != 9999 {
			t.Fatalf("v2 ListPersonalAccessTokens: %v", pats)
		}
		got, err := m.GetPersonalAccessTokenByIDs(ctx(t), &management.GetPersonalAccessTokenByIDsRequest{UserId: bot, TokenId: pat.GetTokenId()})
		mustOK(t, "GetPersonalAccessTokenByIDs", err)
		if got.GetToken().GetId() != pat.GetTokenId() || got.GetToken().GetDetails().GetResourceOwner() != org {
			t.Fatalf("GetPersonalAccessTokenByIDs: %v", got)
		}
		_, err = u.RemovePersonalAccessToken(ctx(t), &userv2.RemovePersonalAccessTokenRequest{UserId: bot, TokenId: pat.GetTokenId()})
		mustOK(t, "v2 RemovePersonalAccessToken", err)
		_, err = m.GetPersonalAccessTokenByIDs(ctx(t), &management.GetPersonalAccessTokenByIDsRequest{UserId: bot, TokenId: pat.GetTokenId()})
		wantErr(t, "GetPersonalAccessTokenByIDs after removal", err, codes.NotFound, "QUERY-fRunu")
		_, err = me.GetMyUser(ctx(t), &auth.GetMyUserRequest{})
		wantErr(t, "a removed PAT", err, codes.Unauthenticated, "")
	})
}
