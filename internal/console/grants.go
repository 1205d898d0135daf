package console

import (
	"net/http"
	"net/url"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// A user's grants: the roles of the org context's projects the user holds.
// The user page lists them (ListUserGrants, filtered to the user) and offers
// what UseAddUserGrant, UseDeactivateUserGrant, UseReactivateUserGrant and
// UseRemoveUserGrant allow on its project; adding is two plain steps without JavaScript:
// choose the project, then its roles.

type grantRow struct {
	ID, ProjectID, ProjectName string
	Roles                      []string
	Active                     bool
	Actions                    []actionLink
}

// grantsOf lists the user's grants in the org context; shown is false when
// the caller may not read grants (the page then has no grants section).
func (h *handler) grantsOf(r *http.Request, rq *request, userID string) ([]grantRow, bool, error) {
	s, err := h.scope(r, rq, app.UseListUserGrants)
	if err != nil {
		return nil, false, nil // no permission: the page shows no grants section
	}
	gs, _, err := h.app.ListUserGrants(r.Context(), s, app.GrantFilter{UserIDs: []string{userID}}, store.Page{Limit: listLimit, Asc: true})
	if err != nil {
		return nil, false, err
	}
	var out []grantRow
	for _, g := range gs {
		row := grantRow{ID: g.ID, ProjectID: g.ProjectID, Roles: g.RoleKeys, Active: g.Active()}
		if g.Project != nil {
			row.ProjectName = g.Project.Name
		}
		row.Actions = grantActions(s, userID, row, g.Project)
		out = append(out, row)
	}
	return out, true, nil
}

type newGrantView struct {
	UserID, UserName string
	Projects         []orgOption // the choice of step one
	ByID             bool        // step one without the right to list projects: an id field
	ProjectID        string      // chosen: step two
	ProjectName      string
	Roles            []*project.Role
	Chosen           []string
	Error            string
}

// newGrantForm is the add-grant page: without ?project= the project choice,
// with it that project's roles.
func (h *handler) newGrantForm(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderNewGrant(w, r, rq, http.StatusOK, clip(r.URL.Query().Get("project"), app.MaxIDLen), nil, "")
}

func (h *handler) renderNewGrant(w http.ResponseWriter, r *http.Request, rq *request, status int, projectID string, chosen []string, errText string) {
	ctx := r.Context()
	id := r.PathValue("id")
	s, err := h.scope(r, rq, app.UseAddUserGrant)
	if err == nil && projectID == "" && !s.MayOnProject(app.UseAddUserGrant, nil) {
		err = fail.PermissionDenied // a viewer: the grant itself would be refused
	}
	if err != nil {
		h.fail(w, r, rq, err, "grant roles of projects")
		return
	}
	us, err := h.scope(r, rq, app.UseGetUser)
	if err != nil {
		h.fail(w, r, rq, err, "see this user")
		return
	}
	u, _, err := h.app.GetUser(ctx, us, id)
	if err != nil {
		h.fail(w, r, rq, err, "see this user")
		return
	}
	gv := &newGrantView{UserID: u.ID, UserName: u.UserName, ProjectID: projectID, ProjectName: projectID, Chosen: chosen, Error: errText}
	// A user manager may grant roles without reading projects (as in
	// ZITADEL): it types the project's id and sees only its roles.
	ps, perr := h.scope(r, rq, app.UseListProjects)
	switch {
	case projectID == "" && perr != nil:
		gv.ByID = true
	case projectID == "":
		list, _, err := h.app.ListProjects(ctx, ps, nil, store.Page{Limit: listLimit, Asc: true})
		if err != nil {
			h.fail(w, r, rq, err, "see the projects of this organisation")
			return
		}
		for _, p := range list {
			gv.Projects = append(gv.Projects, orgOption{ID: p.ID, Name: p.Name})
		}
	default:
		if perr == nil {
			p, err := h.app.GetProject(ctx, ps, projectID)
			if err != nil {
				h.fail(w, r, rq, err, "see this project")
				return
			}
			gv.ProjectName = p.Name
			if !s.MayOnProject(app.UseAddUserGrant, p) {
				h.fail(w, r, rq, fail.PermissionDenied, "grant roles of projects")
				return
			}
		}
		rs, err := h.scope(r, rq, app.UseListProjectRoles)
		if err == nil {
			gv.Roles, _, err = h.app.ListProjectRoles(ctx, rs, projectID, app.RoleFilter{}, store.Page{Limit: listLimit, Asc: true})
		}
		if err != nil {
			h.fail(w, r, rq, err, "see this project's roles")
			return
		}
	}
	v := h.base(r, rq, "Grant roles to "+u.UserName)
	v.Section, v.NewGrant = "users", gv
	h.render(w, r, status, "newgrant", v)
}

func (h *handler) addGrant(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	projectID := clip(r.PostForm.Get("project"), app.MaxIDLen)
	roles := r.PostForm["role"]
	if len(roles) > listLimit {
		roles = roles[:listLimit]
	}
	s, err := h.scope(r, rq, app.UseAddUserGrant)
	if err == nil {
		if _, err = h.app.AddUserGrant(r.Context(), s, app.GrantInput{UserID: id, ProjectID: projectID, RoleKeys: roles}); err == nil {
			http.Redirect(w, r, pathUsers+"/"+url.PathEscape(id)+"?done=grant-added", http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, "grant roles of projects", func(status int, text string) {
		h.renderNewGrant(w, r, rq, status, projectID, roles, text)
	})
}

// grantConfirm describes a confirmation of an action on a grant.
func grantConfirm(action, userID, grantID, userName, projectName string) (use app.Use, what string, c confirmView, ok bool) {
	self := pathUsers + "/" + url.PathEscape(userID)
	c = confirmView{PostURL: self + "/grants/" + url.PathEscape(grantID) + "/" + action, CancelURL: self}
	ok = true
	switch action {
	case "deactivate":
		use, what = app.UseDeactivateUserGrant, "deactivate grants"
		c.Question, c.Button, c.Danger = "Deactivate the grant of "+projectName+" to "+userName+"?", "Deactivate grant", true
		c.Explain = userName + " keeps the grant but gets none of its roles until it is reactivated; tokens and sign-ins see this at once."
	case "reactivate":
		use, what = app.UseReactivateUserGrant, "reactivate grants"
		c.Question, c.Button = "Reactivate the grant of "+projectName+" to "+userName+"?", "Reactivate grant"
		c.Explain = userName + " gets the grant's roles again."
	case "remove":
		use, what = app.UseRemoveUserGrant, "remove grants"
		c.Question, c.Button, c.Danger = "Remove the grant of "+projectName+" to "+userName+"?", "Remove grant", true
		c.Explain = userName + " loses every role of " + projectName + " at once."
	default:
		return "", "", c, false
	}
	return use, what, c, true
}

func (h *handler) confirmGrantAction(w http.ResponseWriter, r *http.Request, rq *request) {
	h.confirmGrant(w, r, rq, r.URL.Query().Get("action"), http.StatusOK, "")
}

func (h *handler) confirmGrant(w http.ResponseWriter, r *http.Request, rq *request, action string, status int, errText string) {
	ctx := r.Context()
	id, grantID := r.PathValue("id"), r.PathValue("grant")
	use, what, _, ok := grantConfirm(action, id, grantID, "", "")
	if !ok {
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such action.")
		return
	}
	s, err := h.scope(r, rq, use)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	gs, err := h.scope(r, rq, app.UseGetUserGrant)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	g, err := h.app.GetUserGrant(ctx, gs, id, grantID)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	if !s.MayOnProject(use, g.Project) {
		h.fail(w, r, rq, fail.PermissionDenied, what)
		return
	}
	userName, projectName := id, grantID
	if g.User != nil {
		userName = g.User.UserName
	}
	if g.Project != nil {
		projectName = g.Project.Name
	}
	_, _, c, _ := grantConfirm(action, id, grantID, userName, projectName)
	c.Error = errText
	v := h.base(r, rq, c.Question)
	v.Section, v.Confirm = "users", &c
	h.render(w, r, status, "confirm", v)
}

// grantAction runs a confirmed deactivate, reactivate or remove of a grant.
func (h *handler) grantAction(w http.ResponseWriter, r *http.Request, rq *request) {
	id, grantID, action := r.PathValue("id"), r.PathValue("grant"), r.PathValue("action")
	use, what, _, ok := grantConfirm(action, id, grantID, "", "")
	if !ok {
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such action.")
		return
	}
	s, err := h.scope(r, rq, use)
	if err == nil {
		if action == "remove" {
			_, err = h.app.RemoveUserGrants(r.Context(), s, id, []string{grantID}, false)
		} else {
			_, err = h.app.SetUserGrantActive(r.Context(), s, id, grantID, action == "reactivate")
		}
		if err == nil {
			http.Redirect(w, r, pathUsers+"/"+url.PathEscape(id)+"?done=grant-"+action, http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, what, func(status int, text string) { h.confirmGrant(w, r, rq, action, status, text) })
}

// grantActions are the actions a grant row offers, as the caller may on its
// project (p nil: the project is gone, and with it the grant's roles).
func grantActions(s app.Scope, userID string, g grantRow, p *project.Project) []actionLink {
	base := pathUsers + "/" + url.PathEscape(userID) + "/grants/" + url.PathEscape(g.ID) + "/confirm?action="
	var out []actionLink
	if g.Active && s.MayOnProject(app.UseDeactivateUserGrant, p) {
		out = append(out, actionLink{Label: "Deactivate", URL: base + "deactivate", Danger: true})
	}
	if !g.Active && s.MayOnProject(app.UseReactivateUserGrant, p) {
		out = append(out, actionLink{Label: "Reactivate", URL: base + "reactivate"})
	}
	if s.MayOnProject(app.UseRemoveUserGrant, p) {
		out = append(out, actionLink{Label: "Remove", URL: base + "remove", Danger: true})
	}
	return out
}
