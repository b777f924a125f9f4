// Command fakeidp serves the fake identity providers, and checks the
// provider contract against them or against the real providers.
//
//	fakeidp [--addr 127.0.0.1:8080] [--config overlay.yaml [--no-defaults]] [--log-level info]
//	        [--preset NAME]... [--control-token TOKEN] [--shutdown-timeout 5s]
//	        [--tls-addr 127.0.0.1:8443] [--tls-dir DIR] [--tls-host NAME]...
//	fakeidp verify [--url URL [--ca FILE] | --target SITE=URL ...] ...
//	fakeidp health [--url URL] [--wait 10s]
//	fakeidp ca --tls-dir DIR [--config FILE] [--tls-host NAME]...
//	fakeidp help [COMMAND]
//	fakeidp --version
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand; without one, fakeidp serves.
type command struct {
	name    string
	summary string // one line for the command list
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order help shows them. A new
// subcommand is one more entry; "help NAME" and the list follow.
func commands() []command {
	return []command{
		{"verify", "run the provider contract against a fakeidp or the real providers", runVerify},
		{"health", "check that a running fakeidp answers GET /_fakeidp/health; --wait for it to start", runHealth},
		{"ca", "create the HTTPS listener's CA in --tls-dir if needed, and print its certificate", runCA},
		{"help", "show this help, or a command's (fakeidp help verify)", runHelp},
	}
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if c, ok := lookup(args[0]); ok {
			return c.run(args[1:], stdout, stderr)
		}
	}
	return runServe(args, stdout, stderr)
}

// newFlagSet is a command's flag set: flag errors go to stderr, and
// parseFlags prints the usage.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses a command's flags. -h or --help prints usage and the
// flags to stdout and exits 0; a bad flag exits 2 with a pointer to help,
// or with "did you mean …?" and the usage when it looks like a typo of a
// flag (or, for fakeidp itself, of a command).
// exit is false when the command should go on.
func parseFlags(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) (code int, exit bool) {
	err := fs.Parse(args)
	switch {
	case err == flag.ErrHelp:
		printUsage(fs, usage, stdout)
		return 0, true
	case err != nil:
		if hint := suggestion(fs, err); hint != "" {
			printTypo(fs, hint, usage, stderr)
			return 2, true
		}
		fmt.Fprintf(stderr, "run '%s --help' for usage\n", fs.Name())
		return 2, true
	case fs.NArg() > 0:
		if hint := suggestion(fs, nil); hint != "" {
			printTypo(fs, hint, usage, stderr)
			return 2, true
		}
		fmt.Fprintf(stderr, "%s: unexpected argument %q; run '%s --help' for usage\n", fs.Name(), fs.Arg(0), fs.Name())
		return 2, true
	}
	return 0, false
}

func printUsage(fs *flag.FlagSet, usage string, w io.Writer) {
	fmt.Fprint(w, usage)
	fmt.Fprintln(w, "\nFlags:")
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
}

// fail prints err once, as "fakeidp: …", even when err already says
// "fakeidp: ".
func fail(stderr io.Writer, prefix string, err error) {
	msg := err.Error()
	for _, p := range []string{prefix + ": ", "fakeidp: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	fmt.Fprintf(stderr, "%s: %s\n", prefix, msg)
}
