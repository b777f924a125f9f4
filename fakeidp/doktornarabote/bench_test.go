package doktornarabote_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkLogin measures the whole login of a new phone: the
// validation-code request, reading the code from GET /_fakeidp/sms, and the
// password grant. "handler" calls the server's handler directly (routing,
// middleware and endpoints, no sockets); "http" goes over loopback with
// keep-alive connections, client costs included.
//
//	go test -run '^$' -bench Login -cpu 1 ./fakeidp/doktornarabote/
func BenchmarkLogin(b *testing.B) {
	b.Run("handler", func(b *testing.B) {
		srv := start(b)
		h := srv.Handler()
		benchLogins(b, func(req *http.Request) (int, []byte) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			return w.Code, w.Body.Bytes()
		})
	})
	b.Run("http", func(b *testing.B) {
		srv := start(b)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
		b.Cleanup(client.CloseIdleConnections)
		benchLogins(b, func(req *http.Request) (int, []byte) {
			req.URL.Scheme, req.URL.Host = "http", strings.TrimPrefix(srv.URL(), "http://")
			req.RequestURI = "" // set by httptest.NewRequest, refused by clients
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, body
		})
	})
}

// benchLogins logs in b.N distinct phones (distinct, so the resend
// throttle never applies) through send, failing on any unexpected answer.
func benchLogins(b *testing.B, send func(*http.Request) (int, []byte)) {
	b.ReportAllocs()
	var sms []struct{ Code string }
	i := 0
	for b.Loop() {
		i++
		number := fmt.Sprintf("9%09d", i)
		req := httptest.NewRequest(http.MethodGet, "/doktornarabote-api/api/v1/access/validation-code?code=7&number="+number, nil)
		if status, body := send(req); status != http.StatusOK {
			b.Fatalf("validation-code: %d %s", status, body)
		}
		outbox := httptest.NewRequest(http.MethodGet, "/_fakeidp/sms?phone=7"+number, nil)
		outbox.Host = "127.0.0.1" // the control API answers only to names that cannot be rebound
		status, body := send(outbox)
		if err := json.Unmarshal(body, &sms); status != http.StatusOK || err != nil || len(sms) != 1 {
			b.Fatalf("outbox: %d %s", status, body)
		}
		form := "grant_type=password&client_id=" + seedClient + "&username=7" + number + "&password=" + sms[0].Code
		req = httptest.NewRequest(http.MethodPost, "/doktornarabote-auth/token", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if status, body := send(req); status != http.StatusOK {
			b.Fatalf("token: %d %s", status, body)
		}
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "logins/s")
}
