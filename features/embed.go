// Package features holds fakeidp's provider contract as Gherkin features,
// embedded so that the fakeidp binary carries them (fakeidp verify).
//
// The features describe, in each provider's own terms, what a client sends
// and what it gets back. Their steps live in package scenarios.
package features

import "embed"

// FS holds every feature file, under kontur/, doktornarabote/,
// livedigital/, errors/ and sandboxes/.
//
//go:embed kontur/*.feature doktornarabote/*.feature livedigital/*.feature errors/*.feature sandboxes/*.feature
var FS embed.FS
