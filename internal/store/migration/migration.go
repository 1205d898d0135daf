// Package migration reads an engine's embedded schema migrations: files named
// NNNN_what.sql, applied in version order, each once.
package migration

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Step is one migration.
type Step struct {
	Version int
	Name    string
	SQL     string
}

// Load reads every migration in dir of fsys, sorted by version. A file that
// does not follow the naming rule, or a version used twice, is an error: a
// migration silently skipped would leave a schema that no test has seen.
func Load(fsys fs.FS, dir string) ([]Step, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	steps := make([]Step, 0, len(entries))
	seen := map[int]string{}
	for _, e := range entries {
		n, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(n)
		if !ok || err != nil || v <= 0 || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("bad migration file name %q", e.Name())
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %q and %q share version %d", other, e.Name(), v)
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		steps = append(steps, Step{Version: v, Name: e.Name(), SQL: string(body)})
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].Version < steps[j].Version })
	return steps, nil
}

// Latest is the newest version among steps, 0 for none.
func Latest(steps []Step) int {
	if len(steps) == 0 {
		return 0
	}
	return steps[len(steps)-1].Version
}

// CheckNotNewer refuses a database whose schema is newer than this binary's.
func CheckNotNewer(current, known int) error {
	if current > known {
		return fmt.Errorf("database schema version %d is newer than this binary knows (%d): upgrade warden", current, known)
	}
	return nil
}
