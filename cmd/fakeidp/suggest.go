package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// nearest is the candidate a typo most likely meant: the closest one by
// edit distance (a swap of two neighbours counts as one edit), if it is
// at most two edits away and the edits are at most half the word. ""
// when none is that close, so that a word unlike any candidate gets the
// plain error rather than a wild guess.
func nearest(word string, candidates []string) string {
	best, bestDist := "", len(word)/2+1
	for _, c := range candidates {
		if d := editDistance(word, c); d <= 2 && d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and transpositions of adjacent
// letters each count one.
func editDistance(a, b string) int {
	ra, rb := []rune(strings.ToLower(a)), []rune(strings.ToLower(b))
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// undefinedFlag is the name the flag package refused as not defined
// ("adr" for --adr), or "".
func undefinedFlag(err error) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return ""
	}
	return strings.TrimLeft(name, "-")
}

func flagNames(fs *flag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}

// suggestion is "did you mean …?" for an argument parseFlags refused: a
// flag of fs for an undefined flag, or, for fakeidp itself, a command for
// a stray word. "" when nothing is close.
func suggestion(fs *flag.FlagSet, parseErr error) string {
	if parseErr != nil {
		if name := undefinedFlag(parseErr); name != "" {
			if near := nearest(name, flagNames(fs)); near != "" {
				return "did you mean --" + near + "?"
			}
		}
		return ""
	}
	if fs.Name() == "fakeidp" && fs.NArg() > 0 {
		if near := nearest(fs.Arg(0), commandNames()); near != "" {
			return fmt.Sprintf("unknown command %q; did you mean %s?", fs.Arg(0), near)
		}
	}
	return ""
}

// printTypo is a typo's answer: what was meant, then the usage, on stderr.
func printTypo(fs *flag.FlagSet, hint, usage string, stderr io.Writer) {
	fmt.Fprintf(stderr, "%s: %s\n\n", fs.Name(), hint)
	printUsage(fs, usage, stderr)
}
