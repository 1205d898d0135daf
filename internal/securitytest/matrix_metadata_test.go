package securitytest

import (
	"testing"
)

// The matrix's rows for metadata: Management v1 (a user's, the org's), Auth v1
// (the caller's own), User v2 and Org v2. Each row sets what it acts on with a
// fresh key, as the administrator, on a user or org of the target org.

func init() {
	orgV2AsV1["SetOrganizationMetadata"] = "BulkSetOrgMetadata"
	orgV2AsV1["DeleteOrganizationMetadata"] = "BulkRemoveOrgMetadata"
	orgV2AsV1["ListOrganizationMetadata"] = "ListOrgMetadata"
	// ZITADEL's v2 runs v1's commands with user.write and user.read in the user's org.
	v2Perms["SetUserMetadata"] = "user.write"
	v2Perms["DeleteUserMetadata"] = "user.write"
	v2Perms["ListUserMetadata"] = "user.read"
}

// withUserMetadata is the target org's machine user with a fresh key set.
func (f *fixtures) withUserMetadata(t testing.TB, orgID string) (string, string) {
	t.Helper()
	u, k := f.machine(t, orgID), f.uniq("k")
	f.admin(t, orgID, "POST", v1+"/users/"+u+"/metadata/"+k, `{"value":"dg=="}`)
	return u, k
}

// withOrgMetadata is a fresh key set on the org.
func (f *fixtures) withOrgMetadata(t testing.TB, orgID string) string {
	t.Helper()
	k := f.uniq("ok")
	f.admin(t, orgID, "POST", v1+"/metadata/"+k, `{"value":"dg=="}`)
	return k
}

// metadataOps are outside withV2beta: v2beta's UserService has no metadata.
func metadataOps() []matrixOp {
	return []matrixOp{
		{name: "SetUserMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/users/" + f.machine(t, o) + "/metadata/" + f.uniq("k"), `{"value":"dg=="}`}
		}},
		{name: "BulkSetUserMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/users/" + f.machine(t, o) + "/metadata/_bulk", `{"metadata":[{"key":"` + f.uniq("k") + `","value":"dg=="}]}`}
		}},
		{name: "GetUserMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, k := f.withUserMetadata(t, o)
			return restCall{"GET", v1 + "/users/" + u + "/metadata/" + k, ""}
		}},
		{name: "ListUserMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, k := f.withUserMetadata(t, o)
			return restCall{"POST", v1 + "/users/" + u + "/metadata/_search", `{"queries":[{"keyQuery":{"key":"` + k + `"}}]}`}
		}},
		{name: "RemoveUserMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, k := f.withUserMetadata(t, o)
			return restCall{"DELETE", v1 + "/users/" + u + "/metadata/" + k, ""}
		}},
		{name: "BulkRemoveUserMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, k := f.withUserMetadata(t, o)
			return restCall{"DELETE", v1 + "/users/" + u + "/metadata/_bulk", `{"keys":["` + k + `"]}`}
		}},
		{name: "SetOrgMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/metadata/" + f.uniq("ok"), `{"value":"dg=="}`}
		}},
		{name: "BulkSetOrgMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", v1 + "/metadata/_bulk", `{"metadata":[{"key":"` + f.uniq("ok") + `","value":"dg=="}]}`}
		}},
		{name: "GetOrgMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"GET", v1 + "/metadata/" + f.withOrgMetadata(t, o), ""}
		}},
		{name: "ListOrgMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.withOrgMetadata(t, o)
			return restCall{"POST", v1 + "/metadata/_search", `{}`}
		}},
		{name: "RemoveOrgMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"DELETE", v1 + "/metadata/" + f.withOrgMetadata(t, o), ""}
		}},
		{name: "BulkRemoveOrgMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"DELETE", v1 + "/metadata/_bulk", `{"keys":["` + f.withOrgMetadata(t, o) + `"]}`}
		}},

		// The caller's own: a list (empty, the caller has none) and a key it
		// lacks, whose NotFound is past authorization.
		{name: "auth.ListMyMetadata", prep: fixed("POST", authV1+"/users/me/metadata/_search", `{}`)},
		{name: "auth.GetMyMetadata", prep: fixed("GET", authV1+"/users/me/metadata/nokey", ""), judge: judgeOwnNotFound("QUERY-Rgh32")},

		{name: "v2.SetUserMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", "/v2/users/" + f.machine(t, o) + "/metadata", `{"metadata":[{"key":"` + f.uniq("k") + `","value":"dg=="}]}`}
		}},
		{name: "v2.ListUserMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, _ := f.withUserMetadata(t, o)
			return restCall{"POST", "/v2/users/" + u + "/metadata/search", `{}`}
		}},
		{name: "v2.DeleteUserMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			u, k := f.withUserMetadata(t, o)
			return restCall{"DELETE", "/v2/users/" + u + "/metadata?keys=" + k, ""}
		}},

		{name: "org2.SetOrganizationMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"POST", "/v2/organizations/" + o + "/metadata", `{"metadata":[{"key":"` + f.uniq("ok") + `","value":"dg=="}]}`}
		}},
		{name: "org2.ListOrganizationMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			f.withOrgMetadata(t, o)
			return restCall{"POST", "/v2/organizations/" + o + "/metadata/search", `{}`}
		}},
		{name: "org2.DeleteOrganizationMetadata", prep: func(t testing.TB, f *fixtures, o string) restCall {
			return restCall{"DELETE", "/v2/organizations/" + o + "/metadata?keys=" + f.withOrgMetadata(t, o), ""}
		}},
	}
}
