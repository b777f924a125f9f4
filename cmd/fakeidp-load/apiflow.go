package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// apiFlows call an API site. Each prepares the running server first: it
// gets a token and installs stubs through the control API (so it changes
// the server's state; reset it afterwards), then returns the request to
// send.
var apiFlows = map[string]func(base string, stubs int) (flow, error){
	"medi-api": mediAPI,
}

// mediAPI is seed 000's API call: GET /medi-api/V2/policies/{id} with a
// client_credentials token, answered by the example stub, among
// stubs-1 others.
func mediAPI(base string, stubs int) (flow, error) {
	cc := flows["kontur-cc"]
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := call(base, http.MethodPost, cc.path, cc.contentType, cc.auth, cc.body, http.StatusOK, &tok); err != nil {
		return flow{}, err
	}
	target := `{"site":"medi-api","method":"GET","path":"/V2/policies/{id}","require":{"scope":"medi_api","token":"any"},` +
		`"response":{"status":200,"headers":{"X-Request-Id":"r-1"},"json":{"id":"${path.id}","client":"${token.client_id}","user":"${token.sub}"}}}`
	all := []string{target}
	for i := range stubs - 1 {
		all = append(all, fmt.Sprintf(`{"site":"medi-api","path":"/V2/r%d/{id}/items/{item}","response":{"json":{"id":"${path.id}"}}}`, i))
	}
	// In batches, well under the control API's body cap.
	for len(all) > 0 {
		n := min(len(all), 200)
		body := `{"stubs":[` + strings.Join(all[:n], ",") + `]}`
		if err := call(base, http.MethodPost, "/_fakeidp/stubs", "application/json", "", body, http.StatusCreated, nil); err != nil {
			return flow{}, err
		}
		all = all[n:]
	}
	return flow{path: "/medi-api/V2/policies/p-1", auth: "Bearer " + tok.AccessToken}, nil
}

// call sends one setup request and checks its status.
func call(base, method, path, contentType, auth, body string, want int, out any) error {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != want {
		return fmt.Errorf("setup: %s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
