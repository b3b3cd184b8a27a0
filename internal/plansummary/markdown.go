package plansummary

import (
	_ "embed"
	"fmt"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/ministryofjustice/data-engineering-exports/federation"
	"github.com/ministryofjustice/data-engineering-exports/naming"
)

//go:embed templates/summary.md.tmpl
var summaryTemplate string

// markdown is the comment's layout. Its functions turn the model's values
// into Markdown; the model itself holds none.
var markdown = template.Must(template.New("plansummary").Funcs(template.FuncMap{
	"code":          code,
	"docURL":        naming.DocURL,
	"codeList":      codeList,
	"reference":     reference,
	"plural":        plural,
	"title":         titleCase,
	"counts":        countsLine,
	"datasetTotals": datasetTotals,
	"owner":         describeOwner,
	"value":         value,
	"explain":       explain,
	"reader":        describeReader,
	"exportPrefix":  func(dataset string) string { return naming.ExportBucket + "/" + naming.ExportPrefix(dataset) },
	"inAccount":     inAccount,
}).Parse(summaryTemplate))

// Markdown renders a summary for a pull-request comment: counts first, then
// what the deploy refuses, what it flags for the reviewer, what is deleted,
// what was changed outside Terraform, then each dataset, then everything
// else.
func Markdown(s *Summary) (string, error) {
	var b strings.Builder
	if err := markdown.ExecuteTemplate(&b, "summary", s); err != nil {
		return "", fmt.Errorf("rendering the plan summary: %w", err)
	}
	return b.String(), nil
}

// datasetTotals is "Datasets: 2 added, 1 changed", or "No dataset changes".
func datasetTotals(changes []DatasetChange) string {
	byStatus := map[Status]int{}
	for _, d := range changes {
		byStatus[d.Status]++
	}
	var parts []string
	for _, status := range statusOrder {
		if n := byStatus[status]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, status))
		}
	}
	if len(parts) == 0 {
		return "No dataset changes"
	}
	return "Datasets: " + strings.Join(parts, ", ")
}

// countsLine is "1 to import, 2 to create, 1 to update, 3 to delete",
// leaving out zeros.
func countsLine(counts map[string]int) string {
	var parts []string
	for _, v := range verbOrder {
		if n := counts[v]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", n, v))
		}
	}
	if len(parts) == 0 {
		return "no changes"
	}
	return strings.Join(parts, ", ")
}

// value shows an attribute's value as a code span, or says there is none.
func value(v string) string {
	if v == "" {
		return "*none*"
	}
	return code(v)
}

// describeOwner names the owner of a resource for people.
func describeOwner(c ResourceChange) string {
	id := c.Owner
	switch {
	case !c.Ours:
		return "not a logical id of this project"
	case id.Owner == naming.OwnerUser:
		return fmt.Sprintf("push access of %s", code(id.Role))
	case id.Owner == naming.OwnerShared:
		return "shared by all datasets"
	case id.Role != "":
		return fmt.Sprintf("pull dataset %s, access of %s", code(id.Dataset), code(id.Role))
	}
	return fmt.Sprintf("%s dataset %s", id.Owner, code(id.Dataset))
}

// describeReader names the outside identity behind a federated reader's
// role, each id as a code span, or says why the deploy refuses its trust.
func describeReader(r FederatedReader) string {
	switch reader := r.Reader.(type) {
	case federation.GCPReader:
		s := "Google Cloud service account " + code(reader.ServiceAccountUniqueID)
		if reader.ServiceAccountEmail != "" {
			s += " (" + code(reader.ServiceAccountEmail) + ")"
		}
		return s
	case federation.AzureReader:
		return fmt.Sprintf("Azure principal %s in tenant %s, tokens for application %s", code(reader.ObjectID), code(reader.TenantID), code(reader.ClientID))
	}
	return ":no_entry: **an identity the deploy refuses:** " + code(r.Problem)
}

// inAccount is " in account `<account>`" beside a recipient bucket, the
// account in bold when emphasised; for a mover deployed before recipients'
// accounts were pinned, which names none, it says so.
func inAccount(account string, emphasised bool) string {
	switch {
	case account == "":
		return " (no account pinned)"
	case emphasised:
		return " in account **" + code(account) + "**"
	}
	return " in account " + code(account)
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

// reference shows a paperwork reference: a plain http(s) URL as an
// autolink, and anything else (text naming a document, such as
// "DPIA 17056") as a code span, exactly as written, so that a dataset file
// cannot inject Markdown into the comment.
func reference(ref string) string {
	if (strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://")) && !strings.ContainsAny(ref, " <>`\n") {
		return "<" + ref + ">"
	}
	return code(ref)
}

// titleCase is a status as a heading starts it: "Added".
func titleCase(s Status) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// explainer is a model value that words itself, quoting names as asked.
type explainer interface {
	Explain(quote func(string) string) string
}

// explain words a risk or a paperwork gap with names as code spans.
func explain(e explainer) string { return e.Explain(code) }

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
