package fail_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The rule this test keeps (docs/ARCHITECTURE.md, "Errors"): every fail.Error is a
// package-level var in its package's errors.go, made with fail.New, fail.New2 or
// fail.Invalid from string literals; no two errors share an id; an id is Warden's
// (WARDEN-…) or ZITADEL's shape; and no id is written anywhere else.
const howToFix = "move it into a package-level var block in that package's errors.go " +
	"(use e.Msgf at the call site for a message that names a field), with ZITADEL's id " +
	"if ZITADEL refuses the same thing with the same code, else WARDEN-<SHORT>"

const failPath = "github.com/warden-id/warden/internal/fail"

var (
	wardenID  = regexp.MustCompile(`^WARDEN-[A-Z0-9]+(-[A-Z0-9]+)*$`)
	zitadelID = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9]{4,}$`)
	// looksLikeID finds ids inside any string literal: Warden's, and ZITADEL's
	// shape with an upper-case prefix (COMMAND-, QUERY-, AUTH-, V2- …) or Org-
	// and a suffix that is not a plain word ("ZITADEL-compatible",
	// "WWW-Authenticate" are not ids).
	looksLikeID = regexp.MustCompile(`\bWARDEN-[A-Z0-9]+|\b(?:[A-Z][A-Z0-9]+|Org)-([A-Za-z0-9]{4,})\b`)
	plainWord   = regexp.MustCompile(`^[A-Z]?[a-z]+$`)
)

// idIn returns the first error id written in v, or "".
func idIn(v string) string {
	for _, m := range looksLikeID.FindAllStringSubmatch(v, -1) {
		if m[1] == "" || !plainWord.MatchString(m[1]) {
			return m[0]
		}
	}
	return ""
}

// sharedByZITADEL are ids ZITADEL itself gives to more than one error; Warden keeps
// them for those errors.
var sharedByZITADEL = map[string]int{
	"V3-DKcYh":      5, // the eventstore's unique-constraint answer: a project role's key, a user grant, a project grant, an org name, a verified org domain
	"COMMAND-4m77G": 3, // the NotFound of a machine key, a PAT and an app key
	"ORG-Sjdi3":     2, // ValidateOrgDomain's domain not on the org, RemoveOrgDomain's primary domain
	"PROJECT-D8JxR": 2, // the NotFound of a project member and of a project grant
	"PROJECT-47fu8": 2, // a project grant not active, not inactive
	"PROJECT-LiaZi": 2, // ChangeProjectMember: a bad input (InvalidArgument) and no change (FailedPrecondition)
}

type entry struct {
	pos     token.Position
	id, id2 string
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// sources lists the module's non-test Go files, leaving out other modules
// (compat/) and generated code.
func sources(t *testing.T, root string) []string {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "vendor") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestErrorCatalogue(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	var entries []entry
	var problems []string
	report := func(pos token.Pos, format string, args ...any) {
		p := fset.Position(pos)
		rel, _ := filepath.Rel(root, p.Filename)
		problems = append(problems, fmt.Sprintf("%s:%d: %s", rel, p.Line, fmt.Sprintf(format, args...)))
	}
	files := sources(t, root)
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if ast.IsGenerated(f) {
			continue
		}
		inFail := f.Name.Name == "fail" && filepath.Dir(path) == filepath.Join(root, "internal", "fail")
		failName := "" // the name the file imports package fail under
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == failPath {
				failName = "fail"
				if imp.Name != nil {
					failName = imp.Name.Name
				}
			}
		}
		catalogue := filepath.Base(path) == "errors.go"

		// isMaker tells whether e names fail.New, fail.New2, fail.Invalid or the
		// type fail.Error.
		isMaker := func(e ast.Expr, names ...string) bool {
			switch x := e.(type) {
			case *ast.SelectorExpr:
				id, ok := x.X.(*ast.Ident)
				return ok && failName != "" && id.Name == failName && contains(names, x.Sel.Name)
			case *ast.Ident:
				return inFail && contains(names, x.Name)
			}
			return false
		}
		// atTop tells whether the node at pos lies in a package-level var block.
		varSpans := [][2]token.Pos{}
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
				varSpans = append(varSpans, [2]token.Pos{g.Pos(), g.End()})
			}
		}
		atTop := func(pos token.Pos) bool {
			for _, s := range varSpans {
				if pos >= s[0] && pos < s[1] {
					return true
				}
			}
			return false
		}
		// The constructors themselves (fail.go's New, New2, Invalid) are exempt.
		exempt := func(pos token.Pos) bool {
			if !inFail || filepath.Base(path) != "fail.go" {
				return false
			}
			for _, d := range f.Decls {
				if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && contains([]string{"New", "New2", "Invalid"}, fn.Name.Name) &&
					pos >= fn.Pos() && pos < fn.End() {
					return true
				}
			}
			return false
		}
		idArgs := map[*ast.BasicLit]bool{}

		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CompositeLit:
				if isMaker(x.Type, "Error") && !exempt(x.Pos()) {
					report(x.Pos(), "fail.Error literal: make errors with fail.New, fail.New2 or fail.Invalid in errors.go")
				}
			case *ast.CallExpr:
				var nIDs int
				switch {
				case isMaker(x.Fun, "New"):
					nIDs = 1
				case isMaker(x.Fun, "New2"):
					nIDs = 2
				case isMaker(x.Fun, "Invalid"):
					nIDs = 1
				default:
					return true
				}
				if exempt(x.Pos()) {
					return true
				}
				if !catalogue || !atTop(x.Pos()) {
					report(x.Pos(), "error made outside a catalogue: %s", howToFix)
				}
				first := 1 // New(code, id, …), New2(code, id, idv2, …)
				if isMaker(x.Fun, "Invalid") {
					first = 0
				}
				if len(x.Args) < first+nIDs {
					return true
				}
				e := entry{pos: fset.Position(x.Pos())}
				for i := 0; i < nIDs; i++ {
					lit, ok := x.Args[first+i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						report(x.Args[first+i].Pos(), "an error id must be a string literal, so this test can see it")
						return true
					}
					idArgs[lit] = true
					v, _ := strconv.Unquote(lit.Value)
					if !wardenID.MatchString(v) && (!zitadelID.MatchString(v) || strings.HasPrefix(strings.ToUpper(v), "WARDEN")) {
						report(lit.Pos(), "id %q is neither WARDEN-<SHORT> (upper case) nor of ZITADEL's shape PREFIX-xxxx", v)
					}
					if i == 0 {
						e.id = v
					} else {
						e.id2 = v
					}
				}
				entries = append(entries, e)
			}
			return true
		})
		// Ids written anywhere else: in a catalogue file only as an argument
		// of a constructor, elsewhere not at all.
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || idArgs[lit] {
				return true
			}
			v, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if m := idIn(v); m != "" {
				report(lit.Pos(), "error id %q written outside a catalogue entry: %s", m, howToFix)
			}
			return true
		})
	}

	// No two errors share an id (an error may use one id for v1 and v2).
	owners := map[string][]entry{}
	for _, e := range entries {
		owners[e.id] = append(owners[e.id], e)
		if e.id2 != "" && e.id2 != e.id {
			owners[e.id2] = append(owners[e.id2], e)
		}
	}
	ids := make([]string, 0, len(owners))
	for id := range owners {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		es := owners[id]
		if len(es) == 1 || len(es) == sharedByZITADEL[id] {
			continue
		}
		var at []string
		for _, e := range es {
			rel, _ := filepath.Rel(root, e.pos.Filename)
			at = append(at, fmt.Sprintf("%s:%d", rel, e.pos.Line))
		}
		problems = append(problems, fmt.Sprintf("id %q is used by %d errors (%s): give each error its own id, or use one error", id, len(es), strings.Join(at, ", ")))
	}
	for _, id := range sortedKeys(sharedByZITADEL) {
		if got := len(owners[id]); got != sharedByZITADEL[id] {
			problems = append(problems, fmt.Sprintf("sharedByZITADEL says %d errors use %q, the sources have %d: update the list", sharedByZITADEL[id], id, got))
		}
	}

	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("%d source files, %d errors, %d ids", len(files), len(entries), len(owners))
	// Guard against a walk that found nothing (a moved test, a broken root).
	if len(files) < 100 || len(entries) < 120 {
		t.Fatalf("read %d files and found %d errors; expected the whole module (≥ 100 files, ≥ 120 errors)", len(files), len(entries))
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
