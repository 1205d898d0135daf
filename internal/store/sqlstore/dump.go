package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store"
)

// dumpQueries read each table in primary-key order: byte order for text on
// both engines (SQLite's BINARY collation, PostgreSQL's COLLATE "C" columns),
// so the dumps, and their checksums, compare.
var dumpQueries = []struct {
	table, sql string
}{
	{store.TableInstance, `SELECT ` + InstanceCols + ` FROM instance`},
	{store.TableOrgs, `SELECT ` + OrgCols + ` FROM orgs ORDER BY id`},
	{store.TableUsers, `SELECT ` + userSelect + ` FROM users ORDER BY id`},
	{store.TableMembers, `SELECT ` + MemberCols + ` FROM members ORDER BY org_id, user_id`},
	{store.TablePATs, `SELECT ` + PATCols + ` FROM pats ORDER BY id`},
	{store.TableArtifacts, `SELECT ` + ArtifactCols + ` FROM artifacts ORDER BY kind, id`},
	{store.TableOutbox, `SELECT ` + MessageCols + ` FROM outbox ORDER BY id`},
	{store.TableEvents, `SELECT ` + EventCols + ` FROM events ORDER BY aggregate_id, sequence`},
}

// Dump reads every table through query, which must run each statement in the
// engine's one snapshot, and calls put for every row (see store.Dumper).
func (d *Dialect) Dump(ctx context.Context, query func(ctx context.Context, sql string) (Rows, error), put func(store.Record) error) error {
	for _, q := range dumpQueries {
		if err := d.dumpTable(ctx, query, q.table, q.sql, put); err != nil {
			return err
		}
	}
	return nil
}

func (d *Dialect) dumpTable(ctx context.Context, query func(ctx context.Context, sql string) (Rows, error), table, sql string, put func(store.Record) error) error {
	rows, err := query(ctx, sql)
	if err != nil {
		return d.Classify("dump "+table, err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := d.scanRecord(table, rows)
		if err != nil {
			return d.Classify("dump "+table, err)
		}
		if err := put(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return d.Classify("dump "+table, err)
	}
	return nil
}

func (d *Dialect) scanRecord(table string, row Row) (store.Record, error) {
	var r store.Record
	var err error
	switch table {
	case store.TableInstance:
		r.Instance, err = d.scanInstance(row)
	case store.TableOrgs:
		r.Org, err = d.scanOrg(row)
	case store.TableUsers:
		r.User, err = d.scanUser(row)
	case store.TableMembers:
		r.Member, err = d.scanMember(row)
	case store.TablePATs:
		r.PAT, err = d.scanPAT(row)
	case store.TableArtifacts:
		r.Artifact, err = d.scanArtifact(row)
	case store.TableOutbox:
		r.Message, err = d.scanMessage(row)
	case store.TableEvents:
		var e event.Event
		if e, err = d.scanEvent(row); err == nil {
			r.Event = &e
		}
	default:
		err = fmt.Errorf("unknown table %q", table)
	}
	return r, err
}

// Columns lists the columns of a table that RecordValues fills, in order.
func Columns(table string) []string { return columns[table] }

var columns = func() map[string][]string {
	m := map[string][]string{}
	for t, cols := range map[string]string{
		store.TableInstance:  InstanceCols,
		store.TableOrgs:      OrgCols,
		store.TableUsers:     UserCols + ", " + UserFilterCols,
		store.TableMembers:   MemberCols,
		store.TablePATs:      PATCols,
		store.TableArtifacts: ArtifactCols,
		store.TableOutbox:    MessageCols,
		store.TableEvents:    EventCols,
	} {
		for _, c := range strings.Split(cols, ",") {
			m[t] = append(m[t], strings.TrimSpace(c))
		}
	}
	return m
}()

// RecordValues encodes a dump record as the Tx's writes do, in the order of
// Columns(r.Table()), for an engine that bulk-loads rows.
func (d *Dialect) RecordValues(r store.Record) ([]any, error) {
	switch {
	case r.Instance != nil:
		return d.instanceArgs(r.Instance), nil
	case r.Org != nil:
		return d.orgArgs(r.Org), nil
	case r.User != nil:
		return d.UserArgs(r.User)
	case r.Member != nil:
		return d.memberArgs(r.Member)
	case r.PAT != nil:
		return d.patArgs(r.PAT), nil
	case r.Artifact != nil:
		return d.artifactArgs(r.Artifact), nil
	case r.Message != nil:
		return d.messageArgs(r.Message), nil
	case r.Event != nil:
		return d.eventArgs(r.Event), nil
	}
	return nil, fmt.Errorf("%s: %w", d.Name, errEmptyRecord)
}

// CheckEmpty refuses, with store.NotEmptyError, a store that holds any row: a
// load never merges two histories. count runs a count statement in the load's
// transaction.
func (d *Dialect) CheckEmpty(ctx context.Context, count func(ctx context.Context, sql string) Row) error {
	counts := map[string]int64{}
	nonEmpty := false
	for _, t := range store.Tables {
		var n int64
		if err := count(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return d.Classify("load: count "+t, err)
		}
		counts[t] = n
		nonEmpty = nonEmpty || n > 0
	}
	if nonEmpty {
		return store.NotEmptyError(counts)
	}
	return nil
}
