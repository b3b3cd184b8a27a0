package migrate

import (
	"fmt"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Markdown is the report, ready to paste into the migration pull request:
// what was not migrated and why, each decision to take with its choices,
// and per file what changed mechanically.
func (r *Report) Markdown() string {
	var refused, pending, done []*FileReport
	counts := map[naming.Kind]int{}
	for _, f := range r.Files {
		counts[f.Kind]++
		switch {
		case f.Outcome == Refused:
			refused = append(refused, f)
		case len(f.Decisions) > 0:
			pending = append(pending, f)
		default:
			done = append(done, f)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Moving the datasets from the earlier tool\n\n")
	fmt.Fprintf(&b, "`migrate --from %s --to %s` read %s (%d push, %d pull): %d migrated, %d written with decisions to take, %d not migrated.\n\n",
		code(r.From), code(r.To), plural(len(r.Files), "dataset file"), counts[naming.KindPush], counts[naming.KindPull], len(done), len(pending), len(refused))
	b.WriteString("Every file is rewritten in our field order and layout. Comments that say something are kept; empty `#` lines and commented-out settings are not. " +
		"No AWS name the earlier tool deployed changes: each file below names those it keeps.\n")

	if len(refused) > 0 {
		fmt.Fprintf(&b, "\n### Not migrated (%d)\n\n", len(refused))
		for _, f := range refused {
			fmt.Fprintf(&b, "- **`%s`**: %s\n", code(f.Source), f.Refusal)
		}
	}
	if len(pending) > 0 {
		fmt.Fprintf(&b, "\n### Decisions to take (%s)\n\n", plural(len(pending), "file"))
		b.WriteString("Each of these files is written, and `validate` refuses it with the words quoted here until the decision is taken.\n")
		for _, f := range pending {
			f.heading(&b)
			for i, d := range f.Decisions {
				d.write(&b, i+1)
			}
			f.changes(&b, "\nChanged mechanically:\n\n")
		}
	}
	if len(done) > 0 {
		fmt.Fprintf(&b, "\n### Migrated (%d)\n", len(done))
		for _, f := range done {
			f.heading(&b)
			f.changes(&b, "")
		}
	}
	if len(r.NotRead) > 0 {
		fmt.Fprintf(&b, "\n### Other entries, not read (%d)\n\n", len(r.NotRead))
		for _, p := range r.NotRead {
			fmt.Fprintf(&b, "- `%s` %s\n", code(p.File), p.Message)
		}
	}
	return b.String()
}

func (f *FileReport) heading(b *strings.Builder) {
	outcome := map[Outcome]string{Unchanged: " (already there, unchanged)", Replaced: " (replaced, --force)"}[f.Outcome]
	fmt.Fprintf(b, "\n#### `%s` → `%s`%s\n\n", code(f.Source), code(f.Target), outcome)
	fmt.Fprintf(b, "Keeps the %s.\n", deployedNames(f.Kind, f.Migrated.Name))
}

// changes lists the mechanical changes, under intro.
func (f *FileReport) changes(b *strings.Builder, intro string) {
	m := f.Migrated
	if len(m.Changes) == 0 && len(m.DroppedComments) == 0 {
		if intro == "" {
			b.WriteString("\nNothing changed but the layout.\n")
		}
		return
	}
	if intro == "" {
		intro = "\n"
	}
	b.WriteString(intro)
	for _, c := range m.Changes {
		fmt.Fprintf(b, "- %s\n", c)
	}
	if len(m.DroppedComments) > 0 {
		quoted := make([]string, len(m.DroppedComments))
		for i, c := range m.DroppedComments {
			quoted[i] = "`" + code(c) + "`"
		}
		fmt.Fprintf(b, "- Comments not carried across (empty, or commented-out settings): %s.\n", strings.Join(quoted, ", "))
	}
}

func (d Decision) write(b *strings.Builder, n int) {
	fmt.Fprintf(b, "\n%d. `%s`: validate says “%s”\n", n, code(d.Problem.Field), d.Problem.Message)
	if d.Explained == nil {
		b.WriteString("   Carried across as the earlier tool's file has it: correct it as validate says.\n")
		return
	}
	fmt.Fprintf(b, "   %s Choose:\n", d.Explained.Today)
	for _, c := range d.Explained.Choices {
		fmt.Fprintf(b, "   - %s: %s\n", c.Write, c.Effect)
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
