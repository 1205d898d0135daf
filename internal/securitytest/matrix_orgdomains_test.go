package securitytest

import (
	"net/url"
	"testing"
)

// The matrix's rows for org domains: Management v1 on the org context and
// OrganizationService v2 on the org in the path. Each row's domain is new and
// names its org, so rows in many orgs at once never claim one domain twice.

func init() {
	// ZITADEL's holders of org.global.read (cmd/defaults.yaml), which
	// GetOrgByDomainGlobal needs.
	for _, r := range []string{"IAM_OWNER", "IAM_ORG_MANAGER", "IAM_USER_MANAGER", "ORG_OWNER"} {
		zitadelRoles[r] = append(zitadelRoles[r], "org.global.read")
	}
	deviations["ORG_PROJECT_CREATOR ListOrgDomains"] = deviation{false, "Warden gives ORG_PROJECT_CREATOR org.read (the org's name, state, history and domains); ZITADEL does not"}
}

// domain adds a new unverified domain to orgID as the administrator.
func (f *fixtures) domain(t testing.TB, orgID string) string {
	t.Helper()
	d := orgID + "-" + f.uniq("d") + ".example.com"
	f.admin(t, orgID, "POST", v1+"/orgs/me/domains", `{"domain":"`+d+`"}`)
	return d
}

// provenDomain is a new domain of orgID whose HTTP validation is generated
// and published: validating it succeeds.
func (f *fixtures) provenDomain(t testing.TB, orgID string) string {
	t.Helper()
	d := f.domain(t, orgID)
	g := f.admin(t, orgID, "POST", v1+"/orgs/me/domains/"+d+"/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`)
	f.e.challenges.Publish(d, g.Str("token"))
	return d
}

// primaryDomain is orgID's primary domain as it stands.
func (f *fixtures) primaryDomain(t testing.TB, orgID string) string {
	t.Helper()
	return f.admin(t, orgID, "GET", v1+"/orgs/me", "").Str("org", "primaryDomain")
}

func orgDomainOps() []matrixOp {
	const base = "/v2/organizations/"
	return []matrixOp{
		{name: "AddOrgDomain", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/orgs/me/domains", `{"domain":"` + o + "-" + f.uniq("a") + `.example.com"}`}
		}},
		{name: "ListOrgDomains", prep: func(testing.TB, *fixtures, string) restCall {
			return restCall{"POST", v1 + "/orgs/me/domains/_search", `{}`}
		}},
		{name: "RemoveOrgDomain", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"DELETE", v1 + "/orgs/me/domains/" + f.domain(t, o), ""}
		}},
		{name: "SetPrimaryOrgDomain", prep: func(t testing.TB, f *fixtures, o string) restCall {
			// The primary it already is: allowed changes nothing other rows rely on.
			return restCall{"POST", v1 + "/orgs/me/domains/" + f.primaryDomain(t, o) + "/_set_primary", ""}
		}},
		{name: "GenerateOrgDomainValidation", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/orgs/me/domains/" + f.domain(t, o) + "/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_DNS"}`}
		}},
		{name: "ValidateOrgDomain", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/orgs/me/domains/" + f.provenDomain(t, o) + "/validation/_validate", `{}`}
		}},
		{name: "GetOrgByDomainGlobal", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"GET", v1 + "/global/orgs/_by_domain?domain=" + url.QueryEscape(f.primaryDomain(t, o)), ""}
		}},

		{name: "org2.AddOrganizationDomain", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", base + o + "/domains", `{"domain":"` + o + "-" + f.uniq("a") + `.example.com"}`}
		}},
		{name: "org2.ListOrganizationDomains", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", base + o + "/domains/search", `{}`}
		}},
		{name: "org2.DeleteOrganizationDomain", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"DELETE", base + o + "/domains?domain=" + url.QueryEscape(f.domain(t, o)), ""}
		}},
		{name: "org2.GenerateOrganizationDomainValidation", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", base + o + "/domains/validation/generate", `{"domain":"` + f.domain(t, o) + `","type":"DOMAIN_VALIDATION_TYPE_HTTP"}`}
		}},
		{name: "org2.VerifyOrganizationDomain", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", base + o + "/domains/validation/verify", `{"domain":"` + f.provenDomain(t, o) + `"}`}
		}},
	}
}
