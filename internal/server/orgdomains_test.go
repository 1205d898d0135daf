package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/wardentest"
	orgv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/org/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// startDomainsEnv is startEnv with the domain validator pointed at a loopback
// challenge server.
func startDomainsEnv(t *testing.T, st store.Store) (*env, *wardentest.Challenges) {
	ch := wardentest.NewChallenges(t)
	return startWith(t, st, nil, []app.Option{ch.Option()}), ch
}

// domainsOf lists an org's domains over REST as name → "verified,primary" flags.
func (e *env) domainsOf(h []string) map[string]string {
	e.t.Helper()
	r := e.must(e.admin("POST", mv1+"/orgs/me/domains/_search", `{"query":{"asc":true}}`, h...), 200)
	out := map[string]string{}
	res, _ := r.val("result").([]any)
	for _, x := range res {
		m, _ := x.(map[string]any)
		name, _ := m["domainName"].(string)
		out[name] = fmt.Sprintf("%v,%v", m["isVerified"] == true, m["isPrimary"] == true)
	}
	return out
}

// validateHTTP generates an HTTP validation for d in the org of h, publishes
// its token on the challenge server and validates.
func (e *env) validateHTTP(ch *wardentest.Challenges, d string, h []string) reply {
	e.t.Helper()
	g := e.must(e.admin("POST", mv1+"/orgs/me/domains/"+d+"/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`, h...), 200)
	ch.Publish(d, g.str("token"))
	return e.admin("POST", mv1+"/orgs/me/domains/"+d+"/validation/_validate", `{}`, h...)
}

// TestOrgDomainsREST: Management v1's org domain methods over REST on both
// engines — the generated domain verified and primary from the start, an
// added domain proved over HTTP against the loopback challenge server, made
// primary (GetMyOrg, admin GetOrgByID, v2 ListOrganizations and
// GetOrgByDomainGlobal follow), the DNS check without a resolver, ZITADEL's
// ids for every refusal, the events, the list's queries, and a rename moving
// the generated domain.
func TestOrgDomainsREST(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e, ch := startDomainsEnv(t, open(t))
			acme := e.must(e.admin("POST", mv1+"/orgs", `{"name":"Acme"}`), 200).str("id")
			h := []string{"x-zitadel-orgid", acme}
			if got := e.domainsOf(h); len(got) != 1 || got["acme.localhost"] != "true,true" {
				t.Fatalf("a new org's domains: %v", got)
			}
			e.must(e.admin("POST", mv1+"/orgs/me/domains", `{"domain":" Login.Example.com "}`, h...), 200)
			e.wantErr(e.admin("POST", mv1+"/orgs/me/domains", `{"domain":"login.example.com"}`, h...), 409, "V2-e1wse")
			for _, bad := range []string{"", "not a domain", "localhost", "10.0.0.1", "a.example.com:8080", "a.example.com/x", "user@a.example.com"} {
				e.wantErr(e.admin("POST", mv1+"/orgs/me/domains", `{"domain":"`+bad+`"}`, h...), 400, "ORG-r3h4J")
			}
			// The instance domain's subdomains are the orgs' generated ones.
			e.wantErr(e.admin("POST", mv1+"/orgs/me/domains", `{"domain":"other.localhost"}`, h...), 400, "WARDEN-DOMINST")
			if got := e.domainsOf(h); got["login.example.com"] != "false,false" || len(got) != 2 {
				t.Fatalf("after the add: %v", got)
			}
			d := "login.example.com"
			e.wantErr(e.admin("POST", mv1+"/orgs/me/domains/"+d+"/_set_primary", ``, h...), 400, "ORG-Ggd32")
			e.wantErr(e.admin("POST", mv1+"/orgs/me/domains/"+d+"/validation/_validate", `{}`, h...), 400, "ORG-SFBB3")
			e.wantErr(e.admin("POST", mv1+"/orgs/me/domains/"+d+"/validation/_generate", `{}`, h...), 400, "ORG-Gsw31")
			e.wantErr(e.admin("POST", mv1+"/orgs/me/domains/nope.example.com/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`, h...), 404, "ORG-AGD31")
			e.wantErr(e.admin("POST", mv1+"/orgs/me/domains/nope.example.com/validation/_validate", `{}`, h...), 404, "ORG-Sjdi3")

			g := e.must(e.admin("POST", mv1+"/orgs/me/domains/"+d+"/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`, h...), 200)
			token := g.str("token")
			if len(token) < 20 || g.str("url") != "https://"+d+"/.well-known/zitadel-challenge/"+token+".txt" {
				t.Fatalf("generate: %s", g.raw)
			}
			// Only the sealed token is stored.
			art, err := e.store.Artifact(context.Background(), "org_domain", acme+":"+d)
			if err != nil || strings.Contains(string(art.Data), token) {
				t.Fatalf("stored domain: %s %v", art.Data, err)
			}
			// Not published yet: the challenge URL answers 404.
			e.wantErr(e.admin("POST", mv1+"/orgs/me/domains/"+d+"/validation/_validate", `{}`, h...), 400, "WARDEN-DOMSTATUS")
			if ch.Hits(d) != 1 {
				t.Fatalf("challenge requests: %d", ch.Hits(d))
			}
			ch.Publish(d, token)
			e.must(e.admin("POST", mv1+"/orgs/me/domains/"+d+"/validation/_validate", `{}`, h...), 200)
			e.wantErr(e.admin("POST", mv1+"/orgs/me/domains/"+d+"/validation/_validate", `{}`, h...), 400, "ORG-HGw21")
			e.wantErr(e.admin("POST", mv1+"/orgs/me/domains/"+d+"/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`, h...), 400, "ORG-HGw21")
			if got := e.domainsOf(h); got[d] != "true,false" {
				t.Fatalf("after the validation: %v", got)
			}

			e.wantErr(e.admin("DELETE", mv1+"/orgs/me/domains/acme.localhost", ``, h...), 400, "ORG-Sjdi3")
			e.wantErr(e.admin("POST", mv1+"/orgs/me/domains/nope.example.com/_set_primary", ``, h...), 404, "ORG-GDfA3")
			e.must(e.admin("POST", mv1+"/orgs/me/domains/"+d+"/_set_primary", ``, h...), 200)
			if got := e.domainsOf(h); got[d] != "true,true" || got["acme.localhost"] != "true,false" {
				t.Fatalf("after set primary: %v", got)
			}
			if r := e.must(e.admin("GET", mv1+"/orgs/me", ``, h...), 200); r.str("org", "primaryDomain") != d {
				t.Fatalf("GetMyOrg: %s", r.raw)
			}
			if r := e.must(e.admin("GET", "/admin/v1/orgs/"+acme, ``), 200); r.str("org", "primaryDomain") != d {
				t.Fatalf("admin GetOrgByID: %s", r.raw)
			}
			l := e.must(e.admin("POST", "/v2/organizations/_search", `{"queries":[{"idQuery":{"id":"`+acme+`"}}]}`), 200)
			if res, _ := l.val("result").([]any); len(res) != 1 || res[0].(map[string]any)["primaryDomain"] != d {
				t.Fatalf("v2 ListOrganizations: %s", l.raw)
			}
			// The generated domain, no longer primary, may go now; it is verified too.
			for _, dom := range []string{d, "ACME.localhost"} {
				if r := e.must(e.admin("GET", mv1+"/global/orgs/_by_domain?domain="+dom, ``), 200); r.str("org", "id") != acme {
					t.Fatalf("GetOrgByDomainGlobal %s: %s", dom, r.raw)
				}
			}
			e.wantErr(e.admin("GET", mv1+"/global/orgs/_by_domain?domain=nobody.example.com", ``), 404, "")

			// DNS: the TXT record's name, and no resolver answers in tests.
			e.must(e.admin("POST", mv1+"/orgs/me/domains", `{"domain":"dns.example.com"}`, h...), 200)
			g = e.must(e.admin("POST", mv1+"/orgs/me/domains/dns.example.com/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_DNS"}`, h...), 200)
			if g.str("url") != "_zitadel-challenge.dns.example.com" || g.str("token") == "" {
				t.Fatalf("generate DNS: %s", g.raw)
			}
			e.wantErr(e.admin("POST", mv1+"/orgs/me/domains/dns.example.com/validation/_validate", `{}`, h...), 400, "WARDEN-DOMDNS")
			r := e.must(e.admin("POST", mv1+"/orgs/me/domains/_search", `{"queries":[{"domainNameQuery":{"name":"DNS.","method":"TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE"}}]}`, h...), 200)
			if res, _ := r.val("result").([]any); len(res) != 1 || res[0].(map[string]any)["validationType"] != "DOMAIN_VALIDATION_TYPE_DNS" || r.str("details", "totalResult") != "1" {
				t.Fatalf("ListOrgDomains with a query: %s", r.raw)
			}
			e.must(e.admin("DELETE", mv1+"/orgs/me/domains/dns.example.com", ``, h...), 200)
			e.wantErr(e.admin("DELETE", mv1+"/orgs/me/domains/dns.example.com", ``, h...), 404, "ORG-GDfA3")

			// A rename moves the generated domain; the custom primary stays.
			e.must(e.admin("PUT", mv1+"/orgs/me", `{"name":"Acme Two"}`, h...), 200)
			if got := e.domainsOf(h); len(got) != 2 || got["acme-two.localhost"] != "true,false" || got[d] != "true,true" {
				t.Fatalf("after the rename: %v", got)
			}
			want := []string{event.OrgAdded, event.OrgMemberAdded, event.OrgDomainAdded, event.OrgDomainVerificationAdded, event.OrgDomainVerified,
				event.OrgDomainPrimarySet, event.OrgDomainAdded, event.OrgDomainVerificationAdded, event.OrgDomainRemoved, "org.changed"}
			if got := e.eventTypes(t, event.AggregateOrg, acme); !slices.Equal(got, want) {
				t.Fatalf("events:\n got %v\nwant %v", got, want)
			}
			c := e.must(e.admin("POST", mv1+"/orgs/me/changes/_search", `{"query":{"asc":true}}`, h...), 200)
			if !strings.Contains(c.raw, event.OrgDomainPrimarySet) {
				t.Fatalf("ListOrgChanges: %s", c.raw)
			}
		})
	}
}

// TestOrgDomainConcurrentClaims: orgs that each prove one domain and validate
// it at once — exactly one holds it verified, the others get V3-DKcYh and
// keep it unverified.
func TestOrgDomainConcurrentClaims(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e, ch := startDomainsEnv(t, open(t))
			const n = 6
			const d = "shared.example.org"
			hs := make([][]string, n)
			for i := range hs {
				id := e.must(e.admin("POST", mv1+"/orgs", fmt.Sprintf(`{"name":"Claim %d"}`, i)), 200).str("id")
				hs[i] = []string{"x-zitadel-orgid", id}
				e.must(e.admin("POST", mv1+"/orgs/me/domains", `{"domain":"`+d+`"}`, hs[i]...), 200)
				g := e.must(e.admin("POST", mv1+"/orgs/me/domains/"+d+"/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`, hs[i]...), 200)
				ch.Publish(d, g.str("token"))
			}
			replies := make([]reply, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					replies[i] = e.admin("POST", mv1+"/orgs/me/domains/"+d+"/validation/_validate", `{}`, hs[i]...)
				}()
			}
			wg.Wait()
			won := -1
			for i, r := range replies {
				switch {
				case r.status == 200 && won < 0:
					won = i
				case r.status == 409 && r.errID() == "V3-DKcYh":
				default:
					t.Fatalf("validation %d: %d %s (winner %d)", i, r.status, r.raw, won)
				}
			}
			if won < 0 {
				t.Fatal("nobody won")
			}
			for i, h := range hs {
				want := "false,false"
				if i == won {
					want = "true,false"
				}
				if got := e.domainsOf(h)[d]; got != want {
					t.Fatalf("org %d holds %s as %s, want %s", i, d, got, want)
				}
			}
			if r := e.must(e.admin("GET", mv1+"/global/orgs/_by_domain?domain="+d, ``), 200); r.str("org", "id") != hs[won][1] {
				t.Fatalf("GetOrgByDomainGlobal: %s", r.raw)
			}
			// Once the holder removes it, another org may verify it.
			e.must(e.admin("DELETE", mv1+"/orgs/me/domains/"+d, ``, hs[won]...), 200)
			other := (won + 1) % n
			e.must(e.admin("POST", mv1+"/orgs/me/domains/"+d+"/validation/_validate", `{}`, hs[other]...), 200)
		})
	}
}

// TestOrgDomainAttacker: a foreign org's owner can neither add, validate,
// make primary, remove nor list another org's domains (v1 and v2); a caller
// of the org with org.read only cannot change them nor find orgs by domain
// (org.global.read); an org cannot verify a
// domain another org holds verified; the validation token of one org does
// not verify the domain for another; a removed org frees its domains.
func TestOrgDomainAttacker(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e, ch := startDomainsEnv(t, open(t))
			victim := e.must(e.admin("POST", mv1+"/orgs", `{"name":"Victim"}`), 200).str("id")
			vh := []string{"x-zitadel-orgid", victim}
			e.must(e.admin("POST", mv1+"/orgs/me/domains", `{"domain":"victim.example.com"}`, vh...), 200)
			e.must(e.validateHTTP(ch, "victim.example.com", vh), 200)
			e.must(e.admin("POST", mv1+"/orgs/me/domains", `{"domain":"pending.example.com"}`, vh...), 200)

			_, _, evil := e.orgWithOwner("Evil", "ORG_OWNER")
			for _, c := range []struct{ method, path, body string }{
				{"POST", "/orgs/me/domains", `{"domain":"grab.example.com"}`},
				{"POST", "/orgs/me/domains/_search", `{}`},
				{"DELETE", "/orgs/me/domains/victim.example.com", ``},
				{"POST", "/orgs/me/domains/victim.example.com/_set_primary", ``},
				{"POST", "/orgs/me/domains/pending.example.com/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`},
				{"POST", "/orgs/me/domains/pending.example.com/validation/_validate", `{}`},
			} {
				e.wantErr(e.do(c.method, mv1+c.path, evil, c.body, vh...), 403, "")
			}
			v2 := orgv2.NewOrganizationServiceClient(e.grpcConn())
			ectx := e.authCtx(evil)
			for what, call := range map[string]func() error{
				"add": func() error {
					_, err := v2.AddOrganizationDomain(ectx, &orgv2.AddOrganizationDomainRequest{OrganizationId: victim, Domain: "grab.example.com"})
					return err
				},
				"list": func() error {
					_, err := v2.ListOrganizationDomains(ectx, &orgv2.ListOrganizationDomainsRequest{OrganizationId: victim})
					return err
				},
				"delete": func() error {
					_, err := v2.DeleteOrganizationDomain(ectx, &orgv2.DeleteOrganizationDomainRequest{OrganizationId: victim, Domain: "victim.example.com"})
					return err
				},
				"generate": func() error {
					_, err := v2.GenerateOrganizationDomainValidation(ectx, &orgv2.GenerateOrganizationDomainValidationRequest{OrganizationId: victim, Domain: "pending.example.com", Type: orgv2.DomainValidationType_DOMAIN_VALIDATION_TYPE_HTTP})
					return err
				},
				"verify": func() error {
					_, err := v2.VerifyOrganizationDomain(ectx, &orgv2.VerifyOrganizationDomainRequest{OrganizationId: victim, Domain: "pending.example.com"})
					return err
				},
			} {
				if code := status.Code(call()); code != codes.PermissionDenied {
					t.Fatalf("v2 %s by a foreign owner: %v", what, code)
				}
			}
			if got := e.domainsOf(vh); len(got) != 3 || got["victim.example.com"] != "true,false" || got["pending.example.com"] != "false,false" {
				t.Fatalf("the victim's domains changed: %v", got)
			}

			// A reader of the org may list, not change.
			_, reader := e.machineWithTokenIn(victim, "reader", "ORG_USER_READ")
			e.must(e.do("POST", mv1+"/orgs/me/domains/_search", reader, `{}`, vh...), 200)
			e.wantErr(e.do("POST", mv1+"/orgs/me/domains", reader, `{"domain":"r.example.com"}`, vh...), 403, "")
			e.wantErr(e.do("POST", mv1+"/orgs/me/domains/victim.example.com/_set_primary", reader, ``, vh...), 403, "")
			// Nor find orgs by domain: that takes org.global.read.
			e.wantErr(e.do("GET", mv1+"/global/orgs/_by_domain?domain=victim.example.com", reader, ``, vh...), 403, "")

			// The attacker's own org cannot verify the victim's verified domain,
			// even when it publishes its own token there.
			evilOrg := e.must(e.do("GET", mv1+"/orgs/me", evil, ``), 200).str("org", "id")
			eh := []string{"x-zitadel-orgid", evilOrg}
			e.must(e.do("POST", mv1+"/orgs/me/domains", evil, `{"domain":"victim.example.com"}`, eh...), 200)
			g := e.must(e.do("POST", mv1+"/orgs/me/domains/victim.example.com/validation/_generate", evil, `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`, eh...), 200)
			ch.Publish("victim.example.com", g.str("token"))
			e.wantErr(e.do("POST", mv1+"/orgs/me/domains/victim.example.com/validation/_validate", evil, `{}`, eh...), 409, "V3-DKcYh")

			// The victim's published token does not verify the domain for the
			// attacker's org: its own token is what its check asks for.
			vg := e.must(e.admin("POST", mv1+"/orgs/me/domains/pending.example.com/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`, vh...), 200)
			ch.Publish("pending.example.com", vg.str("token"))
			e.must(e.do("POST", mv1+"/orgs/me/domains", evil, `{"domain":"pending.example.com"}`, eh...), 200)
			e.must(e.do("POST", mv1+"/orgs/me/domains/pending.example.com/validation/_generate", evil, `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`, eh...), 200)
			e.wantErr(e.do("POST", mv1+"/orgs/me/domains/pending.example.com/validation/_validate", evil, `{}`, eh...), 400, "WARDEN-DOMSTATUS")
			// Nor does a token sealed for the victim's row open in the attacker's.
			vArt, err := e.store.Artifact(context.Background(), "org_domain", victim+":pending.example.com")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.app.OpenSecret("org_domain", evilOrg+":pending.example.com", domainToken(t, vArt.Data)); err == nil {
				t.Fatal("the victim's sealed token opens for the attacker's row")
			}
			e.must(e.admin("POST", mv1+"/orgs/me/domains/pending.example.com/validation/_validate", `{}`, vh...), 200)

			// A removed org frees its verified domains.
			e.must(e.admin("DELETE", mv1+"/orgs/me", ``, vh...), 200)
			e.must(e.validateHTTP(ch, "victim.example.com", eh), 200)
		})
	}
}

// machineWithTokenIn creates a machine user in orgID with roles there and
// returns its id and a PAT.
func (e *env) machineWithTokenIn(orgID, name string, roles ...string) (string, string) {
	e.t.Helper()
	h := []string{"x-zitadel-orgid", orgID}
	id := e.must(e.admin("POST", mv1+"/users/machine", `{"userName":"`+name+`","name":"`+name+`"}`, h...), 200).str("userId")
	rs, _ := json.Marshal(roles)
	e.must(e.admin("POST", mv1+"/orgs/me/members", `{"userId":"`+id+`","roles":`+string(rs)+`}`, h...), 200)
	return id, e.must(e.admin("POST", mv1+"/users/"+id+"/pats", `{}`, h...), 200).str("token")
}

// domainToken reads the sealed token out of a stored domain.
func domainToken(t *testing.T, data []byte) []byte {
	t.Helper()
	var d struct{ Token []byte }
	if err := json.Unmarshal(data, &d); err != nil || len(d.Token) == 0 {
		t.Fatalf("stored domain %s: %v", data, err)
	}
	return d.Token
}

// TestOrgDomainV1AndV2SameState: Management v1 on one org and
// OrganizationService v2 on another leave the same domains and the same
// events, step by step: add, generate a validation, verify, delete.
func TestOrgDomainV1AndV2SameState(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e, ch := startDomainsEnv(t, open(t))
			c := orgv2.NewOrganizationServiceClient(e.grpcConn())
			ctx := e.authCtx(e.token)
			o1 := e.must(e.admin("POST", mv1+"/orgs", `{"name":"One"}`), 200).str("id")
			o2 := e.must(e.admin("POST", mv1+"/orgs", `{"name":"Two"}`), 200).str("id")
			h := []string{"x-zitadel-orgid", o1}
			v2Domains := func() map[string]string {
				t.Helper()
				r, err := c.ListOrganizationDomains(ctx, &orgv2.ListOrganizationDomainsRequest{OrganizationId: o2})
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]string{}
				for _, d := range r.GetDomains() {
					if d.GetOrganizationId() != o2 {
						t.Fatalf("v2 lists a domain of %s", d.GetOrganizationId())
					}
					out[d.GetDomain()] = fmt.Sprintf("%v,%v", d.GetIsVerified(), d.GetIsPrimary())
				}
				return out
			}
			last := func(id string) event.Event {
				t.Helper()
				evs, err := e.store.Events(context.Background(), store.EventQuery{AggregateType: event.AggregateOrg, AggregateID: id, Limit: 1})
				if err != nil || len(evs) != 1 {
					t.Fatalf("events of %s: %v %v", id, evs, err)
				}
				return evs[0]
			}
			step := func(what, wantType string, v1 func(), v2 func() error) {
				t.Helper()
				v1()
				if err := v2(); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				a, b := e.domainsOf(h), v2Domains()
				if fmt.Sprint(a) != strings.ReplaceAll(fmt.Sprint(b), "two", "one") {
					t.Fatalf("%s: v1 %v, v2 %v", what, a, b)
				}
				x, y := last(o1), last(o2)
				if x.Type != wantType || x.Type != y.Type || x.Sequence != y.Sequence || x.CreatorID != y.CreatorID ||
					strings.ReplaceAll(string(x.Payload), "one", "two") != string(y.Payload) {
					t.Fatalf("%s: v1 wrote %s %s, v2 %s %s", what, x.Type, x.Payload, y.Type, y.Payload)
				}
			}
			step("add", event.OrgDomainAdded, func() {
				e.must(e.admin("POST", mv1+"/orgs/me/domains", `{"domain":"one.example.com"}`, h...), 200)
			}, func() error {
				_, err := c.AddOrganizationDomain(ctx, &orgv2.AddOrganizationDomainRequest{OrganizationId: o2, Domain: "two.example.com"})
				return err
			})
			step("generate", event.OrgDomainVerificationAdded, func() {
				g := e.must(e.admin("POST", mv1+"/orgs/me/domains/one.example.com/validation/_generate", `{"type":"DOMAIN_VALIDATION_TYPE_HTTP"}`, h...), 200)
				ch.Publish("one.example.com", g.str("token"))
			}, func() error {
				g, err := c.GenerateOrganizationDomainValidation(ctx, &orgv2.GenerateOrganizationDomainValidationRequest{OrganizationId: o2,
					Domain: "two.example.com", Type: orgv2.DomainValidationType_DOMAIN_VALIDATION_TYPE_HTTP})
				if err == nil && g.GetUrl() != "https://two.example.com/.well-known/zitadel-challenge/"+g.GetToken()+".txt" {
					return fmt.Errorf("v2 url %q", g.GetUrl())
				}
				ch.Publish("two.example.com", g.GetToken())
				return err
			})
			step("verify", event.OrgDomainVerified, func() {
				e.must(e.admin("POST", mv1+"/orgs/me/domains/one.example.com/validation/_validate", `{}`, h...), 200)
			}, func() error {
				_, err := c.VerifyOrganizationDomain(ctx, &orgv2.VerifyOrganizationDomainRequest{OrganizationId: o2, Domain: "two.example.com"})
				return err
			})
			step("delete", event.OrgDomainRemoved, func() {
				e.must(e.admin("DELETE", mv1+"/orgs/me/domains/one.example.com", ``, h...), 200)
			}, func() error {
				_, err := c.DeleteOrganizationDomain(ctx, &orgv2.DeleteOrganizationDomainRequest{OrganizationId: o2, Domain: "two.example.com"})
				return err
			})
			// v2's errors are v1's use cases': a missing org id, a missing domain.
			if _, err := c.AddOrganizationDomain(ctx, &orgv2.AddOrganizationDomainRequest{Domain: "x.example.com"}); status.Code(err) != codes.InvalidArgument {
				t.Fatalf("add without an org id: %v", err)
			}
			if _, err := c.DeleteOrganizationDomain(ctx, &orgv2.DeleteOrganizationDomainRequest{OrganizationId: o2, Domain: "two.example.com"}); status.Code(err) != codes.NotFound {
				t.Fatalf("delete of a missing domain: %v", err)
			}
		})
	}
}

// TestOrgListsByAnyVerifiedDomain: admin ListOrgs and v2 ListOrganizations
// find an org by any of its verified domains, as ZITADEL's domain query
// does — a verified domain that is not the primary one included, a domain
// still to be verified not.
func TestOrgListsByAnyVerifiedDomain(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			e, ch := startDomainsEnv(t, open(t))
			acme := e.must(e.admin("POST", mv1+"/orgs", `{"name":"Acme"}`), 200).str("id")
			other := e.must(e.admin("POST", mv1+"/orgs", `{"name":"Other"}`), 200).str("id")
			h := []string{"x-zitadel-orgid", acme}
			e.must(e.admin("POST", mv1+"/orgs/me/domains", `{"domain":"login.example.com"}`, h...), 200)
			e.must(e.validateHTTP(ch, "login.example.com", h), 200)
			e.must(e.admin("POST", mv1+"/orgs/me/domains", `{"domain":"pending.example.com"}`, h...), 200)
			if got := e.domainsOf(h); got["login.example.com"] != "true,false" || got["pending.example.com"] != "false,false" || got["acme.localhost"] != "true,true" {
				t.Fatalf("domains: %v", got)
			}
			orgIDs := func(r reply) []string {
				var out []string
				res, _ := r.val("result").([]any)
				for _, x := range res {
					m, _ := x.(map[string]any)
					id, _ := m["id"].(string)
					out = append(out, id)
				}
				return out
			}
			for _, tc := range []struct {
				domain, method string
				want           []string
			}{
				{"login.example.com", "TEXT_QUERY_METHOD_EQUALS", []string{acme}},
				{"LOGIN.", "TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE", []string{acme}},
				{"acme.localhost", "TEXT_QUERY_METHOD_EQUALS", []string{acme}},
				{"other.localhost", "TEXT_QUERY_METHOD_EQUALS", []string{other}},
				{"pending.example.com", "TEXT_QUERY_METHOD_EQUALS", nil},
				{"example.com", "TEXT_QUERY_METHOD_ENDS_WITH", []string{acme}},
			} {
				q := `{"queries":[{"domainQuery":{"domain":"` + tc.domain + `","method":"` + tc.method + `"}}]}`
				if got := orgIDs(e.must(e.admin("POST", "/admin/v1/orgs/_search", q), 200)); !slices.Equal(got, tc.want) {
					t.Errorf("admin ListOrgs %s %s: %v, want %v", tc.method, tc.domain, got, tc.want)
				}
				if got := orgIDs(e.must(e.admin("POST", "/v2/organizations/_search", q), 200)); !slices.Equal(got, tc.want) {
					t.Errorf("v2 ListOrganizations %s %s: %v, want %v", tc.method, tc.domain, got, tc.want)
				}
			}
		})
	}
}
