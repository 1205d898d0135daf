package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/warden-id/warden/internal/msgtext"
	"github.com/warden-id/warden/internal/policy"
	"github.com/warden-id/warden/internal/store"
)

// kindMessageText is the artifact kind of custom message texts; the id is
// messageTextID(owner, type, language), owner an org id or policy.InstanceID.
const kindMessageText = "message_text"

func messageTextID(owner string, t msgtext.Type, lang string) string {
	return owner + "/" + string(t) + "/" + lang
}

// customMessageText is the stored custom text of owner, nil when none.
func customMessageText(ctx context.Context, r store.Reader, owner string, t msgtext.Type, lang string) (*msgtext.Text, error) {
	art, err := r.Artifact(ctx, kindMessageText, messageTextID(owner, t, lang))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var txt msgtext.Text
	if err := json.Unmarshal(art.Data, &txt); err != nil {
		return nil, fmt.Errorf("message text %s: %w", art.ID, err)
	}
	return &txt, nil
}

// messageText resolves the text of t for an org's user in lang: the org's
// custom text, else the instance's, else the built-in default in lang; for a
// language without built-in texts, then the same in English. Empty fields of a custom text are the default's.
func messageText(ctx context.Context, r store.Reader, orgID string, t msgtext.Type, lang string) (msgtext.Text, error) {
	langs := []string{lang}
	if lang != "en" {
		langs = append(langs, "en")
	}
	for _, l := range langs {
		for _, owner := range []string{orgID, policy.InstanceID} {
			if owner == "" || l == "" {
				continue
			}
			c, err := customMessageText(ctx, r, owner, t, l)
			if err != nil {
				return msgtext.Text{}, err
			}
			if c != nil {
				return msgtext.Merge(*c, msgtext.Default(t, l)), nil
			}
		}
		if msgtext.HasDefault(l) {
			break // the language's own default before another language's custom text
		}
	}
	return msgtext.Default(t, lang), nil
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
