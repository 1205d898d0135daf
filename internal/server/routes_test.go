package server

import (
	"regexp"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// TestRoutesMatchEveryBinding: for every REST binding of every ZITADEL
// service, a path made from its template matches that binding's method, with
// its body rule — the method vanguard routes it to (TestEveryZITADELMethod
// sees each answer name its method) — and literal segments win over
// variables as in vanguard's router.
func TestRoutesMatchEveryBinding(t *testing.T) {
	vars := regexp.MustCompile(`\{[^}=]+(=[^}]*)?\}`)
	groups := map[string]*routeNode{}
	for _, zs := range zitadelServices() {
		if groups[zs.restPrefix] == nil {
			groups[zs.restPrefix] = &routeNode{}
		}
		if err := groups[zs.restPrefix].addService(zs.desc.ServiceName); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, zs := range zitadelServices() {
		d, _ := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(zs.desc.ServiceName))
		ms := d.(protoreflect.ServiceDescriptor).Methods()
		for i := 0; i < ms.Len(); i++ {
			m := ms.Get(i)
			rule, _ := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
			if rule == nil {
				continue
			}
			for _, r := range append([]*annotations.HttpRule{rule}, rule.GetAdditionalBindings()...) {
				method, tmpl := ruleMethod(r)
				path := vars.ReplaceAllStringFunc(tmpl, func(v string) string {
					if strings.Contains(v, "**") {
						return "a/b"
					}
					return "1"
				})
				got, ok := groups[zs.restPrefix].match(method, path)
				want := "/" + zs.desc.ServiceName + "/" + string(m.Name())
				if !ok || got.fullMethod != want || got.body != (r.GetBody() != "") {
					t.Errorf("%s %s%s: matched %+v (%v), want %s with body %v", method, zs.restPrefix, path, got, ok, want, r.GetBody() != "")
				}
				n++
			}
		}
	}
	if n < 800 {
		t.Fatalf("only %d bindings", n)
	}
	// Literal before variable: /users/me is GetMyUser's, not a user id.
	auth := groups["/auth/v1"]
	if r, ok := auth.match("GET", "/users/me"); !ok || r.fullMethod != "/zitadel.auth.v1.AuthService/GetMyUser" {
		t.Errorf("GET /users/me: %+v %v", r, ok)
	}
	if _, ok := groups[""].match("GET", "/v2/nothing/here"); ok {
		t.Error("an unknown path matched")
	}
}
