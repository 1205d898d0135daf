package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/user"
)

//go:embed templates/*.html templates/console.css
var templateFS embed.FS

// view is what every template gets: the frame (who, which org, navigation,
// the CSRF token for its forms) and the one page body that is set.
type view struct {
	Title   string
	Section string // users, members, policy: the current navigation entry

	SignedIn    bool
	CSRF        string
	Me          string
	OrgID       string
	OrgName     string
	Orgs        []orgOption
	SwitchByID  bool   // instance roles may type an org id the list does not show
	Back        string // where the org switch returns to
	CanUsers    bool
	CanMembers  bool
	CanPolicy   bool
	CanApps     bool
	CanProjects bool
	CanOrg      bool

	Notice     string // after a successful action (role=status)
	Error      string // role=alert, beside the form it belongs to
	Message    string
	SignInLink bool

	Users   *usersView
	User    *userView
	Confirm *confirmView
	NewUser *newUserView
	Secret  *secretView
	Members *membersView
	Policy  *policyView
	Apps    *appsView

	Projects *projectsView
	Project  *projectView
	App      *appView
	NewGrant *newGrantView
	Org      *orgView
	Domains  *domainsView

	ProjectMembers *projectMembersView
	ProjectGrants  *projectGrantsView
	ProjectGrant   *projectGrantView
	// Nothing: the home page of a caller who may see no page (no way back).
	Nothing bool
}

type orgOption struct {
	ID, Name string
	Selected bool
}

// rolesCell is what the member-roles template shows of one member.
type rolesCell struct {
	Action, CSRF      string
	All, Roles        []string
	UserID, LoginName string
	Change            bool
}

type pages struct {
	tmpl   map[string]*template.Template
	css    []byte
	cssTag string // ETag of the stylesheet
}

var funcs = template.FuncMap{
	// Links to a user or a membership: the id escaped as one path segment in Go
	// (html/template alone would leave '/', '?' and '#' in it).
	"userPath":         func(id string) string { return pathUsers + "/" + url.PathEscape(id) },
	"memberPath":       func(id string) string { return pathMembers + "/" + url.PathEscape(id) },
	"projectPath":      projectPath,
	"appPath":          appPath,
	"projectGrantPath": projectGrantPath,
	"domainPath":       domainPath,
	"badge":            func(s user.State) string { return "badge badge-" + strings.ToLower(s.String()) },
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"pathEscape": url.PathEscape,
	"rolesCell": func(action, csrf string, all []string, userID, loginName string, roles []string, change bool) rolesCell {
		return rolesCell{Action: action, CSRF: csrf, All: all, UserID: userID, LoginName: loginName, Roles: roles, Change: change}
	},
	"has": func(list []string, s string) bool {
		for _, v := range list {
			if v == s {
				return true
			}
		}
		return false
	},
}

func loadPages() (*pages, error) {
	css, err := templateFS.ReadFile("templates/console.css")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(css)
	ps := &pages{tmpl: map[string]*template.Template{}, css: css, cssTag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	for _, name := range []string{"message", "users", "user", "confirm", "newuser", "secret", "members", "policy", "apps",
		"projects", "project", "app", "newgrant", "org", "domains",
		"projectmembers", "projectgrants", "projectgrant"} {
		t, err := template.New("base.html").Funcs(funcs).ParseFS(templateFS, "templates/base.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", name, err)
		}
		ps.tmpl[name] = t
	}
	return ps, nil
}

func (h *handler) css(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("ETag", h.pages.cssTag)
	if r.Header.Get("If-None-Match") == h.pages.cssTag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(h.pages.css)
}

// base fills the frame of a signed-in page.
func (h *handler) base(r *http.Request, rq *request, title string) *view {
	v := &view{Title: title, SignedIn: true, CSRF: rq.sess.CSRF, OrgID: rq.orgID(), Back: r.URL.Path}
	ctx := r.Context()
	c := rq.caller
	if u, o, err := h.app.Me(ctx, c); err == nil {
		v.Me = h.app.LoginName(u, o)
	}
	orgs, err := h.app.VisibleOrgs(ctx, c)
	if err != nil {
		h.log.WarnContext(ctx, "console: list orgs", "err", err)
	}
	found := false
	for _, o := range orgs {
		sel := o.ID == v.OrgID
		if sel {
			v.OrgName, found = o.Name, true
		}
		v.Orgs = append(v.Orgs, orgOption{ID: o.ID, Name: o.Name, Selected: sel})
	}
	if !found {
		// Switched to by id: show it too, so the select tells the truth.
		name := v.OrgID
		if o, err := h.app.GetOrg(ctx, v.OrgID); err == nil {
			name = o.Name
		}
		v.OrgName = name
		v.Orgs = append(v.Orgs, orgOption{ID: v.OrgID, Name: name, Selected: true})
	}
	v.SwitchByID = c.Can(org.PermOrgRead, org.InstanceScope)
	v.nav(app.OrgScope(c, v.OrgID))
	return v
}

// nav sets which sections the navigation offers in the org context of s.
func (v *view) nav(s app.Scope) {
	v.CanUsers, v.CanMembers = s.May(app.UseListUsers), s.May(app.UseListMembers)
	v.CanPolicy, v.CanApps = s.May(app.UseGetLockoutPolicy), s.May(app.UseListOrgOIDCApps)
	v.CanProjects, v.CanOrg = s.May(app.UseListProjects), s.May(app.UseGetOrg)
}

// home sends the caller to the first section the navigation offers it — the
// users for an administrator; the projects for a project owner or a
// permission editor, who may not read users — and says so plainly when there
// is none, rather than answering the users page's 403.
func (h *handler) home(w http.ResponseWriter, r *http.Request, rq *request) {
	var v view
	v.nav(app.OrgScope(rq.caller, rq.orgID()))
	for _, s := range []struct {
		ok   bool
		path string
	}{{v.CanUsers, pathUsers}, {v.CanProjects, pathProjects}, {v.CanMembers, pathMembers}, {v.CanApps, pathApps},
		{v.CanOrg, pathOrgSettings}, {v.CanPolicy, pathPolicy}} {
		if s.ok {
			if d := r.URL.Query().Get("done"); notices[d] != "" { // the org switch's notice
				s.path += "?done=" + d
			}
			http.Redirect(w, r, s.path, http.StatusSeeOther)
			return
		}
	}
	page := h.base(r, rq, "Nothing to show")
	page.Nothing = true
	page.Message = TextNothing
	page.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, http.StatusOK, "message", page)
}

// TextNothing is the home page of a caller who may see none of the console's
// pages in its organisation.
const TextNothing = "Your roles give you no page of the console in this organisation. " +
	"Ask an administrator for a role, or choose another organisation above if you have roles there."

// render writes a page. Pages are personal and may show secrets: never cached.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	var buf bytes.Buffer
	if err := h.pages.tmpl[name].ExecuteTemplate(&buf, "base.html", v); err != nil {
		h.log.ErrorContext(r.Context(), "console: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}
