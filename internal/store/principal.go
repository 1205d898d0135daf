package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/warden-id/warden/internal/org"
)

// principalMember is one membership as both engines' Principal query
// aggregates it into a JSON array: short keys, times in unix microseconds
// (null for zero), so the two engines share one decoder.
type principalMember struct {
	OrgID    string   `json:"o"`
	Roles    []string `json:"r"`
	Created  *int64   `json:"c"`
	Changed  *int64   `json:"h"`
	Sequence int64    `json:"s"`
}

// DecodePrincipalMembers turns the aggregated memberships of userID back into
// org.Members; nil data (no memberships) gives none.
func DecodePrincipalMembers(userID string, data []byte) ([]*org.Member, error) {
	if data == nil {
		return nil, nil
	}
	var ms []principalMember
	if err := json.Unmarshal(data, &ms); err != nil {
		return nil, fmt.Errorf("principal %s: decode memberships: %w", userID, err)
	}
	out := make([]*org.Member, 0, len(ms))
	for _, m := range ms {
		out = append(out, &org.Member{OrgID: m.OrgID, UserID: userID, Roles: m.Roles,
			CreatedAt: microTime(m.Created), ChangedAt: microTime(m.Changed), Sequence: uint64(m.Sequence)})
	}
	return out, nil
}

func microTime(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return time.UnixMicro(*n).UTC()
}
