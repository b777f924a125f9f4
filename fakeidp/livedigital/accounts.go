package livedigital

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// accounts are the users and clients of one server, and what the cabinet
// changes about them. One RWMutex guards all of it: the token endpoint
// only reads, the cabinet's rare writes take the lock briefly.
type accounts struct {
	cfg *config.Livedigital
	env *site.Env
	// sgn derives a user's sgn claim from the current password.
	sgn func(userOID, password string) string

	mu           sync.RWMutex
	users        map[string]*user   // by email
	usersByOID   map[string]*user   // by ObjectId, the sub claim
	clients      map[string]*client // by clientId
	clientsByOID map[string]*client // by ObjectId, the cId claim
	// personal maps the SHA-256 of a personal token's value to it: the
	// value itself is never kept, so it really is shown only once.
	personal map[[sha256.Size]byte]*personalToken
}

type user struct {
	email, objectID, password, sgn string
	spaces                         []map[string]any
	// clients and tokens are the user's cabinet, in creation order.
	clients []*client
	tokens  []*personalToken
}

type client struct {
	id, secret, objectID, owner string
}

type personalToken struct {
	id        string
	owner     *user
	createdAt time.Time
	hash      [sha256.Size]byte
}

// userView is a copy of what a request needs from a user, taken under the
// lock so nothing escapes it.
type userView struct {
	Email, ObjectID, Sgn string
	Spaces               []map[string]any
}

// newAccounts builds the users from the fixtures; sgn derives their sgn
// claims (the site's signer).
func newAccounts(cfg *config.Livedigital, env *site.Env, sgn func(userOID, password string) string) *accounts {
	a := &accounts{cfg: cfg, env: env, sgn: sgn}
	a.reset()
	return a
}

// reset rebuilds everything from the fixtures.
func (a *accounts) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.users = map[string]*user{}
	a.usersByOID = map[string]*user{}
	a.clients = map[string]*client{}
	a.clientsByOID = map[string]*client{}
	a.personal = map[[sha256.Size]byte]*personalToken{}
	for _, u := range a.cfg.Users {
		nu := &user{email: u.Email, objectID: u.ObjectID, password: u.Password, spaces: u.Spaces}
		nu.sgn = a.sgn(u.ObjectID, u.Password)
		a.users[u.Email] = nu
		a.usersByOID[u.ObjectID] = nu
	}
	for _, c := range a.cfg.Clients {
		a.addClient(&client{id: c.ID, secret: c.Secret, objectID: c.ObjectID, owner: c.Owner})
	}
}

func (a *accounts) addClient(c *client) {
	a.clients[c.id] = c
	a.clientsByOID[c.objectID] = c
	if u := a.users[c.owner]; u != nil {
		u.clients = append(u.clients, c)
	}
}

func (u *user) view() userView {
	return userView{Email: u.email, ObjectID: u.objectID, Sgn: u.sgn, Spaces: u.spaces}
}

// authenticateClient checks a client's id and secret, in constant time so
// the fake never teaches a timing side channel by example. It returns the
// client's ObjectId.
func (a *accounts) authenticateClient(id, secret string) (oid string, known, ok bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	c := a.clients[id]
	if c == nil {
		return "", false, false
	}
	if subtle.ConstantTimeCompare([]byte(c.secret), []byte(secret)) != 1 {
		return "", true, false
	}
	return c.objectID, true, true
}

// clientExists reports whether a client has this ObjectId.
func (a *accounts) clientExists(oid string) bool {
	_, ok := a.clientID(oid)
	return ok
}

// clientID is the clientId of the client with this ObjectId.
func (a *accounts) clientID(oid string) (string, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if c := a.clientsByOID[oid]; c != nil {
		return c.id, true
	}
	return "", false
}

// login checks a user's email and password.
func (a *accounts) login(email, password string) (v userView, known, ok bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	u := a.users[email]
	if u == nil {
		return userView{}, false, false
	}
	if subtle.ConstantTimeCompare([]byte(u.password), []byte(password)) != 1 {
		return userView{}, true, false
	}
	return u.view(), true, true
}

// userByOID finds the user a token's sub names.
func (a *accounts) userByOID(oid string) (userView, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	u := a.usersByOID[oid]
	if u == nil {
		return userView{}, false
	}
	return u.view(), true
}

// personalOwner finds the owner of a live personal token.
func (a *accounts) personalOwner(value string) (userView, bool) {
	h := sha256.Sum256([]byte(value))
	a.mu.RLock()
	defer a.mu.RUnlock()
	t := a.personal[h]
	if t == nil {
		return userView{}, false
	}
	return t.owner.view(), true
}

// newObjectID makes a MongoDB-style ObjectId: four bytes of the clock's
// seconds, then eight random bytes, as 24 hex digits.
func (a *accounts) newObjectID() string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(a.env.Clock.Now().Unix()))
	return hex.EncodeToString(b[:]) + a.env.Random.Hex(8)
}

// secretAlphabet is that of the seed's client secret (32 letters and digits).
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (a *accounts) newSecret() string { return a.env.Random.Alphabet(32, secretAlphabet) }
