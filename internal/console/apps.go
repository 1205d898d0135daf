package console

import (
	"net/http"

	"github.com/warden-id/warden/internal/app"
)

// The apps page lists the org's OIDC apps and whether the instance trusts each
// with Warden's own API (tokens for it without asking the user); an IAM owner
// grants or withdraws that trust here.

type appsView struct {
	Rows     []appRow
	CanTrust bool
}

type appRow struct {
	ProjectID, ProjectName, AppID, Name, ClientID string
	RedirectURIs                                  []string
	Trusted                                       bool
}

func (h *handler) listApps(w http.ResponseWriter, r *http.Request, rq *request) {
	s, err := h.scope(r, rq, app.UseListOrgOIDCApps)
	if err != nil {
		h.fail(w, r, rq, err, "see the apps of this organisation")
		return
	}
	apps, err := h.app.ListOrgOIDCApps(r.Context(), s)
	if err != nil {
		h.fail(w, r, rq, err, "see the apps of this organisation")
		return
	}
	av := &appsView{CanTrust: s.May(app.UseTrustApp)}
	for _, a := range apps {
		av.Rows = append(av.Rows, appRow{ProjectID: a.App.ProjectID, ProjectName: a.ProjectName, AppID: a.App.ID, Name: a.App.Name,
			ClientID: a.App.ClientID, RedirectURIs: a.App.RedirectURIs, Trusted: a.App.Trusted})
	}
	v := h.base(r, rq, "Apps")
	v.Section, v.Apps = "apps", av
	v.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, http.StatusOK, "apps", v)
}

// trustApp sets or withdraws an app's trust (IAM owners only: app.TrustApp decides).
func (h *handler) trustApp(w http.ResponseWriter, r *http.Request, rq *request) {
	s, err := h.scope(r, rq, app.UseTrustApp)
	if err == nil {
		trusted := r.PostForm.Get("trusted") == "true"
		_, err = h.app.TrustApp(r.Context(), s, r.PathValue("project"), r.PathValue("app"), trusted)
		if err == nil {
			done := "untrusted"
			if trusted {
				done = "trusted"
			}
			http.Redirect(w, r, pathApps+"?done="+done, http.StatusSeeOther)
			return
		}
	}
	h.fail(w, r, rq, err, "change the trust of this app")
}
