package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/msgtext"
	"github.com/warden-id/warden/internal/policy"
	"github.com/warden-id/warden/internal/store"
)

// Custom message texts: an artifact per owner (an org, or the instance as
// policy.InstanceID), message type and language, holding the fields set and
// the owner's sequence and time of the last change. A change is a change of
// the owner (changeOrg, changeInstance) with ZITADEL's events: one
// customtext.set or customtext.removed per field that changes, one
// customtext.template.removed for a reset.

// kindMessageText is the artifact kind of custom message texts; the id is
// messageTextID(owner, type, language), owner an org id or policy.InstanceID.
const kindMessageText = "message_text"

func messageTextID(owner string, t msgtext.Type, lang string) string {
	return owner + "/" + string(t) + "/" + lang
}

// storedText is a custom text as the artifact holds it.
type storedText struct {
	msgtext.Text
	ChangedAt time.Time `json:"changedAt"`
	Sequence  uint64    `json:"sequence"`
}

// MessageText is a message text as the API answers it: a custom text's own
// fields (Owner its org, "" for the instance), or a default (IsDefault).
type MessageText struct {
	Msg       msgtext.Text
	Owner     string
	IsDefault bool
	Sequence  uint64
	CreatedAt time.Time
	ChangedAt time.Time
}

// MessageTextDetails are a change's details: the owner's (org id, "" for the
// instance) new sequence and the change's time; zero when nothing changed.
type MessageTextDetails struct {
	Owner     string
	Sequence  uint64
	ChangedAt time.Time
}

// readMessageText is the stored custom text of owner, nil when none.
func readMessageText(ctx context.Context, r store.Reader, owner string, t msgtext.Type, lang string) (*MessageText, error) {
	art, err := r.Artifact(ctx, kindMessageText, messageTextID(owner, t, lang))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st storedText
	if err := json.Unmarshal(art.Data, &st); err != nil {
		return nil, fmt.Errorf("message text %s: %w", art.ID, err)
	}
	return &MessageText{Msg: st.Text, Owner: art.OrgID, Sequence: st.Sequence, CreatedAt: art.CreatedAt, ChangedAt: st.ChangedAt}, nil
}

// customMessageText is the stored custom text of owner, nil when none.
func customMessageText(ctx context.Context, r store.Reader, owner string, t msgtext.Type, lang string) (*msgtext.Text, error) {
	m, err := readMessageText(ctx, r, owner, t, lang)
	if m == nil {
		return nil, err
	}
	return &m.Msg, nil
}

// messageText resolves the text of t for an org's user in lang, field by
// field: the org's custom text, else the instance's, else the built-in
// default in lang. A language without built-in texts and without custom ones
// is English. The region counts first ("de-CH"), then the language ("de").
func messageText(ctx context.Context, r store.Reader, orgID string, t msgtext.Type, lang string) (msgtext.Text, error) {
	var langs []string
	if c, ok := msgtext.Canonical(lang); ok {
		langs = append(langs, c)
		if b, _, cut := cutLanguage(c); cut {
			langs = append(langs, b)
		}
	}
	if len(langs) == 0 || langs[len(langs)-1] != "en" {
		langs = append(langs, "en")
	}
	for _, l := range langs {
		var found []msgtext.Text
		for _, owner := range []string{orgID, policy.InstanceID} {
			if owner == "" {
				continue
			}
			c, err := customMessageText(ctx, r, owner, t, l)
			if err != nil {
				return msgtext.Text{}, err
			}
			if c != nil {
				found = append(found, *c)
			}
		}
		if len(found) > 0 {
			return msgtext.Merge(msgtext.Text{}, append(found, msgtext.Default(t, l))...), nil
		}
		if _, _, region := cutLanguage(l); !region && msgtext.HasDefault(l) {
			return msgtext.Default(t, l), nil // the language's own default before another language's custom text
		}
	}
	return msgtext.Default(t, lang), nil
}

// cutLanguage splits "de-CH" into "de" and "CH".
func cutLanguage(tag string) (base, rest string, ok bool) {
	for i := 0; i < len(tag); i++ {
		if tag[i] == '-' {
			return tag[:i], tag[i+1:], true
		}
	}
	return tag, "", false
}

// RenderMessage is the message of type t for a user of orgID in lang (the
// user's preferred language), filled from args and escaped for HTML; the
// flows that send mail or SMS call it. It checks no permission; the calling
// use case has.
func (a *App) RenderMessage(ctx context.Context, orgID string, t msgtext.Type, lang string, args msgtext.Args) (msgtext.Rendered, error) {
	if !t.Valid() {
		return msgtext.Rendered{}, fmt.Errorf("message type %q", t)
	}
	txt, err := messageText(ctx, a.store, orgID, t, lang)
	if err != nil {
		return msgtext.Rendered{}, storeErr(err)
	}
	return msgtext.Render(txt, args)
}

// instanceDefaultText is what an org sees as the default of t in lang: the
// instance's custom text over the built-in one (ZITADEL's
// IAMMessageTextByTypeAndLanguage), owned by the instance.
func instanceDefaultText(ctx context.Context, r store.Reader, t msgtext.Type, lang string) (*MessageText, error) {
	def := msgtext.Default(t, lang)
	if c, ok := msgtext.Canonical(lang); ok {
		lang = c
	}
	own, err := customMessageText(ctx, r, policy.InstanceID, t, lang)
	if err != nil {
		return nil, err
	}
	out := &MessageText{Msg: def, IsDefault: true}
	if own != nil {
		out.Msg = msgtext.Merge(*own, def)
	}
	return out, nil
}

// lookupLanguage is the language a read names, canonical where it is a tag
// at all (a read does not refuse one: the default answers for any).
func lookupLanguage(lang string) string {
	if c, ok := msgtext.Canonical(lang); ok {
		return c
	}
	return lang
}

// CustomMessageText is the org's own text of t in lang (management
// GetCustom…MessageText): its fields as set, or, when it has none, the
// default the org sees (IsDefault).
func (a *App) CustomMessageText(ctx context.Context, s Scope, t msgtext.Type, lang string) (*MessageText, error) {
	g, err := a.authorize(ctx, s, UseGetCustomMessageText)
	if err != nil {
		return nil, err
	}
	if !t.Valid() {
		return nil, fmt.Errorf("message type %q", t)
	}
	m, err := readMessageText(ctx, a.store, g.OrgID, t, lookupLanguage(lang))
	if err == nil && m == nil {
		m, err = instanceDefaultText(ctx, a.store, t, lang)
	}
	return m, storeErr(err)
}

// DefaultMessageText is the default of t in lang as the org sees it
// (management GetDefault…MessageText): the instance's text over the
// built-in one.
func (a *App) DefaultMessageText(ctx context.Context, s Scope, t msgtext.Type, lang string) (*MessageText, error) {
	if _, err := a.authorize(ctx, s, UseGetDefaultMessageText); err != nil {
		return nil, err
	}
	if !t.Valid() {
		return nil, fmt.Errorf("message type %q", t)
	}
	m, err := instanceDefaultText(ctx, a.store, t, lang)
	return m, storeErr(err)
}

// InstanceMessageText is the instance's own text of t in lang (admin
// GetCustom…MessageText): its fields as set, or the built-in text
// (IsDefault).
func (a *App) InstanceMessageText(ctx context.Context, c *Caller, t msgtext.Type, lang string) (*MessageText, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetInstanceMessageText); err != nil {
		return nil, err
	}
	if !t.Valid() {
		return nil, fmt.Errorf("message type %q", t)
	}
	m, err := readMessageText(ctx, a.store, policy.InstanceID, t, lookupLanguage(lang))
	if err == nil && m == nil {
		m = &MessageText{Msg: msgtext.Default(t, lang), IsDefault: true}
	}
	return m, storeErr(err)
}

// BuiltinMessageText is Warden's built-in text of t in lang (admin
// GetDefault…MessageText, ZITADEL's text from its files), English for a
// language without built-in texts.
func (a *App) BuiltinMessageText(ctx context.Context, c *Caller, t msgtext.Type, lang string) (*MessageText, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseGetBuiltinMessageText); err != nil {
		return nil, err
	}
	if !t.Valid() {
		return nil, fmt.Errorf("message type %q", t)
	}
	return &MessageText{Msg: msgtext.Default(t, lang)}, nil
}

// checkMessageText validates a text to set: the language a defined tag in
// which texts may be set (ZITADEL's ids), every field bounded and holding
// placeholders only. It returns the canonical language.
func checkMessageText(t msgtext.Type, lang string, txt msgtext.Text) (string, error) {
	if !t.Valid() {
		return "", fmt.Errorf("message type %q", t)
	}
	tag, ok := msgtext.Canonical(lang)
	if !ok {
		return "", errLanguageUndefined
	}
	if !msgtext.IsSettable(tag) {
		return "", errLanguageUnsupported.Msgf("Errors.Language.NotSupported: %q", tag)
	}
	if err := txt.Validate(); err != nil {
		return "", errMessageTextTemplate.Msgf("%v", err)
	}
	return tag, nil
}

// textRecord is one event of a text change.
type textRecord struct {
	typ     string
	payload map[string]any
}

// textChanges are ZITADEL's events for the change of cur to next: a set per
// field whose value changes to a non-empty one, a removed per field emptied,
// in ZITADEL's order of fields.
func textChanges(set, removed string, t msgtext.Type, lang string, cur, next msgtext.Text) []textRecord {
	c, n := cur.Values(), next.Values()
	var out []textRecord
	for _, i := range []int{3, 2, 0, 1, 4, 5, 6} { // Greeting, Subject, Title, PreHeader, Text, ButtonText, Footer
		if c[i] == n[i] {
			continue
		}
		p := map[string]any{"template": string(t), "key": msgtext.Keys[i], "language": lang}
		typ := removed
		if n[i] != "" {
			typ, p["text"] = set, n[i]
		}
		out = append(out, textRecord{typ: typ, payload: p})
	}
	return out
}

// errTextUnchanged ends a write that would record nothing.
var errTextUnchanged = errors.New("message text unchanged")

// putMessageText writes owner's text at the owner's sequence seq.
func putMessageText(ctx context.Context, tx store.Tx, owner, orgID string, t msgtext.Type, lang string, cur *MessageText, txt msgtext.Text, seq uint64, at time.Time) error {
	created := at
	if cur != nil {
		created = cur.CreatedAt
	}
	data, err := json.Marshal(storedText{Text: txt, ChangedAt: at, Sequence: seq})
	if err != nil {
		return err
	}
	return tx.PutArtifact(ctx, &store.Artifact{Kind: kindMessageText, ID: messageTextID(owner, t, lang), OrgID: orgID, CreatedAt: created, Data: data})
}

// SetCustomMessageText sets the org's own text of t in lang (management
// SetCustom…MessageText): the fields given replace the stored ones, an empty
// field removes its own. A text equal to the stored one records nothing and
// answers the org's current details.
func (a *App) SetCustomMessageText(ctx context.Context, s Scope, t msgtext.Type, lang string, txt msgtext.Text) (*MessageTextDetails, error) {
	g, err := a.authorize(ctx, s, UseSetCustomMessageText)
	if err != nil {
		return nil, err
	}
	tag, err := checkMessageText(t, lang, txt)
	if err != nil {
		return nil, err
	}
	var at time.Time
	o, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		cur, err := readMessageText(ctx, tx, g.OrgID, t, tag)
		if err != nil {
			return "", nil, err
		}
		var old msgtext.Text
		if cur != nil {
			old = cur.Msg
		}
		recs := textChanges(event.OrgCustomTextSet, event.OrgCustomTextRemoved, t, tag, old, txt)
		if len(recs) == 0 {
			return "", nil, errTextUnchanged
		}
		evs := make([]orgRecord, len(recs))
		for i, r := range recs {
			evs[i] = orgRecord{typ: r.typ, payload: r.payload}
		}
		_, typ, payload, err := ch.recordAll(ctx, tx, evs)
		if err != nil {
			return "", nil, err
		}
		at = ch.by.At
		return typ, payload, putMessageText(ctx, tx, g.OrgID, g.OrgID, t, tag, cur, txt, ch.o.Sequence, at)
	})
	if errors.Is(err, errTextUnchanged) {
		cur, err := a.store.Org(ctx, g.OrgID)
		if err != nil {
			return nil, storeErr(err)
		}
		return &MessageTextDetails{Owner: cur.ID, Sequence: cur.Sequence, ChangedAt: cur.ChangedAt}, nil
	}
	if err != nil {
		return nil, err
	}
	return &MessageTextDetails{Owner: o.ID, Sequence: o.Sequence, ChangedAt: at}, nil
}

// ResetCustomMessageText removes the org's own text of t in lang (management
// ResetCustom…MessageTextToDefault), so the default applies again.
func (a *App) ResetCustomMessageText(ctx context.Context, s Scope, t msgtext.Type, lang string) (*MessageTextDetails, error) {
	g, err := a.authorize(ctx, s, UseResetCustomMessageText)
	if err != nil {
		return nil, err
	}
	tag, ok := msgtext.Canonical(lang)
	if !ok || !t.Valid() {
		return nil, errOrgMessageTextReset
	}
	var at time.Time
	o, err := a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		if err := tx.DeleteArtifact(ctx, kindMessageText, messageTextID(g.OrgID, t, tag)); errors.Is(err, store.ErrNotFound) {
			return "", nil, errOrgMessageTextMissing
		} else if err != nil {
			return "", nil, err
		}
		at = ch.by.At
		return event.OrgCustomTextTemplateRemoved, map[string]any{"template": string(t), "language": tag}, nil
	})
	if err != nil {
		return nil, err
	}
	return &MessageTextDetails{Owner: o.ID, Sequence: o.Sequence, ChangedAt: at}, nil
}

// recordAll appends all but the last of recs as events of the instance at
// consecutive sequences from the one changeInstance gave the change, and
// returns the last one's type and payload, which changeInstance appends
// itself at the instance's final sequence.
func (ch *instanceChange) recordAll(ctx context.Context, tx store.Tx, recs []textRecord) (string, any, error) {
	for i, r := range recs {
		if i == len(recs)-1 {
			return r.typ, r.payload, nil
		}
		p, err := json.Marshal(r.payload)
		if err != nil {
			return "", nil, err
		}
		if err := tx.Append(ctx, event.Event{AggregateType: event.AggregateInstance, AggregateID: ch.i.ID, Sequence: ch.i.Sequence,
			Type: r.typ, CreatedAt: ch.by.At, CreatorID: ch.by.UserID, ResourceOwner: ch.i.ID, Payload: p}); err != nil {
			return "", nil, err
		}
		ch.i.Sequence++
	}
	return "", nil, nil
}

// SetInstanceMessageText sets the instance's text of t in lang (admin
// SetDefault…MessageText), the default of every org without its own; as
// SetCustomMessageText otherwise.
func (a *App) SetInstanceMessageText(ctx context.Context, c *Caller, t msgtext.Type, lang string, txt msgtext.Text) (*MessageTextDetails, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseSetInstanceMessageText)
	if err != nil {
		return nil, err
	}
	tag, err := checkMessageText(t, lang, txt)
	if err != nil {
		return nil, err
	}
	d, err := a.changeInstance(ctx, g, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		cur, err := readMessageText(ctx, tx, policy.InstanceID, t, tag)
		if err != nil {
			return "", nil, err
		}
		var old msgtext.Text
		if cur != nil {
			old = cur.Msg
		}
		recs := textChanges(event.InstanceCustomTextSet, event.InstanceCustomTextRemoved, t, tag, old, txt)
		if len(recs) == 0 {
			return "", nil, nil // nothing to record: the instance as it is
		}
		typ, payload, err := ch.recordAll(ctx, tx, recs)
		if err != nil {
			return "", nil, err
		}
		return typ, payload, putMessageText(ctx, tx, policy.InstanceID, "", t, tag, cur, txt, ch.i.Sequence, ch.by.At)
	})
	if err != nil {
		return nil, err
	}
	return &MessageTextDetails{Owner: d.ID, Sequence: d.Sequence, ChangedAt: d.ChangedAt}, nil
}

// ResetInstanceMessageText removes the instance's text of t in lang (admin
// ResetCustom…MessageTextToDefault), so the built-in one applies again.
func (a *App) ResetInstanceMessageText(ctx context.Context, c *Caller, t msgtext.Type, lang string) (*MessageTextDetails, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, UseResetInstanceMessageText)
	if err != nil {
		return nil, err
	}
	tag, ok := msgtext.Canonical(lang)
	if !ok || !t.Valid() {
		return nil, errInstanceTextReset
	}
	d, err := a.changeInstance(ctx, g, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		if err := tx.DeleteArtifact(ctx, kindMessageText, messageTextID(policy.InstanceID, t, tag)); errors.Is(err, store.ErrNotFound) {
			return "", nil, errInstanceTextMissing
		} else if err != nil {
			return "", nil, err
		}
		return event.InstanceCustomTextTemplateRemoved, map[string]any{"template": string(t), "language": tag}, nil
	})
	if err != nil {
		return nil, err
	}
	return &MessageTextDetails{Owner: d.ID, Sequence: d.Sequence, ChangedAt: d.ChangedAt}, nil
}

// deleteOrgMessageTexts removes an org's custom texts, with the org.
func deleteOrgMessageTexts(ctx context.Context, tx store.Tx, orgID string) error {
	for {
		arts, _, err := tx.ListArtifacts(ctx, store.ArtifactQuery{Kind: kindMessageText, OrgID: orgID, Page: store.Page{Limit: 100}})
		if err != nil || len(arts) == 0 {
			return err
		}
		for _, art := range arts {
			if err := tx.DeleteArtifact(ctx, kindMessageText, art.ID); err != nil {
				return err
			}
		}
	}
}
