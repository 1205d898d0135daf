package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/warden-id/warden/internal/server"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/wardentest"
	userv2beta "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2beta"
	"google.golang.org/protobuf/proto"
)

const chromiumPath = "/usr/bin/chromium"

// newChromium starts one headless Chromium for the test (as the console's and
// login page's browser tests do).
func newChromium(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no browser at %s (CI installs Debian's chromium; apt-get install -y chromium): %v", chromiumPath, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	root, cancelRoot := context.WithTimeout(context.Background(), 4*time.Minute)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancelRoot() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start the browser: %v", err)
	}
	return ctx
}

// crossOriginPage serves an empty page on an origin of its own (another
// port of the loopback), from which the browser calls Warden.
func crossOriginPage(t *testing.T) *httptest.Server {
	t.Helper()
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>another origin</title><p>calls Warden</p>`))
	}))
	t.Cleanup(page.Close)
	return page
}

// browserCall runs an async JS body in the page and decodes what it returns
// (JSON) into out.
func browserCall(t *testing.T, ctx context.Context, what, body string, out any) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	js := `(async () => { try { return JSON.stringify(await (async () => {` + body + `})()); } ` +
		`catch (e) { return JSON.stringify({error: String(e)}); } })()`
	v, err := chromedp.Run(sctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if err := json.Unmarshal([]byte(v), out); err != nil {
		t.Fatalf("%s: %v in %q", what, err, v)
	}
}

// pageJS is the page's small client: REST and Connect with fetch, and
// gRPC-Web framed by hand as @zitadel/client's transport frames it.
const pageJS = `
const W = %WARDEN%, T = %TOKEN%;
async function rest(method, path, body, extra) {
  const r = await fetch(W + path, Object.assign({method, headers: {"Authorization": "Bearer " + T, "Content-Type": "application/json"},
    body: body === undefined ? undefined : JSON.stringify(body)}, extra || {}));
  return {status: r.status, body: await r.json(), requestId: r.headers.get("x-request-id")};
}
async function connect(path, msg) {
  const r = await fetch(W + path, {method: "POST", body: JSON.stringify(msg),
    headers: {"Authorization": "Bearer " + T, "Content-Type": "application/json", "Connect-Protocol-Version": "1", "Connect-Timeout-Ms": "10000"}});
  return {status: r.status, body: await r.json()};
}
// grpcWeb sends one message (bytes) and returns the reply message (base64),
// grpc-status and grpc-message, from a trailer frame or, for a trailers-only
// answer, from the (exposed) headers.
async function grpcWeb(path, msg) {
  const frame = new Uint8Array(5 + msg.length);
  new DataView(frame.buffer).setUint32(1, msg.length);
  frame.set(msg, 5);
  const r = await fetch(W + path, {method: "POST", body: frame, headers: {"Authorization": "Bearer " + T,
    "Content-Type": "application/grpc-web+proto", "X-Grpc-Web": "1", "X-User-Agent": "grpc-web-javascript/0.1", "Grpc-Timeout": "10S"}});
  const b = new Uint8Array(await r.arrayBuffer());
  let out = {http: r.status, status: r.headers.get("grpc-status"), message: r.headers.get("grpc-message"), reply: ""};
  for (let i = 0; i + 5 <= b.length;) {
    const n = new DataView(b.buffer, i + 1, 4).getUint32(0), data = b.slice(i + 5, i + 5 + n);
    if (b[i] & 0x80) {
      for (const line of new TextDecoder().decode(data).split("\r\n")) {
        const [k, v] = [line.slice(0, line.indexOf(":")).trim().toLowerCase(), line.slice(line.indexOf(":") + 1).trim()];
        if (k === "grpc-status") out.status = v;
        if (k === "grpc-message") out.message = decodeURIComponent(v);
      }
    } else {
      out.reply = btoa(String.fromCharCode(...data));
    }
    i += 5 + n;
  }
  return out;
}
// userIdRequest is a message with string field 1 (user_id), encoded.
function userIdRequest(id) {
  const s = new TextEncoder().encode(id);
  return Uint8Array.from([0x0a, s.length, ...s]);
}
`

func pageScript(in *wardentest.Instance) string {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return strings.NewReplacer("%WARDEN%", q(in.Base), "%TOKEN%", q(in.Boot.Token)).Replace(pageJS)
}

// TestCORSFromABrowser: headless Chromium on a page of another origin calls
// Warden with fetch, as a browser app using @zitadel/client does: REST (lock,
// with the request id readable), Connect (unlock, and an error it can read),
// gRPC-Web (v2beta GetUserByID; the trailers-only Unimplemented of a method
// Warden does not serve, its grpc-status read from the exposed headers). The
// browser itself enforces what Warden answers: the login page and the console
// cannot be read from that page; a fetch with credentials fails against the
// default "*"; with a list of origins, a listed page may call with
// credentials and an unlisted one cannot call at all.
func TestCORSFromABrowser(t *testing.T) {
	ctx := newChromium(t)
	page, other := crossOriginPage(t), crossOriginPage(t)
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		in := startFront(t, open)
		id := in.ImportHuman(t, "", "browser-"+strings.ReplaceAll(t.Name(), "/", "-"), "Correct-Horse-1")
		if err := chromedp.Do(ctx, chromedp.Navigate(page.URL)); err != nil {
			t.Fatal(err)
		}
		js := pageScript(in)

		var rs struct {
			Status    int            `json:"status"`
			Body      map[string]any `json:"body"`
			RequestID string         `json:"requestId"`
			Error     string         `json:"error"`
		}
		browserCall(t, ctx, "REST lock", js+`return rest("POST", "/management/v1/users/`+id+`/_lock", {});`, &rs)
		if rs.Status != 200 || rs.RequestID == "" || rs.Body["details"].(map[string]any)["sequence"] != "2" {
			t.Fatalf("REST lock from another origin: %+v", rs)
		}

		var cs struct {
			Status int            `json:"status"`
			Body   map[string]any `json:"body"`
			Error  string         `json:"error"`
		}
		browserCall(t, ctx, "Connect unlock", js+`return connect("/zitadel.user.v2.UserService/UnlockUser", {userId: "`+id+`"});`, &cs)
		if cs.Status != 200 || cs.Body["details"].(map[string]any)["sequence"] != "3" {
			t.Fatalf("Connect unlock: %+v", cs)
		}
		cs.Status, cs.Body = 0, nil
		browserCall(t, ctx, "Connect unlock again", js+`return connect("/zitadel.user.v2.UserService/UnlockUser", {userId: "`+id+`"});`, &cs)
		if cs.Status != 400 || cs.Body["code"] != "failed_precondition" || !strings.Contains(cs.Body["message"].(string), "COMMAND-olb9vb0oca") {
			t.Fatalf("Connect error: %+v", cs)
		}

		type grpcWebReply struct {
			HTTP    int    `json:"http"`
			Status  string `json:"status"`
			Message string `json:"message"`
			Reply   string `json:"reply"`
			Error   string `json:"error"`
		}
		var gw grpcWebReply
		browserCall(t, ctx, "gRPC-Web get", js+`return grpcWeb("/zitadel.user.v2beta.UserService/GetUserByID", userIdRequest("`+id+`"));`, &gw)
		raw, _ := base64.StdEncoding.DecodeString(gw.Reply)
		var got userv2beta.GetUserByIDResponse
		if gw.HTTP != 200 || gw.Status != "0" || proto.Unmarshal(raw, &got) != nil || got.GetUser().GetUserId() != id ||
			got.GetUser().GetState() != userv2beta.UserState_USER_STATE_ACTIVE {
			t.Fatalf("gRPC-Web v2beta GetUserByID: %+v %v", gw, &got)
		}
		gw = grpcWebReply{}
		browserCall(t, ctx, "gRPC-Web unserved", js+`return grpcWeb("/zitadel.session.v2.SessionService/ListSessions", new Uint8Array());`, &gw)
		if gw.HTTP != 200 || gw.Status != "12" || gw.Message != "method ListSessions not implemented" {
			t.Fatalf("gRPC-Web unserved method: %+v", gw)
		}
		gw = grpcWebReply{}
		browserCall(t, ctx, "gRPC-Web unknown", js+`return grpcWeb("/zitadel.nothing.v1.Nothing/Call", new Uint8Array());`, &gw)
		if gw.HTTP != 200 || gw.Status != "12" || !strings.Contains(gw.Message, "unknown service") {
			t.Fatalf("gRPC-Web unknown service (trailers-only, status in the headers): %+v", gw)
		}

		// What the page must not get.
		var blocked struct {
			Status int    `json:"status"`
			Error  string `json:"error"`
		}
		for _, p := range []string{"/ui/login", "/ui/console", "/ui/console/users", "/debug/ready"} {
			blocked.Error = ""
			browserCall(t, ctx, "read "+p, js+`const r = await fetch(W + "`+p+`", {credentials: "include"}); return {status: r.status};`, &blocked)
			if blocked.Error == "" {
				t.Errorf("a page on another origin read %s: %+v", p, blocked)
			}
		}
		blocked.Error = ""
		browserCall(t, ctx, "credentials with *", js+`return rest("GET", "/management/v1/healthz", undefined, {credentials: "include"});`, &blocked)
		if blocked.Error == "" {
			t.Errorf("a credentialed fetch passed against \"*\": %+v", blocked)
		}

		// A list of origins: the listed page may call with credentials; another may not call.
		listed := startFront(t, open, server.WithCORSOrigins(page.URL))
		js = pageScript(listed)
		rs.Status, rs.Error = 0, ""
		browserCall(t, ctx, "listed origin", js+`return rest("GET", "/management/v1/users/`+listed.Boot.AdminID+`", undefined, {credentials: "include"});`, &rs)
		if rs.Status != 200 || rs.Error != "" {
			t.Fatalf("listed origin, with credentials: %+v", rs)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(other.URL)); err != nil {
			t.Fatal(err)
		}
		rs.Status, rs.Error = 0, ""
		browserCall(t, ctx, "unlisted origin", js+`return rest("GET", "/management/v1/users/`+listed.Boot.AdminID+`");`, &rs)
		if rs.Error == "" {
			t.Fatalf("an unlisted origin called the API: %+v", rs)
		}
	})
}
