package adopt

import (
	"context"
	"fmt"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
)

// Report is what an adoption run did, in Markdown for the pull request
// that commits the imports file.
type Report struct {
	*Findings
	// File is the imports file written.
	File string
}

// Markdown is the report: what needs a person before the switch first,
// then what is imported, what the switch changes and what it leaves alone.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Adopting what exists\n\n")
	fmt.Fprintf(&b, "`adopt` wrote %s: %s that exist, which the next deploy imports into the stack instead of creating.\n",
		code(r.File), plural(len(r.Imports), "resource"))
	section := func(title, intro string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n### %s (%d)\n\n", title, len(items))
		if intro != "" {
			fmt.Fprintf(&b, "%s\n\n", intro)
		}
		for _, item := range items {
			fmt.Fprintf(&b, "- %s\n", item)
		}
	}
	section("Before the switch", "Do these before this pull request merges: each one, left undone, breaks a delivery or access that works today.", r.BeforeSwitch)
	imports := make([]string, len(r.Imports))
	for i, e := range r.Imports {
		imports[i] = fmt.Sprintf("%s ← %s: %s", code(e.To), code(e.ID), e.Found)
	}
	section("Imported", "", imports)
	section("What the switch changes", "What the deploy does to what exists, besides updating each imported resource to match the stack: "+
		"the earlier tool's grants it deletes or replaces.", r.Changes)
	section("Not managed by the stack", "Found in the account, but the stack will neither manage nor remove these: a person retires each, as it says, once the switch is done.", r.Unmanaged)
	return b.String()
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Run finds what exists of the stack that set synthesizes and writes the
// imports file at out, replacing any there. It writes nothing when AWS
// cannot be read.
func Run(ctx context.Context, clients Clients, set datasets.Set, out string) (*Report, error) {
	findings, err := Discover(ctx, clients, set)
	if err != nil {
		return nil, err
	}
	if err := WriteImports(out, findings.Imports); err != nil {
		return nil, err
	}
	return &Report{Findings: findings, File: out}, nil
}
