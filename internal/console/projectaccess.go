package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Who works on a project: its members (PROJECT_OWNER, PROJECT_OWNER_VIEWER),
// the orgs it is granted to (project grants) and each grant's members
// (PROJECT_GRANT_OWNER and its viewer, users of the granted org). Every page
// and post goes through the use cases the API's methods name
// (app/projectmembers.go, projectgrants.go, projectgrantmembers.go); a page
// offers what Scope.MayOnProject allows, and of the member roles only those
// the caller itself holds on the project (Caller.CoversRoles), since the use
// case refuses to hand out or take away more.

func projectMembersPath(id string) string { return projectPath(id) + "/members" }
func projectGrantsPath(id string) string  { return projectPath(id) + "/grants" }
func projectGrantPath(id, grantID string) string {
	return projectGrantsPath(id) + "/" + url.PathEscape(grantID)
}

// memberList is a members table of a project or of a project grant.
type memberList struct {
	Rows     []accessMember
	Total    uint64
	Roles    []string // the roles the caller may give (and so change and take)
	Base     string   // the members' path: a row's form posts to Base/{user}
	CanAdd   bool
	AddUser  string // the add form, shown again after an error
	AddRoles []string
	AddError string
	RowError string
	CSRF     string // the session's, for the rows' forms
	Hint     string // whose users may be added
}

type accessMember struct {
	UserID, LoginName, Name, Type string
	Roles                         []string
	CanChange, CanRemove          bool
}

type projectMembersView struct {
	ProjectID, ProjectName string
	Members                memberList
}

type projectGrantsView struct {
	ProjectID, ProjectName string
	Rows                   []projectGrantRow
	Roles                  []*project.Role // the project's roles, for a new grant
	CanAdd                 bool
	AddOrg                 string // the add form, shown again after an error
	AddRoles               []string
	AddError               string
}

type projectGrantRow struct {
	ID, OrgID, OrgName string
	Roles              []string
	Active             bool
}

type projectGrantView struct {
	ProjectID, ProjectName string
	G                      *project.ProjectGrant
	OrgName                string
	Roles                  []*project.Role // the project's, to choose from
	CanWrite, CanRemove    bool
	RolesError             string
	ShowMembers            bool
	Members                memberList
}

// offeredRoles are those of all the caller holds every permission of in
// scope: the ones the use case would let it give.
func offeredRoles(c *app.Caller, scope string, all []string) []string {
	var out []string
	for _, r := range all {
		if c.CoversRoles(scope, []string{r}) {
			out = append(out, r)
		}
	}
	return out
}

// memberRows names the members (users the use case handed back) and says
// which the caller may change or remove: only those whose roles it covers in
// scope, as the use case decides.
func (h *handler) memberRows(ctx context.Context, c *app.Caller, ms []*org.Member, users map[string]*user.User, scope string, mayChange, mayRemove bool) ([]accessMember, error) {
	var ids []string
	for _, m := range ms {
		if users[m.UserID] != nil {
			ids = append(ids, m.UserID)
		}
	}
	names, err := h.app.LoginNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]accessMember, 0, len(ms))
	for _, m := range ms {
		covers := c.CoversRoles(scope, m.Roles)
		row := accessMember{UserID: m.UserID, LoginName: names[m.UserID], Roles: m.Roles,
			CanChange: mayChange && covers, CanRemove: mayRemove && covers}
		if row.LoginName == "" {
			row.LoginName = "user " + m.UserID
		}
		if u := users[m.UserID]; u != nil {
			row.Name, row.Type = displayName(u), "Human"
			if u.Type == user.TypeMachine {
				row.Type = "Machine"
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// accessProject loads the project a page is about, as GetProject would.
func (h *handler) accessProject(r *http.Request, rq *request) (*project.Project, error) {
	ps, err := h.scope(r, rq, app.UseGetProject)
	if err != nil {
		return nil, err
	}
	return h.app.GetProject(r.Context(), ps, r.PathValue("id"))
}

// projectPage is the scope of use and the project the path names, or false
// once it has answered the page with why the caller may not do what.
func (h *handler) projectPage(w http.ResponseWriter, r *http.Request, rq *request, use app.Use, what string) (app.Scope, *project.Project, bool) {
	s, err := h.scope(r, rq, use)
	if err == nil {
		var p *project.Project
		if p, err = h.accessProject(r, rq); err == nil {
			return s, p, true
		}
	}
	h.fail(w, r, rq, err, what)
	return app.Scope{}, nil, false
}

// refusedBeside answers a failed post of an add or change form: signed out →
// sign in, no permission → the refusal page; anything else (an unknown user or
// org typed in, a role the project lacks) beside the form, whose page fails
// on its own if the project itself is not the caller's to see.
func (h *handler) refusedBeside(w http.ResponseWriter, r *http.Request, rq *request, err error, what string, again func(status int, text string)) {
	status, text := h.errorText(r, err, what)
	switch status {
	case http.StatusUnauthorized:
		h.needSignIn(w, r)
	case http.StatusForbidden:
		h.fail(w, r, rq, err, what)
	default:
		again(status, text)
	}
}

// formRoles reads the chosen roles of a form, bounded.
func formRoles(f url.Values) []string {
	rs := f["role"]
	if len(rs) > 200 {
		rs = rs[:200]
	}
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, clip(r, 4*app.MaxNameLen))
	}
	return out
}

func typedUser(f url.Values) string { return clip(strings.TrimSpace(f.Get("user")), app.MaxNameLen+1) }

// --- project members ---

func (h *handler) showProjectMembers(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderProjectMembers(w, r, rq, http.StatusOK, memberList{})
}

func (h *handler) renderProjectMembers(w http.ResponseWriter, r *http.Request, rq *request, status int, ml memberList) {
	ctx := r.Context()
	const what = "see the members of this project"
	s, p, ok := h.projectPage(w, r, rq, app.UseListProjectMembers, what)
	if !ok {
		return
	}
	ms, users, total, err := h.app.ListProjectMembers(ctx, s, p.ID, app.MemberFilter{}, store.Page{Limit: listLimit, Asc: true})
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	scope := org.ProjectScope(p.OrgID, p.ID)
	ml.Rows, err = h.memberRows(ctx, rq.caller, ms, users, scope, s.MayOnProject(app.UseUpdateProjectMember, p), s.MayOnProject(app.UseRemoveProjectMember, p))
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	ml.Total, ml.Base, ml.CSRF = total, projectMembersPath(p.ID), rq.sess.CSRF
	ml.Hint = "A user of this project's organisation, or of an organisation whose users you may read."
	ml.Roles = offeredRoles(rq.caller, scope, org.ProjectRoles())
	ml.CanAdd = s.MayOnProject(app.UseAddProjectMember, p) && len(ml.Roles) > 0
	v := h.base(r, rq, "Members of "+p.Name)
	v.Section, v.ProjectMembers = "projects", &projectMembersView{ProjectID: p.ID, ProjectName: p.Name, Members: ml}
	v.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, status, "projectmembers", v)
}

func (h *handler) addProjectMember(w http.ResponseWriter, r *http.Request, rq *request) {
	id, typed, roles := r.PathValue("id"), typedUser(r.PostForm), formRoles(r.PostForm)
	s, err := h.scope(r, rq, app.UseAddProjectMember)
	if err == nil {
		if _, err = h.app.ChangeProjectMember(r.Context(), s, id, h.memberUser(r, rq, s.OrgID, typed), roles, app.MemberAdd); err == nil {
			http.Redirect(w, r, projectMembersPath(id)+"?done=pmember-added", http.StatusSeeOther)
			return
		}
	}
	h.refusedBeside(w, r, rq, err, "add members to this project", func(status int, text string) {
		h.renderProjectMembers(w, r, rq, status, memberList{AddUser: typed, AddRoles: roles, AddError: text})
	})
}

func (h *handler) updateProjectMember(w http.ResponseWriter, r *http.Request, rq *request) {
	id, userID := r.PathValue("id"), r.PathValue("user")
	s, err := h.scope(r, rq, app.UseUpdateProjectMember)
	if err == nil {
		if _, err = h.app.ChangeProjectMember(r.Context(), s, id, userID, formRoles(r.PostForm), app.MemberUpdate); err == nil {
			http.Redirect(w, r, projectMembersPath(id)+"?done=pmember-saved", http.StatusSeeOther)
			return
		}
	}
	h.refusedBeside(w, r, rq, err, "change the roles of members of this project", func(status int, text string) {
		h.renderProjectMembers(w, r, rq, status, memberList{RowError: text})
	})
}

func (h *handler) confirmProjectMemberRemove(w http.ResponseWriter, r *http.Request, rq *request) {
	h.projectMemberRemoveConfirm(w, r, rq, http.StatusOK, "")
}

func (h *handler) projectMemberRemoveConfirm(w http.ResponseWriter, r *http.Request, rq *request, status int, errText string) {
	const what = "remove members of this project"
	userID := r.PathValue("user")
	s, p, ok := h.projectPage(w, r, rq, app.UseRemoveProjectMember, what)
	if !ok {
		return
	}
	if !s.MayOnProject(app.UseRemoveProjectMember, p) {
		h.fail(w, r, rq, fail.PermissionDenied, what) // the removal itself would be refused
		return
	}
	name := h.memberName(r.Context(), userID)
	self := projectMembersPath(p.ID)
	c := &confirmView{Question: "Remove " + name + " from " + p.Name + "?", Button: "Remove member", Danger: true,
		Explain: name + " loses its roles on " + p.Name + " at once.", Error: errText,
		PostURL: self + "/" + url.PathEscape(userID) + "/remove", CancelURL: self}
	v := h.base(r, rq, c.Question)
	v.Section, v.Confirm = "projects", c
	h.render(w, r, status, "confirm", v)
}

// memberName is a user's login name for a confirmation, else its id.
func (h *handler) memberName(ctx context.Context, userID string) string {
	if names, err := h.app.LoginNames(ctx, []string{userID}); err == nil && names[userID] != "" {
		return names[userID]
	}
	return "user " + userID
}

func (h *handler) removeProjectMember(w http.ResponseWriter, r *http.Request, rq *request) {
	id, userID := r.PathValue("id"), r.PathValue("user")
	s, err := h.scope(r, rq, app.UseRemoveProjectMember)
	if err == nil {
		if _, err = h.app.ChangeProjectMember(r.Context(), s, id, userID, nil, app.MemberRemove); err == nil {
			http.Redirect(w, r, projectMembersPath(id)+"?done=pmember-removed", http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, "remove members of this project", func(status int, text string) {
		h.projectMemberRemoveConfirm(w, r, rq, status, text)
	})
}

// --- project grants ---

func (h *handler) showProjectGrants(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderProjectGrants(w, r, rq, http.StatusOK, &projectGrantsView{})
}

func (h *handler) renderProjectGrants(w http.ResponseWriter, r *http.Request, rq *request, status int, gv *projectGrantsView) {
	ctx := r.Context()
	const what = "see the grants of this project"
	s, p, ok := h.projectPage(w, r, rq, app.UseListProjectGrants, what)
	if !ok {
		return
	}
	gs, _, err := h.app.ListProjectGrants(ctx, s, p.ID, false, app.ProjectGrantFilter{}, store.Page{Limit: listLimit, Asc: true})
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	gv.ProjectID, gv.ProjectName, gv.Rows = p.ID, p.Name, nil
	for _, g := range gs {
		row := projectGrantRow{ID: g.ID, OrgID: g.GrantedOrgID, OrgName: g.GrantedOrgID, Roles: g.RoleKeys, Active: g.Active()}
		if g.GrantedOrg != nil {
			row.OrgName = g.GrantedOrg.Name
		}
		gv.Rows = append(gv.Rows, row)
	}
	if gv.CanAdd = s.MayOnProject(app.UseAddProjectGrant, p); gv.CanAdd {
		if gv.Roles, err = h.projectRoles(r, rq, p); err != nil {
			h.fail(w, r, rq, err, "see this project's roles")
			return
		}
	}
	v := h.base(r, rq, "Grants of "+p.Name)
	v.Section, v.ProjectGrants = "projects", gv
	v.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, status, "projectgrants", v)
}

// projectRoles lists the project's roles to choose a grant's from; none when
// the caller may not read them (it can then grant no role by name it cannot see).
func (h *handler) projectRoles(r *http.Request, rq *request, p *project.Project) ([]*project.Role, error) {
	rs, err := h.scope(r, rq, app.UseListProjectRoles)
	if err != nil || !rs.MayOnProject(app.UseListProjectRoles, p) {
		return nil, nil
	}
	roles, _, err := h.app.ListProjectRoles(r.Context(), rs, p.ID, app.RoleFilter{}, store.Page{Limit: listLimit, Asc: true})
	return roles, err
}

func (h *handler) addProjectGrant(w http.ResponseWriter, r *http.Request, rq *request) {
	id, roles := r.PathValue("id"), formRoles(r.PostForm)
	typed := clip(strings.TrimSpace(r.PostForm.Get("org")), app.MaxNameLen+1)
	s, err := h.scope(r, rq, app.UseAddProjectGrant)
	if err == nil {
		var g *project.ProjectGrant
		if g, err = h.app.AddProjectGrant(r.Context(), s, id, h.app.GrantOrgID(r.Context(), s, typed), roles); err == nil {
			http.Redirect(w, r, projectGrantPath(id, g.ID)+"?done=pgrant-added", http.StatusSeeOther)
			return
		}
	}
	h.refusedBeside(w, r, rq, err, "grant this project to other organisations", func(status int, text string) {
		h.renderProjectGrants(w, r, rq, status, &projectGrantsView{AddOrg: typed, AddRoles: roles, AddError: text})
	})
}

// --- one project grant and its members ---

func (h *handler) showProjectGrant(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderProjectGrant(w, r, rq, http.StatusOK, "", memberList{})
}

func (h *handler) renderProjectGrant(w http.ResponseWriter, r *http.Request, rq *request, status int, rolesErr string, ml memberList) {
	ctx := r.Context()
	const what = "see the grants of this project"
	s, err := h.scope(r, rq, app.UseGetProjectGrant)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	g, err := h.app.GetProjectGrant(ctx, s, r.PathValue("id"), r.PathValue("grant"))
	if err != nil {
		h.fail(w, r, rq, err, "see this project grant")
		return
	}
	p := g.Project
	gv := &projectGrantView{ProjectID: p.ID, ProjectName: p.Name, G: g.ProjectGrant, OrgName: g.GrantedOrgID, RolesError: rolesErr,
		CanWrite: s.MayOnProject(app.UseUpdateProjectGrant, p), CanRemove: s.MayOnProject(app.UseRemoveProjectGrant, p)}
	if g.GrantedOrg != nil {
		gv.OrgName = g.GrantedOrg.Name
	}
	if gv.CanWrite {
		if gv.Roles, err = h.projectRoles(r, rq, p); err != nil {
			h.fail(w, r, rq, err, "see this project's roles")
			return
		}
	}
	if ms, err := h.scope(r, rq, app.UseListProjectGrantMembers); err == nil && ms.MayOnProject(app.UseListProjectGrantMembers, p) {
		list, users, total, err := h.app.ListProjectGrantMembers(ctx, ms, p.ID, g.ID, app.MemberFilter{}, store.Page{Limit: listLimit, Asc: true})
		if err != nil {
			h.fail(w, r, rq, err, "see the members of this project grant")
			return
		}
		// What the caller must hold is the roles' permissions on the project
		// (the use case acts from the project's side).
		own := org.ProjectScope(p.OrgID, p.ID)
		ml.Rows, err = h.memberRows(ctx, rq.caller, list, users, own,
			ms.MayOnProject(app.UseUpdateProjectGrantMember, p), ms.MayOnProject(app.UseRemoveProjectGrantMember, p))
		if err != nil {
			h.fail(w, r, rq, err, "see the members of this project grant")
			return
		}
		ml.Total, ml.Base, ml.CSRF = total, projectGrantPath(p.ID, g.ID)+"/members", rq.sess.CSRF
		ml.Hint = "A user of " + gv.OrgName + "."
		ml.Roles = offeredRoles(rq.caller, own, org.ProjectGrantRoles())
		ml.CanAdd = ms.MayOnProject(app.UseAddProjectGrantMember, p) && len(ml.Roles) > 0
		gv.ShowMembers, gv.Members = true, ml
	}
	v := h.base(r, rq, p.Name+" for "+gv.OrgName)
	v.Section, v.ProjectGrant = "projects", gv
	v.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, status, "projectgrant", v)
}

func (h *handler) updateProjectGrant(w http.ResponseWriter, r *http.Request, rq *request) {
	id, grantID := r.PathValue("id"), r.PathValue("grant")
	s, err := h.scope(r, rq, app.UseUpdateProjectGrant)
	if err == nil {
		if _, err = h.app.UpdateProjectGrant(r.Context(), s, id, grantID, formRoles(r.PostForm)); err == nil {
			http.Redirect(w, r, projectGrantPath(id, grantID)+"?done=pgrant-saved", http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, "change project grants", func(status int, text string) {
		h.renderProjectGrant(w, r, rq, status, text, memberList{})
	})
}

// pgrantConfirm describes a confirmation on a project grant and names its use
// case; ok is false for an unknown action.
func pgrantConfirm(action, projectID, projectName, grantID, orgName string) (use app.Use, what string, c confirmView, ok bool) {
	self := projectGrantPath(projectID, grantID)
	c = confirmView{PostURL: self + "/" + action, CancelURL: self}
	switch action {
	case "deactivate":
		use, what = app.UseDeactivateProjectGrant, "deactivate project grants"
		c.Question, c.Button, c.Danger = "Deactivate the grant of "+projectName+" to "+orgName+"?", "Deactivate grant", true
		c.Explain = "While it is inactive, the roles " + orgName + " gave its users through it count for nothing."
	case "reactivate":
		use, what = app.UseReactivateProjectGrant, "reactivate project grants"
		c.Question, c.Button = "Reactivate the grant of "+projectName+" to "+orgName+"?", "Reactivate grant"
		c.Explain = "The roles " + orgName + " gave its users through it count again."
	case "remove":
		use, what = app.UseRemoveProjectGrant, "remove project grants"
		c.Question, c.Button, c.Danger = "Remove the grant of "+projectName+" to "+orgName+"?", "Remove grant", true
		c.Explain = orgName + " loses " + projectName + ": the grants it gave its users through it and the grant's members are removed with it. This cannot be undone."
	default:
		return "", "", c, false
	}
	return use, what, c, true
}

func (h *handler) confirmProjectGrantAction(w http.ResponseWriter, r *http.Request, rq *request) {
	h.projectGrantConfirm(w, r, rq, r.URL.Query().Get("action"), http.StatusOK, "")
}

func (h *handler) projectGrantConfirm(w http.ResponseWriter, r *http.Request, rq *request, action string, status int, errText string) {
	id, grantID := r.PathValue("id"), r.PathValue("grant")
	use, what, _, ok := pgrantConfirm(action, id, "", grantID, "")
	if !ok {
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such action.")
		return
	}
	g, ok := h.grantToConfirm(w, r, rq, use, what, id, grantID)
	if !ok {
		return
	}
	orgName := g.GrantedOrgID
	if g.GrantedOrg != nil {
		orgName = g.GrantedOrg.Name
	}
	_, _, c, _ := pgrantConfirm(action, id, g.Project.Name, grantID, orgName)
	c.Error = errText
	v := h.base(r, rq, c.Question)
	v.Section, v.Confirm = "projects", &c
	h.render(w, r, status, "confirm", v)
}

// grantToConfirm loads the project grant a confirmation page asks about, if
// the caller may do use on its project; otherwise it answers and says no.
func (h *handler) grantToConfirm(w http.ResponseWriter, r *http.Request, rq *request, use app.Use, what, projectID, grantID string) (*app.ProjectGrantView, bool) {
	s, err := h.scope(r, rq, use)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return nil, false
	}
	gs, err := h.scope(r, rq, app.UseGetProjectGrant)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return nil, false
	}
	g, err := h.app.GetProjectGrant(r.Context(), gs, projectID, grantID)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return nil, false
	}
	if !s.MayOnProject(use, g.Project) {
		h.fail(w, r, rq, fail.PermissionDenied, what)
		return nil, false
	}
	return g, true
}

// projectGrantAction runs a confirmed deactivate, reactivate or remove.
func (h *handler) projectGrantAction(action string) func(http.ResponseWriter, *http.Request, *request) {
	return func(w http.ResponseWriter, r *http.Request, rq *request) {
		id, grantID := r.PathValue("id"), r.PathValue("grant")
		use, what, _, _ := pgrantConfirm(action, id, "", grantID, "")
		s, err := h.scope(r, rq, use)
		if err == nil {
			if action == "remove" {
				if _, err = h.app.RemoveProjectGrant(r.Context(), s, id, grantID); err == nil {
					http.Redirect(w, r, projectGrantsPath(id)+"?done=pgrant-removed", http.StatusSeeOther)
					return
				}
			} else if _, err = h.app.SetProjectGrantActive(r.Context(), s, id, grantID, action == "reactivate"); err == nil {
				http.Redirect(w, r, projectGrantPath(id, grantID)+"?done=pgrant-"+action, http.StatusSeeOther)
				return
			}
		}
		h.refused(w, r, rq, err, what, func(status int, text string) {
			h.projectGrantConfirm(w, r, rq, action, status, text)
		})
	}
}

func (h *handler) addProjectGrantMember(w http.ResponseWriter, r *http.Request, rq *request) {
	id, grantID, typed, roles := r.PathValue("id"), r.PathValue("grant"), typedUser(r.PostForm), formRoles(r.PostForm)
	s, err := h.scope(r, rq, app.UseAddProjectGrantMember)
	if err == nil {
		userID := typed
		// A user name is looked up in the granted org, whose users alone may
		// be the grant's members (if the caller may read them there).
		if gs, gerr := h.scope(r, rq, app.UseGetProjectGrant); gerr == nil {
			if g, gerr := h.app.GetProjectGrant(r.Context(), gs, id, grantID); gerr == nil {
				userID = h.memberUser(r, rq, g.GrantedOrgID, typed)
			}
		}
		if _, err = h.app.ChangeProjectGrantMember(r.Context(), s, id, grantID, userID, roles, app.MemberAdd); err == nil {
			http.Redirect(w, r, projectGrantPath(id, grantID)+"?done=pgmember-added", http.StatusSeeOther)
			return
		}
	}
	h.refusedBeside(w, r, rq, err, "add members to this project grant", func(status int, text string) {
		h.renderProjectGrant(w, r, rq, status, "", memberList{AddUser: typed, AddRoles: roles, AddError: text})
	})
}

func (h *handler) updateProjectGrantMember(w http.ResponseWriter, r *http.Request, rq *request) {
	id, grantID, userID := r.PathValue("id"), r.PathValue("grant"), r.PathValue("user")
	s, err := h.scope(r, rq, app.UseUpdateProjectGrantMember)
	if err == nil {
		if _, err = h.app.ChangeProjectGrantMember(r.Context(), s, id, grantID, userID, formRoles(r.PostForm), app.MemberUpdate); err == nil {
			http.Redirect(w, r, projectGrantPath(id, grantID)+"?done=pgmember-saved", http.StatusSeeOther)
			return
		}
	}
	h.refusedBeside(w, r, rq, err, "change the roles of members of this project grant", func(status int, text string) {
		h.renderProjectGrant(w, r, rq, status, "", memberList{RowError: text})
	})
}

func (h *handler) confirmProjectGrantMemberRemove(w http.ResponseWriter, r *http.Request, rq *request) {
	h.projectGrantMemberRemoveConfirm(w, r, rq, http.StatusOK, "")
}

func (h *handler) projectGrantMemberRemoveConfirm(w http.ResponseWriter, r *http.Request, rq *request, status int, errText string) {
	const what = "remove members of this project grant"
	id, grantID, userID := r.PathValue("id"), r.PathValue("grant"), r.PathValue("user")
	g, ok := h.grantToConfirm(w, r, rq, app.UseRemoveProjectGrantMember, what, id, grantID)
	if !ok {
		return
	}
	name := h.memberName(r.Context(), userID)
	self := projectGrantPath(id, grantID)
	c := &confirmView{Question: "Remove " + name + " from the grant of " + g.Project.Name + "?", Button: "Remove member", Danger: true,
		Explain: name + " loses its roles on this grant at once.", Error: errText,
		PostURL: self + "/members/" + url.PathEscape(userID) + "/remove", CancelURL: self}
	v := h.base(r, rq, c.Question)
	v.Section, v.Confirm = "projects", c
	h.render(w, r, status, "confirm", v)
}

func (h *handler) removeProjectGrantMember(w http.ResponseWriter, r *http.Request, rq *request) {
	id, grantID, userID := r.PathValue("id"), r.PathValue("grant"), r.PathValue("user")
	s, err := h.scope(r, rq, app.UseRemoveProjectGrantMember)
	if err == nil {
		if _, err = h.app.ChangeProjectGrantMember(r.Context(), s, id, grantID, userID, nil, app.MemberRemove); err == nil {
			http.Redirect(w, r, projectGrantPath(id, grantID)+"?done=pgmember-removed", http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, "remove members of this project grant", func(status int, text string) {
		h.projectGrantMemberRemoveConfirm(w, r, rq, status, text)
	})
}
