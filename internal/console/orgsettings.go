package console

import (
	"net/http"
	"strings"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/org"
)

// The organisation's settings: its name, and deactivating or reactivating it,
// through the use cases of Management v1's UpdateOrg, DeactivateOrg and
// ReactivateOrg in the session's org context. Its domains have a page of their
// own (orgdomains.go).

type orgView struct {
	O                            *org.Org
	Domain                       string
	Active                       bool
	CanRename                    bool
	CanDomains                   bool
	CanDeactivate, CanReactivate bool
	Name, Error                  string // the rename form, shown again
}

func (h *handler) showOrgSettings(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderOrgSettings(w, r, rq, http.StatusOK, "", "")
}

func (h *handler) renderOrgSettings(w http.ResponseWriter, r *http.Request, rq *request, status int, name, errText string) {
	s, err := h.scope(r, rq, app.UseGetOrg)
	if err != nil {
		h.fail(w, r, rq, err, "see this organisation")
		return
	}
	o, err := h.app.MyOrg(r.Context(), s)
	if err != nil {
		h.fail(w, r, rq, err, "see this organisation")
		return
	}
	ov := &orgView{O: o, Domain: h.app.OrgDomain(o), Active: o.State != org.StateInactive, Name: o.Name, Error: errText,
		CanRename: s.May(app.UseUpdateOrg), CanDomains: s.May(app.UseListOrgDomains)}
	if name != "" {
		ov.Name = name
	}
	ov.CanDeactivate = ov.Active && s.May(app.UseDeactivateOrg)
	ov.CanReactivate = !ov.Active && s.May(app.UseReactivateOrg)
	v := h.base(r, rq, "Organisation "+o.Name)
	v.Section, v.Org = "org", ov
	v.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, status, "org", v)
}

func (h *handler) renameOrg(w http.ResponseWriter, r *http.Request, rq *request) {
	name := clip(strings.TrimSpace(r.PostForm.Get("name")), 4*app.MaxNameLen)
	s, err := h.scope(r, rq, app.UseUpdateOrg)
	if err == nil {
		if _, err = h.app.RenameOrg(r.Context(), s, name); err == nil {
			http.Redirect(w, r, pathOrgSettings+"?done=org-renamed", http.StatusSeeOther)
			return
		}
	}
	h.refused(w, r, rq, err, "rename this organisation", func(status int, text string) {
		h.renderOrgSettings(w, r, rq, status, name, text)
	})
}

// orgConfirm describes the confirmation of an org lifecycle action.
func orgConfirm(action, name string) (use app.Use, op org.Op, what string, c confirmView, ok bool) {
	c = confirmView{PostURL: pathOrgSettings + "/" + action, CancelURL: pathOrgSettings}
	ok = true
	switch action {
	case "deactivate":
		use, op, what = app.UseDeactivateOrg, org.OpDeactivate, "deactivate this organisation"
		c.Question, c.Button, c.Danger = "Deactivate "+name+"?", "Deactivate organisation", true
		c.Explain = "None of " + name + "'s users can sign in or use a token, key or session until it is reactivated — from the next request on, on every node."
	case "reactivate":
		use, op, what = app.UseReactivateOrg, org.OpReactivate, "reactivate this organisation"
		c.Question, c.Button = "Reactivate "+name+"?", "Reactivate organisation"
		c.Explain = name + "'s users can sign in again."
	default:
		return "", 0, "", c, false
	}
	return use, op, what, c, true
}

func (h *handler) confirmOrgAction(w http.ResponseWriter, r *http.Request, rq *request) {
	h.confirmOrg(w, r, rq, r.URL.Query().Get("action"), http.StatusOK, "")
}

func (h *handler) confirmOrg(w http.ResponseWriter, r *http.Request, rq *request, action string, status int, errText string) {
	use, _, what, _, ok := orgConfirm(action, "")
	if !ok {
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such action.")
		return
	}
	if _, err := h.scope(r, rq, use); err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	rs, err := h.scope(r, rq, app.UseGetOrg)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	o, err := h.app.MyOrg(r.Context(), rs)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	_, _, _, c, _ := orgConfirm(action, o.Name)
	c.Error = errText
	v := h.base(r, rq, c.Question)
	v.Section, v.Confirm = "org", &c
	h.render(w, r, status, "confirm", v)
}

func (h *handler) orgAction(action string) func(http.ResponseWriter, *http.Request, *request) {
	return func(w http.ResponseWriter, r *http.Request, rq *request) {
		use, op, what, _, _ := orgConfirm(action, "")
		s, err := h.scope(r, rq, use)
		if err == nil {
			if _, err = h.app.ChangeOrgState(r.Context(), s, op); err == nil {
				http.Redirect(w, r, pathOrgSettings+"?done=org-"+action, http.StatusSeeOther)
				return
			}
		}
		h.refused(w, r, rq, err, what, func(status int, text string) { h.confirmOrg(w, r, rq, action, status, text) })
	}
}
