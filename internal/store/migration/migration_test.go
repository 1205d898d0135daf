package migration

import (
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_b.sql": {Data: []byte("B")},
		"m/0001_a.sql": {Data: []byte("A")},
	}
	steps, err := Load(fsys, "m")
	if err != nil || len(steps) != 2 || steps[0].Version != 1 || steps[1].SQL != "B" || Latest(steps) != 2 {
		t.Fatalf("%+v %v", steps, err)
	}
	for name, bad := range map[string]fstest.MapFS{
		"no number": {"m/init.sql": {}},
		"not sql":   {"m/0001_a.txt": {}},
		"zero":      {"m/0000_a.sql": {}},
		"twice":     {"m/0001_a.sql": {}, "m/01_b.sql": {}},
	} {
		if _, err := Load(bad, "m"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if CheckNotNewer(3, 2) == nil || CheckNotNewer(2, 2) != nil {
		t.Fatal("CheckNotNewer")
	}
}
