package msgtext

// The built-in texts, Warden's own wording with ZITADEL's placeholders, in
// English and German; any other language falls back to English.

var defaults = map[string]map[Type]Text{
	"en": {
		InitCode: {Title: "Activate your account", PreHeader: "Activate your account", Subject: "Activate your account",
			Greeting: "Hello {{.DisplayName}},", Text: "Your user {{.PreferredLoginName}} was created. Use the code {{.Code}} or the button below to set your password and activate the account.",
			ButtonText: "Activate account"},
		VerifyEmail: {Title: "Verify your e-mail address", PreHeader: "Verify your e-mail address", Subject: "Verify your e-mail address",
			Greeting: "Hello {{.DisplayName}},", Text: "Please confirm your new e-mail address with the code {{.Code}} or the button below.",
			ButtonText: "Verify e-mail"},
		VerifyPhone: {Title: "Verify your phone number", PreHeader: "Verify your phone number", Subject: "Verify your phone number",
			Greeting: "Hello {{.DisplayName}},", Text: "Your verification code is {{.Code}}.", ButtonText: "Verify phone"},
		VerifySMSOTP: {Text: "{{.OTP}} is your one-time password. Enter it where you sign in, or open {{.VerifyURL}}. It expires soon."},
		VerifyEmailOTP: {Title: "Your one-time password", PreHeader: "Your one-time password", Subject: "Your one-time password",
			Greeting: "Hello {{.DisplayName}},", Text: "Sign in with the one-time password {{.OTP}} or the button below. It is valid for a few minutes only; if you did not try to sign in, ignore this message.",
			ButtonText: "Sign in"},
		PasswordReset: {Title: "Reset your password", PreHeader: "Reset your password", Subject: "Reset your password",
			Greeting: "Hello {{.DisplayName}},", Text: "Someone asked to reset the password of {{.PreferredLoginName}}. Use the code {{.Code}} or the button below. If it was not you, ignore this message.",
			ButtonText: "Reset password"},
		PasswordChange: {Title: "Your password was changed", PreHeader: "Your password was changed", Subject: "Your password was changed",
			Greeting: "Hello {{.DisplayName}},", Text: "The password of {{.PreferredLoginName}} was changed. If it was not you, reset your password now.",
			ButtonText: "Sign in"},
		DomainClaimed: {Title: "Your user name changes", PreHeader: "Your user name changes", Subject: "The domain {{.Domain}} was claimed",
			Greeting: "Hello {{.DisplayName}},", Text: "The domain {{.Domain}} was claimed by an organisation. Your user name is now {{.UserName}}; please sign in with it and choose a new one.",
			ButtonText: "Sign in"},
		PasswordlessRegistration: {Title: "Add a passwordless sign-in", PreHeader: "Add a passwordless sign-in", Subject: "Add a passwordless sign-in",
			Greeting: "Hello {{.DisplayName}},", Text: "Use the button below to register a passkey or security key for {{.PreferredLoginName}}.",
			ButtonText: "Register"},
		InviteUser: {Title: "You are invited", PreHeader: "You are invited", Subject: "You are invited to {{.ApplicationName}}",
			Greeting: "Hello {{.DisplayName}},", Text: "{{.OrgName}} invites you as {{.PreferredLoginName}}. Use the button below to accept and set up your account.",
			ButtonText: "Accept invitation"},
	},
	"de": {
		InitCode: {Title: "Konto aktivieren", PreHeader: "Konto aktivieren", Subject: "Konto aktivieren",
			Greeting: "Hallo {{.DisplayName}},", Text: "Dein Benutzer {{.PreferredLoginName}} wurde angelegt. Setze mit dem Code {{.Code}} oder dem Knopf unten dein Passwort.",
			ButtonText: "Konto aktivieren"},
		VerifyEmail: {Title: "E-Mail-Adresse bestätigen", PreHeader: "E-Mail-Adresse bestätigen", Subject: "E-Mail-Adresse bestätigen",
			Greeting: "Hallo {{.DisplayName}},", Text: "Bitte bestätige deine neue E-Mail-Adresse mit dem Code {{.Code}} oder dem Knopf unten.",
			ButtonText: "E-Mail bestätigen"},
		VerifyPhone: {Title: "Telefonnummer bestätigen", PreHeader: "Telefonnummer bestätigen", Subject: "Telefonnummer bestätigen",
			Greeting: "Hallo {{.DisplayName}},", Text: "Dein Bestätigungscode lautet {{.Code}}.", ButtonText: "Telefon bestätigen"},
		VerifySMSOTP: {Text: "{{.OTP}} ist dein Einmalpasswort. Gib es bei der Anmeldung ein oder öffne {{.VerifyURL}}. Es läuft bald ab."},
		VerifyEmailOTP: {Title: "Dein Einmalpasswort", PreHeader: "Dein Einmalpasswort", Subject: "Dein Einmalpasswort",
			Greeting: "Hallo {{.DisplayName}},", Text: "Melde dich mit dem Einmalpasswort {{.OTP}} oder dem Knopf unten an. Es gilt nur wenige Minuten; wolltest du dich nicht anmelden, ignoriere diese Nachricht.",
			ButtonText: "Anmelden"},
		PasswordReset: {Title: "Passwort zurücksetzen", PreHeader: "Passwort zurücksetzen", Subject: "Passwort zurücksetzen",
			Greeting: "Hallo {{.DisplayName}},", Text: "Für {{.PreferredLoginName}} wurde ein neues Passwort angefragt. Nutze den Code {{.Code}} oder den Knopf unten. Warst du es nicht, ignoriere diese Nachricht.",
			ButtonText: "Passwort zurücksetzen"},
		PasswordChange: {Title: "Passwort geändert", PreHeader: "Passwort geändert", Subject: "Passwort geändert",
			Greeting: "Hallo {{.DisplayName}},", Text: "Das Passwort von {{.PreferredLoginName}} wurde geändert. Warst du es nicht, setze es jetzt zurück.",
			ButtonText: "Anmelden"},
		DomainClaimed: {Title: "Dein Benutzername ändert sich", PreHeader: "Dein Benutzername ändert sich", Subject: "Die Domain {{.Domain}} wurde beansprucht",
			Greeting: "Hallo {{.DisplayName}},", Text: "Die Domain {{.Domain}} wurde von einer Organisation beansprucht. Dein Benutzername ist jetzt {{.UserName}}; melde dich damit an und wähle einen neuen.",
			ButtonText: "Anmelden"},
		PasswordlessRegistration: {Title: "Passwortlose Anmeldung einrichten", PreHeader: "Passwortlose Anmeldung einrichten", Subject: "Passwortlose Anmeldung einrichten",
			Greeting: "Hallo {{.DisplayName}},", Text: "Registriere mit dem Knopf unten einen Passkey oder Sicherheitsschlüssel für {{.PreferredLoginName}}.",
			ButtonText: "Registrieren"},
		InviteUser: {Title: "Du bist eingeladen", PreHeader: "Du bist eingeladen", Subject: "Einladung zu {{.ApplicationName}}",
			Greeting: "Hallo {{.DisplayName}},", Text: "{{.OrgName}} lädt dich als {{.PreferredLoginName}} ein. Nimm die Einladung mit dem Knopf unten an.",
			ButtonText: "Einladung annehmen"},
	},
}

// Languages are the languages with built-in texts.
var Languages = []string{"en", "de"}

// Default is the built-in text of t in lang (a BCP 47 tag; its base
// language counts), else in English.
func Default(t Type, lang string) Text {
	if d, ok := defaults[base(lang)][t]; ok {
		return d
	}
	return defaults["en"][t]
}

// base is a tag's language subtag, lower-cased ("de-CH" → "de").
func base(lang string) string {
	for i := 0; i < len(lang); i++ {
		if lang[i] == '-' || lang[i] == '_' {
			lang = lang[:i]
			break
		}
	}
	b := []byte(lang)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// HasDefault says whether lang has built-in texts of its own.
func HasDefault(lang string) bool { _, ok := defaults[base(lang)]; return ok }
