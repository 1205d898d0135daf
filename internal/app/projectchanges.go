package app

import (
	"context"
	"encoding/json"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store"
)

// A project's history is read from its org's event log: every project change
// is an event of the org aggregate whose payload names the project (and, for
// a project grant's, the grant). The org's log is read in batches from the
// cursor on, and the events of the project kept, until the page is full.

// eventsOf returns the events of orgID's log, from q's cursor in q's
// direction, whose payload keep accepts, up to q's limit.
func (a *App) eventsOf(ctx context.Context, orgID string, q store.EventQuery, keep func(payload map[string]any) bool) ([]event.Event, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	q.AggregateType, q.AggregateID, q.Limit = event.AggregateOrg, orgID, 1000
	var out []event.Event
	for {
		evs, err := a.store.Events(ctx, q)
		if err != nil {
			return nil, storeErr(err)
		}
		for _, e := range evs {
			var p map[string]any
			if len(e.Payload) > 0 && json.Unmarshal(e.Payload, &p) == nil && keep(p) {
				out = append(out, e)
				if len(out) == limit {
					return out, nil
				}
			}
		}
		if len(evs) < q.Limit {
			return out, nil
		}
		q.AfterSequence = evs[len(evs)-1].Sequence
	}
}

// ProjectChanges is a project's history (ListProjectChanges).
func (a *App) ProjectChanges(ctx context.Context, s Scope, projectID string, q store.EventQuery) ([]event.Event, error) {
	g, err := a.authorize(ctx, s, UseListProjectChanges)
	if err != nil {
		return nil, err
	}
	p, err := projectFor(ctx, a.store, g, projectID)
	if err != nil {
		return nil, storeErr(err)
	}
	return a.eventsOf(ctx, p.OrgID, q, func(pl map[string]any) bool { return pl["projectId"] == p.ID })
}

// ProjectGrantChanges is a project grant's history (ListProjectGrantChanges).
func (a *App) ProjectGrantChanges(ctx context.Context, s Scope, projectID, grantID string, q store.EventQuery) ([]event.Event, error) {
	g, err := a.authorize(ctx, s, UseListProjectGrantChanges)
	if err != nil {
		return nil, err
	}
	p, err := projectFor(ctx, a.store, g, projectID)
	if err != nil {
		return nil, storeErr(err)
	}
	if err := checkID(grantID, errPGrantGetNotFound); err != nil {
		return nil, err
	}
	// A removed grant keeps its history, so the grant is not loaded.
	return a.eventsOf(ctx, p.OrgID, q, func(pl map[string]any) bool {
		return pl["projectId"] == p.ID && pl["grantId"] == grantID && pl["grantedOrgId"] != nil
	})
}
