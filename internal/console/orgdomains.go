package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
)

// The organisation's domains, through the use cases of Management v1's org
// domain methods in the session's org context: list, add, generate a
// validation (HTTP file or DNS TXT record), validate, set primary, remove.
// The validation token is shown only in the answer to its generation, as
// the API returns it only then; the store keeps it sealed.

const pathOrgDomains = pathOrgSettings + "/domains"

func domainPath(d string) string { return pathOrgDomains + "/" + url.PathEscape(d) }

type domainsView struct {
	OrgName string
	Rows    []domainRow
	// What the caller's scope may do (app.Scope.May).
	CanAdd, CanGenerate, CanValidate, CanPrimary, CanRemove bool
	// The add form, shown again after an error.
	Add, AddError string
	// The row an action on it failed for, and why.
	RowDomain, RowError string
	RowAlone            bool // the error's domain is not in the list: shown under it
	// Just generated: where to publish the token (shown only now).
	Challenge *challengeView
}

type domainRow struct {
	Domain            string
	Verified, Primary bool
	Validation        string // HTTP, DNS or ""
	Pending           bool   // a validation was generated and not yet passed
}

type challengeView struct {
	Domain, Token string
	DNS           bool
	URL           string // HTTP: the file's URL; DNS: the TXT record's name
}

func validationName(t org.ValidationType) string {
	switch t {
	case org.ValidationHTTP:
		return "HTTP"
	case org.ValidationDNS:
		return "DNS"
	}
	return ""
}

// domainWords puts the domain use cases' generic message keys in this page's
// words (plainWords holds the keys only these use cases give).
var domainWords = map[string]string{
	"Errors.Invalid.Argument": "Enter a domain name such as login.example.com, without a scheme, port or path",
	"Errors.Already.Exists":   "The organisation has this domain already",
}

func domainErr(err error) error {
	if fe, ok := fail.As(err); ok {
		if w, ok := domainWords[fe.Message]; ok {
			return fe.Msgf("%s", w)
		}
	}
	return err
}

func (h *handler) showOrgDomains(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderOrgDomains(w, r, rq, http.StatusOK, &domainsView{})
}

// orgDomains reads the domains of the org context for the page.
func (h *handler) orgDomains(r *http.Request, rq *request) (app.Scope, []*org.Domain, error) {
	s, err := h.scope(r, rq, app.UseListOrgDomains)
	if err != nil {
		return s, nil, err
	}
	ds, _, err := h.app.ListOrgDomains(r.Context(), s, app.DomainFilter{Page: store.Page{Limit: 1000, Asc: true}})
	return s, ds, err
}

func (h *handler) renderOrgDomains(w http.ResponseWriter, r *http.Request, rq *request, status int, dv *domainsView) {
	s, ds, err := h.orgDomains(r, rq)
	if err != nil {
		h.fail(w, r, rq, err, "see this organisation's domains")
		return
	}
	dv.Rows, dv.RowAlone = dv.Rows[:0], dv.RowError != ""
	for _, d := range ds {
		if d.Domain == dv.RowDomain {
			dv.RowAlone = false
		}
		dv.Rows = append(dv.Rows, domainRow{Domain: d.Domain, Verified: d.Verified, Primary: d.Primary,
			Validation: validationName(d.ValidationType), Pending: !d.Verified && len(d.Token) > 0})
	}
	dv.CanAdd, dv.CanGenerate = s.May(app.UseAddOrgDomain), s.May(app.UseGenerateOrgDomainValidation)
	dv.CanValidate, dv.CanPrimary = s.May(app.UseValidateOrgDomain), s.May(app.UseSetPrimaryOrgDomain)
	dv.CanRemove = s.May(app.UseRemoveOrgDomain)
	v := h.base(r, rq, "Domains")
	if dv.OrgName = v.OrgName; dv.OrgName != "" {
		v.Title = "Domains of " + dv.OrgName
	}
	v.Section, v.Domains = "org", dv
	v.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, status, "domains", v)
}

// formDomain is the domain a form names, bounded (the use case checks it).
func formDomain(s string) string { return clip(strings.TrimSpace(s), org.MaxDomainLen+1) }

func (h *handler) addOrgDomain(w http.ResponseWriter, r *http.Request, rq *request) {
	d := formDomain(r.PostForm.Get("domain"))
	s, err := h.scope(r, rq, app.UseAddOrgDomain)
	if err == nil {
		if _, err = h.app.AddOrgDomain(r.Context(), s, d); err == nil {
			http.Redirect(w, r, pathOrgDomains+"?done=domain-added", http.StatusSeeOther)
			return
		}
	}
	h.refusedBeside(w, r, rq, domainErr(err), "add this domain", func(status int, text string) {
		h.renderOrgDomains(w, r, rq, status, &domainsView{Add: d, AddError: text})
	})
}

// domainRefused shows a refused action on domain d beside its row.
func (h *handler) domainRefused(w http.ResponseWriter, r *http.Request, rq *request, d string, err error, what string) {
	h.refusedBeside(w, r, rq, domainErr(err), what, func(status int, text string) {
		h.renderOrgDomains(w, r, rq, status, &domainsView{RowDomain: d, RowError: text})
	})
}

// generateValidation answers with the page itself, not a redirect: the token
// is in this answer only.
func (h *handler) generateValidation(w http.ResponseWriter, r *http.Request, rq *request) {
	d := formDomain(r.PathValue("domain"))
	typ := org.ValidationUnspecified
	switch r.PostForm.Get("type") {
	case "http":
		typ = org.ValidationHTTP
	case "dns":
		typ = org.ValidationDNS
	}
	s, err := h.scope(r, rq, app.UseGenerateOrgDomainValidation)
	if err == nil {
		var token, where string
		if token, where, _, err = h.app.GenerateOrgDomainValidation(r.Context(), s, d, typ); err == nil {
			nd, _ := org.NormalizeDomain(d)
			h.renderOrgDomains(w, r, rq, http.StatusOK, &domainsView{
				Challenge: &challengeView{Domain: nd, Token: token, DNS: typ == org.ValidationDNS, URL: where}})
			return
		}
	}
	h.domainRefused(w, r, rq, d, err, "generate a validation for this domain")
}

func (h *handler) validateOrgDomain(w http.ResponseWriter, r *http.Request, rq *request) {
	d := formDomain(r.PathValue("domain"))
	s, err := h.scope(r, rq, app.UseValidateOrgDomain)
	if err == nil {
		if _, err = h.app.ValidateOrgDomain(r.Context(), s, d); err == nil {
			http.Redirect(w, r, pathOrgDomains+"?done=domain-verified", http.StatusSeeOther)
			return
		}
	}
	h.domainRefused(w, r, rq, d, err, "validate this domain")
}

func (h *handler) setPrimaryOrgDomain(w http.ResponseWriter, r *http.Request, rq *request) {
	d := formDomain(r.PathValue("domain"))
	s, err := h.scope(r, rq, app.UseSetPrimaryOrgDomain)
	if err == nil {
		if _, err = h.app.SetPrimaryOrgDomain(r.Context(), s, d); err == nil {
			http.Redirect(w, r, pathOrgDomains+"?done=domain-primary", http.StatusSeeOther)
			return
		}
	}
	h.domainRefused(w, r, rq, d, err, "make this domain primary")
}

func (h *handler) confirmRemoveOrgDomain(w http.ResponseWriter, r *http.Request, rq *request) {
	h.removeDomainConfirm(w, r, rq, http.StatusOK, "")
}

func (h *handler) removeDomainConfirm(w http.ResponseWriter, r *http.Request, rq *request, status int, errText string) {
	d := formDomain(r.PathValue("domain"))
	if _, err := h.scope(r, rq, app.UseRemoveOrgDomain); err != nil {
		h.fail(w, r, rq, err, "remove domains")
		return
	}
	_, ds, err := h.orgDomains(r, rq)
	if err != nil {
		h.fail(w, r, rq, err, "remove domains")
		return
	}
	var dom *org.Domain
	for _, x := range ds {
		if x.Domain == d {
			dom = x
		}
	}
	if dom == nil {
		h.message(w, r, http.StatusNotFound, "Not found", "The organisation has no such domain.")
		return
	}
	c := &confirmView{Question: "Remove the domain " + d + "?", Button: "Remove domain", Danger: true,
		Explain: "The organisation no longer has " + d + ".", Error: errText,
		PostURL: domainPath(d) + "/remove", CancelURL: pathOrgDomains}
	if dom.Verified {
		c.Explain += " Its users can no longer sign in with it, and another organisation may verify it."
	}
	v := h.base(r, rq, c.Question)
	v.Section, v.Confirm = "org", c
	h.render(w, r, status, "confirm", v)
}

func (h *handler) removeOrgDomain(w http.ResponseWriter, r *http.Request, rq *request) {
	d := formDomain(r.PathValue("domain"))
	s, err := h.scope(r, rq, app.UseRemoveOrgDomain)
	if err == nil {
		if _, err = h.app.RemoveOrgDomain(r.Context(), s, d); err == nil {
			http.Redirect(w, r, pathOrgDomains+"?done=domain-removed", http.StatusSeeOther)
			return
		}
	}
	h.refusedBeside(w, r, rq, domainErr(err), "remove this domain", func(status int, text string) {
		h.removeDomainConfirm(w, r, rq, status, text)
	})
}
