package plansummary

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ministryofjustice/data-engineering-exports/datasets"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Markdown renders the summary for a pull-request comment: destructive
// changes first, then each dataset, then everything else.
func (s *Summary) Markdown() string {
	var b strings.Builder
	b.WriteString("## Plan summary\n\n")
	if s.Errored {
		b.WriteString("> [!CAUTION]\n> **Terraform could not finish this plan.** What follows is incomplete: read the errors in the run log.\n\n")
	}
	if s.Empty() {
		b.WriteString("**No changes:** this plan leaves every dataset and shared resource as it is.\n")
		return b.String()
	}
	s.writeTotals(&b)
	s.writeDestructive(&b)
	if len(s.Datasets) > 0 {
		b.WriteString("### Datasets\n\n")
		if len(s.UnknownPushPolicies) > 0 {
			fmt.Fprintf(&b, "> [!NOTE]\n> The push policy of %s is known only after apply: push users gained and lost may be incomplete.\n\n",
				codeList(s.UnknownPushPolicies))
		}
		for _, d := range s.Datasets {
			d.write(&b)
		}
	}
	writeResourceList(&b, "### Shared resources and users' push policies", "", s.Other)
	writeResourceList(&b, "### Resources the summary cannot place",
		"> [!WARNING]\n> These resources do not carry one of this project's logical ids, so the summary cannot say which dataset they belong to: read them in the full plan.\n\n",
		s.Unowned)
	return b.String()
}

func (s *Summary) writeTotals(b *strings.Builder) {
	byStatus := map[Status]int{}
	for _, d := range s.Datasets {
		byStatus[d.Status]++
	}
	var datasetParts []string
	for _, status := range statusOrder {
		if n := byStatus[status]; n > 0 {
			datasetParts = append(datasetParts, fmt.Sprintf("%d %s", n, status))
		}
	}
	datasetLine := "No dataset changes"
	if len(datasetParts) > 0 {
		datasetLine = "Datasets: " + strings.Join(datasetParts, ", ")
	}
	fmt.Fprintf(b, "**%s.** Resources: %s.\n\n", datasetLine, countsLine(s.Counts))
}

// countsLine is "2 to create, 1 to update, 1 to replace, 3 to delete",
// leaving out zeros.
func countsLine(counts map[string]int) string {
	var parts []string
	for _, verb := range []string{actionCreate, actionUpdate, "replace", actionDelete} {
		if n := counts[verb]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", n, verb))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

func (s *Summary) writeDestructive(b *strings.Builder) {
	if len(s.Destructive) == 0 {
		b.WriteString("Nothing is deleted or replaced.\n\n")
		return
	}
	atRisk := 0
	for _, d := range s.Destructive {
		if d.DataRisk != "" {
			atRisk++
		}
	}
	if atRisk > 0 {
		fmt.Fprintf(b, "> [!CAUTION]\n> ## :warning: Data at risk\n> **%s stored data at risk. Do not approve until each one below is intended and its data is safe.**\n>\n",
			plural(atRisk, "change puts", "changes put"))
		if len(s.DataRisks()) > 0 {
			b.WriteString("> The deploy on merge refuses to apply this plan: a data engineer must retire the bucket deliberately first (README: Troubleshooting).\n>\n")
		}
	} else {
		fmt.Fprintf(b, "> [!WARNING]\n> **%s deleted or replaced.** Check each one is intended.\n>\n",
			plural(len(s.Destructive), "resource is", "resources are"))
	}
	for _, d := range s.Destructive {
		if d.DataRisk != "" {
			fmt.Fprintf(b, "> - **%s** %s (%s): **%s**\n", d.Verb, code(d.Address), d.Owner, d.DataRisk)
		} else {
			fmt.Fprintf(b, "> - **%s** %s (%s)\n", d.Verb, code(d.Address), d.Owner)
		}
	}
	b.WriteString("\n")
}

func (d DatasetChange) write(b *strings.Builder) {
	fmt.Fprintf(b, "#### %s %s dataset %s\n\n", titleCase(string(d.Status)), d.Kind, code(d.Name))
	switch d.Kind {
	case datasets.KindPush:
		d.writeRecipient(b)
	case datasets.KindPull:
		if d.Bucket != "" {
			fmt.Fprintf(b, "- Bucket: %s\n", code(d.Bucket))
		}
	}
	writeNames(b, "Users gained", d.UsersGained)
	writeNames(b, "Users lost", d.UsersLost)
	if d.PrincipalsUnknown {
		b.WriteString("- Pull principals: the bucket policy is known only after apply; read it in the full plan\n")
	}
	writePrincipals(b, "Pull principals gained", d.PrincipalsGained)
	writePrincipals(b, "Pull principals lost", d.PrincipalsLost)
	for _, f := range d.Flags {
		fmt.Fprintf(b, "- Flag %s: %t → **%t**\n", code(f.Name), f.Before, f.After)
	}
	if d.Paperwork != "" {
		fmt.Fprintf(b, "- Paperwork: %s\n", link(d.Paperwork))
	} else {
		fmt.Fprintf(b, "- Paperwork: %s\n", d.PaperworkNote)
	}
	if len(d.Resources) > 0 {
		fmt.Fprintf(b, "- Resources: %s\n", countsLine(d.Resources))
	}
	b.WriteString("\n")
}

func (d DatasetChange) writeRecipient(b *strings.Builder) {
	r := d.Recipient
	switch {
	case r.Unknown:
		b.WriteString("- Recipient bucket: known only after apply; read it in the full plan\n")
	case d.Status == Added:
		fmt.Fprintf(b, "- Recipient bucket: **%s**\n", code(r.After))
	case d.Status == Removed:
		fmt.Fprintf(b, "- Recipient bucket was: %s\n", code(r.Before))
		fmt.Fprintf(b, "- Objects still under %s stay there: nothing moves them once the mover is gone\n",
			code(naming.ExportBucket+"/"+d.Name+"/"))
	case r.Changed():
		fmt.Fprintf(b, "- Recipient bucket changes: %s → **%s**\n", code(r.Before), code(r.After))
	case r.After != "":
		fmt.Fprintf(b, "- Recipient bucket: %s (unchanged)\n", code(r.After))
	}
}

func writeNames(b *strings.Builder, label string, names []string) {
	if len(names) > 0 {
		fmt.Fprintf(b, "- %s: %s\n", label, codeList(names))
	}
}

func writePrincipals(b *strings.Builder, label string, principals []Principal) {
	if len(principals) == 0 {
		return
	}
	fmt.Fprintf(b, "- %s:\n", label)
	for _, p := range principals {
		fmt.Fprintf(b, "  - %s in account %s", code(p.ARN), code(p.Account))
		if p.NewAccount {
			b.WriteString(" — :warning: **new outside account**")
		}
		b.WriteString("\n")
	}
}

func writeResourceList(b *strings.Builder, heading, preamble string, changes []ResourceChange) {
	if len(changes) == 0 {
		return
	}
	fmt.Fprintf(b, "%s\n\n%s", heading, preamble)
	for _, c := range changes {
		fmt.Fprintf(b, "- %s %s (%s)\n", c.Verb, code(c.Address), c.Owner)
	}
	b.WriteString("\n")
}

// code is an inline code span; values never hold a backquote, and one that
// did is shown as a quote rather than break the comment.
func code(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }

func codeList(items []string) string {
	quoted := make([]string, len(items))
	for i, item := range items {
		quoted[i] = code(item)
	}
	return strings.Join(quoted, ", ")
}

// link is an autolink for a plain http(s) URL, and a code span for anything
// else, so a dataset file cannot inject Markdown into the comment.
func link(url string) string {
	if (strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://")) && !strings.ContainsAny(url, " <>`\n") {
		return "<" + url + ">"
	}
	return code(url)
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// plural is "1 <one>" or "3 <many>".
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// MaxCommentBytes keeps a comment within GitHub's limit of 65,536
// characters, with room to spare for the marker the workflow adds.
const MaxCommentBytes = 65000

// WithRawPlan appends the human-readable plan, collapsed, to a summary. A
// plan too long for one comment is cut, saying so.
func WithRawPlan(summary, rawPlan string) string {
	fence := "```"
	for strings.Contains(rawPlan, fence) {
		fence += "`"
	}
	head := "\n<details><summary>Full plan</summary>\n\n" + fence + "text\n"
	tail := "\n" + fence + "\n</details>\n"
	room := MaxCommentBytes - len(summary) - len(head) - len(tail)
	if len(rawPlan) > room {
		cutNote := "\n… plan cut here to fit in one comment: read the whole plan in the run log or the plan artifact."
		rawPlan = truncateUTF8(rawPlan, max(room-len(cutNote), 0)) + cutNote
	}
	return summary + head + strings.TrimRight(rawPlan, "\n") + tail
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
