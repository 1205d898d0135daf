package compat

import (
	"testing"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/object"
	orgpb "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/grpc/codes"
)

// TestOrgDomains: the org domain methods with ZITADEL's Go client, v1 and v2 —
// the generated domain verified and primary, an added domain unverified, a
// validation's token and URL in ZITADEL's form, a check that cannot reach its
// host (a .invalid domain) refused as FailedPrecondition, ZITADEL's ids for
// the primary's removal and an unverified primary, GetOrgByDomainGlobal.
func TestOrgDomains(t *testing.T) {
	each(t, func(t *testing.T, s *server) {
		m := s.mgmt(t, s.adminPAT)
		org, err := m.AddOrg(ctx(t), &management.AddOrgRequest{Name: unique("domains")})
		mustOK(t, "AddOrg", err)
		c := inOrg(ctx(t), org.GetId())
		l, err := m.ListOrgDomains(c, &management.ListOrgDomainsRequest{})
		mustOK(t, "ListOrgDomains", err)
		if len(l.GetResult()) != 1 || !l.GetResult()[0].GetIsPrimary() || !l.GetResult()[0].GetIsVerified() {
			t.Fatalf("a new org's domains: %v", l)
		}
		generated := l.GetResult()[0].GetDomainName()
		d := unique("compat") + ".invalid"
		_, err = m.AddOrgDomain(c, &management.AddOrgDomainRequest{Domain: d})
		mustOK(t, "AddOrgDomain", err)
		_, err = m.AddOrgDomain(c, &management.AddOrgDomainRequest{Domain: d})
		wantErr(t, "AddOrgDomain twice", err, codes.AlreadyExists, "V2-e1wse")
		l, err = m.ListOrgDomains(c, &management.ListOrgDomainsRequest{Queries: []*orgpb.DomainSearchQuery{{Query: &orgpb.DomainSearchQuery_DomainNameQuery{
			DomainNameQuery: &orgpb.DomainNameQuery{Name: d, Method: object.TextQueryMethod_TEXT_QUERY_METHOD_EQUALS}}}}})
		mustOK(t, "ListOrgDomains with a query", err)
		if len(l.GetResult()) != 1 || l.GetResult()[0].GetIsVerified() || l.GetResult()[0].GetOrgId() != org.GetId() {
			t.Fatalf("ListOrgDomains %s: %v", d, l)
		}
		_, err = m.SetPrimaryOrgDomain(c, &management.SetPrimaryOrgDomainRequest{Domain: d})
		wantErr(t, "SetPrimaryOrgDomain unverified", err, codes.FailedPrecondition, "ORG-Ggd32")
		g, err := m.GenerateOrgDomainValidation(c, &management.GenerateOrgDomainValidationRequest{Domain: d, Type: orgpb.DomainValidationType_DOMAIN_VALIDATION_TYPE_HTTP})
		mustOK(t, "GenerateOrgDomainValidation", err)
		if g.GetToken() == "" || g.GetUrl() != "https://"+d+"/.well-known/zitadel-challenge/"+g.GetToken()+".txt" {
			t.Fatalf("GenerateOrgDomainValidation: %v", g)
		}
		_, err = m.ValidateOrgDomain(c, &management.ValidateOrgDomainRequest{Domain: d})
		wantErr(t, "ValidateOrgDomain of an unreachable host", err, codes.FailedPrecondition, "WARDEN-DOMHTTP")
		_, err = m.RemoveOrgDomain(c, &management.RemoveOrgDomainRequest{Domain: generated})
		wantErr(t, "RemoveOrgDomain of the primary", err, codes.FailedPrecondition, "ORG-Sjdi3")
		_, err = m.SetPrimaryOrgDomain(c, &management.SetPrimaryOrgDomainRequest{Domain: generated})
		mustOK(t, "SetPrimaryOrgDomain", err)
		by, err := m.GetOrgByDomainGlobal(ctx(t), &management.GetOrgByDomainGlobalRequest{Domain: generated})
		mustOK(t, "GetOrgByDomainGlobal", err)
		if by.GetOrg().GetId() != org.GetId() || by.GetOrg().GetPrimaryDomain() != generated {
			t.Fatalf("GetOrgByDomainGlobal: %v", by)
		}

		v2 := s.v2Client(t, s.adminPAT).OrganizationServiceV2()
		_, err = v2.AddOrganizationDomain(ctx(t), &orgv2.AddOrganizationDomainRequest{OrganizationId: org.GetId(), Domain: "v2-" + d})
		mustOK(t, "AddOrganizationDomain", err)
		gv, err := v2.GenerateOrganizationDomainValidation(ctx(t), &orgv2.GenerateOrganizationDomainValidationRequest{OrganizationId: org.GetId(),
			Domain: "v2-" + d, Type: orgv2.DomainValidationType_DOMAIN_VALIDATION_TYPE_DNS})
		mustOK(t, "GenerateOrganizationDomainValidation", err)
		if gv.GetUrl() != "_zitadel-challenge.v2-"+d || gv.GetToken() == "" {
			t.Fatalf("GenerateOrganizationDomainValidation: %v", gv)
		}
		lv, err := v2.ListOrganizationDomains(ctx(t), &orgv2.ListOrganizationDomainsRequest{OrganizationId: org.GetId()})
		mustOK(t, "ListOrganizationDomains", err)
		if lv.GetPagination().GetTotalResult() != 3 {
			t.Fatalf("ListOrganizationDomains: %v", lv)
		}
		_, err = v2.DeleteOrganizationDomain(ctx(t), &orgv2.DeleteOrganizationDomainRequest{OrganizationId: org.GetId(), Domain: "v2-" + d})
		mustOK(t, "DeleteOrganizationDomain", err)
		_, err = m.RemoveOrgDomain(c, &management.RemoveOrgDomainRequest{Domain: d})
		mustOK(t, "RemoveOrgDomain", err)
	})
}
