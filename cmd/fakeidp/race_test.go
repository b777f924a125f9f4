//go:build race

package main

// raceEnabled: the tests run with -race, so the binary they build does too
// (and reuses the packages already compiled that way).
const raceEnabled = true
