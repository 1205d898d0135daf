package compat

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestUnimplemented checks that methods Warden does not serve say so with
// codes.Unimplemented (ZITADEL clients fall back on it), not another error.
func TestUnimplemented(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		m := s.mgmt(t, s.adminPAT)
		_, err := m.GetLoginPolicy(ctx(t), &management.GetLoginPolicyRequest{})
		wantErr(t, "GetLoginPolicy", err, codes.Unimplemented, "")
		_, err = m.GetPrivacyPolicy(ctx(t), &management.GetPrivacyPolicyRequest{})
		wantErr(t, "GetPrivacyPolicy", err, codes.Unimplemented, "")
		_, err = s.users(t, s.adminPAT).RegisterTOTP(ctx(t), &userv2.RegisterTOTPRequest{UserId: "123456789012345678"})
		wantErr(t, "v2 RegisterTOTP", err, codes.Unimplemented, "")
	})
}

// TestHealthz checks the unauthenticated health probe of the v1 API.
func TestHealthz(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		_, err := s.mgmt(t, "").Healthz(ctx(t), &management.HealthzRequest{})
		mustOK(t, "Healthz without a token", err)
	})
}

// TestConcurrentLock races 32 locks of one user: optimistic concurrency must
// let exactly one win and answer the rest from the new state.
func TestConcurrentLock(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		m := s.mgmt(t, s.adminPAT)
		org := myOrg(t, m)
		id := importHuman(t, m, unique("race")).GetUserId()
		before := getUser(t, m, id).GetDetails().GetSequence()

		const n = 32
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start // release all at once so the calls overlap
				_, errs[i] = m.LockUser(ctx(t), &management.LockUserRequest{Id: id})
			}()
		}
		close(start)
		wg.Wait()

		ok, fp := 0, 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case status.Code(err) == codes.FailedPrecondition:
				fp++
				if d := errorDetail(err); d.GetId() != "COMMAND-3NN8v" {
					t.Errorf("call %d: ErrorDetail id %q, want COMMAND-3NN8v", i, d.GetId())
				}
			default:
				t.Errorf("call %d: unexpected error %v", i, err)
			}
		}
		if ok != 1 || fp != n-1 {
			t.Fatalf("%d concurrent locks: %d OK, %d FailedPrecondition; want 1 and %d", n, ok, fp, n-1)
		}
		u := wantState(t, m, id, user.UserState_USER_STATE_LOCKED)
		if u.GetDetails().GetSequence() != before+1 {
			t.Fatalf("sequence after the race: %d, want %d (one event)", u.GetDetails().GetSequence(), before+1)
		}
		wantChanges(t, m, id, org, "user.human.added", "user.locked")
	})
}

// TestRESTError checks the same refusal over REST: HTTP 400 with a
// google.rpc.Status body carrying the typed ErrorDetail, as curl users see it.
func TestRESTError(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		m := s.mgmt(t, s.adminPAT)
		id := importHuman(t, m, unique("rest")).GetUserId()
		wantSeq := fmt.Sprint(getUser(t, m, id).GetDetails().GetSequence() + 1)
		post := func(path string) (int, []byte) {
			t.Helper()
			req, err := http.NewRequestWithContext(ctx(t), http.MethodPost, "http://"+s.addr+path, strings.NewReader("{}"))
			mustOK(t, "build request", err)
			req.Header.Set("Authorization", "Bearer "+s.adminPAT)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			mustOK(t, "POST "+path, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			mustOK(t, "read body of "+path, err)
			return resp.StatusCode, b
		}
		code, body := post("/management/v1/users/" + id + "/_lock")
		if code != http.StatusOK {
			t.Fatalf("REST lock: HTTP %d %s", code, body)
		}
		var ok struct {
			Details struct {
				Sequence      string `json:"sequence"` // uint64 is a JSON string in protojson
				ChangeDate    string `json:"changeDate"`
				ResourceOwner string `json:"resourceOwner"`
			} `json:"details"`
		}
		if err := json.Unmarshal(body, &ok); err != nil || ok.Details.Sequence != wantSeq || ok.Details.ChangeDate == "" || ok.Details.ResourceOwner == "" {
			t.Fatalf("REST lock body %s: want details with sequence %q, changeDate and resourceOwner (err %v)", body, wantSeq, err)
		}

		code, body = post("/management/v1/users/" + id + "/_lock")
		if code != http.StatusBadRequest {
			t.Fatalf("REST lock of a locked user: HTTP %d %s, want 400", code, body)
		}
		var st struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Details []struct {
				Type    string `json:"@type"`
				ID      string `json:"id"`
				Message string `json:"message"`
			} `json:"details"`
		}
		if err := json.Unmarshal(body, &st); err != nil {
			t.Fatalf("REST error body %s: %v", body, err)
		}
		if st.Code != 9 || len(st.Details) != 1 || st.Details[0].Type != "type.googleapis.com/zitadel.v1.ErrorDetail" ||
			st.Details[0].ID != "COMMAND-3NN8v" || st.Details[0].Message == "" {
			t.Fatalf("REST error body %s: want code 9 with one zitadel.v1.ErrorDetail COMMAND-3NN8v", body)
		}

		code, body = post("/v2/users/" + id + "/lock")
		if code != http.StatusBadRequest || !strings.Contains(string(body), "COMMAND-lgws8wtsqf") {
			t.Fatalf("REST v2 lock of a locked user: HTTP %d %s, want 400 with COMMAND-lgws8wtsqf", code, body)
		}
		if strings.Contains(string(body), "null") {
			t.Errorf("REST error body prints null: %s", body)
		}
	})
}
