package app

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
)

// TestSignInFlowRules: the use cases that own the sign-in enforce its rules
// themselves, whoever calls them. A request is bound to its browser, only
// moves forward, refuses a user outside the org its org scope names, issues
// one code, and gives tokens once; a refresh token rotates once, and a spent
// one presented again revokes its family.
func TestSignInFlowRules(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		other, err := a.AddOrg(ctx, admin.Caller, "Other Org")
		if err != nil {
			t.Fatal(err)
		}
		ann, err := a.AddHuman(ctx, admin, NewHuman{UserName: "ann", Profile: user.Human{Email: "ann@example.com"}, Password: "Correct-Horse-1"})
		if err != nil {
			t.Fatal(err)
		}
		const browser, thief = "browser-cookie-0123456789abcdef0123", "thief-cookie-0123456789abcdef012345"
		newRequest := func(scopes ...string) *oauth.AuthRequest {
			t.Helper()
			ar, err := a.CreateAuthRequest(ctx, oauth.AuthRequest{ClientID: "client", RedirectURI: "https://rp/cb", ResponseType: "code",
				Scopes: append([]string{"openid"}, scopes...), CodeChallenge: "x", CodeChallengeMethod: "S256"}, browser)
			if err != nil {
				t.Fatal(err)
			}
			return ar
		}
		wantErr := func(what string, err, want error) {
			t.Helper()
			if !errors.Is(err, want) {
				t.Fatalf("%s: %v, want %v", what, err, want)
			}
		}

		// Creation: S256 only; org scopes must name one existing org.
		_, err = a.CreateAuthRequest(ctx, oauth.AuthRequest{Scopes: []string{"openid"}, CodeChallenge: "x", CodeChallengeMethod: "plain"}, browser)
		wantErr("plain PKCE", err, ErrPKCEPlain)
		_, err = a.CreateAuthRequest(ctx, oauth.AuthRequest{Scopes: []string{"openid"}}, "")
		wantErr("no browser", err, ErrNoBrowserBinding)
		for _, sc := range [][]string{
			{oauth.ScopeOrgIDPrefix + "404"},
			{oauth.ScopeOrgDomainPrefix + "nowhere.localhost"},
			{oauth.ScopeOrgIDPrefix + ann.OrgID, oauth.ScopeOrgIDPrefix + other.ID},
		} {
			_, err = a.CreateAuthRequest(ctx, oauth.AuthRequest{Scopes: sc}, browser)
			wantErr("org scopes "+sc[0], err, ErrOrgScope)
		}
		byDomain := newRequest(oauth.ScopeOrgDomainPrefix + a.OrgDomain(other))
		if byDomain.OrgID != other.ID {
			t.Fatalf("a primary-domain scope pinned the request to %q, want %s", byDomain.OrgID, other.ID)
		}

		// Another org's user cannot be authenticated for a restricted request,
		// in either step; the request stays open for another account.
		pinned := newRequest(oauth.ScopeOrgIDPrefix + other.ID)
		wantErr("authenticate another org's user", a.AuthenticateAuthRequest(ctx, pinned.ID, browser, ann.ID, ann.CredentialEpoch, time.Now(), nil), ErrNotAllowedOrg)
		wantErr("complete with another org's user", a.CompleteAuthRequest(ctx, pinned.ID, browser, ann.ID, ann.CredentialEpoch, time.Now(), nil), ErrNotAllowedOrg)
		if p, err := a.PendingAuthRequest(ctx, pinned.ID, browser); err != nil || p.Authenticated {
			t.Fatalf("the restricted request after the refusals: %+v %v", p, err)
		}

		// Bound to the browser; forward only; one code; tokens once.
		ar := newRequest(oauth.ScopeResourceOwner, "offline_access")
		wantErr("another browser", a.SelectLoginName(ctx, ar.ID, thief, "ann"), ErrOtherBrowser)
		if err := a.SelectLoginName(ctx, ar.ID, browser, "ann"); err != nil {
			t.Fatal(err)
		}
		if err := a.CompleteAuthRequest(ctx, ar.ID, browser, ann.ID, ann.CredentialEpoch, time.Now(), []string{"pwd"}); err != nil {
			t.Fatal(err)
		}
		wantErr("a second completion", a.CompleteAuthRequest(ctx, ar.ID, browser, ann.ID, ann.CredentialEpoch, time.Now(), nil), ErrFlowState)
		wantErr("a login name on a done request", a.SelectLoginName(ctx, ar.ID, browser, "admin"), ErrFlowState)
		if _, err := a.CallbackAuthRequest(ctx, ar.ID, thief); !errors.Is(err, ErrAuthRequestNotFound) {
			t.Fatalf("another browser's callback: %v", err)
		}
		if err := a.SaveAuthCode(ctx, ar.ID, "the-code"); err != nil {
			t.Fatal(err)
		}
		wantErr("a second code", a.SaveAuthCode(ctx, ar.ID, "another-code"), ErrAuthRequestNotFound)
		g, err := a.AuthRequestByCode(ctx, "the-code")
		if err != nil || g.Request.UserID != ann.ID {
			t.Fatalf("by code: %+v %v", g, err)
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			issued  []*IssuedTokens
			refused int
		)
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok, err := a.IssueTokens(ctx, TokenGrant{Kind: GrantSignIn, AuthRequestID: ar.ID, WithRefresh: true})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					issued = append(issued, tok)
				} else if errors.Is(err, ErrCodeRedeemed) {
					refused++
				} else {
					t.Errorf("redemption: %v", err)
				}
			}()
		}
		wg.Wait()
		if len(issued) != 1 || refused != 5 {
			t.Fatalf("six redemptions of one code: %d issued, %d refused", len(issued), refused)
		}
		first := issued[0]
		if first.Access.UserID != ann.ID || first.Access.Epoch != ann.CredentialEpoch || first.Refresh == "" {
			t.Fatalf("tokens: %+v", first)
		}

		// Refresh rotates; the spent token presented again revokes the family.
		second, err := a.IssueTokens(ctx, TokenGrant{Kind: GrantRefresh, RefreshToken: first.Refresh, ClientID: "client", WithRefresh: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.ValidAccessToken(ctx, first.Access.ID, ann.ID); err == nil {
			t.Fatal("the rotated refresh token's access token still works")
		}
		_, err = a.IssueTokens(ctx, TokenGrant{Kind: GrantRefresh, RefreshToken: second.Refresh, ClientID: "another-client", WithRefresh: true})
		wantErr("a refresh by another client", err, ErrTokenOtherClient)
		_, err = a.IssueTokens(ctx, TokenGrant{Kind: GrantRefresh, RefreshToken: first.Refresh, ClientID: "client", WithRefresh: true})
		wantErr("a replayed refresh token", err, ErrRefreshReplayed)
		if _, err := a.RefreshGrant(ctx, second.Refresh); !errors.Is(err, ErrRefreshUnknown) {
			t.Fatalf("the family's newest token after the replay: %v, want it revoked", err)
		}
		if _, _, err := a.ValidAccessToken(ctx, second.Access.ID, ann.ID); err == nil {
			t.Fatal("the family's access token still works after the replay")
		}
	})
}
