package api

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	authzv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2"
	authzv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/authorization/v2beta"
	filterv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2"
	filterv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/filter/v2beta"
	ipv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2"
	ipv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/internal_permission/v2beta"
	projectv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2"
	projectv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/project/v2beta"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// converter is one v2beta request's conversion to v2.
type converter func(proto.Message) (proto.Message, error)

func conv[B, V proto.Message](f func(B) V) converter {
	return func(m proto.Message) (proto.Message, error) { return f(m.(B)), nil }
}

func convErr[B, V proto.Message](f func(B) (V, error)) converter {
	return func(m proto.Message) (proto.Message, error) { return f(m.(B)) }
}

var authzV2betaConverters = map[string]converter{
	"CreateAuthorization":     conv(createAuthorizationV2),
	"UpdateAuthorization":     conv(updateAuthorizationV2),
	"DeleteAuthorization":     conv(deleteAuthorizationV2),
	"ActivateAuthorization":   conv(activateAuthorizationV2),
	"DeactivateAuthorization": conv(deactivateAuthorizationV2),
	"ListAuthorizations":      convErr(listAuthorizationsV2),
}

var projectV2betaConverters = map[string]converter{
	// The admins, which v2 has not, come beside the v2 request; here they
	// are carried in its name, for the test to find.
	"CreateProject": conv(func(r *projectv2beta.CreateProjectRequest) *projectv2.CreateProjectRequest {
		in, admins := createProjectV2(r)
		for _, a := range admins {
			in.Name += fmt.Sprintf(" admin %s %v", a.UserID, a.Roles)
		}
		return in
	}),
	"UpdateProject":     conv(updateProjectV2),
	"DeleteProject":     conv(deleteProjectV2),
	"GetProject":        conv(getProjectV2),
	"ListProjects":      convErr(listProjectsV2),
	"DeactivateProject": conv(deactivateProjectV2),
	"ActivateProject":   conv(activateProjectV2),
	"AddProjectRole":    conv(addProjectRoleV2),
	"UpdateProjectRole": conv(updateProjectRoleV2),
	"RemoveProjectRole": conv(removeProjectRoleV2),
	"ListProjectRoles":  convErr(listProjectRolesV2),

	"CreateProjectGrant":     conv(createProjectGrantV2),
	"UpdateProjectGrant":     conv(updateProjectGrantV2),
	"DeactivateProjectGrant": conv(deactivateProjectGrantV2),
	"ActivateProjectGrant":   conv(activateProjectGrantV2),
	"DeleteProjectGrant":     conv(deleteProjectGrantV2),
	"ListProjectGrants":      convErr(listProjectGrantsV2),
}

var ipermV2betaConverters = map[string]converter{
	"CreateAdministrator": conv(createAdministratorV2),
	"UpdateAdministrator": conv(updateAdministratorV2),
	"DeleteAdministrator": conv(deleteAdministratorV2),
	// A grant id becomes the grant's project and granted org.
	"ListAdministrators": convErr(func(r *ipv2beta.ListAdministratorsRequest) (*ipv2.ListAdministratorsRequest, error) {
		return listAdministratorsV2(r, func(id string) (string, string, bool, error) { return id + "-project", id + "-org", true, nil })
	}),
}

// v2betaRefused are the request fields a converter refuses, with the error.
var v2betaRefused = map[string]error{
	// ZITADEL's v2beta has none of these administrator filters.
	"ListAdministratorsRequest.filters.role.role_key": errOrgQuery,
	"ListAdministratorsRequest.filters.and.queries":   errOrgQuery,
	"ListAdministratorsRequest.filters.or.queries":    errOrgQuery,
	"ListAdministratorsRequest.filters.not.query":     errOrgQuery,
}

// leaf is one scalar field reached from a request, through the messages
// that lead to it (a list gets one element).
type leaf []protoreflect.FieldDescriptor

func (l leaf) String() string {
	var b strings.Builder
	b.WriteString(string(l[0].ContainingMessage().Name()))
	for _, f := range l {
		b.WriteString("." + string(f.Name()))
	}
	return b.String()
}

func leaves(md protoreflect.MessageDescriptor, prefix leaf, depth int) []leaf {
	var out []leaf
	for i := 0; i < md.Fields().Len(); i++ {
		f := md.Fields().Get(i)
		p := append(append(leaf{}, prefix...), f)
		if f.Message() != nil && !f.IsMap() && !onPath(prefix, f.Message()) {
			if depth > 6 {
				panic("request messages nest deeper than expected: " + p.String())
			}
			out = append(out, leaves(f.Message(), p, depth+1)...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// onPath tells whether md is a message the path already passed through
// (AdministratorSearchFilter nests itself): there the field is set as an
// empty message, a leaf of its own.
func onPath(path leaf, md protoreflect.MessageDescriptor) bool {
	for _, f := range path {
		if f.ContainingMessage().FullName() == md.FullName() {
			return true
		}
	}
	return false
}

// set gives the leaf a value no request has by default and returns it as
// text: strings are unique per field, so the v2 message must carry them.
func set(m protoreflect.Message, l leaf) string {
	for _, f := range l[:len(l)-1] {
		if f.IsList() {
			m = m.Mutable(f).List().AppendMutable().Message()
		} else {
			m = m.Mutable(f).Message()
		}
	}
	f := l[len(l)-1]
	var v protoreflect.Value
	var text string
	switch f.Kind() {
	case protoreflect.StringKind:
		text = "v-" + l.String()
		v = protoreflect.ValueOfString(text)
	case protoreflect.BoolKind:
		v = protoreflect.ValueOfBool(true)
	case protoreflect.EnumKind:
		v = protoreflect.ValueOfEnum(f.Enum().Values().Get(f.Enum().Values().Len() - 1).Number())
	case protoreflect.Uint64Kind:
		v = protoreflect.ValueOfUint64(7)
	case protoreflect.Uint32Kind:
		v = protoreflect.ValueOfUint32(7)
	case protoreflect.Int64Kind:
		v = protoreflect.ValueOfInt64(7)
	case protoreflect.Int32Kind:
		v = protoreflect.ValueOfInt32(7)
	case protoreflect.MessageKind:
		if f.IsList() {
			m.Mutable(f).List().AppendMutable()
		} else {
			m.Mutable(f)
		}
		return ""
	default:
		panic(fmt.Sprintf("%s: kind %v not covered by the test", l, f.Kind()))
	}
	if f.IsList() {
		m.Mutable(f).List().Append(v)
	} else {
		m.Set(f, v)
	}
	return text
}

// TestV2betaRequestsConverted walks every field of every request of the
// served v2beta Authorization and Project methods, at any depth, and sets
// each alone: the converter must either refuse it (v2betaRefused) or give a
// v2 request that differs from the one without it — carrying the very string
// for a string field. A field ZITADEL adds to a v2beta request fails here
// until it is converted or refused, so none is dropped silently. Every
// method without a converter must answer Unimplemented.
func TestV2betaRequestsConverted(t *testing.T) {
	for _, svc := range []struct {
		desc   protoreflect.ServiceDescriptor
		convs  map[string]converter
		server any
	}{
		{authzv2beta.File_zitadel_authorization_v2beta_authorization_service_proto.Services().ByName("AuthorizationService"), authzV2betaConverters, &AuthorizationV2beta{}},
		{projectv2beta.File_zitadel_project_v2beta_project_service_proto.Services().ByName("ProjectService"), projectV2betaConverters, &ProjectV2beta{}},
		{ipv2beta.File_zitadel_internal_permission_v2beta_internal_permission_service_proto.Services().ByName("InternalPermissionService"), ipermV2betaConverters, &InternalPermissionV2beta{}},
	} {
		for i := 0; i < svc.desc.Methods().Len(); i++ {
			md := svc.desc.Methods().Get(i)
			name := string(md.Name())
			c, ok := svc.convs[name]
			if !ok {
				wantUnimplemented(t, svc.server, md)
				continue
			}
			in := md.Input()
			newReq := func() proto.Message { return dynamicNew(in) }
			base, err := c(newReq())
			if err != nil {
				t.Fatalf("%s: the empty request: %v", name, err)
			}
			for _, l := range leaves(in, nil, 0) {
				req := newReq()
				text := set(req.ProtoReflect(), l)
				got, err := c(req)
				if want, refused := v2betaRefused[l.String()]; refused {
					if !errors.Is(err, want) {
						t.Errorf("%s: want refused with %v, got %v", l, want, err)
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: %v", l, err)
					continue
				}
				if proto.Equal(got, base) {
					t.Errorf("%s is dropped: the v2 request is the same without it", l)
				}
				if text != "" && !strings.Contains(prototext.Format(got), text) {
					t.Errorf("%s: the v2 request %v does not carry %q", l, got, text)
				}
			}
		}
	}
	for p := range v2betaRefused {
		found := false
		for _, convs := range []map[string]converter{authzV2betaConverters, projectV2betaConverters, ipermV2betaConverters} {
			for name := range convs {
				if strings.HasPrefix(p, name+"Request.") {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s is refused but no converted request has it", p)
		}
	}
}

// dynamicNew returns a new message of the request's generated Go type.
func dynamicNew(md protoreflect.MessageDescriptor) proto.Message {
	mt, err := protoregistryFind(md)
	if err != nil {
		panic(err)
	}
	return mt.New().Interface()
}

// wantUnimplemented calls a method the service does not convert, on a
// service with nothing behind it: a served method would reach v2 (and
// panic on nil); an unserved one answers Unimplemented.
func wantUnimplemented(t *testing.T, server any, md protoreflect.MethodDescriptor) {
	t.Helper()
	m := reflect.ValueOf(server).MethodByName(string(md.Name()))
	if !m.IsValid() {
		t.Fatalf("%s: no such method", md.FullName())
	}
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s is served but has no converter in the test: %v", md.FullName(), r)
		}
	}()
	out := m.Call([]reflect.Value{reflect.ValueOf(context.Background()), reflect.ValueOf(dynamicNew(md.Input()))})
	err, _ := out[1].Interface().(error)
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("%s: %v, want Unimplemented", md.FullName(), err)
	}
}

func protoregistryFind(md protoreflect.MessageDescriptor) (protoreflect.MessageType, error) {
	return protoregistry.GlobalTypes.FindMessageByName(md.FullName())
}

// TestV2betaAnswersConverted fills every field of v2's Authorization and
// Project answers and checks that every field of their v2beta twins is set
// from them, save those v2's answers do not carry (an authorization's project
// grant: v2's Authorization has no field for it).
func TestV2betaAnswersConverted(t *testing.T) {
	neverSet := map[string]bool{
		"ListAuthorizationsResponse.authorizations.project_grant_id":        true,
		"ListAuthorizationsResponse.authorizations.granted_organization_id": true,
		// The resource is a oneof, filled here with its last alternative;
		// TestAdministratorResourcesV2beta converts each.
		"ListAdministratorsResponse.administrators.instance":                true,
		"ListAdministratorsResponse.administrators.organization.id":         true,
		"ListAdministratorsResponse.administrators.organization.name":       true,
		"ListAdministratorsResponse.administrators.project.id":              true,
		"ListAdministratorsResponse.administrators.project.name":            true,
		"ListAdministratorsResponse.administrators.project.organization_id": true,
	}
	fill := func(m proto.Message) proto.Message {
		for _, l := range leaves(m.ProtoReflect().Descriptor(), nil, 0) {
			setAll(m.ProtoReflect(), l)
		}
		return m
	}
	for _, tc := range []struct {
		v2   proto.Message
		conv func(proto.Message) proto.Message
	}{
		{fill(new(authzv2.ListAuthorizationsResponse)), func(m proto.Message) proto.Message {
			return listAuthorizationsV2beta(m.(*authzv2.ListAuthorizationsResponse))
		}},
		{fill(new(ipv2.ListAdministratorsResponse)), func(m proto.Message) proto.Message {
			return listAdministratorsV2beta(m.(*ipv2.ListAdministratorsResponse))
		}},
		{fill(new(projectv2.GetProjectResponse)), func(m proto.Message) proto.Message {
			return &projectv2beta.GetProjectResponse{Project: projectV2beta(m.(*projectv2.GetProjectResponse).GetProject())}
		}},
		{fill(new(projectv2.ListProjectGrantsResponse)), func(m proto.Message) proto.Message {
			return listProjectGrantsV2beta(m.(*projectv2.ListProjectGrantsResponse))
		}},
	} {
		beta := tc.conv(tc.v2)
		for _, l := range leaves(beta.ProtoReflect().Descriptor(), nil, 0) {
			if neverSet[l.String()] {
				continue
			}
			if !leafSet(beta.ProtoReflect(), l) {
				t.Errorf("%s is not set from v2's answer", l)
			}
		}
	}
}

// setAll is set, reusing the messages on the way (so one message gets
// every field) and with a non-zero value for timestamps' numbers too.
func setAll(m protoreflect.Message, l leaf) {
	for _, f := range l[:len(l)-1] {
		if f.IsList() {
			list := m.Mutable(f).List()
			if list.Len() == 0 {
				list.AppendMutable()
			}
			m = list.Get(0).Message()
		} else {
			m = m.Mutable(f).Message()
		}
	}
	f := l[len(l)-1]
	switch f.Kind() {
	case protoreflect.Int64Kind:
		m.Set(f, protoreflect.ValueOfInt64(7))
	case protoreflect.Int32Kind:
		m.Set(f, protoreflect.ValueOfInt32(7))
	default:
		set(m, leaf{f})
	}
}

// leafSet tells whether the leaf has a non-zero value in m (in the first
// element of each list on the way).
func leafSet(m protoreflect.Message, l leaf) bool {
	for _, f := range l[:len(l)-1] {
		if !m.Has(f) {
			return false
		}
		if f.IsList() {
			m = m.Get(f).List().Get(0).Message()
		} else {
			m = m.Get(f).Message()
		}
	}
	return m.Has(l[len(l)-1])
}

// TestV2betaEnumsMatchV2: the enums the converters cast by number have the
// same values, by number and name, in v2beta and v2.
func TestV2betaEnumsMatchV2(t *testing.T) {
	for _, p := range [][2]protoreflect.Enum{
		{filterv2beta.TextFilterMethod(0), filterv2.TextFilterMethod(0)},
		{authzv2beta.State(0), authzv2.State(0)},
		{authzv2beta.AuthorizationFieldName(0), authzv2.AuthorizationFieldName(0)},
		{projectv2beta.PrivateLabelingSetting(0), projectv2.PrivateLabelingSetting(0)},
		{projectv2beta.ProjectState(0), projectv2.ProjectState(0)},
		{projectv2beta.ProjectFieldName(0), projectv2.ProjectFieldName(0)},
		{projectv2beta.ProjectRoleFieldName(0), projectv2.ProjectRoleFieldName(0)},
		{projectv2beta.GrantedProjectState(0), projectv2.GrantedProjectState(0)},
		{ipv2beta.AdministratorFieldName(0), ipv2.AdministratorFieldName(0)},
		{projectv2beta.ProjectGrantState(0), projectv2.ProjectGrantState(0)},
		{projectv2beta.ProjectGrantFieldName(0), projectv2.ProjectGrantFieldName(0)},
	} {
		b, v := p[0].Descriptor().Values(), p[1].Descriptor().Values()
		if b.Len() != v.Len() {
			t.Errorf("%s has %d values, %s %d", p[0].Descriptor().FullName(), b.Len(), p[1].Descriptor().FullName(), v.Len())
		}
		for i := 0; i < b.Len(); i++ {
			if w := v.ByNumber(b.Get(i).Number()); w == nil || w.Name() != b.Get(i).Name() {
				t.Errorf("%s: %s = %d differs in %s", p[0].Descriptor().FullName(), b.Get(i).Name(), b.Get(i).Number(), p[1].Descriptor().FullName())
			}
		}
	}
}

// TestAdministratorResourcesV2beta: each alternative of an administrator's
// resource reaches its v2beta twin.
func TestAdministratorResourcesV2beta(t *testing.T) {
	for _, v2 := range []*ipv2.Administrator{
		{Resource: &ipv2.Administrator_Instance{Instance: true}},
		{Resource: &ipv2.Administrator_Organization{Organization: &ipv2.Organization{Id: "o", Name: "O"}}},
		{Resource: &ipv2.Administrator_Project{Project: &ipv2.Project{Id: "p", Name: "P", OrganizationId: "o"}}},
		{Resource: &ipv2.Administrator_ProjectGrant{ProjectGrant: &ipv2.ProjectGrant{Id: "g", ProjectId: "p", ProjectName: "P", OrganizationId: "o", GrantedOrganizationId: "go"}}},
	} {
		v2.User = &ipv2.User{Id: "u"}
		got := listAdministratorsV2beta(&ipv2.ListAdministratorsResponse{Administrators: []*ipv2.Administrator{v2}}).GetAdministrators()[0]
		// The two messages have the same field names and numbers here.
		if g, w := prototext.Format(got), prototext.Format(v2); g != w {
			t.Errorf("v2beta %s, v2 %s", g, w)
		}
	}
}
