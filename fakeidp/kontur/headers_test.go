package kontur

import "testing"

// The Context-Globals value of seed 002, rebuilt from its own trace and
// span ids, must come out byte for byte the same.
func TestContextGlobalsMatchesSeed(t *testing.T) {
	const seed = "FgAAAHZvc3Rvay50cmFjaW5nLmNvbnRleHRJAAAAOWRhMDdlMDEtNTcwZi00NDYwLWJlZTYtNzc3ZTUxNGQ3YWYwOzljYzkwNmI0LTk2YmUtNGI2NC1iMDQ2LTJiNTJhMWViNGYwORcAAAB2b3N0b2sucmVxdWVzdC5wcmlvcml0eQgAAABPcmRpbmFyeQ=="
	got := contextGlobals("9da07e01570f4460bee6777e514d7af0", "9cc906b496be4b64b0462b52a1eb4f09")
	if got != seed {
		t.Errorf("contextGlobals =\n%s\nwant\n%s", got, seed)
	}
}
