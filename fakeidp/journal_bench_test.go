package fakeidp_test

import (
	"context"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// BenchmarkSandboxJournalMemory holds 1,000 sandboxes, each with a full
// journal (100 entries) of Kontur token answers, response bodies
// included, and reports the live heap they cost, in all and per journal
// entry. Redaction keeps a token answer's entry small: its tokens are cut
// to their prefix. Run it once per process:
//
//	go test -run '^$' -bench SandboxJournalMemory -benchtime 1x ./fakeidp/
func BenchmarkSandboxJournalMemory(b *testing.B) {
	srv, err := fakeidp.New(fakeidp.Options{})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	tokenAt(b, h, "/kontur/connect/token") // the root's own routers built
	const boxes, perBox = 1000, 100
	for b.Loop() {
		heap0 := liveHeap()
		sbs := make([]*fakeidp.Sandbox, boxes)
		for i := range sbs {
			if sbs[i], err = srv.NewSandbox(context.Background(), nil); err != nil {
				b.Fatal(err)
			}
			for range perBox {
				tokenAt(b, h, "/sandbox/"+sbs[i].ID()+"/kontur/connect/token")
			}
		}
		heap1 := liveHeap()
		if e, ok := sbs[0].Journal().Last(); !ok || e.Response == nil || sbs[0].Journal().Size() != perBox {
			b.Fatalf("journal: %+v, size %d", e, sbs[0].Journal().Size())
		}
		b.ReportMetric(float64(heap1-heap0)/(1<<20), "heap-MB/1000")
		b.ReportMetric(float64(heap1-heap0)/(boxes*perBox), "B/entry+state")
		for _, sb := range sbs {
			sb.Close()
		}
	}
}
