package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/warden-id/warden/internal/store"
)

// sqlPurgeExpired deletes by rowid: artifacts, unlike the other tables, is a
// rowid table (see its migration). The kinds come as a JSON array: one
// prepared text for any number of them.
const sqlPurgeExpired = `DELETE FROM artifacts WHERE rowid IN
	(SELECT rowid FROM artifacts WHERE expires_at < ? AND kind IN (SELECT value FROM json_each(?)) LIMIT ?)`

// PurgeExpired deletes up to limit expired artifacts of the kinds in one
// Write: durable and group-committed like any other, and the writes queued
// meanwhile go before the caller's next batch; see store.Store.
func (s *Store) PurgeExpired(ctx context.Context, t time.Time, kinds []string, limit int) (int64, error) {
	list, err := json.Marshal(kinds)
	if err != nil {
		return 0, fmt.Errorf("purge expired artifacts: %w", err)
	}
	var n int64
	err = s.Write(ctx, func(ctx context.Context, wt store.Tx) error {
		res, err := wt.(*tx).w.st.purgeExpired.ExecContext(ctx, t.UnixMicro(), string(list), store.ClampLimit(limit))
		if err != nil {
			return classify("purge expired artifacts", err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return classify("purge expired artifacts", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
