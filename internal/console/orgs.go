package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/policy"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// switchOrg sets the org context of the session: what the API takes from the
// x-zitadel-orgid header. app decides whether the caller may use it.
func (h *handler) switchOrg(w http.ResponseWriter, r *http.Request, rq *request) {
	orgID := strings.TrimSpace(r.PostForm.Get("orgId"))
	if orgID == "" {
		orgID = r.PostForm.Get("org")
	}
	orgID = clip(orgID, app.MaxIDLen+1)
	if _, err := h.app.Authorize(r.Context(), app.OrgScope(rq.caller, orgID), app.UseGetOrg); err != nil {
		h.fail(w, r, rq, err, "open this organisation")
		return
	}
	if orgID == rq.caller.OrgID {
		orgID = "" // follow the caller's own org
	}
	if err := h.app.SetConsoleOrg(r.Context(), rq.cookie, orgID); err != nil {
		h.internal(w, r, "switch org", err)
		return
	}
	back := localPath(r.PostForm.Get("back"))
	switch {
	case strings.HasPrefix(back, pathMembers):
		back = pathMembers
	case strings.HasPrefix(back, pathPolicy):
		back = pathPolicy
	case strings.HasPrefix(back, pathProjects): // the old org's project is not in the new one
		back = pathProjects
	case strings.HasPrefix(back, pathOrgDomains):
		back = pathOrgDomains
	case strings.HasPrefix(back, pathOrgSettings):
		back = pathOrgSettings
	case strings.HasPrefix(back, pathUsers): // a user of the old org is not in the new one
		back = pathUsers
	default: // what the caller may see may differ in the new org
		back = pathHome
	}
	http.Redirect(w, r, back+"?done=org", http.StatusSeeOther)
}

// --- members ---

type membersView struct {
	Rows      []memberRow
	Total     uint64
	Roles     []string
	CanWrite  bool
	AddUser   string
	AddRoles  []string
	AddError  string
	RowError  string
	RowUserID string
}

type memberRow struct {
	UserID, LoginName, Name string
	Roles                   []string
	Type                    string
}

func (h *handler) listMembers(w http.ResponseWriter, r *http.Request, rq *request) {
	h.membersPage(w, r, rq, http.StatusOK, &membersView{})
}

func (h *handler) membersPage(w http.ResponseWriter, r *http.Request, rq *request, status int, mv *membersView) {
	ctx := r.Context()
	s, err := h.scope(r, rq, app.UseListMembers)
	if err != nil {
		h.fail(w, r, rq, err, "see the members of this organisation")
		return
	}
	ms, users, total, err := h.app.ListMembers(ctx, s, store.Page{Limit: 1000, Asc: true})
	if err != nil {
		h.fail(w, r, rq, err, "see the members of this organisation")
		return
	}
	var ids []string
	for _, m := range ms {
		if users[m.UserID] != nil { // only users the caller may read are named
			ids = append(ids, m.UserID)
		}
	}
	names, err := h.app.LoginNames(ctx, ids)
	if err != nil {
		h.fail(w, r, rq, err, "see the members of this organisation")
		return
	}
	mv.Total, mv.Roles = total, org.OrgRoles()
	mv.CanWrite = s.May(app.UseUpdateMember)
	mv.Rows = nil
	for _, m := range ms {
		row := memberRow{UserID: m.UserID, LoginName: names[m.UserID], Roles: m.Roles}
		if row.LoginName == "" {
			row.LoginName = "user " + m.UserID
		}
		if u := users[m.UserID]; u != nil {
			row.Name = displayName(u)
			row.Type = "Human"
			if u.Type == user.TypeMachine {
				row.Type = "Machine"
			}
		}
		mv.Rows = append(mv.Rows, row)
	}
	v := h.base(r, rq, "Members")
	v.Section, v.Members = "members", mv
	v.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, status, "members", v)
}

// memberUser resolves what was typed into "user": a user id, else a user
// name in the org context (when the caller may read its users).
func (h *handler) memberUser(r *http.Request, rq *request, orgID, typed string) string {
	if typed == "" || len(typed) > app.MaxNameLen {
		return typed
	}
	s := app.OrgScope(rq.caller, orgID)
	if !s.May(app.UseGetUser) {
		return typed
	}
	if _, _, err := h.app.GetUser(r.Context(), s, typed); err == nil {
		return typed
	}
	p, _, err := h.app.ListUsers(r.Context(), s, store.UserQuery{UserNames: []store.TextMatch{{Value: typed, Method: store.TextEqualsIgnoreCase}}, Limit: 2})
	if err == nil && len(p.Users) == 1 {
		return p.Users[0].ID
	}
	return typed
}

func (h *handler) addMember(w http.ResponseWriter, r *http.Request, rq *request) {
	typed := clip(strings.TrimSpace(r.PostForm.Get("user")), app.MaxNameLen+1)
	roles := r.PostForm["role"]
	s, err := h.scope(r, rq, app.UseAddMember)
	if err == nil {
		_, err = h.app.ChangeMember(r.Context(), s, h.memberUser(r, rq, s.OrgID, typed), roles, app.MemberAdd)
	}
	if err != nil {
		status, text := h.errorText(r, err, "grant roles")
		switch status {
		case http.StatusUnauthorized:
			h.needSignIn(w, r)
			return
		case http.StatusForbidden: // no form to show the error beside
			h.fail(w, r, rq, err, "grant roles")
			return
		}
		h.membersPage(w, r, rq, status, &membersView{AddUser: typed, AddRoles: roles, AddError: text})
		return
	}
	http.Redirect(w, r, pathMembers+"?done=member", http.StatusSeeOther)
}

func (h *handler) updateMember(w http.ResponseWriter, r *http.Request, rq *request) {
	userID := r.PathValue("user")
	s, err := h.scope(r, rq, app.UseUpdateMember)
	if err == nil {
		_, err = h.app.ChangeMember(r.Context(), s, userID, r.PostForm["role"], app.MemberUpdate)
	}
	if err != nil {
		status, text := h.errorText(r, err, "change roles")
		switch status {
		case http.StatusUnauthorized:
			h.needSignIn(w, r)
			return
		case http.StatusForbidden: // no form to show the error beside
			h.fail(w, r, rq, err, "change roles")
			return
		}
		h.membersPage(w, r, rq, status, &membersView{RowError: text, RowUserID: userID})
		return
	}
	http.Redirect(w, r, pathMembers+"?done=member", http.StatusSeeOther)
}

func (h *handler) confirmRevoke(w http.ResponseWriter, r *http.Request, rq *request) {
	h.revokeConfirm(w, r, rq, http.StatusOK, "")
}

func (h *handler) revokeConfirm(w http.ResponseWriter, r *http.Request, rq *request, status int, errText string) {
	userID := r.PathValue("user")
	if _, err := h.scope(r, rq, app.UseRemoveMember); err != nil {
		h.fail(w, r, rq, err, "revoke roles")
		return
	}
	name := "user " + userID
	if names, err := h.app.LoginNames(r.Context(), []string{userID}); err == nil && names[userID] != "" {
		name = names[userID]
	}
	c := &confirmView{Question: "Revoke the membership of " + name + "?", Button: "Revoke membership", Danger: true,
		Explain: name + " loses every role in this organisation at once.", Error: errText,
		PostURL: pathMembers + "/" + url.PathEscape(userID) + "/remove", CancelURL: pathMembers}
	v := h.base(r, rq, c.Question)
	v.Section, v.Confirm = "members", c
	h.render(w, r, status, "confirm", v)
}

func (h *handler) revokeMember(w http.ResponseWriter, r *http.Request, rq *request) {
	userID := r.PathValue("user")
	s, err := h.scope(r, rq, app.UseRemoveMember)
	if err == nil {
		_, err = h.app.ChangeMember(r.Context(), s, userID, nil, app.MemberRemove)
	}
	if err != nil {
		status, text := h.errorText(r, err, "revoke roles")
		switch status {
		case http.StatusUnauthorized:
			h.needSignIn(w, r)
		case http.StatusForbidden:
			h.fail(w, r, rq, err, "revoke roles")
		default:
			h.revokeConfirm(w, r, rq, status, text)
		}
		return
	}
	http.Redirect(w, r, pathMembers+"?done=revoked", http.StatusSeeOther)
}

// --- lockout policy ---

type policyView struct {
	P         policy.Lockout
	IsDefault bool
	CanWrite  bool
	MaxPwd    string // the form's values, kept on error
	MaxOTP    string
	Error     string
}

func (h *handler) showPolicy(w http.ResponseWriter, r *http.Request, rq *request) {
	h.policyPage(w, r, rq, http.StatusOK, &policyView{})
}

func (h *handler) policyPage(w http.ResponseWriter, r *http.Request, rq *request, status int, pv *policyView) {
	s, err := h.scope(r, rq, app.UseGetLockoutPolicy)
	if err != nil {
		h.fail(w, r, rq, err, "see this organisation's lockout policy")
		return
	}
	p, isDefault, err := h.app.LockoutPolicy(r.Context(), s)
	if err != nil {
		h.fail(w, r, rq, err, "see this organisation's lockout policy")
		return
	}
	pv.P, pv.IsDefault = p, isDefault
	pv.CanWrite = s.May(app.UseUpdateLockoutPolicy)
	if pv.MaxPwd == "" && pv.MaxOTP == "" {
		pv.MaxPwd, pv.MaxOTP = strconv.FormatUint(p.MaxPasswordAttempts, 10), strconv.FormatUint(p.MaxOTPAttempts, 10)
	}
	v := h.base(r, rq, "Lockout policy")
	v.Section, v.Policy = "policy", pv
	v.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, status, "policy", v)
}

func (h *handler) savePolicy(w http.ResponseWriter, r *http.Request, rq *request) {
	pv := &policyView{MaxPwd: clip(strings.TrimSpace(r.PostForm.Get("maxPasswordAttempts")), 20),
		MaxOTP: clip(strings.TrimSpace(r.PostForm.Get("maxOtpAttempts")), 20)}
	if pv.MaxOTP == "" {
		pv.MaxOTP = "0"
	}
	maxPwd, err1 := strconv.ParseUint(pv.MaxPwd, 10, 32)
	maxOTP, err2 := strconv.ParseUint(pv.MaxOTP, 10, 32)
	if err1 != nil || err2 != nil {
		pv.Error = "Enter whole numbers of 0 or more (0 means never lock)."
		h.policyPage(w, r, rq, http.StatusBadRequest, pv)
		return
	}
	s, err := h.scope(r, rq, app.UseUpdateLockoutPolicy)
	if err == nil {
		var isDefault bool
		if _, isDefault, err = h.app.LockoutPolicy(r.Context(), s); err == nil {
			kind := app.PolicyUpdate
			if isDefault {
				kind = app.PolicyAdd // the org gets a policy of its own
			}
			_, err = h.app.ChangeLockoutPolicy(r.Context(), s, maxPwd, maxOTP, kind)
		}
	}
	if err != nil {
		status, text := h.errorText(r, err, "change the lockout policy")
		switch status {
		case http.StatusUnauthorized:
			h.needSignIn(w, r)
			return
		case http.StatusForbidden:
			h.fail(w, r, rq, err, "change the lockout policy")
			return
		}
		pv.Error = text
		h.policyPage(w, r, rq, status, pv)
		return
	}
	http.Redirect(w, r, pathPolicy+"?done=policy", http.StatusSeeOther)
}

func (h *handler) confirmResetPolicy(w http.ResponseWriter, r *http.Request, rq *request) {
	h.resetConfirm(w, r, rq, http.StatusOK, "")
}

func (h *handler) resetConfirm(w http.ResponseWriter, r *http.Request, rq *request, status int, errText string) {
	if _, err := h.scope(r, rq, app.UseResetLockoutPolicy); err != nil {
		h.fail(w, r, rq, err, "change the lockout policy")
		return
	}
	c := &confirmView{Question: "Use the default lockout policy?", Button: "Reset to default", Danger: true,
		Explain: "This organisation's own lockout policy is removed; the instance's default applies from now on.",
		Error:   errText, PostURL: pathPolicy + "/reset", CancelURL: pathPolicy}
	v := h.base(r, rq, c.Question)
	v.Section, v.Confirm = "policy", c
	h.render(w, r, status, "confirm", v)
}

func (h *handler) resetPolicy(w http.ResponseWriter, r *http.Request, rq *request) {
	s, err := h.scope(r, rq, app.UseResetLockoutPolicy)
	if err == nil {
		_, err = h.app.ChangeLockoutPolicy(r.Context(), s, 0, 0, app.PolicyReset)
	}
	if err != nil {
		status, text := h.errorText(r, err, "change the lockout policy")
		switch status {
		case http.StatusUnauthorized:
			h.needSignIn(w, r)
		case http.StatusForbidden:
			h.fail(w, r, rq, err, "change the lockout policy")
		default:
			h.resetConfirm(w, r, rq, status, text)
		}
		return
	}
	http.Redirect(w, r, pathPolicy+"?done=reset", http.StatusSeeOther)
}
