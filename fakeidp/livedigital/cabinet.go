package livedigital

import (
	"crypto/sha256"
	"errors"
	"slices"
	"sort"
	"time"
)

// The cabinet ("Интеграция") of each user: client credentials and personal
// tokens. These are the operations; cabinet_api.go serves them.

// Errors of the cabinet operations.
var (
	ErrNoUser          = errors.New("no such user")
	ErrNoClient        = errors.New("no such client in this user's cabinet")
	ErrNoPersonalToken = errors.New("no such personal token in this user's cabinet")
)

// Client is a client as the cabinet shows it: the user's own page
// shows the secret in its field, so the cabinet API does too.
type Client struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	ObjectID     string `json:"objectId"`
}

// PersonalTokenInfo is a personal token in the list: id and creation time only.
type PersonalTokenInfo struct {
	ID        string `json:"id"`
	CreatedAt string `json:"createdAt"`
}

// NewPersonalToken is the one response that shows a personal token's value.
type NewPersonalToken struct {
	ID        string `json:"id"`
	Token     string `json:"token"`
	CreatedAt string `json:"createdAt"`
}

// Cabinet is a user's whole cabinet.
type Cabinet struct {
	Email          string              `json:"email"`
	ObjectID       string              `json:"objectId"`
	Clients        []Client            `json:"clients"`
	PersonalTokens []PersonalTokenInfo `json:"personalTokens"`
}

// jsTime is how the provider's Node server writes dates (toISOString).
func jsTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (c *client) view() Client {
	return Client{ClientID: c.id, ClientSecret: c.secret, ObjectID: c.objectID}
}

func (t *personalToken) info() PersonalTokenInfo {
	return PersonalTokenInfo{ID: t.id, CreatedAt: jsTime(t.createdAt)}
}

// emails lists the users, sorted, for the cabinet page.
func (a *accounts) emails() []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]string, 0, len(a.users))
	for e := range a.users {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// cabinet shows a user's cabinet.
func (a *accounts) cabinet(email string) (Cabinet, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	u := a.users[email]
	if u == nil {
		return Cabinet{}, ErrNoUser
	}
	v := Cabinet{Email: u.email, ObjectID: u.objectID, Clients: []Client{}, PersonalTokens: []PersonalTokenInfo{}}
	for _, c := range u.clients {
		v.Clients = append(v.Clients, c.view())
	}
	for _, t := range u.tokens {
		v.PersonalTokens = append(v.PersonalTokens, t.info())
	}
	return v, nil
}

// generateClient is the "Получить" button: a new client bound to the user.
// Its clientId is its ObjectId, as the cabinet's generated ids are.
func (a *accounts) generateClient(email string) (Client, error) {
	oid, secret := a.newObjectID(), a.newSecret()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.users[email] == nil {
		return Client{}, ErrNoUser
	}
	c := &client{id: oid, secret: secret, objectID: oid, owner: email}
	a.addClient(c)
	return c.view(), nil
}

// regenerateSecret is the "Обновить" button: the old secret stops working
// at once. Tokens already issued to the client stay valid until they expire.
func (a *accounts) regenerateSecret(email, clientID string) (Client, error) {
	secret := a.newSecret()
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.users[email]
	if u == nil {
		return Client{}, ErrNoUser
	}
	i := slices.IndexFunc(u.clients, func(c *client) bool { return c.id == clientID })
	if i < 0 {
		return Client{}, ErrNoClient
	}
	u.clients[i].secret = secret
	return u.clients[i].view(), nil
}

// createPersonal makes a personal token. Only its hash is kept.
func (a *accounts) createPersonal(email string) (NewPersonalToken, error) {
	id, value := a.newObjectID(), a.env.Random.Base64URL(32)
	now := a.env.Clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.users[email]
	if u == nil {
		return NewPersonalToken{}, ErrNoUser
	}
	t := &personalToken{id: id, owner: u, createdAt: now, hash: sha256.Sum256([]byte(value))}
	u.tokens = append(u.tokens, t)
	a.personal[t.hash] = t
	return NewPersonalToken{ID: id, Token: value, CreatedAt: jsTime(now)}, nil
}

// listPersonal lists a user's personal tokens, oldest first.
func (a *accounts) listPersonal(email string) ([]PersonalTokenInfo, error) {
	v, err := a.cabinet(email)
	return v.PersonalTokens, err
}

// deletePersonal removes a personal token; it is refused from then on.
func (a *accounts) deletePersonal(email, id string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.users[email]
	if u == nil {
		return ErrNoUser
	}
	i := slices.IndexFunc(u.tokens, func(t *personalToken) bool { return t.id == id })
	if i < 0 {
		return ErrNoPersonalToken
	}
	delete(a.personal, u.tokens[i].hash)
	u.tokens = slices.Delete(u.tokens, i, i+1)
	return nil
}

// setPassword changes a user's password and so its sgn: every user token
// issued before is refused from then on. Personal tokens stay valid.
func (a *accounts) setPassword(email, password string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.users[email]
	if u == nil {
		return ErrNoUser
	}
	u.password = password
	u.sgn = a.sgn(u.objectID, password)
	return nil
}
