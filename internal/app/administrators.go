package app

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Administrators (zitadel.internal_permission v2 and v2beta): one API over
// the four memberships — the instance's, an org's, a project's and a project
// grant's. Each call goes to that membership's own use case (ChangeIAMMember,
// ChangeMember, ChangeProjectMember, ChangeProjectGrantMember and their
// lists), so its permission, the escalation rule and its errors are the v1
// method's.

// AdminResource is what an administrator's roles are on: the instance, an
// org (OrgID), a project (ProjectID) or a project grant (ProjectID with
// GrantedOrgID, the org it is granted to, and Grant set: a grant's request
// with an empty org must not become a project's).
type AdminResource struct {
	Instance     bool
	OrgID        string
	ProjectID    string
	Grant        bool
	GrantedOrgID string
}

// AdminKind is the kind of resource of an administrator.
type AdminKind int

const (
	AdminInstance AdminKind = iota + 1
	AdminOrg
	AdminProject
	AdminProjectGrant
)

// Kind tells which resource r names; 0 for none.
func (r AdminResource) Kind() AdminKind {
	switch {
	case r.Instance:
		return AdminInstance
	case r.Grant:
		return AdminProjectGrant
	case r.OrgID != "" && r.ProjectID == "":
		return AdminOrg
	case r.ProjectID != "":
		return AdminProject
	}
	return 0
}

// ChangeAdministrator adds, updates or removes a user's roles on r through
// that membership's use case and returns the time of the change.
func (a *App) ChangeAdministrator(ctx context.Context, c *Caller, r AdminResource, userID string, roles []string, kind MemberChange) (time.Time, error) {
	if c == nil {
		return time.Time{}, fail.Unauthenticated
	}
	switch r.Kind() {
	case AdminInstance:
		d, err := a.ChangeIAMMember(ctx, c, userID, roles, kind)
		if err != nil {
			return time.Time{}, err
		}
		return d.ChangedAt, nil
	case AdminOrg:
		if err := checkID(r.OrgID, errOrgIDMissing); err != nil {
			return time.Time{}, err
		}
		o, err := a.ChangeMember(ctx, OrgScope(c, r.OrgID), userID, roles, kind)
		if err != nil {
			return time.Time{}, err
		}
		return o.ChangedAt, nil
	case AdminProject:
		s, _, err := a.projectOrgScope(ctx, c, r.ProjectID)
		if err != nil {
			return time.Time{}, err
		}
		o, err := a.ChangeProjectMember(ctx, s, r.ProjectID, userID, roles, kind)
		if err != nil {
			return time.Time{}, err
		}
		return o.ChangedAt, nil
	case AdminProjectGrant:
		s, _, err := a.projectOrgScope(ctx, c, r.ProjectID)
		if err != nil {
			return time.Time{}, err
		}
		grantID, err := a.grantTo(ctx, s, r.ProjectID, r.GrantedOrgID, kind)
		if err != nil {
			return time.Time{}, err
		}
		o, err := a.ChangeProjectGrantMember(ctx, s, r.ProjectID, grantID, userID, roles, kind)
		if err != nil {
			return time.Time{}, err
		}
		return o.ChangedAt, nil
	}
	return time.Time{}, errAdminResource
}

// grantTo finds the id of the grant of projectID to grantedOrgID. A missing
// grant is told only to a caller who passes the use case's permission check,
// so the answer does not reveal to others which orgs a project is granted to.
func (a *App) grantTo(ctx context.Context, s Scope, projectID, grantedOrgID string, kind MemberChange) (string, error) {
	if err := checkID(grantedOrgID, errOrgIDMissing); err != nil {
		return "", err
	}
	art, err := a.store.ArtifactByKey(ctx, project.KindProjectGrant, project.ProjectGrantKey(projectID, grantedOrgID))
	if err == nil {
		return art.ID, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", storeErr(err)
	}
	use := map[MemberChange]Use{MemberAdd: UseAddProjectGrantMember, MemberUpdate: UseUpdateProjectGrantMember, MemberRemove: UseRemoveProjectGrantMember}[kind]
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return "", err
	}
	if _, err := projectFor(ctx, a.store, g, projectID); err != nil {
		return "", storeErr(err)
	}
	return "", errPGrantNotFound
}

// ProjectGrantRef names a project grant by its project and granted org, for
// v2beta's administrator filter by grant id (a filter only: the list shows
// what the caller may read whatever it names). ok is false for no such grant.
func (a *App) ProjectGrantRef(ctx context.Context, grantID string) (projectID, grantedOrgID string, ok bool, err error) {
	if err := checkID(grantID, errPGrantNotFound); err != nil {
		return "", "", false, err
	}
	pg, err := loadProjectGrant(ctx, a.store, grantID)
	if err != nil || pg == nil {
		return "", "", false, storeErr(err)
	}
	return pg.ProjectID, pg.GrantedOrgID, true, nil
}

// AdminView is one administrator: a membership with its resource and, where
// the caller may read it, its user.
type AdminView struct {
	Kind    AdminKind
	Member  *org.Member
	User    *user.User // nil: not readable by the caller, or gone
	UserOrg *org.Org
	Org     *org.Org // the org (AdminOrg), the project's org (project, grant)
	Project *project.Project
	Grant   *project.ProjectGrant
}

// AdminQuery is one filter of ListAdministrators; exactly one field is set.
// And, Or and Not nest (ZITADEL allows 20 levels).
type AdminQuery struct {
	And, Or     []AdminQuery
	Not         *AdminQuery
	UserIDs     []string
	Created     *TimeMatch
	Changed     *TimeMatch
	UserOrgID   *string
	LoginName   *string // equal, as ZITADEL compares it
	DisplayName *string // equal
	Resource    *AdminResource
	Role        *string
}

// TimeMatch compares a time (zitadel.filter.v2.TimestampFilter).
type TimeMatch struct {
	At     time.Time
	Method TimeMethod
}

// TimeMethod is a TimestampFilterMethod, by its number.
type TimeMethod int

const (
	TimeEquals TimeMethod = iota
	TimeGreater
	TimeGreaterOrEquals
	TimeLess
	TimeLessOrEquals
)

func (m TimeMatch) holds(t time.Time) bool {
	c := t.Compare(m.At)
	switch m.Method {
	case TimeGreater:
		return c > 0
	case TimeGreaterOrEquals:
		return c >= 0
	case TimeLess:
		return c < 0
	case TimeLessOrEquals:
		return c <= 0
	}
	return t.Equal(m.At)
}

// MaxAdminQueryDepth is how deep And, Or and Not may nest (ZITADEL's limit).
const MaxAdminQueryDepth = 20

// AdminSort is ListAdministrators' sorting column (AdministratorFieldName).
type AdminSort int

const (
	SortAdminCreated AdminSort = iota // unspecified: the creation date, as in ZITADEL
	SortAdminUserID
	SortAdminCreatedAt
	SortAdminChanged
)

// ListAdministrators lists the memberships the caller may read — those the
// four membership lists show it — that match every query of qs. A resource
// query at the top level narrows what is read; without one every org the
// caller reaches is read.
func (a *App) ListAdministrators(ctx context.Context, c *Caller, qs []AdminQuery, sort AdminSort, pg store.Page) ([]*AdminView, uint64, error) {
	if c == nil {
		return nil, 0, fail.Unauthenticated
	}
	var hint *AdminResource
	for _, q := range qs {
		if q.Resource != nil && q.Resource.Kind() != 0 {
			hint = q.Resource
			break
		}
	}
	all, err := a.collectAdmins(ctx, c, hint)
	if err != nil {
		return nil, 0, err
	}
	orgs := map[string]*org.Org{}
	var out []*AdminView
	for _, v := range all {
		if v.User != nil {
			if v.UserOrg, err = a.orgOf(ctx, orgs, v.User.OrgID); err != nil {
				return nil, 0, err
			}
		}
		if a.adminMatchesAll(v, qs) {
			out = append(out, v)
		}
	}
	slices.SortStableFunc(out, func(x, y *AdminView) int {
		var d int
		switch sort {
		case SortAdminUserID:
			d = strings.Compare(x.Member.UserID, y.Member.UserID)
		case SortAdminChanged:
			d = x.Member.ChangedAt.Compare(y.Member.ChangedAt)
		default:
			d = x.Member.CreatedAt.Compare(y.Member.CreatedAt)
		}
		return cmp.Or(d, strings.Compare(x.Member.OrgID, y.Member.OrgID), strings.Compare(x.Member.UserID, y.Member.UserID))
	})
	return pageOf(out, pg), uint64(len(out)), nil // pageOf reverses for !Asc
}

func (a *App) orgOf(ctx context.Context, cache map[string]*org.Org, id string) (*org.Org, error) {
	if o, ok := cache[id]; ok {
		return o, nil
	}
	o, err := a.store.Org(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		o, err = nil, nil
	} else if err != nil {
		return nil, storeErr(err)
	}
	cache[id] = o
	return o, nil
}

// skipped tells whether a list use case's refusal means "not this one" for
// ListAdministrators, which shows what the caller may read and refuses nothing.
func skipped(err error) bool {
	return errors.Is(err, fail.PermissionDenied) || errors.Is(err, fail.OrgNotFound) ||
		errors.Is(err, errProjectNotFound) || errors.Is(err, errPGrantNotFound)
}

// allPages reads every page of a list use case.
func allPages[T any](list func(store.Page) ([]T, uint64, error)) ([]T, error) {
	var out []T
	for {
		page, total, err := list(store.Page{Offset: len(out), Limit: 1000, Asc: true})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || uint64(len(out)) >= total {
			return out, nil
		}
	}
}

type memberPage struct {
	ms    []*org.Member
	users map[string]*user.User
}

// members reads every member a membership list use case shows.
func members(list func(store.Page) ([]*org.Member, map[string]*user.User, uint64, error)) (memberPage, error) {
	out := memberPage{users: map[string]*user.User{}}
	_, err := allPages(func(p store.Page) ([]*org.Member, uint64, error) {
		ms, us, total, err := list(p)
		for k, u := range us {
			out.users[k] = u
		}
		out.ms = append(out.ms, ms...)
		return ms, total, err
	})
	return out, err
}

// collectAdmins reads, through the membership list use cases, every
// membership the caller may read on hint's resource (nil: on all).
func (a *App) collectAdmins(ctx context.Context, c *Caller, hint *AdminResource) ([]*AdminView, error) {
	var out []*AdminView
	add := func(kind AdminKind, mp memberPage, o *org.Org, p *project.Project, gr *project.ProjectGrant) {
		for _, m := range mp.ms {
			out = append(out, &AdminView{Kind: kind, Member: m, User: mp.users[m.UserID], Org: o, Project: p, Grant: gr})
		}
	}
	kind := AdminKind(0)
	if hint != nil {
		kind = hint.Kind()
	}
	if kind == 0 || kind == AdminInstance {
		mp, err := members(func(p store.Page) ([]*org.Member, map[string]*user.User, uint64, error) {
			return a.ListIAMMembers(ctx, c, MemberFilter{}, p)
		})
		if err != nil && !skipped(err) {
			return nil, err
		}
		add(AdminInstance, mp, nil, nil, nil)
		if kind == AdminInstance {
			return out, nil
		}
	}
	var orgIDs []string
	switch kind {
	case AdminOrg:
		orgIDs = []string{hint.OrgID}
	case AdminProject, AdminProjectGrant:
		s, _, err := a.projectOrgScope(ctx, c, hint.ProjectID)
		if skipped(err) {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		orgIDs = []string{s.OrgID}
	default:
		ids, err := a.grantOrgs(ctx, c, nil)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			o, _ := org.SplitScope(id) // a project or grant scope: its org
			orgIDs = append(orgIDs, o)
		}
		orgIDs = slices.Compact(slices.Sorted(slices.Values(orgIDs)))
	}
	for _, orgID := range orgIDs {
		if orgID == "" {
			continue
		}
		s := OrgScope(c, orgID)
		o, err := a.store.Org(ctx, orgID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, storeErr(err)
		}
		if kind == 0 || kind == AdminOrg {
			mp, err := members(func(p store.Page) ([]*org.Member, map[string]*user.User, uint64, error) {
				return a.SearchMembers(ctx, s, MemberFilter{}, p)
			})
			if err != nil && !skipped(err) {
				return nil, err
			}
			add(AdminOrg, mp, o, nil, nil)
			if kind == AdminOrg {
				continue
			}
		}
		var projects []*project.Project
		if kind == 0 {
			projects, err = allPages(func(p store.Page) ([]*project.Project, uint64, error) { return a.ListProjects(ctx, s, nil, p) })
			if err != nil && !skipped(err) {
				return nil, err
			}
		} else {
			p, err := loadProject(ctx, a.store, orgID, hint.ProjectID)
			if err != nil {
				return nil, storeErr(err)
			}
			projects = []*project.Project{p}
		}
		for _, p := range projects {
			if kind == 0 || kind == AdminProject {
				mp, err := members(func(pg store.Page) ([]*org.Member, map[string]*user.User, uint64, error) {
					return a.ListProjectMembers(ctx, s, p.ID, MemberFilter{}, pg)
				})
				if err != nil && !skipped(err) {
					return nil, err
				}
				for _, m := range mp.ms {
					m.OrgID = org.ProjectScope(p.OrgID, p.ID) // the list shows the org; keep the scope
				}
				add(AdminProject, mp, o, p, nil)
			}
			if kind == AdminProject {
				continue
			}
			var f ProjectGrantFilter
			if kind == AdminProjectGrant {
				f.GrantedOrgIDs = []string{hint.GrantedOrgID}
			}
			grants, err := allPages(func(pg store.Page) ([]*ProjectGrantView, uint64, error) {
				return a.ListProjectGrants(ctx, s, p.ID, false, f, pg)
			})
			if err != nil && !skipped(err) {
				return nil, err
			}
			for _, gv := range grants {
				mp, err := members(func(pg store.Page) ([]*org.Member, map[string]*user.User, uint64, error) {
					return a.ListProjectGrantMembers(ctx, s, p.ID, gv.ID, MemberFilter{}, pg)
				})
				if err != nil && !skipped(err) {
					return nil, err
				}
				for _, m := range mp.ms {
					m.OrgID = org.GrantScope(gv.GrantedOrgID, gv.ID)
				}
				add(AdminProjectGrant, mp, o, p, gv.ProjectGrant)
			}
		}
	}
	return out, nil
}

func (a *App) adminMatchesAll(v *AdminView, qs []AdminQuery) bool {
	for _, q := range qs {
		if !a.adminMatches(v, q) {
			return false
		}
	}
	return true
}

func (a *App) adminMatches(v *AdminView, q AdminQuery) bool {
	switch {
	case q.And != nil:
		return a.adminMatchesAll(v, q.And)
	case q.Or != nil:
		return slices.ContainsFunc(q.Or, func(q AdminQuery) bool { return a.adminMatches(v, q) })
	case q.Not != nil:
		return !a.adminMatches(v, *q.Not)
	case q.UserIDs != nil:
		return slices.Contains(q.UserIDs, v.Member.UserID)
	case q.Created != nil:
		return q.Created.holds(v.Member.CreatedAt)
	case q.Changed != nil:
		return q.Changed.holds(v.Member.ChangedAt)
	case q.UserOrgID != nil:
		return v.User != nil && v.User.OrgID == *q.UserOrgID
	case q.LoginName != nil:
		return v.User != nil && a.LoginName(v.User, v.UserOrg) == *q.LoginName
	case q.DisplayName != nil:
		return v.User != nil && v.DisplayName() == *q.DisplayName
	case q.Role != nil:
		return slices.Contains(v.Member.Roles, *q.Role)
	case q.Resource != nil:
		return v.onResource(*q.Resource)
	}
	return true // an empty query, as ZITADEL's instance=false: no condition
}

// DisplayName is the user's display name, as ZITADEL has it for a human
// (its first and last name where none was given; ZITADEL sets that at
// creation) and nothing for a machine.
func (v *AdminView) DisplayName() string {
	if v.User == nil || v.User.Human == nil {
		return ""
	}
	h := v.User.Human
	if h.DisplayName != "" {
		return h.DisplayName
	}
	return strings.TrimSpace(h.FirstName + " " + h.LastName)
}

func (v *AdminView) onResource(r AdminResource) bool {
	switch r.Kind() {
	case AdminInstance:
		return v.Kind == AdminInstance
	case AdminOrg:
		return v.Kind == AdminOrg && v.Org.ID == r.OrgID
	case AdminProject:
		return v.Kind == AdminProject && v.Project.ID == r.ProjectID
	case AdminProjectGrant:
		return v.Kind == AdminProjectGrant && v.Grant.ProjectID == r.ProjectID && v.Grant.GrantedOrgID == r.GrantedOrgID
	}
	return true
}
