package sqlstore

import (
	"strings"
	"testing"
)

// The bare-? form binds by position, so translating to it must refuse a text
// whose numbers are not 1, 2, … in order of appearance, and keep the rest.
func TestTranslateBarePlaceholders(t *testing.T) {
	bare := &Dialect{Name: "bare"}
	if got := bare.translate("UPDATE t SET a = $1, b = $2 WHERE id = $3"); got != "UPDATE t SET a = ?, b = ? WHERE id = ?" {
		t.Errorf("translate: %q", got)
	}
	numbered := &Dialect{Name: "numbered", Numbered: true}
	if got := numbered.translate("SELECT $2, $1"); got != "SELECT $2, $1" {
		t.Errorf("numbered dialect changed the text: %q", got)
	}
	for _, sql := range []string{"UPDATE t SET a = $2 WHERE id = $1", "SELECT $1, $1", "SELECT $2"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("translate(%q) to bare placeholders did not refuse it", sql)
				}
			}()
			bare.translate(sql)
		}()
	}
}

// Every shared statement reads in both forms; a dialect must supply the ones
// that cannot be shared.
func TestTexts(t *testing.T) {
	own := map[Stmt]string{StmtPrincipal: "principal", StmtPutArtifact: "put artifact"}
	for _, d := range []*Dialect{{Name: "bare", Statements: own}, {Name: "numbered", Numbered: true, Statements: own}} {
		texts := d.Texts()
		for s, text := range texts {
			if text == "" || (!d.Numbered && strings.Contains(text, "$")) {
				t.Errorf("%s: statement %d: %q", d.Name, s, text)
			}
		}
		if texts[StmtPrincipal] != "principal" {
			t.Errorf("%s: the dialect's own statement was not used", d.Name)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Texts accepted a dialect without its own StmtPrincipal and StmtPutArtifact")
		}
	}()
	(&Dialect{Name: "lacking", Numbered: true}).Texts()
}
