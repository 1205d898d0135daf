package console

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
)

// Projects, their roles and their apps (with the apps' keys). Every handler
// names the use case the API's method names, lets app.Authorize decide it in
// the session's org context, and calls the same app function; what a page
// offers is what Scope.MayOnProject says the caller would pass there, the
// project's own check (a creator acting on its own projects only) included.

// listLimit bounds the rows one project page lists (roles, apps, keys).
const listLimit = 200

// projectPath is a project's page; appPath an app's page.
func projectPath(id string) string { return pathProjects + "/" + url.PathEscape(id) }
func appPath(projectID, appID string) string {
	return projectPath(projectID) + "/apps/" + url.PathEscape(appID)
}

// refused answers a POST whose use case failed: signed out → sign in; no
// permission (or no object) → the plain refusal page, since the form it came
// from is not the caller's to see; anything else → again, to show the form
// with the words beside it.
func (h *handler) refused(w http.ResponseWriter, r *http.Request, rq *request, err error, what string, again func(status int, text string)) {
	status, text := h.errorText(r, err, what)
	switch {
	case status == http.StatusUnauthorized:
		h.needSignIn(w, r)
	case status == http.StatusForbidden || status == http.StatusNotFound || again == nil:
		h.fail(w, r, rq, err, what)
	default:
		again(status, text)
	}
}

// --- the list ---

type projectsView struct {
	Rows      []projectRow
	CanCreate bool
	// The create form, shown again after an error.
	Name                                      string
	RoleAssertion, RoleCheck, HasProjectCheck bool
	Error                                     string
}

type projectRow struct {
	ID, Name                                  string
	Active                                    bool
	RoleAssertion, RoleCheck, HasProjectCheck bool
	Created                                   time.Time
}

func (h *handler) listProjects(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderProjects(w, r, rq, http.StatusOK, &projectsView{})
}

func (h *handler) renderProjects(w http.ResponseWriter, r *http.Request, rq *request, status int, pv *projectsView) {
	s, err := h.scope(r, rq, app.UseListProjects)
	if err != nil {
		h.fail(w, r, rq, err, "see the projects of this organisation")
		return
	}
	ps, _, err := h.app.ListProjects(r.Context(), s, nil, store.Page{Limit: listLimit, Asc: true})
	if err != nil {
		h.fail(w, r, rq, err, "see the projects of this organisation")
		return
	}
	pv.Rows = nil
	for _, p := range ps {
		pv.Rows = append(pv.Rows, projectRow{ID: p.ID, Name: p.Name, Active: p.Active(), RoleAssertion: p.RoleAssertion,
			RoleCheck: p.RoleCheck, HasProjectCheck: p.HasProjectCheck, Created: p.CreatedAt})
	}
	pv.CanCreate = s.MayOnProject(app.UseAddProject, nil)
	v := h.base(r, rq, "Projects")
	v.Section, v.Projects = "projects", pv
	v.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, status, "projects", v)
}

// projectInput reads the settings form (create and save share it).
func projectInput(f url.Values) app.ProjectInput {
	return app.ProjectInput{Name: clip(strings.TrimSpace(f.Get("name")), 4*app.MaxNameLen),
		RoleAssertion: f.Get("roleAssertion") != "", RoleCheck: f.Get("roleCheck") != "", HasProjectCheck: f.Get("hasProjectCheck") != ""}
}

func (h *handler) createProject(w http.ResponseWriter, r *http.Request, rq *request) {
	in := projectInput(r.PostForm)
	s, err := h.scope(r, rq, app.UseAddProject)
	if err == nil {
		var p *project.Project
		if p, err = h.app.AddProject(r.Context(), s, in); err == nil {
			http.Redirect(w, r, projectPath(p.ID)+"?done=project-created", http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, "create projects", func(status int, text string) {
		h.renderProjects(w, r, rq, status, &projectsView{Name: in.Name, RoleAssertion: in.RoleAssertion, RoleCheck: in.RoleCheck,
			HasProjectCheck: in.HasProjectCheck, Error: text})
	})
}

// --- one project ---

type projectView struct {
	P              *project.Project
	Roles          []*project.Role
	Apps           []appSummary
	CanWrite       bool // settings, deactivate, reactivate, apps
	CanRemove      bool
	CanRoles       bool // add and change roles
	CanRemoveRoles bool
	CanApps        bool
	CanMembers     bool // the links to its members and its grants
	CanGrants      bool
	Problem        string // beside the form that failed
	ProblemAt      string // settings, roles, apps
	RoleKey        string // the add-role form, shown again
}

type appSummary struct {
	ID, Name, Kind, ClientID string
	Method                   string
}

// authMethods name the auth methods as the forms offer them.
var (
	oidcMethods = map[int]string{project.AuthBasic: "client secret (basic)", project.AuthPost: "client secret (post)",
		project.AuthNone: "none (PKCE)", project.AuthPrivateKeyJWT: "private key JWT"}
	apiMethods = map[int]string{0: "client secret (basic)", 1: "private key JWT"}
)

func methodName(ap *project.App) string {
	if ap.Kind == project.AppAPI {
		return apiMethods[ap.AuthMethod]
	}
	return oidcMethods[ap.AuthMethod]
}

func kindName(k project.AppKind) string {
	if k == project.AppAPI {
		return "API"
	}
	return "OIDC"
}

func (h *handler) showProject(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderProject(w, r, rq, http.StatusOK, "", "")
}

// renderProject shows a project's page; problem (with the section it belongs
// to) is the error of a form posted from it.
func (h *handler) renderProject(w http.ResponseWriter, r *http.Request, rq *request, status int, at, problem string) {
	ctx := r.Context()
	id := r.PathValue("id")
	s, err := h.scope(r, rq, app.UseGetProject)
	if err != nil {
		h.fail(w, r, rq, err, "see the projects of this organisation")
		return
	}
	p, err := h.app.GetProject(ctx, s, id)
	if err != nil {
		h.fail(w, r, rq, err, "see this project")
		return
	}
	pv := &projectView{P: p, Problem: problem, ProblemAt: at,
		CanWrite: s.MayOnProject(app.UseUpdateProject, p), CanRemove: s.MayOnProject(app.UseRemoveProject, p),
		CanRoles: s.MayOnProject(app.UseAddProjectRole, p), CanRemoveRoles: s.MayOnProject(app.UseRemoveProjectRole, p),
		CanApps: s.MayOnProject(app.UseAddOIDCApp, p), CanMembers: s.MayOnProject(app.UseListProjectMembers, p),
		CanGrants: s.MayOnProject(app.UseListProjectGrants, p)}
	if s.MayOnProject(app.UseListProjectRoles, p) {
		if pv.Roles, _, err = h.app.ListProjectRoles(ctx, s, id, app.RoleFilter{}, store.Page{Limit: listLimit, Asc: true}); err != nil {
			h.fail(w, r, rq, err, "see this project's roles")
			return
		}
	}
	apps, _, err := h.app.ListApps(ctx, s, id, nil, store.Page{Limit: listLimit, Asc: true})
	if err != nil {
		h.fail(w, r, rq, err, "see this project's apps")
		return
	}
	for _, ap := range apps {
		pv.Apps = append(pv.Apps, appSummary{ID: ap.ID, Name: ap.Name, Kind: kindName(ap.Kind), ClientID: ap.ClientID, Method: methodName(ap)})
	}
	if r.Method == http.MethodPost && at == "roles" {
		pv.RoleKey = clip(strings.TrimSpace(r.PostForm.Get("key")), 4*app.MaxNameLen)
	}
	v := h.base(r, rq, p.Name)
	v.Section, v.Project = "projects", pv
	v.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, status, "project", v)
}

func (h *handler) saveProject(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	in := projectInput(r.PostForm)
	s, err := h.scope(r, rq, app.UseUpdateProject)
	if err == nil {
		if _, err = h.app.UpdateProject(r.Context(), s, id, in); err == nil {
			http.Redirect(w, r, projectPath(id)+"?done=project-saved", http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, "change projects", func(status int, text string) {
		h.renderProject(w, r, rq, status, "settings", text)
	})
}

// projectConfirm describes a confirmation on a project page and names its use
// case; ok is false for an unknown action. name, role and appName fill the words.
func projectConfirm(action, projectID, name, role, appID, appName, keyID string) (use app.Use, what string, c confirmView, ok bool) {
	self := projectPath(projectID)
	c = confirmView{PostURL: self + "/" + action, CancelURL: self}
	ok = true
	switch action {
	case "deactivate":
		use, what = app.UseDeactivateProject, "deactivate projects"
		c.Question, c.Button, c.Danger = "Deactivate "+name+"?", "Deactivate project", true
		c.Explain = "While " + name + " is inactive its grants give no roles, and sign-in to its apps that checks roles admits nobody."
	case "reactivate":
		use, what = app.UseReactivateProject, "reactivate projects"
		c.Question, c.Button = "Reactivate "+name+"?", "Reactivate project"
		c.Explain = "Its grants give their roles again."
	case "remove":
		use, what = app.UseRemoveProject, "remove projects"
		c.Question, c.Button, c.Danger = "Remove "+name+"?", "Remove project", true
		c.Explain = name + " is deleted with its roles, its users' grants, its apps and their keys: the apps' clients stop working at once. This cannot be undone."
	case "role-remove":
		use, what = app.UseRemoveProjectRole, "remove roles"
		c.Question, c.Button, c.Danger = "Remove the role "+role+" of "+name+"?", "Remove role", true
		c.Explain = "Users granted " + role + " lose it at once; their grants keep their other roles."
		c.PostURL = self + "/roles/remove"
		c.Hidden = map[string]string{"key": role}
	case "app-remove":
		use, what = app.UseRemoveApp, "remove apps"
		c.Question, c.Button, c.Danger = "Remove the app "+appName+"?", "Remove app", true
		c.Explain = "Its client stops working at once: its secret, keys and tokens are no longer accepted. This cannot be undone."
		c.PostURL, c.CancelURL = appPath(projectID, appID)+"/remove", appPath(projectID, appID)
	case "key-remove":
		use, what = app.UseRemoveAppKey, "remove app keys"
		c.Question, c.Button, c.Danger = "Remove key "+keyID+" of "+appName+"?", "Remove key", true
		c.Explain = "Assertions signed with this key are refused from now on."
		c.PostURL, c.CancelURL = appPath(projectID, appID)+"/keys/"+url.PathEscape(keyID)+"/remove", appPath(projectID, appID)
	default:
		return "", "", c, false
	}
	return use, what, c, true
}

func (h *handler) confirmProjectAction(w http.ResponseWriter, r *http.Request, rq *request) {
	q := r.URL.Query()
	h.confirmProject(w, r, rq, q.Get("action"), clip(q.Get("role"), 4*app.MaxNameLen), clip(q.Get("app"), app.MaxIDLen),
		clip(q.Get("key"), app.MaxIDLen), http.StatusOK, "")
}

// confirmProject shows (or, with an error, shows again) a confirmation; the
// permission is checked, and the objects loaded, before anything is shown.
func (h *handler) confirmProject(w http.ResponseWriter, r *http.Request, rq *request, action, role, appID, keyID string, status int, errText string) {
	ctx := r.Context()
	id := r.PathValue("id")
	use, what, _, ok := projectConfirm(action, id, "", role, appID, "", keyID)
	if !ok {
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such action.")
		return
	}
	s, err := h.scope(r, rq, use)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	rs, err := h.scope(r, rq, app.UseGetProject)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	p, err := h.app.GetProject(ctx, rs, id)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	if !s.MayOnProject(use, p) {
		// Nothing to confirm: the action itself would be refused.
		h.fail(w, r, rq, fail.PermissionDenied, what)
		return
	}
	var appName string
	if action == "app-remove" || action == "key-remove" {
		as, err := h.scope(r, rq, app.UseGetApp)
		if err != nil {
			h.fail(w, r, rq, err, what)
			return
		}
		ap, err := h.app.GetApp(ctx, as, id, appID)
		if err != nil {
			h.fail(w, r, rq, err, what)
			return
		}
		appName = ap.Name
	}
	_, _, c, _ := projectConfirm(action, id, p.Name, role, appID, appName, keyID)
	c.Error = errText
	v := h.base(r, rq, c.Question)
	v.Section, v.Confirm = "projects", &c
	h.render(w, r, status, "confirm", v)
}

// projectAction runs a confirmed deactivate, reactivate or remove.
func (h *handler) projectAction(action string) func(http.ResponseWriter, *http.Request, *request) {
	return func(w http.ResponseWriter, r *http.Request, rq *request) {
		id := r.PathValue("id")
		use, what, _, _ := projectConfirm(action, id, "", "", "", "", "")
		s, err := h.scope(r, rq, use)
		if err == nil {
			switch action {
			case "remove":
				if _, err = h.app.RemoveProject(r.Context(), s, id); err == nil {
					http.Redirect(w, r, pathProjects+"?done=project-removed", http.StatusSeeOther)
					return
				}
			default:
				if _, err = h.app.SetProjectActive(r.Context(), s, id, action == "reactivate"); err == nil {
					http.Redirect(w, r, projectPath(id)+"?done=project-"+action, http.StatusSeeOther)
					return
				}
			}
		}
		h.refused(w, r, rq, err, what, func(status int, text string) {
			h.confirmProject(w, r, rq, action, "", "", "", status, text)
		})
	}
}

// --- roles ---

func roleInput(f url.Values) app.RoleInput {
	get := func(k string) string { return clip(strings.TrimSpace(f.Get(k)), 4*app.MaxNameLen) }
	return app.RoleInput{Key: get("key"), DisplayName: get("displayName"), Group: get("group")}
}

func (h *handler) addRole(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	s, err := h.scope(r, rq, app.UseAddProjectRole)
	if err == nil {
		if _, err = h.app.AddProjectRoles(r.Context(), s, id, []app.RoleInput{roleInput(r.PostForm)}, false); err == nil {
			http.Redirect(w, r, projectPath(id)+"?done=role-added", http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, "add roles", func(status int, text string) { h.renderProject(w, r, rq, status, "roles", text) })
}

func (h *handler) updateRole(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	s, err := h.scope(r, rq, app.UseUpdateProjectRole)
	if err == nil {
		if _, err = h.app.UpdateProjectRole(r.Context(), s, id, roleInput(r.PostForm)); err == nil {
			http.Redirect(w, r, projectPath(id)+"?done=role-saved", http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, "change roles", func(status int, text string) { h.renderProject(w, r, rq, status, "role-list", text) })
}

func (h *handler) removeRole(w http.ResponseWriter, r *http.Request, rq *request) {
	id, key := r.PathValue("id"), clip(r.PostForm.Get("key"), 4*app.MaxNameLen)
	s, err := h.scope(r, rq, app.UseRemoveProjectRole)
	if err == nil {
		if _, err = h.app.RemoveProjectRole(r.Context(), s, id, key); err == nil {
			http.Redirect(w, r, projectPath(id)+"?done=role-removed", http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, "remove roles", func(status int, text string) {
		h.confirmProject(w, r, rq, "role-remove", key, "", "", status, text)
	})
}

// --- apps ---

// appTypes and the grant types the OIDC form offers.
var (
	appTypes   = map[string]int{"web": project.TypeWeb, "user-agent": project.TypeUserAgent, "native": project.TypeNative}
	oidcByForm = map[string]int{"basic": project.AuthBasic, "post": project.AuthPost, "none": project.AuthNone, "private-key-jwt": project.AuthPrivateKeyJWT}
	apiByForm  = map[string]int{"basic": 0, "private-key-jwt": 1}
	grantTypes = map[string]int{"authorization-code": project.GrantAuthorizationCode, "refresh-token": project.GrantRefreshToken,
		"device-code": project.GrantDeviceCode}
)

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// badChoice is a form value that none of the form's options sends.
const badChoice = "Choose one of the options the form offers"

// createApp makes an OIDC or API app and shows its client secret, once.
func (h *handler) createApp(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	f := r.PostForm
	name := clip(strings.TrimSpace(f.Get("name")), 4*app.MaxNameLen)
	again := func(status int, text string) { h.renderProject(w, r, rq, status, "apps", text) }
	var (
		ap     *project.App
		secret string
		err    error
	)
	switch f.Get("kind") {
	case "api":
		method, ok := apiByForm[f.Get("authMethod")]
		if !ok {
			again(http.StatusBadRequest, badChoice+".")
			return
		}
		var s app.Scope
		if s, err = h.scope(r, rq, app.UseAddAPIApp); err == nil {
			ap, secret, err = h.app.AddAPIApp(r.Context(), s, id, name, method)
		}
	case "oidc":
		appType, ok1 := appTypes[f.Get("appType")]
		method, ok2 := oidcByForm[f.Get("authMethod")]
		if !ok1 || !ok2 {
			again(http.StatusBadRequest, badChoice+".")
			return
		}
		cfg := app.OIDCConfig{AppType: appType, AuthMethod: method, DevMode: f.Get("devMode") != "",
			RedirectURIs: lines(f.Get("redirectUris")), PostLogoutRedirectURIs: lines(f.Get("postLogoutRedirectUris")),
			IDTokenRoleAssertion: f.Get("idTokenRoleAssertion") != "", AccessTokenRoleAssertion: f.Get("accessTokenRoleAssertion") != ""}
		if f.Get("jwtAccessToken") != "" {
			cfg.AccessTokenType = project.TokenJWT
		}
		for _, g := range f["grantType"] {
			gt, ok := grantTypes[g]
			if !ok {
				again(http.StatusBadRequest, badChoice+".")
				return
			}
			cfg.GrantTypes = append(cfg.GrantTypes, gt)
		}
		var s app.Scope
		if s, err = h.scope(r, rq, app.UseAddOIDCApp); err == nil {
			ap, secret, err = h.app.AddOIDCApp(r.Context(), s, id, name, cfg)
		}
	default:
		again(http.StatusBadRequest, badChoice+".")
		return
	}
	if err != nil {
		h.refused(w, r, rq, err, "create apps", again)
		return
	}
	if secret == "" {
		http.Redirect(w, r, appPath(id, ap.ID)+"?done=app-created", http.StatusSeeOther)
		return
	}
	v := h.base(r, rq, "Client secret")
	v.Section = "projects"
	v.Secret = &secretView{AppName: ap.Name, Back: appPath(id, ap.ID), ClientID: ap.ClientID, Secret: secret}
	h.render(w, r, http.StatusOK, "secret", v)
}

type appView struct {
	ProjectID, ProjectName string
	A                      *project.App
	Kind, Method           string
	Keys                   []*project.AppKey
	AcceptsKeys            bool
	CanWrite, CanKeys      bool
	KeyError               string
}

func (h *handler) showApp(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderApp(w, r, rq, http.StatusOK, "")
}

func (h *handler) renderApp(w http.ResponseWriter, r *http.Request, rq *request, status int, keyErr string) {
	ctx := r.Context()
	id, appID := r.PathValue("id"), r.PathValue("app")
	s, err := h.scope(r, rq, app.UseGetApp)
	if err != nil {
		h.fail(w, r, rq, err, "see the apps of this organisation")
		return
	}
	p, err := h.app.GetProject(ctx, s, id)
	if err != nil {
		h.fail(w, r, rq, err, "see this project")
		return
	}
	ap, err := h.app.GetApp(ctx, s, id, appID)
	if err != nil {
		h.fail(w, r, rq, err, "see this app")
		return
	}
	av := &appView{ProjectID: p.ID, ProjectName: p.Name, A: ap, Kind: kindName(ap.Kind), Method: methodName(ap), AcceptsKeys: ap.AcceptsKeys(),
		CanWrite: s.MayOnProject(app.UseRemoveApp, p), CanKeys: s.MayOnProject(app.UseAddAppKey, p), KeyError: keyErr}
	if av.AcceptsKeys {
		if av.Keys, _, err = h.app.ListAppKeys(ctx, s, id, appID, store.Page{Limit: listLimit, Asc: true}); err != nil {
			h.fail(w, r, rq, err, "see this app's keys")
			return
		}
	}
	v := h.base(r, rq, ap.Name)
	v.Section, v.App = "projects", av
	v.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, status, "app", v)
}

func (h *handler) removeApp(w http.ResponseWriter, r *http.Request, rq *request) {
	id, appID := r.PathValue("id"), r.PathValue("app")
	s, err := h.scope(r, rq, app.UseRemoveApp)
	if err == nil {
		if _, err = h.app.RemoveApp(r.Context(), s, id, appID); err == nil {
			http.Redirect(w, r, projectPath(id)+"?done=app-removed", http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, "remove apps", func(status int, text string) {
		h.confirmProject(w, r, rq, "app-remove", "", appID, "", status, text)
	})
}

// addAppKey makes a key pair and answers with its key file as a download: the
// private key exists only in this answer (app keeps the public half), so the
// browser saves it once and the page cannot show it again.
func (h *handler) addAppKey(w http.ResponseWriter, r *http.Request, rq *request) {
	id, appID := r.PathValue("id"), r.PathValue("app")
	var exp time.Time
	if d := strings.TrimSpace(r.PostForm.Get("expiration")); d != "" {
		day, err := time.Parse("2006-01-02", d)
		if err != nil {
			h.renderApp(w, r, rq, http.StatusBadRequest, "The expiry date must be a date like 2031-12-31.")
			return
		}
		exp = day.Add(24*time.Hour - time.Second) // to the end of that day, UTC
	}
	s, err := h.scope(r, rq, app.UseAddAppKey)
	if err == nil {
		var k *project.AppKey
		var file []byte
		if k, file, err = h.app.AddAppKey(r.Context(), s, id, appID, app.KeyTypeJSON, exp); err == nil {
			hd := w.Header()
			hd.Set("Content-Type", "application/json")
			hd.Set("Content-Disposition", `attachment; filename="`+k.ID+`.json"`)
			hd.Set("Cache-Control", "no-store")
			_, _ = w.Write(file)
			return
		}
	}
	h.refused(w, r, rq, err, "create app keys", func(status int, text string) { h.renderApp(w, r, rq, status, text) })
}

func (h *handler) removeAppKey(w http.ResponseWriter, r *http.Request, rq *request) {
	id, appID, keyID := r.PathValue("id"), r.PathValue("app"), r.PathValue("key")
	s, err := h.scope(r, rq, app.UseRemoveAppKey)
	if err == nil {
		if _, err = h.app.RemoveAppKey(r.Context(), s, id, appID, keyID); err == nil {
			http.Redirect(w, r, appPath(id, appID)+"?done=key-removed", http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, "remove app keys", func(status int, text string) {
		h.confirmProject(w, r, rq, "key-remove", "", appID, keyID, status, text)
	})
}
