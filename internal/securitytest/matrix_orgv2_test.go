package securitytest

import (
	"fmt"
	"testing"

	"github.com/warden-id/warden/internal/wardentest"
)

// The matrix's rows for OrganizationService v2, in a file of their own. Its
// methods have REST mappings (/v2/organizations...), called here; each row
// stands for the v1 method whose ZITADEL permission it checks.

const orgV2 = "/zitadel.org.v2.OrganizationService/"

var orgV2AsV1 = map[string]string{
	"AddOrganization": "AddOrg", "UpdateOrganization": "UpdateOrg", "DeleteOrganization": "RemoveOrg",
	"DeactivateOrganization": "DeactivateOrg", "ActivateOrganization": "ReactivateOrg", "ListOrganizations": "GetMyOrg",
	"AddOrganizationDomain": "AddOrgDomain", "ListOrganizationDomains": "ListOrgDomains", "DeleteOrganizationDomain": "RemoveOrgDomain",
	"GenerateOrganizationDomainValidation": "GenerateOrgDomainValidation", "VerifyOrganizationDomain": "ValidateOrgDomain",
}

// judgeOrgListV2: ListOrganizations filters by org.read instead of refusing;
// asked for the target org by id, listing it means the caller reads it, and
// any other org is a leak.
func judgeOrgListV2(r wardentest.Reply, m markers) (verdict, string) {
	if r.Status != 200 {
		return verdictDenied, fmt.Sprintf("status %d: %s", r.Status, r.Raw)
	}
	res, _ := r.Body["result"].([]any)
	found := false
	for _, o := range res {
		om, _ := o.(map[string]any)
		if om["id"] != m.orgID {
			return verdictAllowed, fmt.Sprintf("lists another org: %v", om["id"])
		}
		found = true
	}
	if found {
		return verdictAllowed, ""
	}
	return verdictDenied, ""
}

// orgV2Ops: the lifecycle rows act on a sibling org (see sibling), named in
// the path; there is no org context.
func orgV2Ops() []matrixOp {
	const base = "/v2/organizations"
	return []matrixOp{
		{name: "org2.AddOrganization", global: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", base, `{"name":"` + f.uniq("o2") + `"}`}
		}},
		{name: "org2.UpdateOrganization", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", base + "/" + o, `{"name":"` + f.uniq("renamed") + `"}`}
		}},
		{name: "org2.DeactivateOrganization", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", base + "/" + f.sibling(t, o) + "/deactivate", `{}`}
		}},
		{name: "org2.ActivateOrganization", prep: func(t testing.TB, f *fixtures, o string) restCall {
			s := f.sibling(t, o)
			f.admin(t, s, "POST", v1+"/orgs/me/_deactivate", `{}`)
			return restCall{"POST", base + "/" + s + "/activate", `{}`}
		}},
		{name: "org2.DeleteOrganization", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"DELETE", base + "/" + f.sibling(t, o), ""}
		}},
		{name: "org2.ListOrganizations", filtered: true, prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", base + "/_search", `{"queries":[{"idQuery":{"id":"` + o + `"}}]}`}
		}, judge: judgeOrgListV2},
	}
}
