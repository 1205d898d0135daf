package console

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// pageSize is the number of users per page of the list.
const pageSize = 20

// historyLimit is how many events the user page shows.
const historyLimit = 100

// scope has app decide what use needs in the session's org context, exactly
// as the API has it decide for the x-zitadel-orgid header.
func (h *handler) scope(r *http.Request, rq *request, use app.Use) (app.Scope, error) {
	return h.app.Authorize(r.Context(), app.OrgScope(rq.caller, rq.sess.OrgID), use)
}

// --- the list ---

type usersView struct {
	Q, Email, State, Type, Sort, Dir string
	Rows                             []userRow
	Total                            uint64
	From, To                         int
	Prev, Next                       string
	Columns                          []sortColumn
	CanCreate                        bool
}

type userRow struct {
	ID, UserName, Name, Email, Type string
	State                           user.State
	Created                         time.Time
}

type sortColumn struct {
	Label, URL, AriaSort, Arrow string
}

var (
	stateFilter = map[string]user.State{"active": user.StateActive, "locked": user.StateLocked,
		"inactive": user.StateInactive, "initial": user.StateInitial}
	typeFilter = map[string]user.Type{"human": user.TypeHuman, "machine": user.TypeMachine}
	sortKeys   = []struct {
		key, label string
		sort       store.UserSort
	}{{"username", "User name", store.SortUserName}, {"name", "Name", store.SortDisplayName}, {"email", "E-mail", store.SortEmail},
		{"type", "Type", store.SortType}, {"state", "State", store.SortState}, {"created", "Created", store.SortCreationDate}}
)

func (h *handler) listUsers(w http.ResponseWriter, r *http.Request, rq *request) {
	s, err := h.scope(r, rq, app.UseListUsers)
	if err != nil {
		h.fail(w, r, rq, err, "see the users of this organisation")
		return
	}
	q := r.URL.Query()
	uv := &usersView{Q: clip(strings.TrimSpace(q.Get("q")), app.MaxNameLen), Email: clip(strings.TrimSpace(q.Get("email")), app.MaxNameLen),
		State: q.Get("state"), Type: q.Get("type"), Sort: q.Get("sort"), Dir: q.Get("dir")}
	uq := store.UserQuery{Limit: pageSize}
	if uv.Q != "" {
		uq.UserNames = []store.TextMatch{{Value: uv.Q, Method: store.TextContainsIgnoreCase}}
	}
	if uv.Email != "" {
		uq.Emails = []store.TextMatch{{Value: uv.Email, Method: store.TextContainsIgnoreCase}}
	}
	if st, ok := stateFilter[uv.State]; ok {
		uq.States = []user.State{st}
	} else {
		uv.State = ""
	}
	if t, ok := typeFilter[uv.Type]; ok {
		uq.Types = []user.Type{t}
	} else {
		uv.Type = ""
	}
	uq.Sort, uv.Sort = store.SortUserName, "username"
	for _, k := range sortKeys {
		if k.key == q.Get("sort") {
			uq.Sort, uv.Sort = k.sort, k.key
		}
	}
	if uv.Dir != "desc" {
		uv.Dir = "asc"
	}
	uq.Asc = uv.Dir == "asc"
	pageNo, _ := strconv.Atoi(q.Get("page"))
	if pageNo < 1 || pageNo > 100000 {
		pageNo = 1
	}
	uq.Offset = (pageNo - 1) * pageSize
	res, _, err := h.app.ListUsers(r.Context(), s, uq)
	if err != nil {
		h.fail(w, r, rq, err, "see the users of this organisation")
		return
	}
	for _, u := range res.Users {
		row := userRow{ID: u.ID, UserName: u.UserName, State: u.State, Created: u.CreatedAt, Type: "Human"}
		if u.Human != nil {
			row.Name, row.Email = displayName(u), u.Human.Email
		}
		if u.Machine != nil {
			row.Type, row.Name = "Machine", u.Machine.Name
		}
		uv.Rows = append(uv.Rows, row)
	}
	uv.Total = res.Total
	if len(res.Users) > 0 {
		uv.From, uv.To = uq.Offset+1, uq.Offset+len(res.Users)
	}
	link := func(change map[string]string) string {
		v := url.Values{}
		for k, val := range map[string]string{"q": uv.Q, "email": uv.Email, "state": uv.State, "type": uv.Type, "sort": uv.Sort, "dir": uv.Dir} {
			if val != "" {
				v.Set(k, val)
			}
		}
		for k, val := range change {
			if val == "" {
				v.Del(k)
			} else {
				v.Set(k, val)
			}
		}
		if len(v) == 0 {
			return pathUsers
		}
		return pathUsers + "?" + v.Encode()
	}
	if pageNo > 1 {
		uv.Prev = link(map[string]string{"page": strconv.Itoa(pageNo - 1)})
	}
	if uint64(uq.Offset+len(res.Users)) < res.Total {
		uv.Next = link(map[string]string{"page": strconv.Itoa(pageNo + 1)})
	}
	for _, k := range sortKeys {
		c := sortColumn{Label: k.label, URL: link(map[string]string{"sort": k.key, "dir": "asc", "page": ""})}
		if k.key == uv.Sort {
			if uv.Dir == "asc" {
				c.AriaSort, c.Arrow = "ascending", "▲"
				c.URL = link(map[string]string{"sort": k.key, "dir": "desc", "page": ""})
			} else {
				c.AriaSort, c.Arrow = "descending", "▼"
			}
		}
		uv.Columns = append(uv.Columns, c)
	}
	v := h.base(r, rq, "Users")
	v.Section, v.Users = "users", uv
	v.Notice = notices[q.Get("done")]
	uv.CanCreate = s.May(app.UseAddHuman) || s.May(app.UseAddMachine)
	h.render(w, r, http.StatusOK, "users", v)
}

func displayName(u *user.User) string {
	if u.Human == nil {
		if u.Machine != nil {
			return u.Machine.Name
		}
		return ""
	}
	if u.Human.DisplayName != "" {
		return u.Human.DisplayName
	}
	return strings.TrimSpace(u.Human.FirstName + " " + u.Human.LastName)
}

// --- one user ---

type userView struct {
	U                     *user.User
	LoginName, Name       string
	OrgName               string
	Lock                  *lockInfo
	History               []historyItem
	HistoryMore           bool
	Actions               []actionLink
	PATs                  []*credential.PAT
	CanWrite, IsMachine   bool
	PATError, ActionError string
	Grants                []grantRow
	ShowGrants, CanGrant  bool
	// The edit forms, each offered only where Scope.May says its use case
	// passes; EditError is shown beside the form that failed (EditForm).
	CanEditProfile, CanEditName, CanEditEmail, CanEditPhone bool
	EditForm, EditError                                     string
	// Metadata is shown where ListUserMetadata would answer, and edited
	// where SetUserMetadata / RemoveUserMetadata would pass.
	Metadata                  []metadataRow
	ShowMetadata, CanEditMeta bool
}

// metadataRow is one entry as the page shows it: text if the value is
// printable UTF-8, else its base64 (how the API's JSON carries every value).
type metadataRow struct {
	Key, Value string
	Binary     bool
}

func metadataRows(md []*app.Metadata) []metadataRow {
	out := make([]metadataRow, len(md))
	for i, m := range md {
		out[i] = metadataRow{Key: m.Key, Value: string(m.Value)}
		if !printable(m.Value) {
			out[i].Value, out[i].Binary = base64.StdEncoding.EncodeToString(m.Value), true
		}
	}
	return out
}

func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if !unicode.IsPrint(r) && r != '\n' && r != '\t' {
			return false
		}
	}
	return true
}

type lockInfo struct {
	At     time.Time
	By     string
	Policy bool // the lockout policy locked it after too many wrong passwords
}

type historyItem struct {
	Seq    uint64
	At     time.Time
	What   string
	Detail string
	Who    string
}

type actionLink struct {
	Label, URL string
	Danger     bool
}

// userActions are the lifecycle actions in the order the page offers them;
// which a user's state allows is the domain's to say (user.Allows).
var userActions = []struct {
	action, label string
	op            user.Op
}{
	{"lock", "Lock", user.OpLock},
	{"unlock", "Unlock", user.OpUnlock},
	{"deactivate", "Deactivate", user.OpDeactivate},
	{"reactivate", "Reactivate", user.OpReactivate},
	{"remove", "Remove", user.OpRemove},
}

// notices are the confirmations after a redirect (?done=…): a fixed list, so
// the query string cannot put words on the page.
var notices = map[string]string{
	"lock":                 "The user is locked. Its sessions and tokens stopped working at once.",
	"unlock":               "The user is unlocked and can sign in again. Tokens from before the lock stay invalid; its password, tokens and keys from administrators work again.",
	"trusted":              "The app is trusted with Warden's API: its users are no longer asked.",
	"untrusted":            "The app is no longer trusted with Warden's API: its users are asked first.",
	"deactivate":           "The user is deactivated.",
	"reactivate":           "The user is reactivated.",
	"remove":               "The user is removed.",
	"created":              "The user is created.",
	"pat-removed":          "The token is removed.",
	"edit-profile":         "The profile is saved.",
	"edit-username":        "The user name is saved; the login name follows.",
	"edit-email":           "The e-mail address is saved.",
	"edit-phone":           "The phone number is saved.",
	"edit-metadata":        "The metadata entry is saved.",
	"edit-metadata-remove": "The metadata entry is removed.",
	"member":               "The roles are saved.",
	"revoked":              "The membership is revoked.",
	"policy":               "The lockout policy is saved.",
	"reset":                "The organisation uses the default lockout policy again.",
	"org":                  "Switched organisation.",
	// Org domains.
	"domain-added":    "The domain is added. Generate a validation to prove the organisation holds it.",
	"domain-verified": "The domain is verified: the organisation's users can sign in with it.",
	"domain-primary":  "The domain is the primary one: login names and tokens use it from now on.",
	"domain-removed":  "The domain is removed.",
	// Projects, roles, apps, grants.
	"project-created":    "The project is created.",
	"project-saved":      "The project is saved.",
	"project-deactivate": "The project is deactivated: its grants give no roles.",
	"project-reactivate": "The project is reactivated.",
	"project-removed":    "The project is removed, with its roles, grants and apps.",
	"role-added":         "The role is added.",
	"role-saved":         "The role is saved.",
	"role-removed":       "The role is removed.",
	"app-created":        "The app is created.",
	"app-removed":        "The app is removed.",
	"key-removed":        "The key is removed.",
	"grant-added":        "The roles are granted.",
	"grant-deactivate":   "The grant is deactivated.",
	"grant-reactivate":   "The grant is reactivated.",
	"grant-remove":       "The grant is removed.",
	"org-renamed":        "The organisation is renamed; its users' login names follow.",
	"org-deactivate":     "The organisation is deactivated: its users are refused from now on.",
	"org-reactivate":     "The organisation is reactivated.",
	"pmember-added":      "The member is added.",
	"pmember-saved":      "The roles of the member are saved.",
	"pmember-removed":    "The member is removed.",
	"pgrant-added":       "The project is granted.",
	"pgrant-saved":       "The roles of the grant are saved.",
	"pgrant-deactivate":  "The grant is deactivated: the roles given through it count for nothing.",
	"pgrant-reactivate":  "The grant is reactivated.",
	"pgrant-removed":     "The grant is removed.",
	"pgmember-added":     "The member is added to the grant.",
	"pgmember-saved":     "The roles of the member are saved.",
	"pgmember-removed":   "The member is removed from the grant.",
}

func (h *handler) showUser(w http.ResponseWriter, r *http.Request, rq *request) {
	v, _, ok := h.userPage(w, r, rq)
	if !ok {
		return
	}
	v.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, http.StatusOK, "user", v)
}

// userPage loads everything the user page shows; it has answered the request
// itself when ok is false.
func (h *handler) userPage(w http.ResponseWriter, r *http.Request, rq *request) (*view, *userView, bool) {
	ctx := r.Context()
	id := r.PathValue("id")
	s, err := h.scope(r, rq, app.UseGetUser)
	if err != nil {
		h.fail(w, r, rq, err, "see the users of this organisation")
		return nil, nil, false
	}
	u, o, err := h.app.GetUser(ctx, s, id)
	if err != nil {
		h.fail(w, r, rq, err, "see this user")
		return nil, nil, false
	}
	evs, err := h.app.UserChanges(ctx, s, id, store.EventQuery{Limit: historyLimit + 1})
	if err != nil {
		h.fail(w, r, rq, err, "see this user's history")
		return nil, nil, false
	}
	uv := &userView{U: u, LoginName: h.app.LoginName(u, o), Name: displayName(u), OrgName: o.Name,
		IsMachine: u.Type == user.TypeMachine, CanWrite: s.May(app.UseAddPAT)}
	if len(evs) > historyLimit {
		evs, uv.HistoryMore = evs[:historyLimit], true
	}
	var editors []string
	for _, e := range evs {
		editors = append(editors, e.CreatorID)
	}
	lockEv, err := h.lastLock(r, s, u, evs)
	if err != nil {
		h.fail(w, r, rq, err, "see this user's history")
		return nil, nil, false
	}
	if lockEv != nil {
		editors = append(editors, lockEv.CreatorID)
	}
	names, err := h.app.LoginNames(ctx, editors)
	if err != nil {
		h.fail(w, r, rq, err, "see this user's history")
		return nil, nil, false
	}
	who := func(id string) string {
		if id == "" {
			return "Warden"
		}
		if n := names[id]; n != "" {
			return n
		}
		return "user " + id
	}
	for _, e := range evs {
		what, detail := describe(e)
		by := "by " + who(e.CreatorID)
		if signInEvent(e) {
			// Recorded with the user as creator, but whoever typed the
			// password is unknown: say where it happened, not who did it.
			by = "at sign-in as " + who(e.CreatorID)
		}
		uv.History = append(uv.History, historyItem{Seq: e.Sequence, At: e.CreatedAt, What: what, Detail: detail, Who: by})
	}
	if lockEv != nil {
		uv.Lock = &lockInfo{At: lockEv.CreatedAt, By: who(lockEv.CreatorID), Policy: lockCause(*lockEv) != ""}
	}
	for _, a := range userActions {
		// Offered only when the API would allow it: the permission in this org
		// context and a state the transition accepts.
		if !s.May(app.StateChangeUse(a.op)) || !user.Allows(u.State, a.op) {
			continue
		}
		uv.Actions = append(uv.Actions, actionLink{Label: a.label, URL: pathUsers + "/" + url.PathEscape(u.ID) + "/confirm?action=" + a.action,
			Danger: a.op == user.OpRemove || a.op == user.OpLock || a.op == user.OpDeactivate})
	}
	if uv.IsMachine {
		pats, _, err := h.app.ListPATs(ctx, s, u.ID, store.Page{Limit: 100})
		if err != nil {
			h.fail(w, r, rq, err, "see this user's tokens")
			return nil, nil, false
		}
		uv.PATs = pats
	}
	if uv.Grants, uv.ShowGrants, err = h.grantsOf(r, rq, u.ID); err != nil {
		h.fail(w, r, rq, err, "see this user's grants")
		return nil, nil, false
	}
	// nil: the form lists the projects; a creator without grant rights in
	// the org is not offered it (its API call on its own project still works).
	uv.CanGrant = s.MayOnProject(app.UseAddUserGrant, nil)
	if u.State != user.StateDeleted {
		uv.CanEditName = s.May(app.UseUpdateUserName)
		if u.Human != nil {
			uv.CanEditProfile, uv.CanEditEmail, uv.CanEditPhone = s.May(app.UseUpdateHumanProfile), s.May(app.UseUpdateHumanEmail), s.May(app.UseUpdateHumanPhone)
		} else {
			uv.CanEditProfile = s.May(app.UseUpdateMachine)
		}
	}
	if u.State != user.StateDeleted && s.May(app.UseListUserMetadata) {
		md, _, err := h.app.ListUserMetadata(ctx, s, u.ID, app.MetadataFilter{}, store.Page{Limit: 100})
		if err != nil {
			h.fail(w, r, rq, err, "see this user's metadata")
			return nil, nil, false
		}
		uv.ShowMetadata, uv.Metadata = true, metadataRows(md)
		uv.CanEditMeta = s.May(app.UseSetUserMetadata) && s.May(app.UseRemoveUserMetadata)
	}
	v := h.base(r, rq, u.UserName)
	v.Section, v.User = "users", uv
	return v, uv, true
}

// lastLock finds the event that locked a LOCKED user: in the page's history
// if it is there, else further back, page by page.
func (h *handler) lastLock(r *http.Request, s app.Scope, u *user.User, evs []event.Event) (*event.Event, error) {
	if u.State != user.StateLocked {
		return nil, nil
	}
	for {
		for i := range evs {
			if evs[i].Type == event.UserLocked {
				return &evs[i], nil
			}
		}
		if len(evs) == 0 || evs[len(evs)-1].Sequence <= 1 {
			return nil, nil
		}
		var err error
		evs, err = h.app.UserChanges(r.Context(), s, u.ID, store.EventQuery{AfterSequence: evs[len(evs)-1].Sequence, Limit: 1000})
		if err != nil {
			return nil, err
		}
	}
}

// signInEvent tells events the login page records (password checks and the
// lockout policy's lock) from changes someone made.
func signInEvent(e event.Event) bool {
	switch e.Type {
	case event.PasswordCheckFailed, event.PasswordCheckOK:
		return true
	case event.UserLocked:
		return lockCause(e) != ""
	}
	return false
}

func payload(e event.Event) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(e.Payload, &m)
	return m
}

func lockCause(e event.Event) string {
	c, _ := payload(e)["cause"].(string)
	return c
}

// describe says in words what an event was.
func describe(e event.Event) (string, string) {
	p := payload(e)
	str := func(k string) string { s, _ := p[k].(string); return s }
	switch e.Type {
	case event.HumanAdded:
		return "Created (human user)", "user name " + str("userName")
	case event.MachineAdded:
		return "Created (machine user)", "user name " + str("userName")
	case event.UserLocked:
		if c := str("cause"); c != "" {
			return "Locked by the " + c, "too many wrong passwords"
		}
		return "Locked", ""
	case event.UserUnlocked:
		return "Unlocked", ""
	case event.UserDeactivated:
		return "Deactivated", ""
	case event.UserReactivated:
		return "Reactivated", ""
	case event.UserRemoved:
		return "Removed", ""
	case event.PasswordCheckFailed:
		return "Wrong password entered", ""
	case event.PasswordCheckOK:
		return "Signed in with password", ""
	case event.PasswordChanged:
		return "Password changed", ""
	case event.PATAdded:
		return "Personal access token added", "token " + str("tokenId")
	case event.PATRemoved:
		return "Personal access token removed", "token " + str("tokenId")
	case event.MachineSecretSet:
		return "Client secret generated", ""
	case event.MachineSecretRemoved:
		return "Client secret removed", ""
	case event.MachineKeyAdded:
		return "Key added", "key " + str("keyId")
	case event.MachineKeyRemoved:
		return "Key removed", "key " + str("keyId")
	case event.HumanProfileChanged:
		return "Profile changed", ""
	case event.MachineChanged:
		return "Name or description changed", ""
	case event.UserNameChanged:
		return "Renamed", str("oldUserName") + " → " + str("userName")
	case event.HumanEmailChanged:
		return "E-mail changed", str("email")
	case event.HumanEmailVerified:
		return "E-mail verified", ""
	case event.HumanPhoneChanged:
		return "Phone changed", str("phone")
	case event.HumanPhoneVerified:
		return "Phone verified", ""
	case event.HumanPhoneRemoved:
		return "Phone removed", ""
	case event.UserMetadataSet:
		return "Metadata set", str("key")
	case event.UserMetadataRemoved:
		return "Metadata removed", str("key")
	case event.UserMetadataRemovedAll:
		return "All metadata removed", ""
	case event.HumanEmailCodeAdded:
		return "E-mail verification code issued", codeDetail(p)
	case event.HumanEmailVerificationFailed:
		return "Wrong e-mail verification code entered", ""
	case event.HumanPhoneCodeAdded:
		return "Phone verification code issued", codeDetail(p)
	case event.HumanPhoneVerificationFailed:
		return "Wrong phone verification code entered", ""
	case event.HumanPasswordCodeAdded:
		return "Password reset code issued", codeDetail(p)
	case event.HumanPasswordCodeCheckFailed:
		return "Wrong password reset code entered", ""
	case event.HumanInitCodeAdded, event.HumanInviteCodeAdded:
		return "Invitation code issued", codeDetail(p)
	case event.HumanInitCheckFailed, event.HumanInviteCheckFailed:
		return "Wrong invitation code entered", ""
	case event.HumanInitCheckSucceeded, event.HumanInviteCheckSucceeded:
		return "Invitation accepted", ""
	}
	return e.Type, ""
}

// codeDetail says how an issued code went: answered to the API caller, or
// queued to the user (ZITADEL's codeReturned flag).
func codeDetail(p map[string]any) string {
	if r, _ := p["codeReturned"].(bool); r {
		return "returned to the caller"
	}
	return "sent to the user"
}

// --- confirmations and lifecycle actions ---

type confirmView struct {
	Question, Explain, Button string
	PostURL, CancelURL        string
	Danger                    bool
	Error                     string
	Hidden                    map[string]string
}

// userConfirm describes a user action's confirmation and names its use case;
// ok is false for an unknown action.
func userConfirm(action, name, userID, patID string) (use app.Use, what string, c confirmView, ok bool) {
	self := pathUsers + "/" + url.PathEscape(userID)
	c = confirmView{PostURL: self + "/" + action, CancelURL: self}
	ok = true
	if op, isOp := userOps[action]; isOp {
		use = app.StateChangeUse(op)
	}
	switch action {
	case "lock":
		what = "lock users"
		c.Question, c.Button, c.Danger = "Lock "+name+"?", "Lock user", true
		c.Explain = name + " will not be able to sign in, and every session and token it has stops working at once. Unlocking does not bring those tokens back."
	case "unlock":
		what = "unlock users"
		c.Question, c.Button = "Unlock "+name+"?", "Unlock user"
		c.Explain = name + " will be able to sign in again. Tokens issued before the lock stay invalid."
	case "deactivate":
		what = "deactivate users"
		c.Question, c.Button, c.Danger = "Deactivate "+name+"?", "Deactivate user", true
		c.Explain = name + " will not be able to sign in, and its sessions and tokens stop working, until it is reactivated."
	case "reactivate":
		what = "reactivate users"
		c.Question, c.Button = "Reactivate "+name+"?", "Reactivate user"
		c.Explain = name + " will be able to sign in again."
	case "remove":
		what = "remove users"
		c.Question, c.Button, c.Danger = "Remove "+name+"?", "Remove user", true
		c.Explain = name + " will be removed for good: it cannot sign in, and its tokens and memberships are deleted. Its history stays readable. This cannot be undone."
	case "secret":
		use, what = app.UseGenerateMachineSecret, "create client secrets"
		c.Question, c.Button = "Generate a client secret for "+name+"?", "Generate secret"
		c.Explain = "A new client secret replaces the current one, if any: applications using the old secret stop working. The secret is shown once."
	case "pat-remove":
		use, what = app.UseRemovePAT, "remove tokens"
		c.Question, c.Button, c.Danger = "Remove token "+patID+" of "+name+"?", "Remove token", true
		c.Explain = "Programs using this personal access token lose access at once."
		c.PostURL = self + "/pats/" + url.PathEscape(patID) + "/remove"
	default:
		return "", "", c, false
	}
	return use, what, c, true
}

func (h *handler) confirmUserAction(w http.ResponseWriter, r *http.Request, rq *request) {
	h.confirmUser(w, r, rq, r.URL.Query().Get("action"), clip(r.URL.Query().Get("pat"), app.MaxIDLen), http.StatusOK, "")
}

// confirmUser shows (or, with an error, shows again) the confirmation of an
// action on a user; the permission is checked before anything is shown.
func (h *handler) confirmUser(w http.ResponseWriter, r *http.Request, rq *request, action, patID string, status int, errText string) {
	id := r.PathValue("id")
	use, what, c, ok := userConfirm(action, "", id, patID)
	if !ok {
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such action.")
		return
	}
	s, err := h.scope(r, rq, use)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	u, o, err := h.app.GetUser(r.Context(), s, id)
	if err != nil {
		h.fail(w, r, rq, err, what)
		return
	}
	_, _, c, _ = userConfirm(action, h.app.LoginName(u, o), id, patID)
	c.Error = errText
	v := h.base(r, rq, c.Question)
	v.Section, v.Confirm = "users", &c
	h.render(w, r, status, "confirm", v)
}

var userOps = map[string]user.Op{"lock": user.OpLock, "unlock": user.OpUnlock, "deactivate": user.OpDeactivate,
	"reactivate": user.OpReactivate, "remove": user.OpRemove}

// userAction runs a confirmed lifecycle action (or generates a secret) with
// the same permission the API's call needs, in the session's org context.
func (h *handler) userAction(w http.ResponseWriter, r *http.Request, rq *request) {
	action, id := r.PathValue("action"), r.PathValue("id")
	use, what, _, ok := userConfirm(action, "", id, "")
	if !ok || action == "pat-remove" {
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such action.")
		return
	}
	again := func(err error) {
		status, text := h.errorText(r, err, what)
		if status == http.StatusUnauthorized {
			h.needSignIn(w, r)
			return
		}
		if status == http.StatusForbidden || status == http.StatusNotFound {
			// Without the permission (or the user) there is nothing to confirm.
			v := h.base(r, rq, "Not allowed")
			if status == http.StatusNotFound {
				v.Title = "Not found"
			}
			v.Error = text
			h.render(w, r, status, "message", v)
			return
		}
		h.confirmUser(w, r, rq, action, "", status, text)
	}
	s, err := h.scope(r, rq, use)
	if err != nil {
		again(err)
		return
	}
	if action == "secret" {
		clientID, secret, u, err := h.app.GenerateMachineSecret(r.Context(), s, id)
		if err != nil {
			again(err)
			return
		}
		v := h.base(r, rq, "Client secret")
		v.Section = "users"
		v.Secret = &secretView{UserID: u.ID, UserName: u.UserName, ClientID: clientID, Secret: secret}
		h.render(w, r, http.StatusOK, "secret", v)
		return
	}
	u, err := h.app.ChangeState(r.Context(), s, id, userOps[action])
	if err != nil {
		again(err)
		return
	}
	if action == "remove" {
		http.Redirect(w, r, pathUsers+"?done=remove", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, pathUsers+"/"+url.PathEscape(u.ID)+"?done="+action, http.StatusSeeOther)
}

// --- machine credentials ---

type secretView struct {
	UserID, UserName string
	// A personal access token …
	TokenID, Token string
	Expires        time.Time
	// … or a client secret (of a machine user, or of an app).
	ClientID, Secret string
	AppName, Back    string // an app's: its name and page
}

func (h *handler) addPAT(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	var exp time.Time
	if d := strings.TrimSpace(r.PostForm.Get("expiration")); d != "" {
		day, err := time.Parse("2006-01-02", d)
		if err != nil {
			h.patError(w, r, rq, http.StatusBadRequest, "The expiry date must be a date like 2031-12-31.")
			return
		}
		exp = day.Add(24*time.Hour - time.Second) // to the end of that day, UTC
	}
	s, err := h.scope(r, rq, app.UseAddPAT)
	if err == nil {
		var p *credential.PAT
		var token string
		var u *user.User
		p, token, u, err = h.app.AddPAT(r.Context(), s, id, exp)
		if err == nil {
			v := h.base(r, rq, "Personal access token")
			v.Section = "users"
			v.Secret = &secretView{UserID: u.ID, UserName: u.UserName, TokenID: p.ID, Token: token, Expires: p.Expiration}
			h.render(w, r, http.StatusOK, "secret", v)
			return
		}
	}
	status, text := h.errorText(r, err, "create tokens")
	switch status {
	case http.StatusUnauthorized:
		h.needSignIn(w, r)
		return
	case http.StatusForbidden: // the page has no token form to show it beside
		h.fail(w, r, rq, err, "create tokens")
		return
	}
	h.patError(w, r, rq, status, text)
}

// patError shows the user page again with the error beside the token form.
func (h *handler) patError(w http.ResponseWriter, r *http.Request, rq *request, status int, text string) {
	v, uv, ok := h.userPage(w, r, rq)
	if !ok {
		return
	}
	uv.PATError = text
	h.render(w, r, status, "user", v)
}

func (h *handler) removePAT(w http.ResponseWriter, r *http.Request, rq *request) {
	id, patID := r.PathValue("id"), r.PathValue("pat")
	s, err := h.scope(r, rq, app.UseRemovePAT)
	if err == nil {
		_, err = h.app.RemovePAT(r.Context(), s, id, patID)
	}
	if err != nil {
		status, text := h.errorText(r, err, "remove tokens")
		if status == http.StatusUnauthorized {
			h.needSignIn(w, r)
			return
		}
		if status == http.StatusForbidden {
			v := h.base(r, rq, "Not allowed")
			v.Error = text
			h.render(w, r, status, "message", v)
			return
		}
		h.confirmUser(w, r, rq, "pat-remove", patID, status, text)
		return
	}
	http.Redirect(w, r, pathUsers+"/"+url.PathEscape(id)+"?done=pat-removed", http.StatusSeeOther)
}

// --- new users ---

type newUserView struct {
	Machine                                    bool
	UserName, FirstName, LastName, Email, Name string
	Description                                string
	EmailVerified, ChangeRequired              bool
	Error                                      string
}

func (h *handler) newUserForm(w http.ResponseWriter, r *http.Request, rq *request) {
	nv := &newUserView{Machine: r.URL.Query().Get("type") == "machine", ChangeRequired: true}
	if _, err := h.scope(r, rq, newUserUse(nv.Machine)); err != nil {
		h.fail(w, r, rq, err, "create users")
		return
	}
	h.renderNewUser(w, r, rq, http.StatusOK, nv)
}

// newUserUse is the use case of the new-user form.
func newUserUse(machine bool) app.Use {
	if machine {
		return app.UseAddMachine
	}
	return app.UseAddHuman
}

func (h *handler) renderNewUser(w http.ResponseWriter, r *http.Request, rq *request, status int, nv *newUserView) {
	title := "New human user"
	if nv.Machine {
		title = "New machine user"
	}
	v := h.base(r, rq, title)
	v.Section, v.NewUser = "users", nv
	h.render(w, r, status, "newuser", v)
}

func (h *handler) createUser(w http.ResponseWriter, r *http.Request, rq *request) {
	f := r.PostForm
	get := func(k string) string { return clip(strings.TrimSpace(f.Get(k)), 4*app.MaxNameLen) }
	nv := &newUserView{Machine: f.Get("type") == "machine", UserName: get("userName"), FirstName: get("firstName"),
		LastName: get("lastName"), Email: get("email"), Name: get("name"), Description: get("description"),
		EmailVerified: f.Get("emailVerified") != "", ChangeRequired: f.Get("changeRequired") != ""}
	s, err := h.scope(r, rq, newUserUse(nv.Machine))
	var u *user.User
	if err == nil {
		if nv.Machine {
			u, err = h.app.AddMachine(r.Context(), s, app.NewMachine{UserName: nv.UserName, Name: nv.Name, Description: nv.Description})
		} else {
			u, err = h.app.AddHuman(r.Context(), s, app.NewHuman{UserName: nv.UserName, RequireNames: true,
				Password: f.Get("password"), ChangeRequired: nv.ChangeRequired,
				Profile: user.Human{FirstName: nv.FirstName, LastName: nv.LastName, Email: nv.Email, EmailVerified: nv.EmailVerified}})
		}
	}
	if err != nil {
		status, text := h.errorText(r, err, "create users")
		if status == http.StatusUnauthorized {
			h.needSignIn(w, r)
			return
		}
		nv.Error = text
		h.renderNewUser(w, r, rq, status, nv)
		return
	}
	http.Redirect(w, r, pathUsers+"/"+url.PathEscape(u.ID)+"?done=created", http.StatusSeeOther)
}

// --- editing a user's own data ---

// editUser saves one of the user page's edit forms (profile, username, email,
// phone) through the use case the API's method calls, in the session's org
// context; a refusal shows the page again with the error beside the form.
func (h *handler) editUser(w http.ResponseWriter, r *http.Request, rq *request) {
	form, id := r.PathValue("form"), r.PathValue("id")
	f := func(k string) string { return r.PostForm.Get(k) }
	var use app.Use
	var what string
	var do func(s app.Scope) error
	switch form {
	case "profile":
		use, what = app.UseUpdateHumanProfile, "change this user's profile"
		if f("machine") == "1" {
			use = app.UseUpdateMachine
			do = func(s app.Scope) error {
				// The access token type is not on the form: kept as it is.
				u, _, err := h.app.GetUser(r.Context(), s, id)
				if err != nil {
					return err
				}
				att := 0
				if u.Machine != nil {
					att = u.Machine.AccessTokenType
				}
				_, err = h.app.UpdateMachine(r.Context(), s, id, f("name"), f("description"), att)
				return err
			}
			break
		}
		gender, _ := strconv.Atoi(f("gender"))
		do = func(s app.Scope) error {
			_, err := h.app.UpdateProfile(r.Context(), s, app.UseUpdateHumanProfile, id, user.Profile{FirstName: f("firstName"), LastName: f("lastName"),
				NickName: f("nickName"), DisplayName: f("displayName"), PreferredLanguage: f("language"), Gender: gender})
			return err
		}
	case "username":
		use, what = app.UseUpdateUserName, "rename this user"
		do = func(s app.Scope) error {
			_, err := h.app.UpdateUserName(r.Context(), s, app.UseUpdateUserName, id, f("userName"))
			return err
		}
	case "email":
		use, what = app.UseUpdateHumanEmail, "change this user's e-mail"
		do = func(s app.Scope) error {
			_, err := h.app.UpdateEmail(r.Context(), s, id, f("email"), f("verified") == "1")
			return err
		}
	case "phone":
		use, what = app.UseUpdateHumanPhone, "change this user's phone"
		do = func(s app.Scope) error {
			var err error
			if strings.TrimSpace(f("phone")) == "" {
				_, err = h.app.RemovePhone(r.Context(), s, app.UseRemoveHumanPhone, id)
				if errors.Is(err, user.ErrPhoneNotFound) {
					err = nil // no phone, and none wanted
				}
			} else {
				_, err = h.app.UpdatePhone(r.Context(), s, id, f("phone"), f("verified") == "1")
			}
			return err
		}
	case "metadata":
		use, what = app.UseSetUserMetadata, "set this user's metadata"
		do = func(s app.Scope) error {
			_, err := h.app.SetUserMetadata(r.Context(), s, id, []app.MetadataEntry{{Key: f("key"), Value: []byte(f("value"))}}, false)
			return err
		}
	case "metadata-remove":
		use, what = app.UseRemoveUserMetadata, "remove this user's metadata"
		do = func(s app.Scope) error {
			_, err := h.app.RemoveUserMetadata(r.Context(), s, id, []string{f("key")}, false)
			return err
		}
	default:
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such form.")
		return
	}
	s, err := h.scope(r, rq, use)
	if err == nil {
		err = do(s)
	}
	if err == nil {
		http.Redirect(w, r, pathUsers+"/"+url.PathEscape(id)+"?done=edit-"+form, http.StatusSeeOther)
		return
	}
	status, text := h.errorText(r, err, what)
	switch status {
	case http.StatusUnauthorized:
		h.needSignIn(w, r)
		return
	case http.StatusForbidden, http.StatusNotFound:
		h.fail(w, r, rq, err, what)
		return
	}
	v, uv, ok := h.userPage(w, r, rq)
	if !ok {
		return
	}
	uv.EditForm, uv.EditError = form, text
	h.render(w, r, status, "user", v)
}
