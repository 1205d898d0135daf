package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/warden-id/warden/internal/store/storetest"
)

func TestDumpConformance(t *testing.T) {
	storetest.RunDump(t, func(t *testing.T) storetest.DumpStore {
		return open(t, filepath.Join(t.TempDir(), "warden.db"))
	})
}
