package compat

import (
	"slices"
	"testing"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func addPAT(t testing.TB, m management.ManagementServiceClient, userID string) *management.AddPersonalAccessTokenResponse {
	t.Helper()
	r, err := m.AddPersonalAccessToken(ctx(t), &management.AddPersonalAccessTokenRequest{
		UserId: userID, ExpirationDate: timestamppb.New(time.Now().Add(24 * time.Hour)),
	})
	mustOK(t, "AddPersonalAccessToken "+userID, err)
	if r.GetToken() == "" || r.GetTokenId() == "" {
		t.Fatalf("AddPersonalAccessToken %s: token %q id %q, want both set", userID, r.GetToken(), r.GetTokenId())
	}
	return r
}

// TestMachinePAT checks that a machine user's PAT carries exactly its
// membership's permissions, and that a lock kills its tokens for good.
func TestMachinePAT(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		admin := s.mgmt(t, s.adminPAT)
		org := myOrg(t, admin)

		bot := addMachine(t, admin, unique("bot"))
		_, err := admin.AddOrgMember(ctx(t), &management.AddOrgMemberRequest{UserId: bot, Roles: []string{"ORG_USER_MANAGER"}})
		mustOK(t, "AddOrgMember ORG_USER_MANAGER", err)
		members, err := admin.ListOrgMembers(ctx(t), &management.ListOrgMembersRequest{})
		mustOK(t, "ListOrgMembers", err)
		found := false
		for _, mb := range members.GetResult() {
			if mb.GetUserId() == bot {
				found = true
				if !slices.Equal(mb.GetRoles(), []string{"ORG_USER_MANAGER"}) {
					t.Errorf("ListOrgMembers: bot roles %v, want [ORG_USER_MANAGER]", mb.GetRoles())
				}
			}
		}
		if !found {
			t.Fatalf("ListOrgMembers: machine user %s not among %d members", bot, len(members.GetResult()))
		}

		pat := addPAT(t, admin, bot)
		pats, err := admin.ListPersonalAccessTokens(ctx(t), &management.ListPersonalAccessTokensRequest{UserId: bot})
		mustOK(t, "ListPersonalAccessTokens", err)
		if len(pats.GetResult()) != 1 || pats.GetResult()[0].GetId() != pat.GetTokenId() {
			t.Fatalf("ListPersonalAccessTokens: %v, want exactly token %s", pats.GetResult(), pat.GetTokenId())
		}
		// A token without an expiry is listed as ZITADEL stores it: expiring
		// at the end of year 9999 (v1 as v2).
		forever, err := admin.AddPersonalAccessToken(ctx(t), &management.AddPersonalAccessTokenRequest{UserId: bot})
		mustOK(t, "AddPersonalAccessToken without expiry", err)
		pats, err = admin.ListPersonalAccessTokens(ctx(t), &management.ListPersonalAccessTokensRequest{UserId: bot})
		mustOK(t, "ListPersonalAccessTokens", err)
		for _, p := range pats.GetResult() {
			if p.GetId() == forever.GetTokenId() && p.GetExpirationDate().AsTime().Year() != 9999 {
				t.Errorf("ListPersonalAccessTokens: a token without expiry expires %v, want in year 9999", p.GetExpirationDate().AsTime())
			}
		}
		if _, err := admin.RemovePersonalAccessToken(ctx(t), &management.RemovePersonalAccessTokenRequest{UserId: bot, TokenId: forever.GetTokenId()}); err != nil {
			t.Fatal(err)
		}

		// PATs are for machine users only.
		human := importHuman(t, admin, unique("pat-human")).GetUserId()
		if _, err := admin.AddPersonalAccessToken(ctx(t), &management.AddPersonalAccessTokenRequest{UserId: human}); err == nil {
			t.Fatal("AddPersonalAccessToken for a human user: got OK, want an error")
		} else {
			t.Logf("AddPersonalAccessToken for a human user: %s", status.Code(err))
		}

		botAPI := s.mgmt(t, pat.GetToken())
		if got := myOrg(t, botAPI); got != org {
			t.Fatalf("GetMyOrg as the bot: %q, want %q", got, org)
		}
		lock, err := botAPI.LockUser(ctx(t), &management.LockUserRequest{Id: human})
		mustOK(t, "LockUser with the bot's PAT", err)
		if lock.GetDetails().GetResourceOwner() != org {
			t.Errorf("LockUser with the bot's PAT: resource_owner %q, want %q", lock.GetDetails().GetResourceOwner(), org)
		}
		wantState(t, admin, human, user.UserState_USER_STATE_LOCKED)
		// The history names who did it.
		if ch := changes(t, admin, human); ch[len(ch)-1].GetEditorId() != bot {
			t.Errorf("ListUserChanges: last editor %q, want the bot %s", ch[len(ch)-1].GetEditorId(), bot)
		}

		// A removed PAT is dead at once.
		second := addPAT(t, admin, bot)
		_, err = s.mgmt(t, second.GetToken()).GetMyOrg(ctx(t), &management.GetMyOrgRequest{})
		mustOK(t, "GetMyOrg with a second PAT", err)
		_, err = admin.RemovePersonalAccessToken(ctx(t), &management.RemovePersonalAccessTokenRequest{UserId: bot, TokenId: second.GetTokenId()})
		mustOK(t, "RemovePersonalAccessToken", err)
		_, err = s.mgmt(t, second.GetToken()).GetMyOrg(ctx(t), &management.GetMyOrgRequest{})
		wantErr(t, "GetMyOrg with a removed PAT", err, codes.Unauthenticated, "")

		// Locking the bot suspends its token; as in ZITADEL, the unlock brings
		// it back (an administrator issued it: no re-provisioning).
		_, err = admin.LockUser(ctx(t), &management.LockUserRequest{Id: bot})
		mustOK(t, "LockUser of the bot", err)
		_, err = botAPI.UnlockUser(ctx(t), &management.UnlockUserRequest{Id: human})
		wantErr(t, "UnlockUser with a locked bot's PAT", err, codes.Unauthenticated, "")
		wantState(t, admin, human, user.UserState_USER_STATE_LOCKED) // the refused call did not act
		_, err = admin.UnlockUser(ctx(t), &management.UnlockUserRequest{Id: bot})
		mustOK(t, "UnlockUser of the bot", err)
		_, err = botAPI.UnlockUser(ctx(t), &management.UnlockUserRequest{Id: human})
		mustOK(t, "UnlockUser with a PAT issued before the bot's lock, after its unlock", err)
		wantState(t, admin, human, user.UserState_USER_STATE_ACTIVE)

		// Authenticated but without any membership: PermissionDenied, nothing changes.
		loner := addMachine(t, admin, unique("loner"))
		lonerAPI := s.mgmt(t, addPAT(t, admin, loner).GetToken())
		_, err = lonerAPI.LockUser(ctx(t), &management.LockUserRequest{Id: human})
		wantErr(t, "LockUser by a machine user without membership", err, codes.PermissionDenied, "")
		wantState(t, admin, human, user.UserState_USER_STATE_ACTIVE)

		// Removing the membership takes the permission away.
		_, err = admin.RemoveOrgMember(ctx(t), &management.RemoveOrgMemberRequest{UserId: bot})
		mustOK(t, "RemoveOrgMember", err)
		_, err = botAPI.LockUser(ctx(t), &management.LockUserRequest{Id: human})
		wantErr(t, "LockUser after the bot's membership was removed", err, codes.PermissionDenied, "")
		wantState(t, admin, human, user.UserState_USER_STATE_ACTIVE)
	})
}

// TestAuthentication checks the answers to missing and invalid tokens.
func TestAuthentication(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		_, err := s.mgmt(t, "").GetMyOrg(ctx(t), &management.GetMyOrgRequest{})
		wantErr(t, "GetMyOrg without a token", err, codes.Unauthenticated, "")
		_, err = s.mgmt(t, "not-a-token").GetMyOrg(ctx(t), &management.GetMyOrgRequest{})
		wantErr(t, "GetMyOrg with a garbage token", err, codes.Unauthenticated, "")
		_, err = s.users(t, "not-a-token").LockUser(ctx(t), &userv2.LockUserRequest{UserId: "123456789012345678"})
		wantErr(t, "v2 LockUser with a garbage token", err, codes.Unauthenticated, "")
	})
}
