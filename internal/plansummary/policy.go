package plansummary

import (
	"cmp"
	"encoding/json"
	"maps"
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
	Effect       string            `json:"Effect"`
	Principal    principal         `json:"Principal"`
	NotPrincipal principal         `json:"NotPrincipal"`
	Action       oneOrMany[string] `json:"Action"`
	NotAction    oneOrMany[string] `json:"NotAction"`
	Resource     oneOrMany[string] `json:"Resource"`
	NotResource  oneOrMany[string] `json:"NotResource"`
	Condition    any               `json:"Condition"`
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

// principal holds the principals of a statement by type ("AWS", "Service",
// "Federated", ...); "*" (anyone) is kept as the single AWS entry "*", which
// IAM reads the same.
type principal map[string]oneOrMany[string]

func (p *principal) UnmarshalJSON(data []byte) error {
	var anyone string
	if err := json.Unmarshal(data, &anyone); err == nil {
		*p = principal{"AWS": {anyone}}
		return nil
	}
	var byType map[string]oneOrMany[string]
	if err := json.Unmarshal(data, &byType); err != nil {
		return err
	}
	*p = byType
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
		for _, p := range s.Principal["AWS"] {
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

// Grant is a part of a policy document, as a reviewer reads it: what one
// principal may (Allow) or may not (Deny) do on some resources.
type Grant struct {
	Effect string
	// Principal is "" in a policy attached to an identity. An AWS principal
	// is its ARN, or "*" (anyone); a principal of another type starts with
	// its type ("Service lambda.amazonaws.com"); a NotPrincipal starts with
	// "all but ".
	Principal string
	// Account is an AWS principal's account, or "". NewAccount is true when
	// Terraform never granted any principal in it (see Summary).
	Account    string
	NewAccount bool
	// Actions and Resources are sorted; a NotAction or NotResource list is
	// one entry, "all but ..." .
	Actions, Resources []string
	// Condition is the statement's condition as compact JSON, or "".
	Condition string
}

// grantAtom is the smallest part of a policy: one effect for one principal,
// one action and one resource under one condition. Documents compare by
// their atoms, whatever their statements, Sids and order.
type grantAtom struct{ effect, principal, action, resource, condition string }

// atoms breaks a document into its atoms.
func (doc policyDocument) atoms() map[grantAtom]bool {
	set := map[grantAtom]bool{}
	for _, s := range doc.Statement {
		condition := ""
		if s.Condition != nil {
			// A decoded JSON value always encodes again, its keys sorted.
			encoded, _ := json.Marshal(s.Condition)
			condition = string(encoded)
		}
		principals := append(s.Principal.names(""), s.NotPrincipal.names("all but ")...)
		if len(principals) == 0 {
			principals = []string{""}
		}
		actions := append(slices.Clone([]string(s.Action)), allBut(s.NotAction)...)
		resources := append(slices.Clone([]string(s.Resource)), allBut(s.NotResource)...)
		for _, p := range principals {
			for _, a := range actions {
				for _, r := range resources {
					set[grantAtom{s.Effect, p, a, r, condition}] = true
				}
			}
		}
	}
	return set
}

// names is every principal of a statement as Grant.Principal shows it.
func (p principal) names(prefix string) []string {
	var names []string
	for _, typ := range slices.Sorted(maps.Keys(p)) {
		for _, value := range p[typ] {
			if typ == "AWS" {
				names = append(names, prefix+value)
			} else {
				names = append(names, prefix+typ+" "+value)
			}
		}
	}
	return names
}

// allBut is a NotAction or NotResource list as one entry, or none.
func allBut(values []string) []string {
	if len(values) == 0 {
		return nil
	}
	return []string{"all but " + strings.Join(slices.Sorted(slices.Values(values)), ", ")}
}

// grantsOf groups atoms for reading: first the actions one principal has on
// one resource, then the resources that share the same actions.
func grantsOf(atoms map[grantAtom]bool) []Grant {
	type onResource struct{ effect, principal, resource, condition string }
	actions := map[onResource][]string{}
	for a := range atoms {
		key := onResource{a.effect, a.principal, a.resource, a.condition}
		actions[key] = append(actions[key], a.action)
	}
	type sameActions struct{ effect, principal, condition, actions string }
	grants := map[sameActions]*Grant{}
	for key, acts := range actions {
		slices.Sort(acts)
		merged := sameActions{key.effect, key.principal, key.condition, strings.Join(acts, "\n")}
		if grants[merged] == nil {
			grants[merged] = &Grant{Effect: key.effect, Principal: key.principal, Account: principalAccount(key.principal),
				Actions: acts, Condition: key.condition}
		}
		grants[merged].Resources = append(grants[merged].Resources, key.resource)
	}
	var sorted []Grant
	for _, g := range grants {
		slices.Sort(g.Resources)
		sorted = append(sorted, *g)
	}
	slices.SortFunc(sorted, func(a, b Grant) int {
		return cmp.Or(
			cmp.Compare(a.Effect, b.Effect),
			cmp.Compare(a.Principal, b.Principal),
			slices.Compare(a.Actions, b.Actions),
			slices.Compare(a.Resources, b.Resources),
			cmp.Compare(a.Condition, b.Condition),
		)
	})
	return sorted
}

// policyDiff is what one document grants that the other does not, both
// ways: added is in after only, removed in before only.
func policyDiff(before, after policyDocument) (added, removed []Grant) {
	b, a := before.atoms(), after.atoms()
	return grantsOf(subtract(a, b)), grantsOf(subtract(b, a))
}

// samePolicy is true when two documents grant the same.
func samePolicy(x, y policyDocument) bool { return maps.Equal(x.atoms(), y.atoms()) }

// subtract is what set has that other lacks.
func subtract(set, other map[grantAtom]bool) map[grantAtom]bool {
	out := map[grantAtom]bool{}
	for atom := range set {
		if !other[atom] {
			out[atom] = true
		}
	}
	return out
}

// principalAccount is the account of an AWS principal, or "".
func principalAccount(p string) string {
	// A bare account id, which IAM reads as the account's root.
	if naming.IsAccountID(p) {
		return p
	}
	return accountOf(p)
}
