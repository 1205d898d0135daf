// Package docsection keeps the generated sections of the docs true: a test
// renders a section from the code, and Check compares it with the file and
// rewrites it when asked to. It is imported by tests only.
package docsection

import (
	"os"
	"strings"
	"testing"
)

// Check compares the section of the file at path from begin to end (both
// markers included) with want, which includes them. A stale section fails the
// test, naming the command that rewrites it (how), unless the environment
// variable write is set: then Check rewrites the section instead.
func Check(t testing.TB, path, begin, end, want, write, how string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no generated section (%q … %q)", path, begin, end)
	}
	if doc[i:j+len(end)] == want {
		return
	}
	if os.Getenv(write) == "" {
		t.Fatalf("the generated section of %s is stale: run `%s`. It should read:\n%s", path, how, want)
	}
	if err := os.WriteFile(path, []byte(doc[:i]+want+doc[j+len(end):]), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("rewrote the generated section of %s", path)
}
