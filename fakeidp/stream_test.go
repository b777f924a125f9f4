package fakeidp_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// A live journal stream never ends by itself, so shutdown must end it:
// otherwise every Close would wait out its timeout with a dashboard open.
func TestShutdownEndsJournalStreams(t *testing.T) {
	t.Parallel()
	srv, err := fakeidp.Start(fakeidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.URL() + "/_fakeidp/journal/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "event: reset") {
		t.Fatalf("first line %q, %v", line, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown with a stream open: %v", err)
	}
}
