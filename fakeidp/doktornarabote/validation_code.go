package doktornarabote

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// apiContentType is what the API host sends with JSON.
const apiContentType = "application/json; charset=utf-8"

// apiError is the API host's error body, keys in the provider's order
// (CONTRACTS.md §2): {"type":"bad_argument","value":"number","description":…}.
type apiError struct {
	Type        string `json:"type"`
	Value       string `json:"value"`
	Description string `json:"description"`
	status      int
	header      http.Header
	// reason is fakeidp's explanation, for the journal (site.Refuse);
	// never sent. Empty: Type and Description say it.
	reason, message string
}

// because records why e refuses and returns e.
func (e *apiError) because(code, message string) *apiError {
	e.reason, e.message = code, message
	return e
}

func (e *apiError) Error() string { return e.Type + " " + e.Value + ": " + e.Description }

func badArgument(param, desc string) *apiError {
	return &apiError{Type: "bad_argument", Value: param, Description: desc, status: http.StatusBadRequest}
}

// validationCode is the latest code sent to one phone. The code itself is
// immutable; the attempt budget and single use are guarded by mu.
type validationCode struct {
	code    string
	sentAt  time.Time
	expires time.Time

	mu       sync.Mutex
	failures int
	spent    bool
}

// redeem checks a password against the code and spends it on success.
// A wrong password uses up one attempt; once budget attempts have failed
// the code is void, so guessing 4 digits stays impractical. It returns
// why it refused (a reason code and message), or "" when it did not.
func (vc *validationCode) redeem(password string, now time.Time, budget int) (code, message string) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	switch {
	case vc.spent:
		return "sms_code_used", "the phone's SMS code was already used to get a token; request a new one"
	case vc.failures >= budget:
		return "sms_code_attempts", "the phone's SMS code is void after " + strconv.Itoa(budget) + " wrong tries (doktornarabote.code_attempts); request a new one"
	case !now.Before(vc.expires):
		return "sms_code_expired", oauth.Expired("phone's SMS code", vc.expires, now)
	}
	if subtle.ConstantTimeCompare([]byte(vc.code), []byte(password)) != 1 {
		vc.failures++
		return "sms_code_mismatch", "the password is not the SMS code last sent to the phone (the outbox has it); " +
			strconv.Itoa(budget-vc.failures) + " tries left"
	}
	vc.spent = true
	return "", ""
}

// validationCodeEndpoint is the one adapter that writes the endpoint's
// responses, success or error.
func (s *Service) validationCodeEndpoint(w http.ResponseWriter, r *http.Request) {
	if err := s.sendValidationCode(r); err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	// The response body is undocumented: an empty object (CONTRACTS.md §2).
	s.api.WriteJSON(w, r, http.StatusOK, struct{}{})
}

// sendValidationCode validates the phone, applies the resend throttle,
// issues a new code (replacing the old one) and puts the SMS in the outbox.
func (s *Service) sendValidationCode(r *http.Request) error {
	if r.Method != http.MethodGet {
		// Issuing a code has a side effect, so HEAD is refused too.
		return &apiError{
			Type: "method_not_allowed", Value: "method", Description: "only GET is allowed",
			status: http.StatusMethodNotAllowed, header: http.Header{"Allow": {"GET"}},
		}
	}
	country, number, err := phoneFromQuery(r.URL.RawQuery)
	if err != nil {
		return err
	}
	phone := country + number
	code, ok := s.pinned[phone]
	if !ok {
		code = s.env.Random.Digits(4)
	}
	return s.issue(phone, code)
}

func (s *Service) issue(phone, code string) error {
	s.issueMu.Lock()
	defer s.issueMu.Unlock()
	now := s.env.Clock.Now()
	resend := s.cfg.ResendInterval.D()
	if prev, ok := s.codes.Get(phone); ok && now.Before(prev.sentAt.Add(resend)) {
		wait := prev.sentAt.Add(resend).Sub(now)
		secs := strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10)
		return &apiError{
			Type: "limit_exceeded", Value: "number",
			Description: "a code was sent to this phone recently; retry in " + secs + " s",
			status:      http.StatusBadRequest, header: http.Header{"Retry-After": {secs}},
		}
	}
	life := s.cfg.CodeLifetime.D()
	vc := &validationCode{code: code, sentAt: now, expires: now.Add(life)}
	// The entry outlives the code when the throttle window is longer, so
	// that an expired code still throttles its resend.
	s.codes.Put(phone, vc, max(life, resend))
	s.outbox.add(SMS{Phone: phone, Code: code, Text: smsText(code), SentAt: now})
	return nil
}

// smsText is the message body. The real wording is undocumented.
func smsText(code string) string { return "Ваш код подтверждения: " + code }

// phoneFromQuery reads code and number. Malformed pairs are skipped rather
// than refused, as ASP.NET is lenient with queries, so a mangled value shows
// up as that parameter missing or wrong: the error names it either way.
// Descriptions never echo the value, which may be 10,000 digits long.
func phoneFromQuery(rawQuery string) (country, number string, err error) {
	q, _ := url.ParseQuery(rawQuery)
	country, err = digitsParam(q, "code", 1, 4)
	if err != nil {
		return "", "", err
	}
	number, err = digitsParam(q, "number", 5, 14)
	return country, number, err
}

func digitsParam(q url.Values, name string, minLen, maxLen int) (string, error) {
	vs := q[name]
	switch {
	case len(vs) == 0 || vs[0] == "":
		return "", badArgument(name, name+" is required")
	case len(vs) > 1:
		return "", badArgument(name, name+" is given more than once")
	}
	v := vs[0]
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return "", badArgument(name, name+" must contain digits only")
		}
	}
	if len(v) < minLen || len(v) > maxLen {
		return "", badArgument(name, name+" must have "+strconv.Itoa(minLen)+" to "+strconv.Itoa(maxLen)+" digits")
	}
	return v, nil
}

// notFound answers any other path on the API host.
func (s *Service) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeAPIError(w, r, &apiError{
		Type: "not_found", Value: "path", Description: notFoundDescription, status: http.StatusNotFound,
	})
}

// writeAPIError renders err in the API's shape; anything unexpected becomes
// 500 internal_server_error with details only in the log.
func (s *Service) writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		s.env.Log.Error("internal error", "path", r.URL.Path, "err", err)
		e = &apiError{Type: "internal_server_error", status: http.StatusInternalServerError}
	}
	if e.reason != "" {
		site.Refuse(r, e.reason, e.message)
	} else {
		// The API's own type and description say what was wrong.
		site.Refuse(r, e.Type, e.Description)
	}
	for k, vs := range e.header {
		w.Header()[k] = vs
	}
	s.api.WriteJSON(w, r, e.status, e)
}
