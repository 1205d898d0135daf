package server_test

import (
	"regexp"
	"testing"
)

// eighteenDigits is the shape of ZITADEL's ids, and all the Terraform
// provider's importer accepts (helper.ZitadelGeneratedIdOnlyRegex).
var eighteenDigits = regexp.MustCompile(`^\d{18}$`)

// TestIDsHaveEighteenDigits: the ids Warden makes, at bootstrap and over the
// API (org, user, project, project grant, user grant), are 18 digits long.
func TestIDsHaveEighteenDigits(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e := startEnv(t, open(t))
			other := e.must(e.admin("POST", "/management/v1/orgs", `{"name":"Eighteen"}`), 200).str("id")
			uid := e.must(e.admin("POST", "/management/v1/users/machine", `{"userName":"eighteen","name":"Eighteen"}`), 200).str("userId")
			pid := e.must(e.admin("POST", "/management/v1/projects", `{"name":"eighteen"}`), 200).str("id")
			e.must(e.admin("POST", "/management/v1/projects/"+pid+"/roles", `{"roleKey":"r","displayName":"R"}`), 200)
			gid := e.must(e.admin("POST", "/management/v1/projects/"+pid+"/grants", `{"grantedOrgId":"`+other+`","roleKeys":["r"]}`), 200).str("grantId")
			ugid := e.must(e.admin("POST", "/management/v1/users/"+uid+"/grants", `{"projectId":"`+pid+`","roleKeys":["r"]}`), 200).str("userGrantId")
			me := e.must(e.admin("GET", "/auth/v1/users/me", ""), 200).str("user", "id")
			for what, id := range map[string]string{"bootstrap org": e.orgID, "bootstrap admin": me, "org": other, "user": uid,
				"project": pid, "project grant": gid, "user grant": ugid} {
				if !eighteenDigits.MatchString(id) {
					t.Errorf("%s id %q is not 18 digits", what, id)
				}
			}
		})
	}
}
