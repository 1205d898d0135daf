package app

import "testing"

func TestNormalizeUserCode(t *testing.T) {
	for in, want := range map[string]string{
		"BCDF-GHJK":    "BCDF-GHJK",
		"bcdfghjk":     "BCDF-GHJK",
		" bcdf ghjk ":  "BCDF-GHJK",
		"B-C-D-F-GHJK": "BCDF-GHJK",
		"BCDF-GHJ":     "", // too short
		"BCDF-GHJKL":   "", // too long
		"ABCD-EFGH":    "", // vowels are never in a code
		"BCDF-GHJ1":    "",
		"":             "",
		"BCDF\x00GHJK": "",
	} {
		if got := NormalizeUserCode(in); got != want {
			t.Errorf("NormalizeUserCode(%q) = %q, want %q", in, got, want)
		}
	}
}
