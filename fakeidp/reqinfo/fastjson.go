package reqinfo

import "unicode/utf8"

// scanFlatObject is parseJSON's fast path for the bodies token endpoints
// actually get: one JSON object of string, number, boolean or null values,
// strings without escapes. It reports ok=false for anything else (nesting,
// escapes, invalid UTF-8, malformed or trailing data), and parseJSON then
// takes the general path through encoding/json, whose answer this one
// matches on every input it accepts. encoding/json costs about a fifth of
// a JSON token request; this costs a few hundred nanoseconds.
func scanFlatObject(b []byte) (fields map[string]string, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil, skipSpace(b, i+1) == len(b)
	}
	fields = make(map[string]string, 8)
	for {
		key, j, ok := plainString(b, i)
		if !ok {
			return nil, false
		}
		j = skipSpace(b, j)
		if j >= len(b) || b[j] != ':' {
			return nil, false
		}
		val, next, ok := scalar(b, skipSpace(b, j+1))
		if !ok {
			return nil, false
		}
		if _, dup := fields[key]; dup || len(fields) < maxFields {
			fields[key] = val // the last duplicate wins, as in encoding/json
		}
		i = skipSpace(b, next)
		if i >= len(b) {
			return nil, false
		}
		if b[i] == '}' {
			return fields, skipSpace(b, i+1) == len(b)
		}
		if b[i] != ',' {
			return nil, false
		}
		i = skipSpace(b, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a string at b[i] with no escapes and no control
// characters, in valid UTF-8.
func plainString(b []byte, i int) (s string, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			raw := b[i+1 : j]
			if !utf8.Valid(raw) {
				return "", 0, false
			}
			return string(raw), j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		}
	}
	return "", 0, false
}

// scalar reads a string, true, false, null or a number and renders it as
// renderJSON does.
func scalar(b []byte, i int) (string, int, bool) {
	if i >= len(b) {
		return "", 0, false
	}
	switch b[i] {
	case '"':
		return plainString(b, i)
	case 't':
		return literal(b, i, "true")
	case 'f':
		return literal(b, i, "false")
	case 'n':
		_, next, ok := literal(b, i, "null")
		return "", next, ok
	}
	end, ok := number(b, i)
	if !ok {
		return "", 0, false
	}
	return string(b[i:end]), end, true
}

func literal(b []byte, i int, word string) (string, int, bool) {
	if len(b)-i < len(word) || string(b[i:i+len(word)]) != word {
		return "", 0, false
	}
	return word, i + len(word), true
}

// number accepts RFC 8259's number grammar.
func number(b []byte, i int) (int, bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
