package livedigital

// The cabinet in-process, for Go tests (the root's Server.Livedigital()
// returns the Site). The control API serves the same operations over HTTP.

// Users lists every user's email, sorted.
func (s *Site) Users() []string { return s.accounts.emails() }

// Cabinet shows a user's clients (with their secrets) and personal tokens
// (id and creation time only).
func (s *Site) Cabinet(email string) (Cabinet, error) { return s.accounts.cabinet(email) }

// GenerateClient gives the user a new client: a clientId (its ObjectId)
// and a client_secret.
func (s *Site) GenerateClient(email string) (Client, error) { return s.accounts.generateClient(email) }

// RegenerateSecret replaces a client's secret; the old one stops working.
func (s *Site) RegenerateSecret(email, clientID string) (Client, error) {
	return s.accounts.regenerateSecret(email, clientID)
}

// CreatePersonalToken makes a personal token. Its value is in the result
// and nowhere else, ever.
func (s *Site) CreatePersonalToken(email string) (NewPersonalToken, error) {
	return s.accounts.createPersonal(email)
}

// PersonalTokens lists a user's personal tokens, oldest first.
func (s *Site) PersonalTokens(email string) ([]PersonalTokenInfo, error) {
	return s.accounts.listPersonal(email)
}

// DeletePersonalToken deletes a personal token; it is refused from then on.
func (s *Site) DeletePersonalToken(email, id string) error {
	return s.accounts.deletePersonal(email, id)
}

// SetPassword changes a user's password. User tokens issued before carry
// the old sgn and are refused from then on; personal tokens stay valid.
func (s *Site) SetPassword(email, password string) error {
	return s.accounts.setPassword(email, password)
}
