package plansummary

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// policyDocument is the part of an IAM policy document the summary reads.
type policyDocument struct {
	Statement oneOrMany[statement] `json:"Statement"`
}

type statement struct {
	Effect    string            `json:"Effect"`
	Principal principal         `json:"Principal"`
	Action    oneOrMany[string] `json:"Action"`
	Resource  oneOrMany[string] `json:"Resource"`
}

// oneOrMany decodes IAM's "a value or a list of values".
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(data []byte) error {
	var one T
	if err := json.Unmarshal(data, &one); err == nil {
		*o = []T{one}
		return nil
	}
	var many []T
	if err := json.Unmarshal(data, &many); err != nil {
		return err
	}
	*o = many
	return nil
}

// principal holds the AWS principals of a statement; "*" (anyone) is kept as
// the single entry "*".
type principal struct {
	AWS oneOrMany[string]
}

func (p *principal) UnmarshalJSON(data []byte) error {
	var anyone string
	if err := json.Unmarshal(data, &anyone); err == nil {
		p.AWS = []string{anyone}
		return nil
	}
	var byType struct {
		AWS oneOrMany[string] `json:"AWS"`
	}
	if err := json.Unmarshal(data, &byType); err != nil {
		return err
	}
	p.AWS = byType.AWS
	return nil
}

// parsePolicy decodes a policy document held in a Terraform string
// attribute; ok is false when there is none or it is not a document.
func parsePolicy(document string) (doc policyDocument, ok bool) {
	if document == "" {
		return policyDocument{}, false
	}
	if err := json.Unmarshal([]byte(document), &doc); err != nil {
		return policyDocument{}, false
	}
	return doc, true
}

// grantedPrincipals is every named AWS principal an Allow statement grants
// (never "*"), and whether any of them may write objects.
func (doc policyDocument) grantedPrincipals() (principals []string, write bool) {
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			continue
		}
		for _, p := range s.Principal.AWS {
			if p == "*" {
				continue
			}
			principals = append(principals, p)
			if slices.ContainsFunc(s.Action, grantsWrite) {
				write = true
			}
		}
	}
	slices.Sort(principals)
	return slices.Compact(principals), write
}

// grantsWrite is true for an S3 action that writes objects.
func grantsWrite(action string) bool {
	switch action {
	case "s3:PutObject", "s3:Put*", "s3:*", "*":
		return true
	}
	return false
}

// exportPrefixARN matches the object ARN of one push dataset's prefix in the
// export bucket, the form a user's push policy grants.
var exportPrefixARN = regexp.MustCompile(`^arn:aws:s3:::` + regexp.QuoteMeta(naming.ExportBucket) + `/([a-z0-9_]+)/\*$`)

// pushDatasets is every push dataset whose prefix an Allow statement of the
// document grants.
func (doc policyDocument) pushDatasets() []string {
	var names []string
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			continue
		}
		for _, resource := range s.Resource {
			if m := exportPrefixARN.FindStringSubmatch(resource); m != nil {
				names = append(names, m[1])
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// accountOf is the account id in an IAM or STS ARN, or "".
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
