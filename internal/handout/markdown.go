package handout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/internal/plansummary"
)

// Markdown renders handouts for people: a terminal, a deploy's job summary,
// a pull-request comment. Each dataset is a section of its own that can be
// copied as it is to the other side.
func Markdown(handouts []Handout) string {
	sections := make([]string, len(handouts))
	for i, h := range handouts {
		if h.Push != nil {
			sections[i] = pushMarkdown(h)
		} else {
			sections[i] = pullMarkdown(h)
		}
	}
	return strings.Join(sections, "\n")
}

// FromPlanMarkdown renders the handouts of the datasets a deploy changed,
// under a heading that says so, or says that there are none.
func FromPlanMarkdown(handouts []Handout) string {
	const heading = "## For the other side of each export\n\n"
	if len(handouts) == 0 {
		return heading + "This deploy changed no push or pull dataset: there is nothing to send to a recipient or a reader.\n"
	}
	return heading + "What each recipient or reader of a dataset this deploy changed needs, ready to send. `go run ./cmd/exports recipient-policy <dataset>` prints the same at any time.\n\n" + Markdown(handouts)
}

func pushMarkdown(h Handout) string {
	p := h.Push
	statement := p.BucketPolicy.Statement[0]
	var b strings.Builder
	fmt.Fprintf(&b, "### Push dataset `%s`\n\n", h.Name)
	if lead := pushLead(h.Deploy, p, statement.Sid); lead != "" {
		b.WriteString(lead + "\n\n")
	}
	if h.Deploy != nil && !h.Deploy.OtherSideActs {
		return strings.TrimSuffix(b.String(), "\n")
	}
	fmt.Fprintf(&b, "- Recipient bucket: `%s`; files arrive under `%s`, with the keys they were written with.\n", p.Bucket, p.Prefix)
	fmt.Fprintf(&b, "- Mover role: `%s`\n\n", p.MoverRoleARN)
	fmt.Fprintf(&b, "**The recipient's bucket policy.** For a bucket without a policy, save it as it is. A bucket has one policy, and saving replaces it: to a bucket that has one, add this statement to its `Statement` list instead.\n\n")
	b.WriteString(jsonBlock(p.BucketPolicy))
	fmt.Fprintf(&b, "It lets the mover role do only this, and only under `%s`:\n\n", p.Prefix)
	for _, action := range statement.Action {
		fmt.Fprintf(&b, "- `%s`: %s\n", action, actionPurposes[action])
	}
	b.WriteString("\n")
	if h.Deploy == nil {
		b.WriteString("**When to save it.** Only once the deploy that adds this dataset has applied: S3 refuses a bucket policy that names a role that does not exist yet (`MalformedPolicy: Invalid principal in policy`). Files written in the meantime wait on our side.\n\n")
	}
	b.WriteString("**Encryption.** The mover writes every object encrypted with SSE-S3 (`AES256`). A bucket whose default encryption is SSE-KMS accepts these writes, but a bucket policy that denies writes not encrypted with KMS (a condition on `s3:x-amz-server-side-encryption` requiring `aws:kms`) refuses every one of them until it makes an exception for the mover role.\n")
	return b.String()
}

// leads are the first words of a dataset's section after a deploy: what the
// deploy did, and what the other side must do now.
type leads struct{ added, adopted, unchanged, changed string }

var (
	pushLeads = leads{
		added:     "**Added by this deploy.** The mover role exists now: send this to the owner of the recipient bucket, who can save the policy at once.",
		adopted:   "**Taken over by this deploy** from the tool that managed it before. The mover role is the same one, so the recipient's policy still admits it; ask them to save this one in its place, which also lets the mover check each copy and clean up after a failed large copy.",
		unchanged: "**Changed by this deploy**, but not on the recipient's side: there is nothing to send, and the policy they saved stays as it is.",
		changed:   "**Changed by this deploy.** Send this to the owner of the recipient bucket.",
	}
	pullLeads = leads{
		added:     "**Added by this deploy.** The bucket exists now: send this to each reader.",
		adopted:   "**Taken over by this deploy** from the tool that managed it before: the bucket and its data are the same.",
		unchanged: "**Changed by this deploy**, but not for the readers: there is nothing to send, and what they may do stays as it is.",
		changed:   "**The readers, or what they may do, changed in this deploy.** Send this to each reader.",
	}
)

// lead is the lead of a section after the deploy d, "" without one.
func (l leads) lead(d *Deploy) string {
	switch {
	case d == nil:
		return ""
	case d.Status == string(plansummary.Added):
		return l.added
	case d.Status == string(plansummary.Adopted):
		return l.adopted
	case !d.OtherSideActs:
		return l.unchanged
	}
	return l.changed
}

// pushLead is a push section's lead, which names both buckets when the
// deploy moved the export to another.
func pushLead(d *Deploy, p *Push, statementID string) string {
	if d != nil && d.Status == string(plansummary.Changed) && d.PreviousBucket != "" {
		return fmt.Sprintf("**The recipient bucket changed** from `%s` to `%s` in this deploy. The owner of `%s` can save this policy now; the owner of `%s` may delete the statement `%s` from theirs.", d.PreviousBucket, p.Bucket, p.Bucket, d.PreviousBucket, statementID)
	}
	return pushLeads.lead(d)
}

func pullMarkdown(h Handout) string {
	p := h.Pull
	var b strings.Builder
	fmt.Fprintf(&b, "### Pull dataset `%s`\n\n", h.Name)
	if lead := pullLeads.lead(h.Deploy); lead != "" {
		b.WriteString(lead + "\n\n")
	}
	if h.Deploy != nil && !h.Deploy.OtherSideActs {
		return strings.TrimSuffix(b.String(), "\n")
	}
	fmt.Fprintf(&b, "- Bucket: `%s` (`s3://%s/`)\n", p.Bucket, p.Bucket)
	may := "list the bucket and read every object in it"
	if p.AllowPush {
		may += ", and write objects into it"
	}
	fmt.Fprintf(&b, "- Readers, each of which may %s:\n", may)
	for _, reader := range p.Readers {
		fmt.Fprintf(&b, "  - `%s`\n", reader)
	}
	b.WriteString("\n**Each reader's own role** must allow the same on its side, since access to another account's bucket needs the consent of both accounts: this policy, attached to the role, or its statements added to a policy the role has.\n\n")
	b.WriteString(jsonBlock(p.ReaderPolicy))
	b.WriteString("Requests must use HTTPS with TLS 1.2 or later: the bucket refuses any other. Objects are encrypted with SSE-S3, so readers need no KMS key.\n")
	return b.String()
}

// jsonBlock is a policy as an indented JSON code block.
func jsonBlock(p Policy) string {
	return "```json\n" + string(PolicyJSON(p)) + "```\n\n"
}

// PolicyJSON is a policy as indented JSON with a final newline, ready to
// save: `aws s3api put-bucket-policy --policy file://policy.json`.
func PolicyJSON(p Policy) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		// A Policy holds only strings and lists of strings.
		panic(err)
	}
	return buf.Bytes()
}
