package plansummary

import (
	"cmp"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"unicode/utf8"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/ministryofjustice/data-engineering-exports/naming"
)

// Drift is a resource changed outside Terraform (by hand, in the console,
// with the AWS CLI) since Terraform last applied it: an entry of the plan's
// resource_drift that deletes the resource or changes an attribute the
// configuration sets.
//
// Other entries are left out: after every apply, the next refresh fills in
// attributes the configuration does not set (tags the provider's
// default_tags cover, a bucket's copies of its separate policy, versioning
// and encryption resources, a role's copy of its inline policies), and
// values appear where there were none (null becomes false, "", 0, [] or
// {}). Terraform puts none of that back, and shows none of it either.
type Drift struct {
	// ResourceChange's Verb is what happened outside Terraform: update or
	// delete.
	ResourceChange
	// Attributes lists what changed, by name. For a deleted resource they
	// are its policy documents, everything they granted removed.
	Attributes []AttributeDrift
	// Outcome is what this plan does about it.
	Outcome DriftOutcome
}

// AttributeDrift is one attribute changed outside Terraform.
type AttributeDrift struct {
	Name string
	// Policy is true for a policy document, compared by what it grants:
	// Added is what it grants now and did not, Removed the reverse.
	Policy         bool
	Added, Removed []Grant
	// Before and After are any other value, as Terraform last applied it and
	// as it is now: a string as it is, anything else as compact JSON, cut to
	// maxValueLength; "" when there is none.
	Before, After string
	// Sensitive is true when Terraform hides the value: Before and After are
	// then empty.
	Sensitive bool
}

// DriftOutcome is what a plan does about a change made outside Terraform.
type DriftOutcome string

// Outcomes of a drift.
const (
	// Reverted: the plan puts back every attribute changed outside as
	// Terraform last applied it.
	Reverted DriftOutcome = "reverted"
	// Recreated: the resource was deleted outside Terraform and the plan
	// creates it again.
	Recreated DriftOutcome = "re-created"
	// Overwritten: the plan changes the resource again, but not only back to
	// what Terraform last applied (the dataset files change it too, say).
	Overwritten DriftOutcome = "overwritten"
	// Kept: the plan leaves what changed outside Terraform as it is: the
	// configuration asks for the same (a dataset file now says what was
	// changed by hand).
	Kept DriftOutcome = "kept"
	// LeftDeleted: the resource was deleted outside Terraform and the plan
	// does not create it again.
	LeftDeleted DriftOutcome = "left deleted"
)

// Explain says what the plan does about the change.
func (o DriftOutcome) Explain() string {
	switch o {
	case Reverted:
		return "reverts it: puts back what Terraform last applied"
	case Recreated:
		return "re-creates it"
	case Overwritten:
		return "changes it again, but not only back to what Terraform last applied: read its planned change in the full plan"
	case Kept:
		return "keeps it as it is now: the stack asks for the same"
	case LeftDeleted:
		return "does not create it again"
	}
	return string(o)
}

// policyAttributes are the attributes that hold a policy document.
var policyAttributes = map[string]bool{"policy": true, "assume_role_policy": true}

// maxValueLength bounds a value shown in the comment, in characters.
const maxValueLength = 120

// drifts is every resource the plan says changed outside Terraform, by
// address, marking accounts not in knownAccounts.
func drifts(p *tfjson.Plan, knownAccounts map[string]bool) []Drift {
	planned := map[string]*tfjson.ResourceChange{}
	for _, rc := range managedChanges(p) {
		planned[rc.Address] = rc
	}
	configured := configuredAttributes(p)
	var out []Drift
	for _, rc := range driftChanges(p) {
		id, ours := naming.ParseLogicalID(rc.Name)
		c := rc.Change
		d := Drift{ResourceChange: ResourceChange{Address: rc.Address, Verb: verb(c.Actions), Owner: id, Ours: ours}}
		before, _ := c.Before.(map[string]any)
		after, _ := c.After.(map[string]any)
		deleted := after == nil
		sets, known := configured(rc)
		var changed []string
		for _, name := range slices.Sorted(maps.Keys(union(before, after))) {
			switch {
			case deleted && !policyAttributes[name]:
				continue
			case !deleted && known && !sets[name]:
				continue
			}
			sensitive := anyTrue(attribute(c.BeforeSensitive, name)) || anyTrue(attribute(c.AfterSensitive, name))
			if a, ok := attributeDrift(name, before[name], after[name], sensitive); ok {
				a.markNewAccounts(knownAccounts)
				d.Attributes = append(d.Attributes, a)
				changed = append(changed, name)
			}
		}
		if !deleted && len(changed) == 0 {
			continue
		}
		d.Outcome = driftOutcome(c, changed, planned[rc.Address])
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Drift) int { return cmp.Compare(a.Address, b.Address) })
	return out
}

// attributeDrift compares one attribute before and after a change made
// outside Terraform; ok is false when it did not change.
func attributeDrift(name string, before, after any, sensitive bool) (a AttributeDrift, ok bool) {
	a.Name = name
	if policyAttributes[name] {
		if beforeDoc, ok := policyOrNone(before); ok {
			if afterDoc, ok := policyOrNone(after); ok {
				a.Policy = true
				a.Added, a.Removed = policyDiff(beforeDoc, afterDoc)
				return a, len(a.Added)+len(a.Removed) > 0
			}
		}
	}
	if sameValue(name, before, after) {
		return a, false
	}
	if sensitive {
		a.Sensitive = true
		return a, true
	}
	a.Before, a.After = showValue(before), showValue(after)
	return a, true
}

// markNewAccounts marks the principals granted outside Terraform whose
// account Terraform never granted.
func (a *AttributeDrift) markNewAccounts(knownAccounts map[string]bool) {
	for i, g := range a.Added {
		a.Added[i].NewAccount = g.Effect == "Allow" && g.Account != "" && !knownAccounts[g.Account]
	}
}

// policyOrNone reads a policy document attribute; a missing or empty one is
// a document that grants nothing. ok is false for anything else.
func policyOrNone(value any) (policyDocument, bool) {
	switch v := value.(type) {
	case nil:
		return policyDocument{}, true
	case string:
		if v == "" {
			return policyDocument{}, true
		}
		return parsePolicy(v)
	}
	return policyDocument{}, false
}

// driftOutcome is what the planned change of a resource (nil when the plan
// has none) does about how it changed outside Terraform: drift, in the
// attributes named changed.
func driftOutcome(drift *tfjson.Change, changed []string, planned *tfjson.ResourceChange) DriftOutcome {
	changes := planned != nil && planned.Change.After != nil && verb(planned.Change.Actions) != ""
	if drift.After == nil {
		if changes {
			return Recreated
		}
		return LeftDeleted
	}
	if !changes {
		return Kept
	}
	reverted, kept := 0, 0
	for _, name := range changed {
		if unknown(planned.Change.AfterUnknown, name) {
			continue
		}
		value := attribute(planned.Change.After, name)
		switch {
		case sameValue(name, value, attribute(drift.Before, name)):
			reverted++
		case sameValue(name, value, attribute(drift.After, name)):
			kept++
		}
	}
	switch {
	case reverted == len(changed):
		return Reverted
	case kept == len(changed):
		return Kept
	}
	return Overwritten
}

// sameValue is true when two values of an attribute are the same: policy
// documents when they grant the same, anything else when it is equal but
// for empty values where the other has none (see sameOrEmpty).
func sameValue(name string, x, y any) bool {
	if policyAttributes[name] {
		if xDoc, ok := policyOrNone(x); ok {
			if yDoc, ok := policyOrNone(y); ok {
				return samePolicy(xDoc, yDoc)
			}
		}
	}
	return sameOrEmpty(x, y)
}

// sameOrEmpty is true when two values are equal, reading null, false, "", 0,
// [] and {} as one value, none, at any depth: where Terraform recorded
// nothing, AWS reports an empty value. A setting changed by hand from or to
// a value that is not empty still differs.
func sameOrEmpty(x, y any) bool {
	if isEmpty(x) && isEmpty(y) {
		return true
	}
	switch x := x.(type) {
	case map[string]any:
		y, ok := y.(map[string]any)
		if !ok {
			return false
		}
		for key := range union(x, y) {
			if !sameOrEmpty(x[key], y[key]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := y.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameOrEmpty(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(x, y)
}

// isEmpty is true for null, false, "", 0, [] and {}.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case string:
		return v == ""
	case float64:
		return v == 0
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// configuredAttributes returns a function that names the attributes and
// blocks the plan's configuration sets for a resource: none for a resource
// it no longer has. known is false when the plan holds no configuration, or
// for a resource in a child module (this stack has none): then every
// attribute counts.
func configuredAttributes(p *tfjson.Plan) func(*tfjson.ResourceChange) (sets map[string]bool, known bool) {
	if p.Config == nil || p.Config.RootModule == nil {
		return func(*tfjson.ResourceChange) (map[string]bool, bool) { return nil, false }
	}
	byAddress := map[string]map[string]bool{}
	for _, r := range p.Config.RootModule.Resources {
		if r != nil && r.Mode == tfjson.ManagedResourceMode {
			byAddress[r.Address] = toSet(slices.Collect(maps.Keys(r.Expressions)))
		}
	}
	return func(rc *tfjson.ResourceChange) (map[string]bool, bool) {
		if rc.ModuleAddress != "" {
			return nil, false
		}
		return byAddress[rc.Type+"."+rc.Name], true
	}
}

// showValue is a value for people: a string as it is, anything else as
// compact JSON, cut to maxValueLength characters; "" for none.
func showValue(v any) string {
	var s string
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		s = v
	default:
		encoded, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		s = string(encoded)
	}
	if utf8.RuneCountInString(s) <= maxValueLength {
		return s
	}
	return string([]rune(s)[:maxValueLength-1]) + "…"
}

// anyTrue is true when a sensitivity tree marks anything in it.
func anyTrue(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case map[string]any:
		return slices.ContainsFunc(slices.Collect(maps.Values(v)), anyTrue)
	case []any:
		return slices.ContainsFunc(v, anyTrue)
	}
	return false
}

// union is every key of either map.
func union(a, b map[string]any) map[string]any {
	all := maps.Clone(a)
	if all == nil {
		all = map[string]any{}
	}
	maps.Copy(all, b)
	return all
}
