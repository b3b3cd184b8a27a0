// Package plansummary reads a Terraform plan (the output of `terraform show
// -json PLANFILE`) three ways, each on its own:
//
//   - Summarize arranges it for a reviewer (the Summary model): what the
//     deploy refuses, what it flags, what is destroyed, what was changed
//     outside Terraform, then, dataset by dataset, who gains or loses access
//     to what and where data will be sent;
//   - Gate is the deploy's rule: the changes it refuses to apply;
//   - Markdown renders a Summary for a pull-request comment, and Labels
//     names the pull-request labels it calls for.
//
// Every resource is mapped to its owner by its logical id (package naming),
// which the constructs set on every resource; the only attributes read are
// our own documents: the mover's environment, bucket and role names, bucket
// and user policies and versioning. Only a resource changed outside
// Terraform is compared attribute by attribute, to show what changed.
package plansummary

import (
	"encoding/json"
	"errors"
	"fmt"

	tfjson "github.com/hashicorp/terraform-json"
)

// Plan is a Terraform plan as `terraform show -json PLANFILE` writes it.
type Plan struct {
	*tfjson.Plan
	// Errored is true when Terraform could not finish the plan. tfjson does
	// not read this field of the plan format.
	Errored bool
}

// makeAPlan tells how to make the input this package reads.
const makeAPlan = "give the output of `terraform show -json PLANFILE`"

// ParsePlan decodes `terraform show -json` output of a plan file, refusing
// anything else with a message that says how to make the right input.
func ParsePlan(data []byte) (*Plan, error) {
	// Read first what tells a plan from other JSON, so that the message for
	// the wrong input says what it is rather than what tfjson missed.
	var probe struct {
		FormatVersion   string          `json:"format_version"`
		Errored         bool            `json:"errored"`
		ResourceChanges json.RawMessage `json:"resource_changes"`
		PriorState      json.RawMessage `json:"prior_state"`
		Values          json.RawMessage `json:"values"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		if syntaxErr := (*json.SyntaxError)(nil); errors.As(err, &syntaxErr) {
			return nil, fmt.Errorf("not JSON (%v): %s", err, makeAPlan)
		}
		return nil, fmt.Errorf("not Terraform's JSON output (%v): %s", err, makeAPlan)
	}
	if probe.FormatVersion == "" {
		return nil, errors.New("no format_version: this is not Terraform's JSON output; " + makeAPlan)
	}
	if probe.ResourceChanges == nil && probe.PriorState == nil && probe.Values != nil {
		return nil, errors.New("this is a state, not a plan: run `terraform plan -out PLANFILE` and " + makeAPlan)
	}
	var p tfjson.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		// tfjson checks format_version against the versions it reads.
		return nil, fmt.Errorf("cannot read this plan (%v): %s from Terraform 0.12 or later", err, makeAPlan)
	}
	return &Plan{Plan: &p, Errored: probe.Errored}, nil
}

// Verbs name what a plan does to a resource, for people and for counting.
// Importing comes on top of another verb (a resource may be imported and
// updated), as Terraform counts it.
const (
	verbImport  = "import"
	verbCreate  = string(tfjson.ActionCreate)
	verbUpdate  = string(tfjson.ActionUpdate)
	verbReplace = "replace"
	verbDelete  = string(tfjson.ActionDelete)
	verbForget  = string(tfjson.ActionForget)
)

// verbOrder is the order counts are listed in: Terraform's own.
var verbOrder = []string{verbImport, verbCreate, verbUpdate, verbReplace, verbDelete, verbForget}

// verb names what actions do to a resource, or "" when they leave it as it
// is (no-op, or a data source read).
func verb(a tfjson.Actions) string {
	switch {
	case a.Replace():
		return verbReplace
	case a.Delete():
		return verbDelete
	case a.Create():
		return verbCreate
	case a.Update():
		return verbUpdate
	case a.Forget():
		return verbForget
	}
	return ""
}

// verbs is every verb a change counts under: import first, when the plan
// imports the resource, then what it does to it.
func verbs(c *tfjson.Change) []string {
	var vs []string
	if c.Importing != nil {
		vs = append(vs, verbImport)
	}
	if v := verb(c.Actions); v != "" {
		vs = append(vs, v)
	}
	return vs
}

// deletes is true for a delete or a replacement (delete then create, or
// create then delete).
func deletes(a tfjson.Actions) bool { return a.Delete() || a.Replace() }

// managedChanges is the plan's changes to resources (not data sources).
func managedChanges(p *tfjson.Plan) []*tfjson.ResourceChange { return managed(p.ResourceChanges) }

// driftChanges is the plan's resource_drift: how resources changed outside
// Terraform since it last applied them, before being what Terraform
// recorded and after what the plan's refresh read.
func driftChanges(p *tfjson.Plan) []*tfjson.ResourceChange { return managed(p.ResourceDrift) }

// managed keeps the changes to resources (not data sources).
func managed(changes []*tfjson.ResourceChange) []*tfjson.ResourceChange {
	var kept []*tfjson.ResourceChange
	for _, rc := range changes {
		if rc != nil && rc.Mode == tfjson.ManagedResourceMode && rc.Change != nil {
			kept = append(kept, rc)
		}
	}
	return kept
}

// priorResources is every managed resource in the plan's prior state.
func priorResources(p *tfjson.Plan) []*tfjson.StateResource {
	if p.PriorState == nil || p.PriorState.Values == nil {
		return nil
	}
	var all []*tfjson.StateResource
	var walk func(m *tfjson.StateModule)
	walk = func(m *tfjson.StateModule) {
		if m == nil {
			return
		}
		for _, r := range m.Resources {
			if r != nil && r.Mode == tfjson.ManagedResourceMode {
				all = append(all, r)
			}
		}
		for _, child := range m.ChildModules {
			walk(child)
		}
	}
	walk(p.PriorState.Values.RootModule)
	return all
}

// deployAccount is the account the stack deploys to, as the plan read it
// (the caller identity data source in its prior state), or "".
func deployAccount(p *tfjson.Plan) string {
	if p.PriorState == nil || p.PriorState.Values == nil || p.PriorState.Values.RootModule == nil {
		return ""
	}
	for _, r := range p.PriorState.Values.RootModule.Resources {
		if r != nil && r.Mode == tfjson.DataResourceMode && r.Type == "aws_caller_identity" {
			return stringAttribute(r.AttributeValues, "account_id")
		}
	}
	return ""
}

// attribute walks values along path (map keys and list indexes) and returns
// what it finds, or nil.
func attribute(values any, path ...any) any {
	current := values
	for _, step := range path {
		switch key := step.(type) {
		case string:
			m, ok := current.(map[string]any)
			if !ok {
				return nil
			}
			current = m[key]
		case int:
			list, ok := current.([]any)
			if !ok || key >= len(list) {
				return nil
			}
			current = list[key]
		}
	}
	return current
}

// stringAttribute is the string at path, or "".
func stringAttribute(values any, path ...any) string {
	s, _ := attribute(values, path...).(string)
	return s
}

// unknown is true when the after_unknown tree marks path, or any part of it
// on the way there, as known only after apply.
func unknown(afterUnknown any, path ...any) bool {
	current := afterUnknown
	for _, step := range path {
		if b, ok := current.(bool); ok {
			return b
		}
		current = attribute(current, step)
	}
	b, _ := current.(bool)
	return b
}
