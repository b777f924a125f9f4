package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/cucumber/godog"
)

// dnrState is the Doktornarabote partner client of a scenario.
type dnrState struct {
	clientID string
	// asked holds the phones this scenario has requested a code for.
	asked map[string]bool
}

// registerDoktornarabote adds the phone login steps.
func (s *Steps) registerDoktornarabote(sc *godog.ScenarioContext) {
	sc.Step(`^the Doktornarabote client "([^"]*)"$`, s.dnrClient)
	sc.Step(`^the app requests a validation code for country code "([^"]*)" and number "([^"]*)"$`, s.validationCode)
	sc.Step(`^the fake's SMS outbox holds a (\d+)-digit code for "([^"]*)"$`, s.outboxHolds)
	sc.Step(`^the app requests tokens for username "([^"]*)" with the SMS code sent to it$`, s.tokenWithSMS)
	sc.Step(`^the app requests tokens for username "([^"]*)" with the password "([^"]*)"$`, s.tokenWithPassword)
	sc.Step(`^the app has signed in as "([^"]*)" after requesting a code for "([^"]*)" and "([^"]*)"$`, s.dnrSignedIn)
	sc.Step(`^the app refreshes the Doktornarabote token$`, func(ctx context.Context) error { return s.dnrRefresh(ctx, false) })
	sc.Step(`^the app refreshes the Doktornarabote token with the previous refresh token$`, func(ctx context.Context) error { return s.dnrRefresh(ctx, true) })
}

func (s *Steps) dnrClient(id string) {
	s.dnr.clientID = s.cfg.value("client_id", id)
}

func (s *Steps) validationCode(ctx context.Context, country, number string) error {
	q := url.Values{"code": {s.cfg.value("phone_code", country)}, "number": {s.cfg.value("phone_number", number)}}
	path := "/api/v1/access/validation-code?" + q.Encode()
	ex, err := s.site(ctx, "doktornarabote-api", http.MethodGet, path, "", "", nil)
	if err != nil {
		return err
	}
	phone := q.Get("code") + q.Get("number")
	first := !s.dnr.asked[phone]
	if s.dnr.asked == nil {
		s.dnr.asked = map[string]bool{}
	}
	s.dnr.asked[phone] = true
	if wait, ok := resendWait(ex); ok && first && s.cfg.Kind() == Real {
		// A real test phone is shared by every scenario and the provider
		// throttles resends: the scenario's first request waits out a
		// throttle an earlier scenario caused, as a patient user would.
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		_, err = s.site(ctx, "doktornarabote-api", http.MethodGet, path, "", "", nil)
	}
	return err
}

// resendWait is how long a limit_exceeded answer asks to wait: its
// Retry-After, else the documented 45 s; at most a minute.
func resendWait(ex *exchange) (time.Duration, bool) {
	if ex.err != nil || ex.status != http.StatusBadRequest {
		return 0, false
	}
	var body struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(ex.body, &body) != nil || body.Type != "limit_exceeded" {
		return 0, false
	}
	secs, err := strconv.Atoi(ex.header.Get("Retry-After"))
	if err != nil || secs <= 0 || secs > 60 {
		secs = 46
	}
	return time.Duration(secs)*time.Second + 100*time.Millisecond, true
}

// sms is one message in the fake's outbox.
type sms struct {
	Phone string `json:"phone"`
	Code  string `json:"code"`
}

// smsCode is the newest code sent to phone: from the fake's outbox, or
// from Config.SMSCode on a real target (else the scenario is skipped).
func (s *Steps) smsCode(ctx context.Context, phone string) (string, error) {
	if s.cfg.Kind() == Real {
		if s.cfg.SMSCode == "" {
			return "", fmt.Errorf("%w: the SMS code of the real test phone is unknown (set FAKEIDP_REAL_DOKTORNARABOTE_SMS_CODE)", godog.ErrSkip)
		}
		return s.cfg.SMSCode, nil
	}
	ex, err := s.control(ctx, http.MethodGet, "/_fakeidp/sms?phone="+url.QueryEscape(phone), "")
	if err != nil {
		return "", err
	}
	if err := ex.want(http.StatusOK); err != nil {
		return "", err
	}
	var list []sms
	if err := json.Unmarshal(ex.body, &list); err != nil {
		return "", fmt.Errorf("expected a JSON list of SMS from the outbox, got %s", ex.summary())
	}
	if len(list) == 0 {
		return "", fmt.Errorf("expected an SMS to %s in the outbox, it holds none", phone)
	}
	return list[0].Code, nil
}

func (s *Steps) outboxHolds(ctx context.Context, digits int, phone string) error {
	code, err := s.smsCode(ctx, phone)
	if err != nil {
		return err
	}
	if !regexp.MustCompile(fmt.Sprintf(`^[0-9]{%d}$`, digits)).MatchString(code) {
		return fmt.Errorf("expected a %d-digit code in the SMS to %s, got %q", digits, phone, code)
	}
	return nil
}

func (s *Steps) tokenWithSMS(ctx context.Context, username string) error {
	username = s.cfg.value("username", username)
	code, err := s.smsCode(ctx, username)
	if err != nil {
		return err
	}
	return s.dnrPassword(ctx, username, code)
}

func (s *Steps) tokenWithPassword(ctx context.Context, username, password string) error {
	return s.dnrPassword(ctx, s.cfg.value("username", username), password)
}

func (s *Steps) dnrPassword(ctx context.Context, username, code string) error {
	form := url.Values{"grant_type": {"password"}, "client_id": {s.dnr.clientID}, "username": {username}, "password": {code}}
	_, err := s.site(ctx, "doktornarabote-auth", http.MethodPost, "/token", formType, form.Encode(), nil)
	return err
}

func (s *Steps) dnrSignedIn(ctx context.Context, username, country, number string) error {
	if err := s.validationCode(ctx, country, number); err != nil {
		return err
	}
	if err := s.statusIs(http.StatusOK); err != nil {
		return err
	}
	if err := s.tokenWithSMS(ctx, username); err != nil {
		return err
	}
	return s.statusIs(http.StatusOK)
}

func (s *Steps) dnrRefresh(ctx context.Context, previous bool) error {
	token, err := s.refreshToken(previous)
	if err != nil {
		return err
	}
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {s.dnr.clientID}, "refresh_token": {token}}
	_, err = s.site(ctx, "doktornarabote-auth", http.MethodPost, "/token", formType, form.Encode(), nil)
	return err
}
