package server

import (
	"fmt"
	"sort"
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// routeNode is a trie of REST routes built from the google.api.http
// annotations the transcoder reads, matched the way vanguard's router matches
// (a literal segment before a one-segment variable before a trailing "**"),
// so rest() knows, before transcoding, whether the route a request takes maps
// a body. ZITADEL's gateway ignores the body of a route that maps none and
// reads an empty body as an empty message where one is mapped; the
// transcoder instead fails both with a 500.
type routeNode struct {
	children map[string]*routeNode       // literal segment, "*" or "**"
	verbs    map[string]map[string]route // custom verb ("" for none) → HTTP method → route
}

// route is one REST binding of a method.
type route struct {
	fullMethod string // /zitadel.user.v2.UserService/LockUser
	body       bool   // the annotation maps a request body
}

// addService adds every REST binding of the named service's methods.
func (n *routeNode) addService(name string) error {
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
	if err != nil {
		return fmt.Errorf("service %s: %w", name, err)
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok {
		return fmt.Errorf("%s is no service", name)
	}
	ms := sd.Methods()
	for i := 0; i < ms.Len(); i++ {
		m := ms.Get(i)
		rule, _ := proto.GetExtension(m.Options(), annotations.E_Http).(*annotations.HttpRule)
		if rule == nil {
			continue
		}
		full := "/" + name + "/" + string(m.Name())
		for _, r := range append([]*annotations.HttpRule{rule}, rule.GetAdditionalBindings()...) {
			method, tmpl := ruleMethod(r)
			if tmpl == "" {
				continue
			}
			segs, verb := templateSegments(tmpl)
			n.add(segs, verb, method, route{fullMethod: full, body: r.GetBody() != ""})
		}
	}
	return nil
}

// ruleMethod is a rule's HTTP method and path template.
func ruleMethod(r *annotations.HttpRule) (method, template string) {
	switch p := r.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		return "GET", p.Get
	case *annotations.HttpRule_Post:
		return "POST", p.Post
	case *annotations.HttpRule_Put:
		return "PUT", p.Put
	case *annotations.HttpRule_Delete:
		return "DELETE", p.Delete
	case *annotations.HttpRule_Patch:
		return "PATCH", p.Patch
	case *annotations.HttpRule_Custom:
		return p.Custom.GetKind(), p.Custom.GetPath()
	}
	return "", ""
}

// templateSegments splits a path template into trie segments: a variable
// becomes "*" (or the segments of its own pattern, e.g. "**"), and a trailing
// ":verb" is returned apart.
func templateSegments(tmpl string) (segs []string, verb string) {
	tmpl = strings.TrimPrefix(tmpl, "/")
	// A verb follows the last segment, outside any variable.
	if i := strings.LastIndex(tmpl, ":"); i >= 0 && !strings.Contains(tmpl[i:], "}") && !strings.Contains(tmpl[i:], "/") {
		tmpl, verb = tmpl[:i], tmpl[i+1:]
	}
	for len(tmpl) > 0 {
		if tmpl[0] == '{' {
			end := strings.IndexByte(tmpl, '}')
			if end < 0 {
				end = len(tmpl) - 1
			}
			v := tmpl[1:end]
			tmpl = strings.TrimPrefix(tmpl[end+1:], "/")
			if _, pattern, ok := strings.Cut(v, "="); ok {
				segs = append(segs, strings.Split(pattern, "/")...)
			} else {
				segs = append(segs, "*")
			}
			continue
		}
		seg, rest, _ := strings.Cut(tmpl, "/")
		segs, tmpl = append(segs, seg), rest
	}
	return segs, verb
}

func (n *routeNode) add(segs []string, verb, method string, r route) {
	for _, s := range segs {
		if n.children == nil {
			n.children = map[string]*routeNode{}
		}
		c := n.children[s]
		if c == nil {
			c = &routeNode{}
			n.children[s] = c
		}
		n = c
	}
	if n.verbs == nil {
		n.verbs = map[string]map[string]route{}
	}
	if n.verbs[verb] == nil {
		n.verbs[verb] = map[string]route{}
	}
	n.verbs[verb][method] = r
}

// match finds the route vanguard would take for method and path.
func (n *routeNode) match(method, path string) (route, bool) {
	if path == "" || path[0] != '/' {
		return route{}, false
	}
	segs := strings.Split(path[1:], "/")
	verb := ""
	if last := segs[len(segs)-1]; strings.Contains(last, ":") {
		segs[len(segs)-1], verb, _ = strings.Cut(last, ":")
	}
	methods := n.find(segs, verb)
	r, ok := methods[method]
	if !ok {
		r, ok = methods["*"]
	}
	return r, ok
}

// find returns the routes of the first node matching the path and verb,
// trying literal, then "*", then "**", as vanguard does.
func (n *routeNode) find(segs []string, verb string) map[string]route {
	if len(segs) == 0 {
		return n.verbs[verb]
	}
	if c := n.children[segs[0]]; c != nil {
		if m := c.find(segs[1:], verb); m != nil {
			return m
		}
	}
	if c := n.children["*"]; c != nil {
		if m := c.find(segs[1:], verb); m != nil {
			return m
		}
	}
	if c := n.children["**"]; c != nil {
		return c.find(nil, verb)
	}
	return nil
}

// firstSegments are the distinct first path segments of the routes ("v2", "v2beta").
func (n *routeNode) firstSegments() []string {
	var out []string
	for s := range n.children {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
