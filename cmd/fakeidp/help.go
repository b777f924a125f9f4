package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// serveUsage heads "fakeidp --help"; the command list and the flags follow.
const serveUsage = `fakeidp serves fake identity providers (Kontur identity, Doktornarabote,
livedigital) for tests, and checks their contract.

usage: fakeidp [flags]              serve the fake providers
       fakeidp COMMAND [flags]
       fakeidp help [COMMAND]
       fakeidp --version
`

// mainUsage is serveUsage with the command list.
func mainUsage() string {
	var b strings.Builder
	b.WriteString(serveUsage)
	b.WriteString("\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("\nWithout a command, fakeidp serves until SIGINT or SIGTERM.\n")
	return b.String()
}

// runHelp is "fakeidp help [COMMAND]": a command's own --help.
func runHelp(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		return runServe([]string{"--help"}, stdout, stderr)
	case len(args) > 1:
		fmt.Fprintln(stderr, "usage: fakeidp help [COMMAND]")
		return 2
	case args[0] == "help":
		fmt.Fprint(stdout, mainUsage())
		return 0
	}
	c, ok := lookup(args[0])
	if !ok {
		if near := nearest(args[0], commandNames()); near != "" {
			fmt.Fprintf(stderr, "fakeidp help: no command %q; did you mean %s?\n", args[0], near)
			return 2
		}
		fmt.Fprintf(stderr, "fakeidp help: no command %q; run 'fakeidp help' for the list\n", args[0])
		return 2
	}
	return c.run([]string{"--help"}, stdout, stderr)
}

// version is the module version and the VCS revision the binary was built
// from, as the Go toolchain stamped them.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "fakeidp: no build information"
	}
	return versionOf(info)
}

func versionOf(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" {
		v = "(unknown)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	rev := settings["vcs.revision"]
	if rev == "" {
		rev = "unknown"
	}
	if settings["vcs.modified"] == "true" {
		rev += " (modified)"
	}
	line := fmt.Sprintf("fakeidp %s, revision %s", v, rev)
	if t := settings["vcs.time"]; t != "" {
		line += ", committed " + t
	}
	return line + ", " + info.GoVersion
}
