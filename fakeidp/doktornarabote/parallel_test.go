package doktornarabote_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// TestParallelLogins: 100 phones log in at once (run it under -race). Each
// reads its own code from the outbox (half over HTTP, half in process),
// sees only its own SMS, and logs in with it; the tokens are all distinct.
func TestParallelLogins(t *testing.T) {
	srv := start(t)
	const phones = 100
	tokens := make([]string, phones)
	var wg sync.WaitGroup
	for i := range phones {
		wg.Go(func() {
			number := fmt.Sprintf("95%08d", i)
			phone := "7" + number
			if r := requestCode(t, srv, "7", number); r.Status != http.StatusOK {
				t.Errorf("%s: validation-code %d %s", phone, r.Status, r.Body)
				return
			}
			code, err := ownCode(t, srv, phone, i%2 == 0)
			if err != nil {
				t.Errorf("%s: %v", phone, err)
				return
			}
			r := postToken(t, srv, passwordForm(seedClient, phone, code))
			if r.Status != http.StatusOK {
				t.Errorf("%s: token %d %s", phone, r.Status, r.Body)
				return
			}
			tokens[i] = r.Object(t)["access_token"].(string)
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, tok := range tokens {
		if tok != "" && seen[tok] {
			t.Errorf("phone %d got an access token already issued", i)
		}
		seen[tok] = true
	}
	if n := len(srv.Doktornarabote().Outbox("")); n != phones {
		t.Errorf("outbox holds %d SMS, want %d", n, phones)
	}
}

// ownCode reads phone's outbox and checks it holds exactly one SMS, to
// phone.
func ownCode(t *testing.T, srv *fakeidp.Server, phone string, overHTTP bool) (string, error) {
	var msgs []struct{ Phone, Code string }
	if overHTTP {
		r := do(t, http.MethodGet, srv.URL()+"/_fakeidp/sms?phone="+phone, "", "", nil)
		if err := json.Unmarshal(r.Body, &msgs); err != nil {
			return "", fmt.Errorf("GET /sms: %d %s", r.Status, r.Body)
		}
	} else {
		for _, m := range srv.Doktornarabote().Outbox(phone) {
			msgs = append(msgs, struct{ Phone, Code string }{m.Phone, m.Code})
		}
	}
	if len(msgs) != 1 || msgs[0].Phone != phone {
		return "", fmt.Errorf("outbox = %+v, want one SMS to %s", msgs, phone)
	}
	return msgs[0].Code, nil
}
