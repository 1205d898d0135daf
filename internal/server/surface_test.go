package server_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/warden-id/warden/internal/docsection"
	"github.com/warden-id/warden/internal/store/testdb"
	mgmt "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/emptypb"
)

// zitadelGoServices lists every service zitadel-go v3.29.0 generates, read
// from its *_grpc.pb.go files in the module cache — not from what the server
// registered, so a service the server forgot shows. The descriptors come from
// the registry the server's imports fill.
func zitadelGoServices(t testing.TB) []protoreflect.ServiceDescriptor {
	t.Helper()
	file, _ := runtime.FuncForPC(reflect.ValueOf(mgmt.RegisterManagementServiceServer).Pointer()).FileLine(
		reflect.ValueOf(mgmt.RegisterManagementServiceServer).Pointer())
	root := filepath.Dir(filepath.Dir(file)) // .../pkg/client/zitadel
	if filepath.Base(root) != "zitadel" {
		t.Fatalf("cannot find zitadel-go's generated code from %s (built with -trimpath?)", file)
	}
	name := regexp.MustCompile(`ServiceName:\s+"([^"]+)"`)
	var out []protoreflect.ServiceDescriptor
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, "_grpc.pb.go") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range name.FindAllSubmatch(b, -1) {
			d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(m[1]))
			if err != nil {
				return fmt.Errorf("%s (in %s) is not linked into the server: %w", m[1], p, err)
			}
			out = append(out, d.(protoreflect.ServiceDescriptor))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FullName() < out[j].FullName() })
	if len(out) < 30 {
		t.Fatalf("only %d services found under %s", len(out), root)
	}
	return out
}

// restPrefix is where ZITADEL mounts a service's REST gateway: v1 paths are
// relative to it, v2 paths absolute.
func restPrefix(svc protoreflect.ServiceDescriptor) string {
	switch svc.FullName() {
	case "zitadel.management.v1.ManagementService":
		return "/management/v1"
	case "zitadel.admin.v1.AdminService":
		return "/admin/v1"
	case "zitadel.auth.v1.AuthService":
		return "/auth/v1"
	case "zitadel.system.v1.SystemService":
		return "/system/v1"
	}
	return ""
}

// binding is one REST binding of a method.
type binding struct{ method, template string }

func bindings(svc protoreflect.ServiceDescriptor, m protoreflect.MethodDescriptor) []binding {
	rule, _ := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
	if rule == nil {
		return nil
	}
	var out []binding
	for _, r := range append([]*annotations.HttpRule{rule}, rule.GetAdditionalBindings()...) {
		var b binding
		switch p := r.GetPattern().(type) {
		case *annotations.HttpRule_Get:
			b = binding{"GET", p.Get}
		case *annotations.HttpRule_Post:
			b = binding{"POST", p.Post}
		case *annotations.HttpRule_Put:
			b = binding{"PUT", p.Put}
		case *annotations.HttpRule_Delete:
			b = binding{"DELETE", p.Delete}
		case *annotations.HttpRule_Patch:
			b = binding{"PATCH", p.Patch}
		default:
			continue
		}
		b.template = restPrefix(svc) + b.template
		out = append(out, b)
	}
	return out
}

var pathVar = regexp.MustCompile(`\{[^}=]+(=[^}]*)?\}`)

// concrete fills a path template's variables ("{id}" → "1", "{key=**}" → "a/b").
func concrete(template string) string {
	return pathVar.ReplaceAllStringFunc(template, func(v string) string {
		if strings.Contains(v, "**") {
			return "a/b"
		}
		return "1"
	})
}

func fullMethod(svc protoreflect.ServiceDescriptor, m protoreflect.MethodDescriptor) string {
	return "/" + string(svc.FullName()) + "/" + string(m.Name())
}

// served asks the server every method of every service over gRPC, with the
// administrator's token and an empty request: a method is served if it
// answers anything but Unimplemented. (Served methods run for real, on the
// test's own store; an empty request asks for nothing harmful.)
func served(t *testing.T, e *env, svcs []protoreflect.ServiceDescriptor) map[string]bool {
	t.Helper()
	conn := e.grpcConn()
	ctx := e.authCtx(e.token)
	out := map[string]bool{}
	var mu sync.Mutex
	each(t, svcs, func(svc protoreflect.ServiceDescriptor, m protoreflect.MethodDescriptor) {
		err := conn.Invoke(ctx, fullMethod(svc, m), &emptypb.Empty{}, &emptypb.Empty{})
		if status.Code(err) != codes.Unimplemented {
			mu.Lock()
			out[fullMethod(svc, m)] = true
			mu.Unlock()
		}
	})
	return out
}

// each runs fn for every method, a few at a time.
func each(t *testing.T, svcs []protoreflect.ServiceDescriptor, fn func(protoreflect.ServiceDescriptor, protoreflect.MethodDescriptor)) {
	t.Helper()
	work := make(chan [2]any)
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for w := range work {
				fn(w[0].(protoreflect.ServiceDescriptor), w[1].(protoreflect.MethodDescriptor))
			}
		}()
	}
	for _, svc := range svcs {
		ms := svc.Methods()
		for i := 0; i < ms.Len(); i++ {
			work <- [2]any{svc, ms.Get(i)}
		}
	}
	close(work)
	wg.Wait()
}

// TestEveryZITADELMethod: every method of every service of zitadel-go
// v3.29.0 (admin, auth, management and system v1; every v2 and v2beta
// service) that Warden does not serve answers Unimplemented, naming the
// method, over all four protocols: gRPC code 12; gRPC-Web grpc-status 12
// (connect-go's client); Connect 501 code "unimplemented" (connect-go's
// client, JSON); and REST 501 with a google.rpc.Status body at every path its
// annotation binds (ZITADEL's prefix for v1), sent with "{}" also where the
// annotation maps no body, as clients do. The served methods are exactly the
// ones docs/compat.md lists (TestCompatDocListsServedMethods), and v2beta
// serves every method v2 serves that v2beta has.
func TestEveryZITADELMethod(t *testing.T) {
	svcs := zitadelGoServices(t)
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		e := startEnv(t, open(t))
		isServed := served(t, e, svcs)
		if len(isServed) < 50 || !isServed["/zitadel.management.v1.ManagementService/LockUser"] {
			t.Fatalf("only %d methods served: %v", len(isServed), isServed)
		}
		for m := range isServed {
			beta := m
			for _, svc := range []string{"user", "authorization", "project"} { // the services with a served v2beta twin
				beta = strings.Replace(beta, "/zitadel."+svc+".v2.", "/zitadel."+svc+".v2beta.", 1)
			}
			if beta != m && !isServed[beta] {
				if _, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(strings.ReplaceAll(strings.TrimPrefix(beta, "/"), "/", "."))); err == nil {
					t.Errorf("v2 serves %s, v2beta does not", m)
				}
			}
		}
		conn := e.grpcConn()
		gctx := e.authCtx(e.token)
		hc := &http.Client{}
		var mu sync.Mutex
		checked := map[string]int{}
		count := func(proto string) {
			mu.Lock()
			checked[proto]++
			mu.Unlock()
		}
		each(t, svcs, func(svc protoreflect.ServiceDescriptor, m protoreflect.MethodDescriptor) {
			full := fullMethod(svc, m)
			if isServed[full] {
				return
			}
			want := "method " + string(m.Name()) + " not implemented"
			// gRPC: grpc-go's client.
			err := conn.Invoke(gctx, full, &emptypb.Empty{}, &emptypb.Empty{})
			if status.Code(err) != codes.Unimplemented || status.Convert(err).Message() != want {
				t.Errorf("gRPC %s: %v", full, err)
			}
			count("gRPC")
			// gRPC-Web (binary) and Connect (JSON): connect-go's clients.
			for _, p := range []struct {
				name string
				opt  connect.ClientOption
			}{{"gRPC-Web", connect.WithGRPCWeb()}, {"Connect", connect.WithProtoJSON()}} {
				c := connect.NewClient[emptypb.Empty, emptypb.Empty](hc, e.base+full, p.opt)
				req := connect.NewRequest(&emptypb.Empty{})
				req.Header().Set("Authorization", "Bearer "+e.token)
				_, err := c.CallUnary(context.Background(), req)
				if connect.CodeOf(err) != connect.CodeUnimplemented || !strings.Contains(err.Error(), want) {
					t.Errorf("%s %s: %v", p.name, full, err)
				}
				count(p.name)
			}
			// REST, at every binding.
			for _, b := range bindings(svc, m) {
				body := ""
				if b.method != "GET" && b.method != "DELETE" {
					body = "{}"
				}
				r := e.admin(b.method, concrete(b.template), body)
				if r.status != 501 || r.body["code"] != float64(12) || r.body["message"] != want {
					t.Errorf("REST %s %s (%s): %d %.300s", b.method, concrete(b.template), full, r.status, r.raw)
				}
				count("REST")
			}
		})
		t.Logf("Unimplemented checked: %v; %d methods served", checked, len(isServed))
		// Every method is either served or checked here (zitadel-go v3.29.0 has
		// some 900; the REST count is lower, as some have no annotation).
		if checked["gRPC"]+len(isServed) < 880 || checked["REST"]+len(isServed) < 800 {
			t.Fatalf("too few methods checked: %v", checked)
		}
	})
}

const (
	docBegin = "<!-- BEGIN served methods: generated by `make compat-doc` from what the server registers; TestCompatDocListsServedMethods fails when it is stale -->"
	docEnd   = "<!-- END served methods -->"
)

// servedDoc renders the served methods per service, with their REST bindings.
func servedDoc(svcs []protoreflect.ServiceDescriptor, isServed map[string]bool) string {
	var b strings.Builder
	var idle []string
	for _, svc := range svcs {
		ms := svc.Methods()
		var rows []string
		for i := 0; i < ms.Len(); i++ {
			m := ms.Get(i)
			if !isServed[fullMethod(svc, m)] {
				continue
			}
			var rs []string
			for _, bd := range bindings(svc, m) {
				rs = append(rs, "`"+bd.method+" "+bd.template+"`")
			}
			if len(rs) == 0 {
				rs = []string{"—"}
			}
			rows = append(rows, "| "+string(m.Name())+" | "+strings.Join(rs, ", ")+" |")
		}
		if len(rows) == 0 {
			idle = append(idle, "`"+string(svc.FullName())+"`")
			continue
		}
		sort.Strings(rows)
		fmt.Fprintf(&b, "\n#### `%s` — %d of %d methods\n\n| Method | REST |\n|---|---|\n%s\n", svc.FullName(), len(rows), ms.Len(), strings.Join(rows, "\n"))
	}
	fmt.Fprintf(&b, "\nEvery other method of these, and every method of the other %d services of zitadel-go v3.29.0, answers "+
		"Unimplemented: %s.\n", len(idle), strings.Join(idle, ", "))
	return docBegin + "\n" + b.String() + docEnd
}

// TestCompatDocListsServedMethods: docs/compat.md lists exactly the methods
// the server serves. WARDEN_WRITE_COMPAT_DOC=1 (make compat-doc) rewrites the
// list instead.
func TestCompatDocListsServedMethods(t *testing.T) {
	svcs := zitadelGoServices(t)
	e := startEnv(t, testdb.SQLite(t))
	want := servedDoc(svcs, served(t, e, svcs))
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "docs", "compat.md")
	docsection.Check(t, path, docBegin, docEnd, want, "WARDEN_WRITE_COMPAT_DOC", "make compat-doc")
}

// TestUnknownMethods: a service or method that is in no ZITADEL release
// answers Unimplemented in the caller's protocol, as a gRPC server does —
// gRPC and gRPC-Web with grpc-status 12 (connect-go's and grpc-go's clients),
// Connect with 501 "unimplemented" although it sent its protocol header —
// while a JSON post without Connect's header to a method Warden has is told
// the header is missing, and one to a method nobody has is a 404.
func TestUnknownMethods(t *testing.T) {
	e := startEnv(t, testdb.SQLite(t))
	conn := e.grpcConn()
	for _, c := range []struct{ path, msg string }{
		{"/zitadel.nothing.v1.NothingService/Call", "unknown service zitadel.nothing.v1.NothingService"},
		{"/zitadel.user.v2.UserService/NoSuchMethod", "unknown method NoSuchMethod for service zitadel.user.v2.UserService"},
	} {
		err := conn.Invoke(e.authCtx(e.token), c.path, &emptypb.Empty{}, &emptypb.Empty{})
		if status.Code(err) != codes.Unimplemented || status.Convert(err).Message() != c.msg {
			t.Errorf("gRPC %s: %v", c.path, err)
		}
		for name, opts := range map[string][]connect.ClientOption{"gRPC-Web": {connect.WithGRPCWeb()},
			"Connect (JSON)": {connect.WithProtoJSON()}, "Connect (proto)": nil} {
			cl := connect.NewClient[emptypb.Empty, emptypb.Empty](http.DefaultClient, e.base+c.path, opts...)
			_, err := cl.CallUnary(context.Background(), connect.NewRequest(&emptypb.Empty{}))
			if connect.CodeOf(err) != connect.CodeUnimplemented || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("%s %s: %v", name, c.path, err)
			}
		}
		r := e.admin("POST", c.path, `{}`, "Connect-Protocol-Version", "1")
		if r.status != 501 || r.body["code"] != "unimplemented" {
			t.Errorf("Connect by hand %s: %d %s", c.path, r.status, r.raw)
		}
		if r := e.admin("POST", c.path, `{}`); r.status != 404 || r.errID() != "WARDEN-NOROUTE" {
			t.Errorf("JSON without Connect's header %s: %d %s", c.path, r.status, r.raw)
		}
	}
	if r := e.admin("POST", "/zitadel.management.v1.ManagementService/GetMyOrg", `{}`); r.status != 400 || r.errID() != "WARDEN-CONNECT" {
		t.Errorf("a served method without Connect's header: %d %s", r.status, r.raw)
	}
}
