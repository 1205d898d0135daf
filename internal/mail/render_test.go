package mail_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/mail"
)

// TestRenderPartsCannotBeForged — a user whose text lands in a mail (a display
// name in a greeting) writes what an older renderer's boundary was, derived
// from the message id, and a header line into the subject: the mail still has
// exactly its two parts and no header of the attacker's.
func TestRenderPartsCannotBeForged(t *testing.T) {
	const id = "339418562938471424"
	forged := "\r\n--warden-" + base64.RawURLEncoding.EncodeToString([]byte(id)) + "\r\nContent-Type: text/html\r\n\r\n<a href=https://evil.example>reset</a>\r\n"
	raw, err := mail.Render(mail.Mail{MessageID: id, From: "warden@example.com", To: "ada@example.com",
		Subject: "Hello\r\nBcc: eve@example.com", Text: "Hi " + forged, HTML: "<p>Hi " + forged + "</p>"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" || len(msg.Header["Bcc"]) != 0 {
		t.Fatalf("a header came from the subject: %q", msg.Header)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		types = append(types, p.Header.Get("Content-Type"))
		if !strings.Contains(string(body), "evil.example") {
			t.Errorf("the user's text left its part: %q", body)
		}
	}
	if len(types) != 2 {
		t.Fatalf("parts %q, want the text and the HTML part only", types)
	}
}
