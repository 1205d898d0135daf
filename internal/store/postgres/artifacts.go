package postgres

import (
	"context"
	"time"

	"github.com/warden-id/warden/internal/store"
)

// sqlPurgeExpired takes the rows it deletes with SKIP LOCKED: nodes purging at
// the same time take different rows, and a row some transaction is rewriting
// is left to the next purge.
const sqlPurgeExpired = `DELETE FROM artifacts WHERE (kind, id) IN
	(SELECT kind, id FROM artifacts WHERE expires_at < $1 AND kind = ANY($2) LIMIT $3 FOR UPDATE SKIP LOCKED)`

// PurgeExpired deletes up to limit expired artifacts of the kinds in one
// statement (its own transaction); see store.Store.
func (s *Store) PurgeExpired(ctx context.Context, t time.Time, kinds []string, limit int) (int64, error) {
	tag, err := s.pool.Exec(ctx, sqlPurgeExpired, t, kinds, store.ClampLimit(limit))
	if err != nil {
		return 0, classify("purge expired artifacts", err)
	}
	return tag.RowsAffected(), nil
}
