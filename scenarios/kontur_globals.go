package scenarios

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// contextGlobals decodes Kontur's Context-Globals header: base64 of
// length-prefixed pairs, [int32 LE length][key][int32 LE length][value].
func (s *Steps) contextGlobals() error {
	ex, err := s.answered()
	if err != nil {
		return err
	}
	raw, err := base64.StdEncoding.DecodeString(ex.header.Get("Context-Globals"))
	if err != nil {
		return fmt.Errorf("Context-Globals is not base64: %v", err)
	}
	pairs, err := lengthPrefixed(raw)
	if err != nil {
		return fmt.Errorf("Context-Globals: %v", err)
	}
	id := ex.header.Get("X-Kontur-Trace-Id")
	if len(id) != 32 {
		return fmt.Errorf("X-Kontur-Trace-Id %q is not 32 hex digits", id)
	}
	guid := id[0:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
	if tc := pairs["vostok.tracing.context"]; !strings.HasPrefix(tc, guid+";") {
		return fmt.Errorf("vostok.tracing.context %q does not begin with the trace id %s", tc, guid)
	}
	if p := pairs["vostok.request.priority"]; p != "Ordinary" {
		return fmt.Errorf("vostok.request.priority is %q, want Ordinary", p)
	}
	return nil
}

func lengthPrefixed(b []byte) (map[string]string, error) {
	out := map[string]string{}
	next := func() (string, error) {
		if len(b) < 4 {
			return "", errors.New("truncated length")
		}
		n := binary.LittleEndian.Uint32(b)
		b = b[4:]
		if uint64(n) > uint64(len(b)) {
			return "", fmt.Errorf("length %d exceeds the %d bytes left", n, len(b))
		}
		s := string(b[:n])
		b = b[n:]
		return s, nil
	}
	for len(b) > 0 {
		k, err := next()
		if err != nil {
			return nil, err
		}
		v, err := next()
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}
